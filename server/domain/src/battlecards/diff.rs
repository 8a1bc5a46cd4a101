//! A readable diff between two versions of a card: per part (title, each section, each
//! objection), line by line, with the changed words inside a changed line marked.
use similar::{ChangeTag, TextDiff};

use crate::types::{
    CardContent, CardDiff, DiffKind, DiffLine, Objection, SectionDiff, SectionKey, OBJECTIONS_LABEL,
};

/// Unchanged lines kept around each change.
const CONTEXT: usize = 2;

pub fn card_diff(from: i64, old: &CardContent, to: i64, new: &CardContent) -> CardDiff {
    let mut sections = Vec::new();
    let mut part = |label: String, a: &str, b: &str| {
        if a != b {
            sections.push(SectionDiff {
                label,
                lines: text_diff(a, b),
            });
        }
    };
    part("Title".into(), &old.title, &new.title);
    part("Summary".into(), &old.summary, &new.summary);
    for (i, key) in SectionKey::ALL.into_iter().enumerate() {
        if i == SectionKey::BEFORE_OBJECTIONS {
            for (label, a, b) in objection_parts(&old.objections, &new.objections) {
                part(label, &a, &b);
            }
        }
        part(key.label().into(), old.section(key), new.section(key));
    }
    CardDiff { from, to, sections }
}

/// Objections matched by id, so an edited answer shows as an edit, not a delete + add;
/// a change of order shows as its own part.
fn objection_parts(old: &[Objection], new: &[Objection]) -> Vec<(String, String, String)> {
    let render = |o: &Objection| format!("Q: {}\nA: {}", o.objection, o.answer);
    let mut parts = Vec::new();
    for o in new {
        let before = old
            .iter()
            .find(|x| x.id == o.id)
            .map(render)
            .unwrap_or_default();
        parts.push((
            format!("{OBJECTIONS_LABEL}: {}", short(&o.objection)),
            before,
            render(o),
        ));
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        parts.push((
            format!("{OBJECTIONS_LABEL}: {} (removed)", short(&o.objection)),
            render(o),
            String::new(),
        ));
    }
    let order = |list: &[Objection]| {
        list.iter()
            .filter(|o| old.iter().any(|x| x.id == o.id) && new.iter().any(|x| x.id == o.id))
            .map(|o| o.objection.clone())
            .collect::<Vec<_>>()
    };
    let (old_order, new_order) = (order(old), order(new));
    if old_order != new_order {
        parts.push((
            format!("{OBJECTIONS_LABEL}: order"),
            numbered(&old_order),
            numbered(&new_order),
        ));
    }
    parts
}

fn numbered(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}. {s}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Line diff with word-level emphasis and long unchanged stretches folded.
pub fn text_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if i > 0 {
            lines.push(DiffLine {
                kind: DiffKind::Skipped,
                parts: vec![(false, "…".into())],
            });
        }
        for op in group {
            for change in diff.iter_inline_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => DiffKind::Same,
                    ChangeTag::Insert => DiffKind::Added,
                    ChangeTag::Delete => DiffKind::Removed,
                };
                let parts = change
                    .iter_strings_lossy()
                    .map(|(emphasised, text)| {
                        (emphasised, text.trim_end_matches(['\n', '\r']).to_string())
                    })
                    .filter(|(_, text)| !text.is_empty())
                    .collect();
                lines.push(DiffLine { kind, parts });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(pricing: &str, objections: Vec<Objection>) -> CardContent {
        CardContent {
            title: "Acme".into(),
            pricing: pricing.into(),
            objections,
            ..Default::default()
        }
    }

    fn objection(id: &str, q: &str, a: &str) -> Objection {
        Objection {
            id: id.into(),
            objection: q.into(),
            answer: a.into(),
        }
    }

    #[test]
    fn only_changed_sections_appear_with_word_marks() {
        let old = content("Starts at $10 per seat.\nAnnual only.", vec![]);
        let new = content("Starts at $12 per seat.\nAnnual only.", vec![]);
        let diff = card_diff(1, &old, 2, &new);
        assert_eq!(diff.sections.len(), 1);
        assert_eq!(diff.sections[0].label, "Pricing");
        let removed = diff.sections[0]
            .lines
            .iter()
            .find(|l| l.kind == DiffKind::Removed)
            .unwrap();
        assert!(removed.parts.iter().any(|(em, t)| *em && t.contains("$10")));
        let added = diff.sections[0]
            .lines
            .iter()
            .find(|l| l.kind == DiffKind::Added)
            .unwrap();
        assert!(added.parts.iter().any(|(em, t)| *em && t.contains("$12")));
    }

    #[test]
    fn objections_match_by_id_and_report_order() {
        let old = content(
            "",
            vec![
                objection("a", "Too pricey", "No"),
                objection("b", "No SSO", "Yes"),
            ],
        );
        let new = content(
            "",
            vec![
                objection("b", "No SSO", "Yes, SAML"),
                objection("a", "Too pricey", "No"),
            ],
        );
        let labels: Vec<_> = card_diff(1, &old, 2, &new)
            .sections
            .into_iter()
            .map(|s| s.label)
            .collect();
        assert_eq!(
            labels,
            vec!["Objection handling: No SSO", "Objection handling: order"]
        );
    }
}
