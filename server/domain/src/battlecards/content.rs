//! Checking and tidying a card's content before it is stored.
use crate::error::{FieldErrors, Result};
use crate::types::card_limits as limits;
use crate::types::{CardContent, ObjectionId, SectionKey};

/// Field names used in validation errors, so the editor can put each message at its field.
pub fn section_field(key: SectionKey) -> String {
    format!("section.{}", key.as_str())
}

pub fn objection_field(index: usize, part: &str) -> String {
    format!("objections.{index}.{part}")
}

fn too_long(limit: usize) -> String {
    format!("Keep this under {} characters.", limit + 1)
}

fn tidy(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end()
        .to_string()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Validates a card title on its own (for "new card").
pub fn parse_title(title: &str) -> std::result::Result<String, String> {
    let title = one_line(title);
    if title.is_empty() {
        Err("Give the card a title.".into())
    } else if title.chars().count() > limits::TITLE_MAX {
        Err(too_long(limits::TITLE_MAX))
    } else {
        Ok(title)
    }
}

/// The note saved with a version ("what changed").
pub fn parse_note(note: &str) -> Result<String> {
    let note = note.trim().to_string();
    if note.chars().count() > limits::NOTE_MAX {
        return Err(crate::Error::field("note", too_long(limits::NOTE_MAX)));
    }
    Ok(note)
}

/// Returns the content as it will be stored, or every problem found. Objections with
/// neither text nor answer are dropped; new ones get an id.
pub fn normalise(content: &CardContent) -> Result<CardContent> {
    let mut errors = FieldErrors::default();
    let mut out = CardContent {
        title: parse_title(&content.title)
            .map_err(|m| errors.add("title", m))
            .unwrap_or_default(),
        summary: one_line(&content.summary),
        ..Default::default()
    };
    if out.summary.chars().count() > limits::SUMMARY_MAX {
        errors.add("summary", too_long(limits::SUMMARY_MAX));
    }
    for key in SectionKey::ALL {
        let text = tidy(content.section(key));
        if text.chars().count() > limits::SECTION_MAX {
            errors.add(&section_field(key), too_long(limits::SECTION_MAX));
        }
        *out.section_mut(key) = text;
    }
    let kept: Vec<_> = content
        .objections
        .iter()
        .filter(|o| !o.objection.trim().is_empty() || !o.answer.trim().is_empty())
        .collect();
    if kept.len() > limits::OBJECTIONS_MAX {
        errors.add(
            "objections",
            format!(
                "A card holds at most {} objections.",
                limits::OBJECTIONS_MAX
            ),
        );
    }
    for (i, o) in kept.into_iter().enumerate() {
        let mut o = o.clone();
        o.objection = one_line(&o.objection);
        o.answer = tidy(&o.answer);
        o.id = ObjectionId::from(o.id.as_str().trim());
        if o.objection.is_empty() {
            errors.add(
                &objection_field(i, "objection"),
                "Write the objection this answer is for.",
            );
        } else if o.objection.chars().count() > limits::OBJECTION_MAX {
            errors.add(
                &objection_field(i, "objection"),
                too_long(limits::OBJECTION_MAX),
            );
        }
        if o.answer.chars().count() > limits::ANSWER_MAX {
            errors.add(&objection_field(i, "answer"), too_long(limits::ANSWER_MAX));
        }
        if o.id.is_empty() {
            o.id = ObjectionId::new();
        } else if o.id.as_str().len() > 40
            || !o
                .id
                .as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.add(
                "objections",
                "An objection has an invalid id; reload the page.",
            );
        } else if out.objections.iter().any(|x| x.id == o.id) {
            errors.add(
                "objections",
                "Two objections share one id; reload the page.",
            );
        }
        out.objections.push(o);
    }
    errors.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Objection;

    fn objection(id: &str, q: &str, a: &str) -> Objection {
        Objection {
            id: id.into(),
            objection: q.into(),
            answer: a.into(),
        }
    }

    #[test]
    fn tidies_and_assigns_ids() {
        let content = CardContent {
            title: "  Acme   vs us ".into(),
            summary: "line one\nline two".into(),
            pricing: "a\r\nb  \n\n".into(),
            objections: vec![
                objection("", " Too   expensive ", "No."),
                objection("", " ", ""),
            ],
            ..Default::default()
        };
        let out = normalise(&content).unwrap();
        assert_eq!(out.title, "Acme vs us");
        assert_eq!(out.summary, "line one line two");
        assert_eq!(out.pricing, "a\nb");
        assert_eq!(out.objections.len(), 1);
        assert_eq!(out.objections[0].objection, "Too expensive");
        assert_eq!(out.objections[0].id.as_str().len(), 12);
    }

    #[test]
    fn reports_each_field() {
        let content = CardContent {
            title: String::new(),
            overview: "x".repeat(limits::SECTION_MAX + 1),
            objections: vec![
                objection("a", "", "answer without objection"),
                objection("a", "q", ""),
            ],
            ..Default::default()
        };
        let Err(crate::Error::Validation(errors)) = normalise(&content) else {
            panic!("expected errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "title",
                "section.overview",
                "objections.0.objection",
                "objections"
            ]
        );
    }
}
