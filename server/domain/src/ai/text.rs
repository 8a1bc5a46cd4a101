//! Text pieces the built-in engine and citation checks share: sentences with their
//! character offsets, word tokens with light stemming, and normalisation.

/// A sentence of a source, with where it sits in the source's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Index of the source it came from.
    pub doc: usize,
    /// Character offsets (Unicode scalar values) into the source text.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Words that end in a period but do not end a sentence.
const ABBREVIATIONS: [&str; 22] = [
    "e.g", "i.e", "etc", "vs", "inc", "ltd", "co", "corp", "mr", "mrs", "ms", "dr", "st", "no",
    "approx", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
];

/// Splits `text` into sentences: every line is a unit (extracted pages put each block
/// and table row on its own line), and a line splits further after `.`, `!` or `?`
/// followed by a space and a capital letter, digit or quote — except after common
/// abbreviations. Leading list markers are left out of the sentence.
pub fn sentences(doc: usize, text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut line_start = 0;
    for i in 0..=chars.len() {
        if i == chars.len() || chars[i] == '\n' {
            split_line(doc, &chars, line_start, i, &mut out);
            line_start = i + 1;
        }
    }
    out
}

fn split_line(doc: usize, chars: &[char], from: usize, to: usize, out: &mut Vec<Sentence>) {
    let mut start = from;
    let mut i = from;
    while i < to {
        let c = chars[i];
        if matches!(c, '.' | '!' | '?') && i + 2 < to && chars[i + 1] == ' ' {
            let next = chars[i + 2];
            let opens = next.is_uppercase() || next.is_ascii_digit() || "\"“‘'(".contains(next);
            if opens && !(c == '.' && ends_with_abbreviation(chars, start, i)) {
                push(doc, chars, start, i + 1, out);
                start = i + 2;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    push(doc, chars, start, to, out);
}

fn ends_with_abbreviation(chars: &[char], start: usize, dot: usize) -> bool {
    let mut j = dot;
    while j > start && (chars[j - 1].is_alphabetic() || chars[j - 1] == '.') {
        j -= 1;
    }
    let word: String = chars[j..dot].iter().collect::<String>().to_lowercase();
    // A single letter ("J. Smith") or a known abbreviation.
    word.chars().count() == 1 || ABBREVIATIONS.contains(&word.as_str())
}

fn push(doc: usize, chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<Sentence>) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    // List markers are layout, not words.
    while start < end && "-•*·–▪►✓✔".contains(chars[start]) {
        start += 1;
        while start < end && chars[start].is_whitespace() {
            start += 1;
        }
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    if end > start {
        out.push(Sentence {
            doc,
            start,
            end,
            text: chars[start..end].iter().collect(),
        });
    }
}

const STOPWORDS: [&str; 130] = [
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even",
    "every", "few", "for", "from", "further", "get", "gets", "got", "had", "has", "have", "having",
    "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "let", "lets", "like", "make", "makes", "me", "more", "most", "much", "my",
    "new", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out",
    "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "until", "up", "us", "use", "used", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// A crude English stem: enough to make "integrations" meet "integration".
pub fn stem(word: &str) -> String {
    for (suffix, replacement) in [
        ("ations", "ate"),
        ("ation", "ate"),
        ("ies", "y"),
        ("ing", ""),
        ("ers", "er"),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ] {
        if let Some(root) = word.strip_suffix(suffix) {
            if root.chars().count() >= 3 && !word.ends_with("ss") {
                return format!("{root}{replacement}");
            }
        }
    }
    word.to_string()
}

/// Lower-case, stemmed content words of `text` (stopwords and one-letter words out).
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.to_lowercase())
        .filter(|w| !is_stopword(w))
        .map(|w| stem(&w))
        .collect()
}

/// Text for comparing quotes: lower case, one space between words, typographic quotes
/// and dashes made plain.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '’' | '‘' | '`' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            '\u{a0}' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The characters `from..to` of `text`.
pub fn char_slice(text: &str, from: usize, to: usize) -> String {
    text.chars()
        .skip(from)
        .take(to.saturating_sub(from))
        .collect()
}

/// Escapes the characters that would make quoted text turn into Markdown markup.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS;
        sorted.sort();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn splits_sentences_with_offsets() {
        let text = "Acme Inc. sells CRM software. It costs $9.99 per user! See e.g. the docs.\n- Fast setup\n\n";
        let s = sentences(0, text);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Acme Inc. sells CRM software.",
                "It costs $9.99 per user!",
                "See e.g. the docs.",
                "Fast setup"
            ]
        );
        for sentence in &s {
            assert_eq!(
                char_slice(text, sentence.start, sentence.end),
                sentence.text
            );
        }
    }

    #[test]
    fn tokens_stem_and_drop_stopwords() {
        assert_eq!(
            tokens("The integrations are working with Salesforce"),
            ["integrate", "work", "salesforce"]
        );
        assert_eq!(
            normalise("  It’s   “Fast”\n– really "),
            "it's \"fast\" - really"
        );
    }
}
