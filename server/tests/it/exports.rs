//! Downloading battlecards as PDF and Word files: what is in them, how they are named,
//! and who may download which version.
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use reqwest::header::HeaderMap;
use serde_json::json;

use crate::backend_test;
use crate::common::cards::{card_with, editor, full_content, publish, saved};
use crate::common::{Backend, Browser, TestApp};

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const SECTION_TITLES: [&str; 9] = [
    "Overview",
    "Strengths",
    "Weaknesses",
    "Why we win",
    "Pricing",
    "Landmines / trap questions",
    "Proof points",
    "Resources",
    "Objection handling",
];
const OBJECTIONS: [&str; 3] = [
    "They are cheaper",
    "We already use their email tool",
    "Their brand is bigger",
];

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text, hyphenation undone and whitespace collapsed.
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let raw = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem(bytes)
    }))
    .expect("pdf-extract panicked")
    .expect("pdf-extract read the file");
    collapse(&raw.replace("-\n", ""))
}

/// `word/document.xml` of a .docx.
pub(crate) fn document_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The document's visible text: paragraphs separated, tags dropped, entities decoded.
pub(crate) fn docx_text(xml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.replace("</w:p>", " </w:p>").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    collapse(&decoded)
}

/// The file name from `attachment; filename="…"`, checked to be harmless.
fn safe_name(headers: &HeaderMap, extension: &str) -> String {
    let disposition = headers["content-disposition"]
        .to_str()
        .expect("an ASCII header");
    let name = disposition
        .strip_prefix("attachment; filename=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("an attachment with a quoted name: {disposition}"));
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'),
        "only letters, digits, - and _: {name}"
    );
    assert_eq!(name.matches('.').count(), 1, "one dot: {name}");
    assert!(
        name.ends_with(&format!(".{extension}")) && name.len() > extension.len() + 1,
        "{name}"
    );
    name.to_string()
}

async fn export(who: &Browser, card: &str, format: &str) -> (u16, HeaderMap, Vec<u8>) {
    who.download(&format!("/cards/{card}/export/{format}"))
        .await
}

async fn pdf_and_docx_hold_the_whole_card(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let content = full_content("Q3 \"plan\" / wins\r\n..\\..\\etc");
    let (_, card, _) = card_with(&admin, "Acme \"Evil\"/Corp\r\nSet-Cookie: x=1", &content).await;

    let (status, headers, bytes) = export(&admin, &card, "pdf").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], PDF);
    let name = safe_name(&headers, "pdf");
    assert!(
        name.contains("acme") || name.contains("Acme"),
        "the name says what it is: {name}"
    );
    assert!(
        headers.get("set-cookie").is_none(),
        "no header smuggled in through the name"
    );
    assert!(bytes.starts_with(b"%PDF"), "a PDF file");
    let text = pdf_text(&bytes);
    for title in SECTION_TITLES.iter().chain(&OBJECTIONS) {
        assert!(text.contains(title), "the PDF lacks {title:?}: {text}");
    }
    assert!(
        text.contains("Count the admin hours too."),
        "answers are in: {text}"
    );
    assert!(
        text.contains("Globex moved to us"),
        "section bodies are in: {text}"
    );

    let (status, headers, bytes) = export(&admin, &card, "docx").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], DOCX);
    safe_name(&headers, "docx");
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip file");
    let xml = document_xml(&bytes);
    let text = docx_text(&xml);
    for title in SECTION_TITLES.iter().chain(&OBJECTIONS) {
        assert!(text.contains(title), "the .docx lacks {title:?}: {text}");
    }
    assert!(
        text.contains("Ask for references in your industry."),
        "{text}"
    );
    assert!(
        text.contains("Acme \"Evil\"/Corp"),
        "the competitor is named: {text}"
    );
}
backend_test!(pdf_and_docx_hold_the_whole_card);

async fn markup_in_a_card_exports_as_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let mut content = full_content("Acme vs us");
    let payloads = "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n\
                    <img src=x onerror=alert(1)>\n\n<iframe src=//evil.example></iframe>";
    content["overview"] = json!(format!("Intro.\n\n{payloads}"));
    content["objections"][0]["answer"] = json!(payloads);
    content["objections"][1]["objection"] = json!("<script>alert(2)</script> is cheaper");
    let (_, card, _) = card_with(&admin, "Acme", &content).await;

    let (status, headers, bytes) = export(&admin, &card, "pdf").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], PDF);
    assert!(bytes.starts_with(b"%PDF"));
    assert!(pdf_text(&bytes).contains("Intro."));

    let (status, headers, bytes) = export(&admin, &card, "docx").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], DOCX);
    let xml = document_xml(&bytes);
    let lower = xml.to_lowercase();
    assert!(
        !lower.contains("<script"),
        "no raw script element in document.xml"
    );
    assert!(
        !lower.contains("<iframe") && !lower.contains("<img"),
        "no raw HTML elements"
    );
    assert!(
        docx_text(&xml).contains("Intro."),
        "the card's text is there"
    );
}
backend_test!(markup_in_a_card_exports_as_text);

async fn viewers_export_only_the_published_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    let rep = app
        .user_with_role(&admin, "rep@example.com", "viewer")
        .await;
    let (_, card, v) = card_with(&admin, "Acme", &full_content("Acme vs us")).await;

    for format in ["pdf", "docx"] {
        let (status, _, body) = export(&rep, &card, format).await;
        assert_eq!(status, 404, "a viewer cannot export a draft as {format}");
        assert!(!body.starts_with(b"%PDF") && !body.starts_with(b"PK"));
        let (unknown, _, _) = export(&rep, "no-such-card", format).await;
        assert_eq!(unknown, 404);
    }
    publish(&admin, &card).await;
    let mut next = editor(&admin, &card).await["content"].clone();
    next["pricing"] = json!("NEWPRICE is $149 per seat.");
    saved(&admin, &card, v, &next).await;

    let (status, _, bytes) = export(&rep, &card, "docx").await;
    assert_eq!(status, 200, "published cards export for viewers");
    let rep_text = docx_text(&document_xml(&bytes));
    assert!(
        rep_text.contains("$99") && !rep_text.contains("NEWPRICE"),
        "the published version: {rep_text}"
    );
    let (status, _, bytes) = export(&rep, &card, "pdf").await;
    assert_eq!(status, 200);
    assert!(!pdf_text(&bytes).contains("NEWPRICE"));

    let (_, _, bytes) = export(&admin, &card, "docx").await;
    assert!(
        docx_text(&document_xml(&bytes)).contains("NEWPRICE"),
        "editors get the newest version"
    );
    let (status, _, bytes) = admin
        .download(&format!("/cards/{card}/export/docx?published=true"))
        .await;
    assert_eq!(status, 200);
    assert!(
        !docx_text(&document_xml(&bytes)).contains("NEWPRICE"),
        "or the published one on request"
    );

    let (status, headers, body) = export(&admin, &card, "txt").await;
    assert_eq!(status, 404, "only pdf and docx");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert!(
        serde_json::from_slice::<serde_json::Value>(&body).is_ok(),
        "a JSON error"
    );

    let (status, headers, _) = export(&app.browser(), &card, "pdf").await;
    match status {
        302 | 303 | 307 => {
            let location = headers["location"].to_str().unwrap();
            assert!(
                location.starts_with("/login"),
                "anonymous downloads go to sign-in: {location}"
            );
        }
        other => assert_eq!(other, 401, "anonymous downloads are refused"),
    }
}
backend_test!(viewers_export_only_the_published_version);
