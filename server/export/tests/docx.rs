mod common;

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use common::{long_card, objections, payload_card, sample_card, SECTION_TITLES};

/// Every part of the .docx archive, by name.
fn parts(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("valid zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let name = f.name().to_string();
        let mut s = String::new();
        f.read_to_string(&mut s).expect("utf-8 part");
        out.insert(name, s);
    }
    out
}

/// Parses XML fully; panics on malformed input. Returns all text content.
fn well_formed_text(name: &str, xml: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut text = String::new();
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => {
                text.push_str(&t.decode().expect("text decodes"));
            }
            Ok(quick_xml::events::Event::GeneralRef(r)) => {
                let name = r.decode().expect("ref");
                text.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity &{other}; in {name}"),
                });
            }
            Ok(_) => {}
            Err(e) => panic!("{name} is not well-formed XML: {e}"),
        }
    }
    assert_eq!(depth, 0, "{name}: unbalanced elements");
    text
}

#[test]
fn sample_card_docx_structure() {
    let bytes = export::docx(&sample_card()).expect("export");
    assert!(bytes.starts_with(b"PK"), "not a zip");
    {
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("zip");
        assert_eq!(
            zip.by_index(0).expect("first").name(),
            "[Content_Types].xml"
        );
        let doc = zip.by_name("word/document.xml").expect("document part");
        assert_eq!(doc.compression(), zip::CompressionMethod::Deflated);
    }
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/sample.docx", &bytes).ok();
    let parts = parts(&bytes);
    for (name, xml) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            well_formed_text(name, xml);
        }
    }
    let doc = &parts["word/document.xml"];
    let text = well_formed_text("document", doc);
    for title in SECTION_TITLES.iter().copied().chain(["Objection handling"]) {
        assert!(text.contains(title), "missing section {title:?}");
    }
    for (q, _) in objections() {
        assert!(text.contains(&q), "missing objection {q:?}");
    }
    for needle in [
        "Acme Corp",
        "Acme vs Outrival — enterprise",
        "PUBLISHED",
        "Objection",
        "Answer",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }

    // Real styles.
    assert!(
        doc.contains(r#"<w:pStyle w:val="Title" />"#)
            || doc.contains(r#"<w:pStyle w:val="Title"/>"#)
    );
    assert_eq!(
        doc.matches(r#"w:pStyle w:val="Heading1""#).count(),
        SECTION_TITLES.len() + 1,
        "one Heading1 per section"
    );
    assert!(
        doc.contains(r#"w:pStyle w:val="Heading2""#),
        "Markdown ## → Heading2"
    );
    assert!(
        doc.contains(r#"w:pStyle w:val="Heading3""#),
        "Markdown ### → Heading3"
    );
    assert!(doc.contains(r#"w:pStyle w:val="Quote""#));
    let styles = &parts["word/styles.xml"];
    for id in ["Title", "Heading1", "Heading2", "Heading3", "Hyperlink"] {
        assert!(
            styles.contains(&format!(r#"w:styleId="{id}""#)),
            "style {id} defined"
        );
    }
    assert!(styles.contains(r#"<w:name w:val="heading 1""#));

    // Paragraph borders are single-sided (no accidental boxes).
    for xml in [doc, styles] {
        assert!(
            !xml.contains(r#"w:sz="2" w:color="auto""#),
            "stray default paragraph border"
        );
    }

    // A real table for objections.
    assert!(doc.contains("<w:tbl>"));
    assert_eq!(doc.matches("<w:tr>").count(), objections().len() + 1);

    // Lists use numbering definitions, including a nested level.
    let numbering = parts
        .get("word/numbering.xml")
        .expect("numbering.xml exists");
    assert!(numbering.contains("w:abstractNum"));
    assert!(numbering.contains(r#"w:val="bullet""#));
    assert!(doc.contains("<w:numPr>"));
    assert!(doc.contains(r#"<w:ilvl w:val="1" />"#) || doc.contains(r#"<w:ilvl w:val="1"/>"#));

    // External hyperlinks for http(s)/mailto.
    assert!(doc.contains("<w:hyperlink"));
    let rels = &parts["word/_rels/document.xml.rels"];
    for target in ["https://docs.example.com/migrate", "mailto:ci@example.com"] {
        assert!(rels.contains(target), "missing hyperlink {target}");
    }
    assert!(rels.contains(r#"TargetMode="External""#));

    // Footer with export stamp and page fields.
    let footer = parts
        .iter()
        .find(|(n, _)| n.starts_with("word/footer"))
        .map(|(_, x)| x)
        .expect("a footer part");
    let footer_text = well_formed_text("footer", footer);
    assert!(footer_text.contains("Exported 22 Nov 2026, 14:03 UTC · Version 7"));
    assert!(footer.contains("PAGE") && footer.contains("NUMPAGES"));
}

#[test]
fn payload_card_docx_is_escaped_and_inert() {
    let bytes = export::docx(&payload_card()).expect("payload card must export");
    std::fs::create_dir_all("/tmp/export-check").ok();
    std::fs::write("/tmp/export-check/payload.docx", &bytes).ok();
    let parts = parts(&bytes);
    let mut all_text = String::new();
    for (name, xml) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            all_text.push_str(&well_formed_text(name, xml));
            let lower = xml.to_ascii_lowercase();
            assert!(!lower.contains("<script"), "{name} has a raw <script>");
            assert!(!lower.contains("<iframe"), "{name} has a raw <iframe>");
            assert!(!lower.contains("<img"), "{name} has a raw <img>");
            if name.ends_with(".rels") {
                // Link targets live in relationships: none may be javascript:.
                assert!(!lower.contains("javascript:"), "{name} has javascript:");
            }
        }
    }
    let doc = &parts["word/document.xml"];
    assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Text survives literally once decoded.
    for needle in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "#read(\"/etc/passwd\")",
        "$x$",
    ] {
        assert!(all_text.contains(needle), "missing literal {needle:?}");
    }
    let rels = &parts["word/_rels/document.xml.rels"];
    assert!(!rels.contains("data:") && !rels.contains("file:"), "{rels}");
    // The payload has no safe link at all, so there is no hyperlink element.
    assert!(!doc.contains("<w:hyperlink"), "unexpected hyperlink");
}

#[test]
fn long_card_docx() {
    let bytes = export::docx(&long_card()).expect("export");
    let parts = parts(&bytes);
    let text = well_formed_text("document", &parts["word/document.xml"]);
    assert!(text.contains("Objection 60: Acme claims feature parity on area 60"));
    assert_eq!(parts["word/document.xml"].matches("<w:tr>").count(), 61);
}
