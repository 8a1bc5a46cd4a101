//! The built-in engine against the labelled corpus (tests/fixtures/corpus): six
//! fictional competitors, each drafted from its pages and scored against what an
//! analyst would put on the card. Prints a table of the figures (`--nocapture`);
//! `CORPUS_MISSES=1` also lists what each card missed. Every claim must verify and
//! the same sources must give the same card; the bars on recall, polarity, plans and
//! forbidden strings (issue 14) are added as the engine meets them.
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::engine_tests::{snapshots, source};
use super::{engine, verify, Brief, DraftOutput};
use crate::types::{Agent, CardContent, SectionKey};

#[derive(Deserialize)]
struct Labels {
    competitor: String,
    pages: Vec<Page>,
    differentiators: Vec<String>,
    plans: Vec<Plan>,
    facts: Vec<Fact>,
    objections: Vec<ObjectionLabel>,
    landmines: Vec<Vec<String>>,
    forbidden: Vec<String>,
}

#[derive(Deserialize)]
struct Page {
    file: String,
    url: String,
}

#[derive(Deserialize)]
struct Plan {
    name: String,
    price: String,
    term: Vec<String>,
}

#[derive(Deserialize)]
struct Fact {
    id: String,
    section: String,
    terms: Vec<String>,
}

#[derive(Deserialize)]
struct ObjectionLabel {
    claim: Vec<String>,
    answer: Vec<String>,
}

/// One competitor's figures.
#[derive(Default)]
struct Figures {
    competitor: String,
    facts: (usize, usize),
    plans: (usize, usize),
    wrong_polarity: usize,
    forbidden: usize,
    objections: (usize, usize),
    landmines: (usize, usize),
    claims: usize,
    unverified: u32,
    deterministic: bool,
    misses: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// The lines of a section, without list markers.
fn lines(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['-', '*'])
                .trim()
                .to_lowercase()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn matches(line: &str, terms: &[String]) -> bool {
    terms.iter().all(|t| line.contains(&t.to_lowercase()))
}

fn any_line(markdown: &str, terms: &[String]) -> bool {
    lines(markdown).iter().any(|l| matches(l, terms))
}

fn section(content: &CardContent, key: &str) -> String {
    let key =
        SectionKey::parse(key).unwrap_or_else(|| panic!("labels name an unknown section: {key}"));
    content.section(key).to_string()
}

fn brief(dir: &Path, labels: &Labels) -> Brief {
    let sources = labels
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let html = std::fs::read_to_string(dir.join(&page.file))
                .unwrap_or_else(|e| panic!("{}: {e}", page.file));
            source(&format!("s{i}"), &page.url, &html)
        })
        .collect();
    let why_we_win = labels
        .differentiators
        .iter()
        .map(|d| format!("- {d}"))
        .collect::<Vec<_>>()
        .join("\n");
    Brief {
        competitor: labels.competitor.clone(),
        sources,
        current: CardContent {
            title: labels.competitor.clone(),
            why_we_win,
            ..Default::default()
        },
        differentiators: labels.differentiators.clone(),
        section: None,
    }
}

fn score(labels: &Labels, brief: &Brief, out: &mut DraftOutput, again: &DraftOutput) -> Figures {
    let c = &out.content;
    let mut f = Figures {
        competitor: labels.competitor.clone(),
        deterministic: again.content == out.content,
        ..Default::default()
    };
    for plan in &labels.plans {
        let mut terms = vec![plan.name.clone(), plan.price.clone()];
        terms.extend(plan.term.iter().cloned());
        if any_line(&c.pricing, &terms) {
            f.plans.0 += 1;
        } else {
            f.misses
                .push(format!("plan {}: {}", plan.name, terms.join(" + ")));
        }
        f.plans.1 += 1;
    }
    for fact in &labels.facts {
        f.facts.1 += 1;
        if any_line(&section(c, &fact.section), &fact.terms) {
            f.facts.0 += 1;
        } else {
            f.misses.push(format!(
                "fact {} not in {}: {}",
                fact.id,
                fact.section,
                fact.terms.join(" + ")
            ));
        }
        let opposite = match fact.section.as_str() {
            "strengths" => Some(&c.weaknesses),
            "weaknesses" => Some(&c.strengths),
            _ => None,
        };
        if opposite.is_some_and(|o| any_line(o, &fact.terms)) {
            f.wrong_polarity += 1;
            f.misses
                .push(format!("fact {} in the wrong polarity", fact.id));
        }
    }
    let whole = serde_json::to_string(c).unwrap().to_lowercase();
    for s in &labels.forbidden {
        if whole.contains(&s.to_lowercase()) {
            f.forbidden += 1;
            f.misses.push(format!("forbidden string on the card: {s}"));
        }
    }
    for o in &labels.objections {
        f.objections.1 += 1;
        let found = c.objections.iter().any(|x| {
            matches(&x.objection.to_lowercase(), &o.claim)
                && matches(&x.answer.to_lowercase(), &o.answer)
        });
        if found {
            f.objections.0 += 1;
        } else {
            f.misses.push(format!(
                "objection {} answered with {}",
                o.claim.join(" + "),
                o.answer.join(" + ")
            ));
        }
    }
    let questions: Vec<String> = lines(&c.landmines)
        .into_iter()
        .filter(|l| l.ends_with('?'))
        .collect();
    for terms in &labels.landmines {
        f.landmines.1 += 1;
        if questions.iter().any(|q| matches(q, terms)) {
            f.landmines.0 += 1;
        } else {
            f.misses
                .push(format!("landmine question about {}", terms.join(" + ")));
        }
    }
    f.claims = out.claims.len();
    f.unverified = verify(&mut out.claims, &snapshots(brief));
    f
}

fn percent((a, b): (usize, usize)) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn table(all: &[Figures]) -> String {
    let mut t = String::from(
        "| competitor | key facts | plans | wrong polarity | forbidden | objections | landmines | claims | unverified | same twice |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    let row = |f: &Figures| {
        format!(
            "| {} | {}/{} ({:.0} %) | {}/{} | {} | {} | {}/{} | {}/{} | {} | {} | {} |\n",
            f.competitor,
            f.facts.0,
            f.facts.1,
            percent(f.facts),
            f.plans.0,
            f.plans.1,
            f.wrong_polarity,
            f.forbidden,
            f.objections.0,
            f.objections.1,
            f.landmines.0,
            f.landmines.1,
            f.claims,
            f.unverified,
            if f.deterministic { "yes" } else { "NO" },
        )
    };
    for f in all {
        t.push_str(&row(f));
    }
    let sum = |g: fn(&Figures) -> (usize, usize)| {
        all.iter()
            .map(g)
            .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
    };
    let total = Figures {
        competitor: "**all**".into(),
        facts: sum(|f| f.facts),
        plans: sum(|f| f.plans),
        wrong_polarity: all.iter().map(|f| f.wrong_polarity).sum(),
        forbidden: all.iter().map(|f| f.forbidden).sum(),
        objections: sum(|f| f.objections),
        landmines: sum(|f| f.landmines),
        claims: all.iter().map(|f| f.claims).sum(),
        unverified: all.iter().map(|f| f.unverified).sum(),
        deterministic: all.iter().all(|f| f.deterministic),
        misses: Vec::new(),
    };
    t.push_str(&row(&total));
    t
}

fn evaluate() -> Vec<Figures> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("labels.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 6, "the corpus has {} competitors", dirs.len());
    dirs.iter()
        .map(|dir| {
            let labels: Labels =
                serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let brief = brief(dir, &labels);
            let mut out = engine::run(Agent::BattlecardWriter, &brief);
            let again = engine::run(Agent::BattlecardWriter, &brief);
            score(&labels, &brief, &mut out, &again)
        })
        .collect()
}

#[test]
fn the_engine_on_the_labelled_corpus() {
    let all = evaluate();
    println!("{}", table(&all));
    for f in &all {
        assert_eq!(
            f.unverified, 0,
            "{}: claims that do not verify",
            f.competitor
        );
        assert!(
            f.deterministic,
            "{}: a second run drafted another card",
            f.competitor
        );
        assert!(f.claims > 0, "{}: no claims at all", f.competitor);
    }
    if std::env::var("CORPUS_MISSES").is_ok() {
        for f in &all {
            println!("\n{}:", f.competitor);
            for m in &f.misses {
                println!("  - {m}");
            }
        }
    }
}
