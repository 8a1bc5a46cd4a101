//! The built-in engine on a realistic competitor: home, features, pricing and review
//! pages (server/tests/fixtures/acme), read the way a fetch reads them.
use std::collections::HashMap;

use super::{engine, verify, Brief, SourceText};
use crate::sources::extract::html_to_text;
use crate::types::{Agent, CardContent, SectionKey, SnapshotId};

const PAGES: [(&str, &str, &str); 4] = [
    (
        "s-home",
        "https://acme-crm.example/",
        include_str!("../../../tests/fixtures/acme/home.html"),
    ),
    (
        "s-features",
        "https://acme-crm.example/features",
        include_str!("../../../tests/fixtures/acme/features.html"),
    ),
    (
        "s-pricing",
        "https://acme-crm.example/pricing",
        include_str!("../../../tests/fixtures/acme/pricing.html"),
    ),
    (
        "s-reviews",
        "https://reviews.example/acme",
        include_str!("../../../tests/fixtures/acme/reviews.html"),
    ),
];

fn brief() -> Brief {
    Brief {
        competitor: "Acme CRM".into(),
        sources: PAGES
            .iter()
            .map(|(id, url, html)| source(id, url, html))
            .collect(),
        current: CardContent {
            title: "Acme CRM".into(),
            why_we_win: "- Unlimited custom reports on every plan\n- Support answers within 2 hours, around the clock".into(),
            ..Default::default()
        },
        differentiators: vec![
            "Unlimited custom reports on every plan".into(),
            "Support answers within 2 hours, around the clock".into(),
        ],
        section: None,
    }
}

/// A fetched page as the engine reads it.
pub(super) fn source(id: &str, url: &str, html: &str) -> SourceText {
    let page = html_to_text(html);
    SourceText {
        snapshot_id: SnapshotId::from(id),
        title: page.title,
        url: url.to_string(),
        text: page.text,
    }
}

/// The brief's pages as `verify` reads them.
pub(super) fn snapshots(brief: &Brief) -> HashMap<SnapshotId, (String, String)> {
    brief
        .sources
        .iter()
        .map(|s| (s.snapshot_id.clone(), (s.title.clone(), s.text.clone())))
        .collect()
}

#[test]
fn drafts_a_useful_card_whose_every_claim_verifies() {
    let brief = brief();
    let mut out = engine::run(Agent::BattlecardWriter, &brief);
    let c = &out.content;
    if std::env::var("SHOW_DRAFT").is_ok() {
        println!("{}", serde_json::to_string_pretty(c).unwrap());
    }
    let has = |section: &str, fact: &str| {
        assert!(section.contains(fact), "expected “{fact}” in:\n{section}");
    };
    // Key facts land in the right sections.
    has(&c.pricing, "$25 per user per month");
    has(&c.pricing, "$65 per user per month");
    has(&c.pricing, "$129 per user per month");
    has(&c.pricing, "14-day free trial");
    has(&c.strengths, "200 apps");
    has(&c.weaknesses, "Customer support is slow to respond");
    has(&c.weaknesses, "outages");
    has(&c.proof_points, "12,000 companies");
    has(
        &c.overview,
        "sales pipeline and customer relationship platform",
    );
    assert!(
        c.summary.starts_with("Acme CRM is a sales pipeline"),
        "{}",
        c.summary
    );
    let cheaper = c
        .objections
        .iter()
        .find(|o| o.objection.contains("looks cheaper"))
        .expect("a price objection");
    assert!(
        cheaper.objection.contains("$25 per user per month"),
        "{}",
        cheaper.objection
    );
    has(&c.landmines, "Ask how Acme CRM deals with this");
    has(&c.resources, "https://acme-crm.example/pricing");
    // Our own lines are untouched; objections are drafted and answered with them.
    assert_eq!(c.why_we_win, brief.current.why_we_win);
    assert!(c.objections.len() >= 3, "{:#?}", c.objections);
    assert!(c
        .objections
        .iter()
        .all(|o| !o.objection.is_empty() && o.answer.contains("“")));
    assert!(c
        .objections
        .iter()
        .any(|o| o.answer.contains("Why we win: ")));
    // Nothing from navigation, cookie banners or footers.
    let all = serde_json::to_string(c).unwrap();
    for noise in ["Accept all cookies", "All rights reserved", "Log in"] {
        assert!(!all.contains(noise), "{noise} leaked into the draft");
    }
    assert!(out.keywords.len() >= 5, "{:?}", out.keywords);

    // Every claim cites, and every citation checks out against the page text.
    assert!(out.claims.len() >= 20, "{} claims", out.claims.len());
    assert!(out.claims.iter().all(|c| !c.citations.is_empty()));
    assert_eq!(verify(&mut out.claims, &snapshots(&brief)), 0);

    // Same input, same output.
    let again = engine::run(Agent::BattlecardWriter, &brief);
    assert_eq!(again.content, out.content);
    assert_eq!(again.keywords, out.keywords);
    assert_eq!(again.claims.len(), out.claims.len());
}

#[test]
fn other_agents_stay_in_their_lane() {
    let mut brief = brief();
    brief.current.pricing = "Old pricing notes".into();
    brief.current.objections = vec![crate::types::Objection {
        id: "o1".into(),
        objection: "Acme has better reporting".into(),
        answer: String::new(),
    }];
    brief.section = Some(SectionKey::Weaknesses);
    let refresh = engine::run(Agent::SectionRefresher, &brief);
    assert_eq!(refresh.content.pricing, "Old pricing notes");
    assert!(refresh
        .content
        .weaknesses
        .contains("Customer support is slow"));
    assert!(refresh.claims.iter().all(|c| c.place == "weaknesses"));

    let answers = engine::run(Agent::ObjectionHandler, &brief);
    assert_eq!(answers.content.objections.len(), 1);
    let answer = &answers.content.objections[0].answer;
    assert!(answer.to_lowercase().contains("report"), "{answer}");
    let mut claims = answers.claims;
    assert_eq!(verify(&mut claims, &snapshots(&brief)), 0);
}
