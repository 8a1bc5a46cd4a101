//! Writing a draft from the analysed sources: the sections, the summary line, the
//! landmines and the objections, each statement a claim citing its sentence.
use std::collections::BTreeSet;

use super::engine::{Corpus, Kind};
use super::text::markdown_escape;
use super::{Brief, DraftOutput};
use crate::types::{card_limits, Agent, CardContent, Claim, Objection, ObjectionId, SectionKey};

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
            id: ObjectionId::from(format!("ai-{}", objections.len() + 1)),
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
