//! Three-way merge of card content after a save conflict: what the editor started
//! from (`base`), what they typed (`mine`) and what someone else saved (`theirs`).
//! A part changed on one side only takes that side; a part changed differently on
//! both sides is a conflict the editor resolves by hand. Runs in the browser.
use serde::{Deserialize, Serialize};

use super::{CardContent, Objection, ObjectionId, SectionKey};

/// One mergeable piece of a card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Title,
    Summary,
    Section(SectionKey),
    ObjectionText(ObjectionId),
    ObjectionAnswer(ObjectionId),
}

/// A part both sides changed differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictPart {
    pub part: Part,
    pub label: String,
    pub mine: String,
    pub theirs: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    /// The merged content, holding *mine* wherever there is a conflict.
    pub content: CardContent,
    pub conflicts: Vec<ConflictPart>,
    /// Parts taken from theirs automatically (labels), to tell the editor.
    pub taken_from_theirs: Vec<String>,
}

fn pick(base: &str, mine: &str, theirs: &str) -> (String, bool, bool) {
    // (value, conflict, took theirs)
    if mine == theirs || theirs == base {
        (mine.to_string(), false, false)
    } else if mine == base {
        (theirs.to_string(), false, true)
    } else {
        (mine.to_string(), true, false)
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(50).collect();
    if text.chars().count() > 50 {
        s.push('…');
    }
    s
}

pub fn three_way(base: &CardContent, mine: &CardContent, theirs: &CardContent) -> Merge {
    let mut merged = mine.clone();
    let mut conflicts: Vec<ConflictPart> = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let mut text =
        |part: Part, label: String, b: &str, m: &str, t: &str, taken: &mut Vec<String>| -> String {
            let (value, conflict, took) = pick(b, m, t);
            if conflict {
                conflicts.push(ConflictPart {
                    part,
                    label: label.clone(),
                    mine: m.to_string(),
                    theirs: t.to_string(),
                });
            }
            if took {
                taken.push(label);
            }
            value
        };
    merged.title = text(
        Part::Title,
        "Title".into(),
        &base.title,
        &mine.title,
        &theirs.title,
        &mut taken,
    );
    merged.summary = text(
        Part::Summary,
        "Summary".into(),
        &base.summary,
        &mine.summary,
        &theirs.summary,
        &mut taken,
    );
    for key in SectionKey::ALL {
        *merged.section_mut(key) = text(
            Part::Section(key),
            key.label().into(),
            base.section(key),
            mine.section(key),
            theirs.section(key),
            &mut taken,
        );
    }
    // Objections, matched by id. Order follows mine; ones only they added come last.
    let find = |list: &[Objection], id: &ObjectionId| list.iter().find(|o| &o.id == id).cloned();
    let mut objections = Vec::new();
    for m in &mine.objections {
        match (
            find(&base.objections, &m.id),
            find(&theirs.objections, &m.id),
        ) {
            (Some(b), Some(t)) => {
                let label = format!("Objection “{}”", short(&m.objection));
                let objection = text(
                    Part::ObjectionText(m.id.clone()),
                    label.clone(),
                    &b.objection,
                    &m.objection,
                    &t.objection,
                    &mut taken,
                );
                let answer = text(
                    Part::ObjectionAnswer(m.id.clone()),
                    format!("{label}: answer"),
                    &b.answer,
                    &m.answer,
                    &t.answer,
                    &mut taken,
                );
                objections.push(Objection {
                    id: m.id.clone(),
                    objection,
                    answer,
                });
            }
            // They deleted it: keep it only if I changed it.
            (Some(b), None) if b == *m => {
                taken.push(format!("Removal of “{}”", short(&m.objection)))
            }
            _ => objections.push(m.clone()),
        }
    }
    for t in &theirs.objections {
        let in_mine = mine.objections.iter().any(|o| o.id == t.id);
        match find(&base.objections, &t.id) {
            None if !in_mine => {
                taken.push(format!("New objection “{}”", short(&t.objection)));
                objections.push(t.clone());
            }
            // I deleted it but they changed it: keep theirs so their work is not lost.
            Some(b) if !in_mine && b != *t => {
                taken.push(format!(
                    "Objection “{}” (changed by them, removed by you)",
                    short(&t.objection)
                ));
                objections.push(t.clone());
            }
            _ => {}
        }
    }
    merged.objections = objections;
    Merge {
        content: merged,
        conflicts,
        taken_from_theirs: taken,
    }
}

/// Puts a resolved value into the content.
pub fn set_part(content: &mut CardContent, part: &Part, value: String) {
    match part {
        Part::Title => content.title = value,
        Part::Summary => content.summary = value,
        Part::Section(key) => *content.section_mut(*key) = value,
        Part::ObjectionText(id) => {
            if let Some(o) = content.objections.iter_mut().find(|o| &o.id == id) {
                o.objection = value;
            }
        }
        Part::ObjectionAnswer(id) => {
            if let Some(o) = content.objections.iter_mut().find(|o| &o.id == id) {
                o.answer = value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(id: &str, q: &str, a: &str) -> Objection {
        Objection {
            id: id.into(),
            objection: q.into(),
            answer: a.into(),
        }
    }

    #[test]
    fn one_sided_changes_merge_and_two_sided_conflict() {
        let base = CardContent {
            title: "Acme".into(),
            pricing: "$10".into(),
            overview: "old".into(),
            objections: vec![o("a", "Price?", "Cheap"), o("b", "SSO?", "Yes")],
            ..Default::default()
        };
        let mut mine = base.clone();
        mine.pricing = "$12".into();
        mine.overview = "mine".into();
        mine.objections[0].answer = "Value".into();
        let mut theirs = base.clone();
        theirs.title = "Acme Corp".into();
        theirs.overview = "theirs".into();
        theirs.objections.push(o("c", "Support?", "24/7"));
        theirs.objections[1].answer = "SAML and OIDC".into();
        let merge = three_way(&base, &mine, &theirs);
        assert_eq!(merge.content.title, "Acme Corp");
        assert_eq!(merge.content.pricing, "$12");
        assert_eq!(merge.content.overview, "mine");
        assert_eq!(merge.conflicts.len(), 1);
        assert_eq!(merge.conflicts[0].part, Part::Section(SectionKey::Overview));
        assert_eq!(merge.conflicts[0].theirs, "theirs");
        let answers: Vec<_> = merge
            .content
            .objections
            .iter()
            .map(|o| o.answer.as_str())
            .collect();
        assert_eq!(answers, vec!["Value", "SAML and OIDC", "24/7"]);
        let mut resolved = merge.content.clone();
        set_part(&mut resolved, &merge.conflicts[0].part, "both".into());
        assert_eq!(resolved.overview, "both");
    }

    #[test]
    fn deletions_never_lose_the_other_sides_edits() {
        let base = CardContent {
            objections: vec![o("a", "Q", "A"), o("b", "Q2", "A2")],
            ..Default::default()
        };
        let mut mine = base.clone();
        mine.objections.retain(|x| x.id.as_str() != "a"); // I delete a
        let mut theirs = base.clone();
        theirs.objections[0].answer = "A, better".into(); // they edit a
        theirs.objections.retain(|x| x.id.as_str() != "b"); // they delete b (unchanged by me)
        let merge = three_way(&base, &mine, &theirs);
        let ids: Vec<_> = merge
            .content
            .objections
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        assert_eq!(ids, vec!["a"]);
        assert_eq!(merge.content.objections[0].answer, "A, better");
    }
}
