//! The built-in engine: extractive, offline and deterministic. It splits the sources
//! into sentences, weighs words by TF-IDF across all sentences, ranks sentences by how
//! close they are to the whole set (a centroid form of TextRank) plus the key terms
//! they carry, sorts them with cue-word rules into pricing, strengths, weaknesses and
//! proof, and drafts objection answers from the weaknesses (and our own "why we win"
//! lines). Every statement it writes is a sentence of a source or built around one,
//! and cites that sentence by offsets, so every citation verifies. Ties break on
//! source order, so the same sources always give the same draft.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::text::{sentences, tokens, Sentence};
use super::Brief;
use crate::types::Citation;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
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
pub(super) struct Candidate {
    pub(super) sentence: Sentence,
    pub(super) words: Vec<String>,
    pub(super) kind: Kind,
    pub(super) score: f64,
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
    pub(super) brief: &'a Brief,
    pub(super) candidates: Vec<Candidate>,
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
    pub(super) fn best(&self, kind: Kind, limit: usize, skip: &BTreeSet<usize>) -> Vec<usize> {
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
    pub(super) fn lead(&self, picked: &[usize]) -> Option<usize> {
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
    pub(super) fn cheapest(&self) -> Option<usize> {
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

    pub(super) fn citation(&self, i: usize) -> Citation {
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

    pub(super) fn text(&self, i: usize) -> &str {
        &self.candidates[i].sentence.text
    }

    /// The weakness closest in words to candidate `i`, else the best unused one.
    pub(super) fn counter_to(
        &self,
        i: usize,
        weaknesses: &[usize],
        used: &BTreeSet<usize>,
    ) -> Option<usize> {
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
    pub(super) fn answering(&self, text: &str, limit: usize) -> Vec<usize> {
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

pub use super::compose::run;
