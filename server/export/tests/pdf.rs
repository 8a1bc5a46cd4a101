mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use common::{long_card, objections, payload_card, sample_card, SECTION_TITLES};

/// Extracted text with hyphenation undone and whitespace collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    let raw = catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem(bytes)
    }))
    .expect("pdf-extract panicked")
    .expect("pdf-extract failed");
    raw.replace("-\n", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn load(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("lopdf can parse the PDF")
}

/// Every `/URI` of every link action in the document.
fn uris(doc: &lopdf::Document) -> Vec<String> {
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let dict = match object {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            _ => continue,
        };
        for (key, value) in dict.iter() {
            let action = match value {
                lopdf::Object::Dictionary(a) if key == b"A" => a,
                _ => continue,
            };
            if let Ok(lopdf::Object::String(uri, _)) = action.get(b"URI") {
                out.push(String::from_utf8_lossy(uri).into_owned());
            }
        }
        if let Ok(lopdf::Object::String(uri, _)) = dict.get(b"URI") {
            out.push(String::from_utf8_lossy(uri).into_owned());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn sample_card_pdf_has_all_sections_and_objections() {
    let card = sample_card();
    let bytes = export::pdf(&card).expect("export");
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/sample.pdf", &bytes).ok();

    let text = pdf_text(&bytes);
    for title in SECTION_TITLES.iter().copied().chain(["Objection handling"]) {
        assert!(text.contains(title), "missing section {title:?} in {text}");
    }
    for (q, _) in objections() {
        assert!(text.contains(&q), "missing objection {q:?} in {text}");
    }
    for needle in [
        "Acme Corp",
        "Acme vs Outrival — enterprise",
        "PUBLISHED",
        "VERSION 7",
        "Exported 22 Nov 2026, 14:03 UTC",
        "Version 7",
        "Page 1 of",
        "Objection Answer",
        "Who they sell to",
        "Integration is still rough",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }

    let doc = load(&bytes);
    let links = uris(&doc);
    for want in [
        "https://docs.example.com/migrate",
        "https://intranet.example.com/acme-deck",
        "mailto:ci@example.com",
    ] {
        assert!(
            links.iter().any(|l| l == want),
            "missing link {want} in {links:?}"
        );
    }
    // Fonts are embedded (TrueType or CFF font programs).
    let embedded = doc.objects.values().any(|o| {
        let dict = match o {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &s.dict,
            _ => return false,
        };
        dict.has(b"FontFile2") || dict.has(b"FontFile3") || dict.has(b"FontFile")
    });
    assert!(embedded, "no embedded font programs");
}

#[test]
fn payload_card_is_inert() {
    let card = payload_card();
    let bytes = export::pdf(&card).expect("payload card must export");
    assert!(bytes.starts_with(b"%PDF"));
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/payload.pdf", &bytes).ok();
    let text = pdf_text(&bytes);

    // The user's text shows up literally …
    for needle in [
        "<script>alert(1)</script>",
        "#read(\"/etc/passwd\")",
        "<img src=x onerror=alert(1)>",
        "<iframe src=//evil>",
        "#import \"x\"",
        "$x$",
        "#set page(width: 1pt)".to_uppercase().as_str(),
    ] {
        assert!(
            text.contains(needle),
            "missing literal {needle:?} in {text}"
        );
    }
    // … and is never evaluated.
    if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
        for line in passwd.lines().filter(|l| l.len() > 8).take(5) {
            assert!(!text.contains(line), "/etc/passwd leaked");
        }
    }
    assert!(!text.contains("root:x:0:0"));
    // Only http(s)/mailto links exist; javascript:, data: and file: are plain text.
    let doc = load(&bytes);
    let links = uris(&doc);
    assert!(
        links.iter().all(|l| l.starts_with("http://")
            || l.starts_with("https://")
            || l.starts_with("mailto:")),
        "{links:?}"
    );
    let lower = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    assert!(
        !lower.contains("javascript:"),
        "javascript: in raw PDF bytes"
    );
    assert!(!links
        .iter()
        .any(|l| l.to_ascii_lowercase().contains("javascript")));
    // One page per … not one 1pt-wide page per glyph: the `#set page` status stayed text.
    assert!(
        doc.get_pages().len() <= 3,
        "pages: {}",
        doc.get_pages().len()
    );
}

#[test]
fn long_card_paginates_to_30_plus_pages() {
    let card = long_card();
    // Warm-up (font parsing, template) is measured separately from a steady-state export.
    let t0 = Instant::now();
    let first = export::pdf(&card).expect("export");
    let cold = t0.elapsed();
    let t1 = Instant::now();
    let bytes = export::pdf(&card).expect("export");
    let warm = t1.elapsed();
    assert_eq!(first.len(), bytes.len(), "export is deterministic in size");
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/long.pdf", &bytes).ok();
    let pages = load(&bytes).get_pages().len();
    println!(
        "long card: pages={pages} bytes={} cold_ms={} warm_ms={}",
        bytes.len(),
        cold.as_millis(),
        warm.as_millis()
    );
    assert!(pages >= 30, "only {pages} pages");
    let text = pdf_text(&bytes);
    assert!(
        text.contains(&format!("Page {pages} of {pages}")),
        "footer numbering"
    );
    assert!(text.contains("Objection 60: Acme claims feature parity on area 60"));
}

#[test]
fn concurrent_exports_work() {
    let handles: Vec<_> = (0..3)
        .map(|i| {
            std::thread::spawn(move || {
                let mut card = sample_card();
                card.competitor = format!("Competitor {i}");
                let bytes = export::pdf(&card).expect("export");
                (i, pdf_text(&bytes))
            })
        })
        .collect();
    for h in handles {
        let (i, text) = h.join().expect("thread");
        assert!(text.contains(&format!("Competitor {i}")));
    }
}

#[test]
fn empty_card_exports() {
    let card = export::CardDocument {
        competitor: String::new(),
        title: String::new(),
        summary: String::new(),
        status: String::new(),
        version: 1,
        exported_at: String::new(),
        blocks: vec![
            export::Block::Markdown {
                title: "Overview".into(),
                markdown: String::new(),
            },
            export::Block::Objections {
                title: "Objection handling".into(),
                items: vec![],
            },
        ],
    };
    let bytes = export::pdf(&card).expect("export");
    let text = pdf_text(&bytes);
    assert!(
        text.contains("Overview") && text.contains("Objection handling"),
        "{text}"
    );
}

/// Odd but valid Markdown shapes must never make the template fail.
#[test]
fn edge_case_markdown_exports() {
    let bodies = [
        "#",
        "# \n\n##\n\n######",
        "-\n-\n- \n\n1.\n2.",
        "999999999999. huge start",
        "[](https://empty.example)",
        "[**bold link**](https://b.example) ![](https://img.example/x.png)",
        ">",
        "> - a\n>   > b\n> ```\n> code\n> ```",
        "```\n```",
        "    indented code",
        "---\n***\n___",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "line  \nbreak\\\nagain",
        "~~strike~~ and ~~**nested**~~",
        "<div>\n\n*md in html*\n\n</div>",
        "- [ ] task\n- [x] done",
        "Footnote[^1]\n\n[^1]: note",
        "a\u{0}b\u{8}c\u{1f}d\u{7f}e\u{9f}f\u{2028}g\u{200b}h\u{feff}i",
        "emoji 🚀 and CJK 北京 and RTL שלום and combining é",
        &"x".repeat(5000),
        &"- nest\n".repeat(2),
        &(0..20)
            .map(|i| format!("{}- level {i}", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n"),
        &">".repeat(100),
        &format!("{}x{}", "*".repeat(100), "*".repeat(100)),
        &format!("[a](https://{}.example)", "l".repeat(3000)),
    ];
    let card = export::CardDocument {
        competitor: "Edge".into(),
        title: "Edge cases".into(),
        summary: "Summary".into(),
        status: "Draft".into(),
        version: i64::MAX,
        exported_at: "now".into(),
        blocks: bodies
            .iter()
            .enumerate()
            .map(|(i, b)| export::Block::Markdown {
                title: format!("Case {i}"),
                markdown: b.to_string(),
            })
            .chain([export::Block::Objections {
                title: "Objections".into(),
                items: bodies
                    .iter()
                    .map(|b| (b.to_string(), b.to_string()))
                    .collect(),
            }])
            .collect(),
    };
    let bytes = export::pdf(&card).expect("edge cases export to PDF");
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/edge.pdf", &bytes).ok();
    let text = pdf_text(&bytes);
    assert!(text.contains(&format!("Case {}", bodies.len() - 1)));
    export::docx(&card).expect("edge cases export to DOCX");
}
