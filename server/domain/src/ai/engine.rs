//! The built-in engine: extractive, offline and deterministic. It splits the sources
//! into sentences, weighs words by TF-IDF across all sentences, ranks sentences by how
//! close they are to the whole set (a centroid form of TextRank) plus the key terms
//! they carry, sorts them with cue-word rules into pricing, strengths, weaknesses and
//! proof, and drafts objection answers from the weaknesses (and our own "why we win"
//! lines). Every statement it writes is a sentence of a source or built around one,
//! and cites that sentence by offsets, so every citation verifies. Ties break on
//! source order, so the same sources always give the same draft.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::text::{markdown_escape, sentences, tokens, Sentence};
use super::{Brief, DraftOutput};
use crate::types::{card_limits, Agent, CardContent, Citation, Claim, Objection, SectionKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Pricing,
    Strength,
    Weakness,
    Proof,
    General,
}

const WEAKNESS_CUES: [&str; 40] = [
    "lack",
    "lacks",
    "missing",
    "no support",
    "not support",
    "doesn't",
    "does not",
    "don't",
    "can't",
    "cannot",
    "limited",
    "limitation",
    "slow",
    "expensive",
    "pricey",
    "costly",
    "difficult",
    "hard to",
    "complicated",
    "clunky",
    "buggy",
    "bugs",
    "outage",
    "downtime",
    "steep",
    "poor",
    "frustrat",
    "complain",
    "drawback",
    "downside",
    "cons:",
    "extra cost",
    "add-on",
    "hidden",
    "confusing",
    "unreliable",
    "crash",
    "only available",
    "waited",
    "disappoint",
];
const STRENGTH_CUES: [&str; 36] = [
    "integrat",
    "automat",
    "real-time",
    "easy",
    "intuitive",
    "powerful",
    "secure",
    "soc 2",
    "scal",
    "fast",
    "analytics",
    "dashboard",
    "api",
    "customiz",
    "customis",
    "collaborat",
    "mobile",
    "supports",
    "includes",
    "offers",
    "built-in",
    "unlimited",
    "love",
    "great",
    "excellent",
    "best",
    "seamless",
    "flexible",
    "reliable",
    "workflow",
    "sso",
    "template",
    "ai-powered",
    "insight",
    "pros:",
    "simple",
];
const PRICING_CUES: [&str; 18] = [
    "per user",
    "per seat",
    "/user",
    "/seat",
    "/mo",
    "per month",
    "/month",
    "a month",
    "annual",
    "billed",
    "free trial",
    "free plan",
    "pricing",
    "price",
    "plan",
    "tier",
    "contact sales",
    "discount",
];
const PROOF_CUES: [&str; 16] = [
    "customers",
    "companies",
    "teams",
    "organizations",
    "organisations",
    "rated",
    "award",
    "g2",
    "gartner",
    "forrester",
    "case study",
    "trusted by",
    "leader",
    "reviews",
    "roi",
    "stars",
];

fn has_price(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    chars
        .windows(2)
        .any(|w| "$€£¥".contains(w[0]) && w[1].is_ascii_digit())
        || ["usd", "eur ", "gbp"].iter().any(|c| lower.contains(c))
}

/// How many cues start a word of `lower` ("lack" is in "lacks", not in "Slack").
fn cue_hits(lower: &str, cues: &[&str]) -> usize {
    cues.iter()
        .filter(|cue| {
            lower.match_indices(*cue).any(|(at, _)| {
                at == 0
                    || !lower[..at]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
            })
        })
        .count()
}

/// Whether a word of `lower` is a number ("27%", "4.3", "$25", "12,000"; not "B2B").
fn has_number(lower: &str) -> bool {
    lower.split_whitespace().any(|w| {
        let w = w.trim_start_matches(['$', '€', '£', '(', '~', '+']);
        w.starts_with(|c: char| c.is_ascii_digit())
    })
}

fn classify(text: &str) -> (Kind, f64) {
    let lower = text.to_lowercase();
    let price = has_price(&lower);
    let digits = has_number(&lower);
    let pricing = cue_hits(&lower, &PRICING_CUES) as f64 + if price { 2.0 } else { 0.0 };
    let weakness = cue_hits(&lower, &WEAKNESS_CUES) as f64 * 1.5;
    let strength = cue_hits(&lower, &STRENGTH_CUES) as f64;
    let proof = cue_hits(&lower, &PROOF_CUES) as f64
        + if digits && (lower.contains('%') || lower.contains("000")) {
            1.0
        } else {
            0.0
        };
    let mut best = (Kind::General, 0.0);
    // Order matters for ties: a weakness outranks a strength that shares a cue
    // ("easy to start but hard to scale"), pricing outranks both.
    for (kind, score) in [
        (
            Kind::Pricing,
            if price || pricing >= 2.0 {
                pricing
            } else {
                0.0
            },
        ),
        (Kind::Weakness, weakness),
        (
            Kind::Proof,
            if digits || proof >= 2.0 { proof } else { 0.0 },
        ),
        (Kind::Strength, strength),
    ] {
        if score > best.1 {
            best = (kind, score);
        }
    }
    if best.1 < 1.0 {
        (Kind::General, 0.0)
    } else {
        best
    }
}

/// A sentence with everything the ranking needs.
struct Candidate {
    sentence: Sentence,
    words: Vec<String>,
    kind: Kind,
    score: f64,
}

/// Sentences too short or too long to stand alone are left out; table rows and short
/// lines with a price stay (pricing tables are mostly that).
fn usable(s: &Sentence) -> bool {
    let words = s.text.split_whitespace().count();
    let lower = s.text.to_lowercase();
    let letters = s.text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 8 || s.text.chars().count() > 400 {
        return false;
    }
    // Table header rows carry no facts; contact lines carry personal data, not insight.
    if s.text.contains(" | ") && !s.text.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if super::redact::redact(&s.text) != s.text {
        return false;
    }
    (5..=60).contains(&words) || (words >= 2 && has_price(&lower))
}

/// The analysed sources.
pub struct Corpus<'a> {
    brief: &'a Brief,
    candidates: Vec<Candidate>,
    /// Stemmed term → weight across the sources, highest first.
    keywords: Vec<(String, f64)>,
}

impl<'a> Corpus<'a> {
    pub fn new(brief: &'a Brief) -> Self {
        let mut all: Vec<(Sentence, Vec<String>)> = Vec::new();
        for (doc, source) in brief.sources.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for s in sentences(doc, &source.text) {
                // Repeated boilerplate within a page counts once.
                if usable(&s) && seen.insert(s.text.to_lowercase()) {
                    let words = tokens(&s.text);
                    if !words.is_empty() {
                        all.push((s, words));
                    }
                }
            }
        }
        // Document frequency over sentences.
        let mut df: HashMap<String, usize> = HashMap::new();
        for (_, words) in &all {
            for w in words.iter().collect::<BTreeSet<_>>() {
                *df.entry(w.clone()).or_default() += 1;
            }
        }
        let n = all.len().max(1) as f64;
        let idf = |w: &str| (n / (1.0 + df.get(w).copied().unwrap_or(0) as f64)).ln() + 1.0;
        // Term weights over the whole set; the centroid every sentence is compared to.
        let mut centroid: BTreeMap<String, f64> = BTreeMap::new();
        for (_, words) in &all {
            for w in words {
                *centroid.entry(w.clone()).or_default() += idf(w);
            }
        }
        let competitor_words: BTreeSet<String> = tokens(&brief.competitor).into_iter().collect();
        let mut keywords: Vec<(String, f64)> = centroid
            .iter()
            .filter(|(w, _)| {
                !competitor_words.contains(*w) && !w.chars().all(|c| c.is_ascii_digit())
            })
            .map(|(w, v)| (w.clone(), *v))
            .collect();
        keywords.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        keywords.truncate(12);
        let centroid_norm = centroid
            .values()
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt()
            .max(1e-9);
        let key_set: BTreeSet<&str> = keywords.iter().map(|(w, _)| w.as_str()).collect();
        let candidates = all
            .into_iter()
            .map(|(sentence, words)| {
                let mut tf: BTreeMap<&str, f64> = BTreeMap::new();
                for w in &words {
                    *tf.entry(w.as_str()).or_default() += idf(w);
                }
                let norm = tf.values().map(|v| v * v).sum::<f64>().sqrt().max(1e-9);
                let dot: f64 = tf
                    .iter()
                    .map(|(w, v)| v * centroid.get(*w).copied().unwrap_or(0.0))
                    .sum();
                let central = dot / (norm * centroid_norm);
                let keys = words
                    .iter()
                    .filter(|w| key_set.contains(w.as_str()))
                    .count() as f64;
                let names = words.iter().any(|w| competitor_words.contains(w));
                let (kind, cue) = classify(&sentence.text);
                // Specific statements (numbers, names of things) help a rep most.
                let specific = has_number(&sentence.text);
                // Headings and slogans have no closing punctuation; prose reads better.
                let prose = sentence.text.ends_with(['.', '!', '?', '”', '"']);
                let score = central * 4.0
                    + keys.min(4.0) * 0.15
                    + cue.min(4.0) * 0.25
                    + if names { 0.3 } else { 0.0 }
                    + if specific { 0.25 } else { 0.0 }
                    + if prose { 0.0 } else { -0.5 };
                Candidate {
                    sentence,
                    words,
                    kind,
                    score,
                }
            })
            .collect();
        Self {
            brief,
            candidates,
            keywords,
        }
    }

    pub fn keywords(&self) -> Vec<String> {
        // Show the words as they were written, not their stems.
        self.keywords
            .iter()
            .take(8)
            .map(|(stem, _)| self.surface_form(stem))
            .collect()
    }

    fn surface_form(&self, stem: &str) -> String {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for c in &self.candidates {
            for word in c.sentence.text.split(|ch: char| !ch.is_alphanumeric()) {
                let lower = word.to_lowercase();
                if !lower.is_empty() && super::text::stem(&lower) == stem {
                    *counts.entry(lower).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(w, _)| w)
            .unwrap_or_else(|| stem.to_string())
    }

    /// The best `limit` candidates of `kind`, without near-duplicates, best first.
    fn best(&self, kind: Kind, limit: usize, skip: &BTreeSet<usize>) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.candidates.len())
            .filter(|i| self.candidates[*i].kind == kind && !skip.contains(i))
            .collect();
        order.sort_by(|a, b| {
            let (x, y) = (&self.candidates[*a], &self.candidates[*b]);
            y.score.total_cmp(&x.score).then_with(|| {
                (x.sentence.doc, x.sentence.start).cmp(&(y.sentence.doc, y.sentence.start))
            })
        });
        let mut chosen: Vec<usize> = Vec::new();
        for i in order {
            if chosen.len() == limit {
                break;
            }
            if chosen
                .iter()
                .all(|j| similarity(&self.candidates[i].words, &self.candidates[*j].words) < 0.6)
            {
                chosen.push(i);
            }
        }
        chosen
    }

    /// The sentence that best says what the competitor is: prose (not a slogan or
    /// heading), naming them if any does, among the best general sentences.
    fn lead(&self, picked: &[usize]) -> Option<usize> {
        let name: BTreeSet<String> = tokens(&self.brief.competitor).into_iter().collect();
        let prose = |i: &usize| self.text(*i).ends_with(['.', '!', '?']);
        let names = |i: &usize| self.candidates[*i].words.iter().any(|w| name.contains(w));
        let by_score = |a: &&usize, b: &&usize| {
            self.candidates[**a]
                .score
                .total_cmp(&self.candidates[**b].score)
                .then_with(|| b.cmp(a))
        };
        picked
            .iter()
            .filter(|i| prose(i) && names(i))
            .max_by(by_score)
            .or_else(|| picked.iter().filter(|i| prose(i)).max_by(by_score))
            .or(picked.first())
            .copied()
    }

    /// The plan a prospect would call cheaper: the lowest listed price that is not an
    /// add-on or extra charge.
    fn cheapest(&self) -> Option<usize> {
        (0..self.candidates.len())
            .filter(|i| self.candidates[*i].kind == Kind::Pricing)
            .filter_map(|i| {
                let lower = self.text(i).to_lowercase();
                if ["add-on", "extra", "more"]
                    .iter()
                    .any(|w| lower.contains(w))
                {
                    return None;
                }
                lowest_amount(&lower).map(|p| (p, i))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
            .map(|(_, i)| i)
    }

    fn citation(&self, i: usize) -> Citation {
        let s = &self.candidates[i].sentence;
        let source = &self.brief.sources[s.doc];
        Citation {
            snapshot_id: source.snapshot_id.clone(),
            start: s.start as u32,
            end: s.end as u32,
            quote: s.text.clone(),
            source_title: source.title.clone(),
            verified: false,
        }
    }

    fn text(&self, i: usize) -> &str {
        &self.candidates[i].sentence.text
    }

    /// The weakness closest in words to candidate `i`, else the best unused one.
    fn counter_to(&self, i: usize, weaknesses: &[usize], used: &BTreeSet<usize>) -> Option<usize> {
        let mut best: Option<(f64, usize)> = None;
        for &w in weaknesses {
            let overlap = similarity(&self.candidates[i].words, &self.candidates[w].words);
            if overlap > 0.0 && best.is_none_or(|(b, _)| overlap > b) {
                best = Some((overlap, w));
            }
        }
        best.map(|(_, w)| w)
            .or_else(|| weaknesses.iter().copied().find(|w| !used.contains(w)))
    }

    /// The candidates most similar to `text` (an objection), best first.
    fn answering(&self, text: &str, limit: usize) -> Vec<usize> {
        let words = tokens(text);
        let mut scored: Vec<(f64, usize)> = (0..self.candidates.len())
            .map(|i| {
                let c = &self.candidates[i];
                let overlap = similarity(&words, &c.words);
                let bonus = if c.kind == Kind::Weakness { 0.1 } else { 0.0 };
                (overlap + if overlap > 0.0 { bonus } else { 0.0 }, i)
            })
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.into_iter().take(limit).map(|(_, i)| i).collect()
    }
}

/// The smallest amount after a currency sign in `text`.
fn lowest_amount(text: &str) -> Option<f64> {
    text.split(['$', '€', '£'])
        .skip(1)
        .filter_map(|rest| {
            let number: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
                .filter(|c| *c != ',')
                .collect();
            number.trim_end_matches('.').parse::<f64>().ok()
        })
        .min_by(f64::total_cmp)
}

/// Overlap of two word lists (Jaccard over their sets).
fn similarity(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    let common = a.intersection(&b).count() as f64;
    let union = a.union(&b).count() as f64;
    if union == 0.0 {
        0.0
    } else {
        common / union
    }
}

/// Writes a draft, collecting its claims as it goes.
struct Writer<'c, 'a> {
    corpus: &'c Corpus<'a>,
    claims: Vec<Claim>,
}

impl Writer<'_, '_> {
    fn claim(&mut self, place: &str, text: String, cited: &[usize]) -> String {
        self.claims.push(Claim {
            place: place.to_string(),
            text: text.clone(),
            citations: cited.iter().map(|i| self.corpus.citation(*i)).collect(),
            verified: false,
        });
        text
    }

    /// A Markdown list with one cited bullet per sentence.
    fn bullets(&mut self, key: SectionKey, picked: &[usize]) -> String {
        picked
            .iter()
            .map(|i| {
                let text = markdown_escape(without_label(self.corpus.text(*i)));
                format!("- {}", self.claim(key.as_str(), text, &[*i]))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A review's "Pros:" / "Cons:" label is layout; the section already says which.
fn without_label(text: &str) -> &str {
    for label in ["Pros:", "Cons:", "Pro:", "Con:"] {
        if let Some(rest) = text.strip_prefix(label) {
            return rest.trim_start();
        }
    }
    text
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// Runs `agent` over the brief.
pub fn run(agent: Agent, brief: &Brief) -> DraftOutput {
    let corpus = Corpus::new(brief);
    let mut w = Writer {
        corpus: &corpus,
        claims: Vec::new(),
    };
    let mut content = brief.current.clone();
    let name = brief.competitor.as_str();
    match agent {
        Agent::BattlecardWriter => {
            write_sections(&mut w, &mut content, None);
            content.objections =
                draft_objections(&mut w, name, &brief.current, &brief.differentiators);
        }
        Agent::SectionRefresher => {
            write_sections(
                &mut w,
                &mut content,
                Some(brief.section.unwrap_or(SectionKey::Overview)),
            );
        }
        Agent::ObjectionHandler => {
            content.objections = answer_objections(&mut w, &brief.current, &brief.differentiators);
        }
        Agent::SourceSummariser => {
            let picked = summary_sentences(&corpus, 5);
            content.overview = w.bullets(SectionKey::Overview, &picked);
        }
    }
    DraftOutput {
        content,
        claims: w.claims,
        keywords: corpus.keywords(),
    }
}

/// The best general sentences, in the order they appear.
fn summary_sentences(corpus: &Corpus, limit: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::new();
    for kind in [
        Kind::General,
        Kind::Strength,
        Kind::Proof,
        Kind::Pricing,
        Kind::Weakness,
    ] {
        if picked.len() < limit {
            let skip = picked.iter().copied().collect();
            picked.extend(corpus.best(kind, limit - picked.len(), &skip));
        }
    }
    picked.sort_by_key(|i| {
        (
            corpus.candidates[*i].sentence.doc,
            corpus.candidates[*i].sentence.start,
        )
    });
    picked
}

fn write_sections(w: &mut Writer, content: &mut CardContent, only: Option<SectionKey>) {
    let corpus = w.corpus;
    let none = BTreeSet::new();
    let wants = |key: SectionKey| only.is_none_or(|k| k == key);
    let strengths = corpus.best(Kind::Strength, 6, &none);
    let weaknesses = corpus.best(Kind::Weakness, 6, &none);
    if wants(SectionKey::Overview) {
        let picked = summary_sentences(corpus, 3);
        if let Some(lead) = corpus.lead(&picked) {
            let line = clip(corpus.text(lead), card_limits::SUMMARY_MAX);
            content.summary = w.claim("summary", line, &[lead]);
        }
        content.overview = w.bullets(SectionKey::Overview, &picked);
    }
    if wants(SectionKey::Strengths) {
        content.strengths = w.bullets(SectionKey::Strengths, &strengths);
    }
    if wants(SectionKey::Weaknesses) {
        content.weaknesses = w.bullets(SectionKey::Weaknesses, &weaknesses);
    }
    if wants(SectionKey::Pricing) {
        // Pricing reads best in the page's own order (tiers low to high).
        let mut picked = corpus.best(Kind::Pricing, 8, &none);
        picked.sort_by_key(|i| {
            (
                corpus.candidates[*i].sentence.doc,
                corpus.candidates[*i].sentence.start,
            )
        });
        content.pricing = w.bullets(SectionKey::Pricing, &picked);
    }
    if wants(SectionKey::ProofPoints) {
        content.proof_points =
            w.bullets(SectionKey::ProofPoints, &corpus.best(Kind::Proof, 5, &none));
    }
    if wants(SectionKey::Landmines) {
        let name = corpus.brief.competitor.as_str();
        content.landmines = weaknesses
            .iter()
            .take(4)
            .map(|i| {
                let text = format!(
                    "Ask how {} deals with this: “{}”",
                    markdown_escape(name),
                    markdown_escape(&clip(without_label(corpus.text(*i)), 220))
                );
                format!("- {}", w.claim(SectionKey::Landmines.as_str(), text, &[*i]))
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    if wants(SectionKey::Resources) {
        let mut lines: Vec<String> = content
            .resources
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        for source in corpus.brief.sources.iter().filter(|s| !s.url.is_empty()) {
            if !content.resources.contains(&source.url) {
                lines.push(format!(
                    "- [{}]({})",
                    markdown_escape(&source.title),
                    source.url
                ));
            }
        }
        content.resources = lines.join("\n");
    }
}

/// Objections a prospect raises from the competitor's strengths (and price), each
/// answered from a related weakness and our own "why we win" lines. Objections the
/// card already has are kept first.
fn draft_objections(
    w: &mut Writer,
    name: &str,
    current: &CardContent,
    ours: &[String],
) -> Vec<Objection> {
    let corpus = w.corpus;
    let none = BTreeSet::new();
    let strengths = corpus.best(Kind::Strength, 4, &none);
    let weaknesses = corpus.best(Kind::Weakness, 8, &none);
    let mut objections = current.objections.clone();
    let mut used = BTreeSet::new();
    let mut asked: Vec<(String, Vec<usize>)> = strengths
        .iter()
        .map(|s| {
            (
                format!("“{}”", clip(without_label(corpus.text(*s)), 200)),
                vec![*s],
            )
        })
        .collect();
    if let Some(price) = corpus.cheapest() {
        asked.push((
            format!("{name} looks cheaper: “{}”", clip(corpus.text(price), 180)),
            vec![price],
        ));
    }
    for (n, (question, cited)) in asked.into_iter().enumerate() {
        let Some(counter) = corpus.counter_to(cited[0], &weaknesses, &used) else {
            break;
        };
        used.insert(counter);
        let place = format!("objection:{}", objections.len());
        let objection = w.claim(&place, clip(&question, card_limits::OBJECTION_MAX), &cited);
        let mut answer = format!(
            "Acknowledge it, then move to what it costs them: “{}”",
            markdown_escape(without_label(corpus.text(counter)))
        );
        answer = w.claim(&place, answer, &[counter]);
        if let Some(line) = ours.get(n % ours.len().max(1)) {
            answer.push_str(&format!("\n\nWhy we win: {line}"));
        }
        objections.push(Objection {
            id: format!("ai-{}", objections.len() + 1),
            objection,
            answer: clip(&answer, card_limits::ANSWER_MAX),
        });
    }
    objections
}

/// Answers for the card's own objections from the sentences closest to each.
fn answer_objections(w: &mut Writer, current: &CardContent, ours: &[String]) -> Vec<Objection> {
    let corpus = w.corpus;
    let mut objections = current.objections.clone();
    for (n, o) in objections.iter_mut().enumerate() {
        let picked = corpus.answering(&format!("{} {}", o.objection, o.answer), 2);
        if picked.is_empty() {
            continue;
        }
        let place = format!("objection:{n}");
        let quotes: Vec<String> = picked
            .iter()
            .map(|i| format!("“{}”", markdown_escape(corpus.text(*i))))
            .collect();
        let mut answer = w.claim(
            &place,
            format!("From the sources: {}", quotes.join(" ")),
            &picked,
        );
        if let Some(line) = ours.first() {
            answer.push_str(&format!("\n\nWhy we win: {line}"));
        }
        o.answer = clip(&answer, card_limits::ANSWER_MAX);
    }
    objections
}
