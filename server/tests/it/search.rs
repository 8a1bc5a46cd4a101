//! The header's search: ranking, highlighted snippets, prefixes, what each role may
//! find, and queries full of search-engine or SQL syntax.
use serde_json::{json, Value};

use crate::backend_test;
use crate::common::cards::{
    card_with, editor, full_content, new_competitor, publish, saved, set_status,
};
use crate::common::{Backend, Browser, TestApp};

const START: char = '\u{2}';
const END: char = '\u{3}';

async fn search(who: &Browser, q: &str) -> Vec<Value> {
    let (status, body) = who.call("/api/search", &[("q", q)]).await;
    assert_eq!(status, 200, "search {q:?}: {body}");
    body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("search {q:?} answers a hits array: {body}"))
        .clone()
}

/// The words between the highlight markers.
fn marked(text: &str) -> Vec<String> {
    text.split(START)
        .skip(1)
        .filter_map(|rest| rest.split_once(END).map(|(word, _)| word.to_string()))
        .collect()
}

/// Whether any hit (title or snippet) contains `word`, ignoring case and markers.
fn mentions(hits: &[Value], word: &str) -> bool {
    hits.iter().any(|h| {
        let (title, snippet) = (h["title"].as_str(), h["snippet"].as_str());
        let text = format!("{} {}", title.unwrap_or(""), snippet.unwrap_or(""));
        let text = text.replace([START, END], "");
        text.to_lowercase().contains(word)
    })
}

async fn a_name_match_outranks_a_mention_in_a_card(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let mut content = full_content("Acme vs us");
    content["overview"] =
        json!("A CRM vendor that sometimes resells through Zephyr partners in Europe.");
    content["objections"][1]["objection"] = json!("Their licensing is simpler");
    content["pricing"] = json!("Licensing costs double after the first year.");
    let (_, card, _) = card_with(&admin, "Acme", &content).await;
    new_competitor(&admin, "Zephyr").await;

    let hits = search(&admin, "zephyr").await;
    assert!(
        hits.len() >= 2,
        "the competitor and the card section: {hits:?}"
    );
    assert_eq!(
        hits[0]["kind"], "competitor",
        "the name match comes first: {hits:?}"
    );
    assert_eq!(
        marked(hits[0]["title"].as_str().unwrap()),
        ["Zephyr"],
        "{}",
        hits[0]
    );
    assert!(hits[0]["url"]
        .as_str()
        .unwrap()
        .starts_with("/competitors/"));
    let section = hits
        .iter()
        .find(|h| h["kind"] == "section")
        .unwrap_or_else(|| panic!("the overview mention is found: {hits:?}"));
    let snippet = section["snippet"].as_str().unwrap();
    assert_eq!(
        marked(snippet),
        ["Zephyr"],
        "the matched word is marked: {snippet:?}"
    );
    assert!(
        snippet.contains(&format!("{START}Zephyr{END} partners")),
        "{snippet:?}"
    );
    assert!(
        section["url"].as_str().unwrap().contains(&card),
        "{section}"
    );
    assert!(
        section["label"].as_str().unwrap().contains("Overview"),
        "{section}"
    );

    // An objection's own text ranks above a section that only mentions the word.
    let hits = search(&admin, "licensing").await;
    assert!(hits.len() >= 2, "{hits:?}");
    assert_eq!(hits[0]["kind"], "objection", "{hits:?}");
    assert_eq!(marked(hits[0]["title"].as_str().unwrap()), ["licensing"]);
    assert!(hits
        .iter()
        .any(|h| h["kind"] == "section" && h["label"].as_str().unwrap().contains("Pricing")));
}
backend_test!(a_name_match_outranks_a_mention_in_a_card);

async fn word_beginnings_find_whole_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let mut content = full_content("Acme vs us");
    content["pricing"] = json!("Their pricing page hides the enterprise tier.");
    card_with(&admin, "Acme", &content).await;

    let hits = search(&admin, "pric").await;
    let pricing = hits
        .iter()
        .find(|h| h["kind"] == "section" && h["label"].as_str().unwrap().contains("Pricing"))
        .unwrap_or_else(|| panic!("\"pric\" finds the pricing section: {hits:?}"));
    let words = marked(pricing["snippet"].as_str().unwrap());
    assert!(
        !words.is_empty() && words.iter().all(|w| w.to_lowercase().starts_with("pric")),
        "{pricing}"
    );
    assert!(words.iter().any(|w| w == "pricing"), "{pricing}");
    let both = search(&admin, "enterpr hid").await;
    assert!(
        mentions(&both, "hides the enterprise"),
        "every word's beginning must match: {both:?}"
    );
    assert!(search(&admin, "pricx").await.is_empty());
}
backend_test!(word_beginnings_find_whole_words);

async fn viewers_find_only_published_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let mut content = full_content("Acme vs us");
    content["overview"] = json!("Their roadmap mentions quuxfrobnicate twice.");
    let (_, card, v) = card_with(&admin, "Acme", &content).await;

    assert!(
        mentions(&search(&admin, "quuxfrobnicate").await, "quuxfrobnicate"),
        "editors find drafts"
    );
    assert!(
        search(&rep, "quuxfrobnicate").await.is_empty(),
        "viewers never see a draft's words"
    );
    let rep_hits = search(&rep, "acme").await;
    assert!(
        rep_hits.iter().all(|h| h["kind"] == "competitor"),
        "only the competitor: {rep_hits:?}"
    );
    assert!(!rep_hits.is_empty());

    publish(&admin, &card).await;
    let hits = search(&rep, "quuxfrobnicate").await;
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["kind"], "section");
    assert_eq!(hits[0]["url"], format!("/cards/{card}#section-overview"));
    assert_eq!(
        hits[0]["status"],
        Value::Null,
        "viewers are not told about workflow"
    );

    // A newer draft's words stay with the editors until it is published.
    let mut next = editor(&admin, &card).await["content"].clone();
    next["weaknesses"] = json!("Support queues hit blorptastic lengths in Q4.");
    next["overview"] = json!("Their roadmap changed.");
    saved(&admin, &card, v, &next).await;
    assert!(mentions(
        &search(&admin, "blorptastic").await,
        "blorptastic"
    ));
    assert!(
        search(&rep, "blorptastic").await.is_empty(),
        "unpublished edits stay hidden"
    );
    assert!(
        mentions(&search(&rep, "quuxfrobnicate").await, "quuxfrobnicate"),
        "reps still find the published version"
    );
    assert!(
        search(&admin, "quuxfrobnicate").await.is_empty(),
        "editors search the newest version"
    );

    // Archiving takes the published text out of the viewers' search.
    let (status, body) = set_status(&admin, &card, "archived", v + 1).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        search(&rep, "quuxfrobnicate").await.is_empty(),
        "archived cards are not found"
    );
    assert!(search(&rep, "blorptastic").await.is_empty());
}
backend_test!(viewers_find_only_published_text);

async fn archived_competitors_leave_search(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let id = new_competitor(&admin, "Zephyr").await;
    assert_eq!(search(&admin, "zephyr").await.len(), 1);
    let (status, _) = admin
        .call(
            "/api/competitors/archive",
            &[("id", &id), ("archived", "true")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(search(&admin, "zephyr").await.is_empty());
    admin
        .call(
            "/api/competitors/archive",
            &[("id", &id), ("archived", "false")],
        )
        .await;
    assert_eq!(
        search(&admin, "zephyr").await.len(),
        1,
        "restored competitors come back"
    );
}
backend_test!(archived_competitors_leave_search);

async fn query_syntax_is_only_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let (_, card, _) = card_with(&admin, "Zephyr", &full_content("Zephyr vs us")).await;
    publish(&admin, &card).await;

    // As long as a search may be (500 characters; longer is a field error, see
    // bad_input.rs), and far more words than are searched.
    let long = "zephyr ".repeat(71);
    let queries = [
        "\"",
        "\"zephyr",
        "*",
        "zeph*",
        "(",
        "zephyr)",
        "NEAR",
        "NEAR(zephyr cheaper)",
        "zephyr AND OR NOT",
        "-zephyr",
        "'; DROP TABLE competitors; --",
        "zephyr'; DROP TABLE search_docs; --",
        ":* & | ! <->",
        "^zephyr",
        "col:zephyr",
        "%_\\",
        "",
        "   ",
        long.as_str(),
    ];
    for who in [&admin, &rep] {
        for q in queries {
            let (status, body) = who.call("/api/search", &[("q", q)]).await;
            assert_eq!(status, 200, "{q:?}: {body}");
            assert!(body["hits"].is_array(), "{q:?}: {body}");
        }
    }
    // The words in them still search as words, and nothing was dropped.
    for q in [
        "\"zephyr",
        "zeph*",
        "zephyr)",
        "-zephyr",
        "^zephyr",
        "zephyr;--",
    ] {
        let hits = search(&rep, q).await;
        assert!(mentions(&hits, "zephyr"), "{q:?}: {hits:?}");
    }
    assert!(search(&rep, "").await.is_empty());
    let (status, list) = admin
        .call(
            "/api/competitors/list",
            &[
                ("q", ""),
                ("tag", ""),
                ("sort", "name"),
                ("archived", "false"),
                ("page", "1"),
            ],
        )
        .await;
    assert_eq!(
        (status, list["page"]["total"].as_u64()),
        (200, Some(1)),
        "{list}"
    );
    assert_eq!(
        editor(&admin, &card).await["status"],
        "published",
        "the card is intact"
    );
}
backend_test!(query_syntax_is_only_text);
