//! Battlecard export: a designed PDF (typst) and a Word document (docx-rs).
//!
//! Both writers share one Markdown front end ([`markdown`]) that turns user
//! Markdown into an inert tree of plain strings. User text is never spliced
//! into typst source or XML markup: the PDF template reads the card as JSON
//! data, and docx-rs escapes every text run.
//!
//! The functions are synchronous and CPU-bound; call them from a blocking
//! thread (`tokio::task::spawn_blocking`).

#![forbid(unsafe_code)]

mod docx;
mod markdown;
mod pdf;

/// A battlecard ready for export.
#[derive(Debug, Clone)]
pub struct CardDocument {
    /// Competitor name, e.g. "Acme Corp".
    pub competitor: String,
    /// Card title, e.g. "Acme vs Outrival — enterprise".
    pub title: String,
    /// One-line summary (plain text).
    pub summary: String,
    /// "Published", "Draft", "In review", "Archived".
    pub status: String,
    /// Version number shown in the footer.
    pub version: i64,
    /// Already formatted, e.g. "22 Nov 2026, 14:03 UTC".
    pub exported_at: String,
    /// Sections in display order.
    pub blocks: Vec<Block>,
}

/// One section of a card.
#[derive(Debug, Clone)]
pub enum Block {
    /// A section whose body is user-typed Markdown (CommonMark: paragraphs,
    /// **bold**, *italic*, `code`, lists (nested), links, headings inside,
    /// block quotes).
    Markdown { title: String, markdown: String },
    /// The objection-handling table: (objection, answer-markdown) pairs in order.
    Objections {
        title: String,
        items: Vec<(String, String)>,
    },
}

/// Renders the card as an A4 PDF with embedded fonts.
pub fn pdf(doc: &CardDocument) -> anyhow::Result<Vec<u8>> {
    pdf::render(doc)
}

/// Renders the card as a Word .docx document.
pub fn docx(doc: &CardDocument) -> anyhow::Result<Vec<u8>> {
    docx::render(doc)
}

/// Longest stem [`safe_filename`] returns (before the extension).
const MAX_STEM: usize = 80;

/// A safe download filename: lowercase ASCII letters, digits, `-` and `_`
/// only (other characters are transliterated or become `-`, runs collapse,
/// ends are trimmed, at most 80 characters), never empty (falls back to
/// "battlecard"), followed by `.ext` (the extension is sanitised the same
/// way; an empty one is left out).
///
/// ```
/// assert_eq!(export::safe_filename("Acme / \"Corp\"\r\nX", "pdf"), "acme-corp-x.pdf");
/// assert_eq!(export::safe_filename("../../etc/passwd", "docx"), "etc-passwd.docx");
/// ```
pub fn safe_filename(stem: &str, ext: &str) -> String {
    fn slug(s: &str, max: usize) -> String {
        let ascii = deunicode::deunicode_with_tofu(s, "-");
        let mut out = String::with_capacity(ascii.len().min(max));
        let mut pending_dash = false;
        for c in ascii.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '_' {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(c);
            } else {
                pending_dash = true;
            }
            if out.len() >= max {
                break;
            }
        }
        out.truncate(max);
        out.trim_matches(|c| c == '-' || c == '_').to_string()
    }
    let mut stem = slug(stem, MAX_STEM);
    if stem.is_empty() {
        stem = "battlecard".to_string();
    }
    let ext = slug(ext, 10).replace(['-', '_'], "");
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod filename_tests {
    use super::safe_filename;

    fn assert_safe(name: &str) {
        assert!(!name.is_empty());
        assert!(name.len() <= 80 + 11, "{name}");
        let dots = name.matches('.').count();
        assert!(dots <= 1, "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'),
            "{name}"
        );
        assert!(!name.starts_with(['-', '.', '_']), "{name}");
    }

    #[test]
    fn example_from_the_spec() {
        assert_eq!(
            safe_filename("Acme / \"Corp\"\r\nX", "pdf"),
            "acme-corp-x.pdf"
        );
    }

    #[test]
    fn header_injection_attempts() {
        for (stem, want) in [
            (
                "a\r\nContent-Type: text/html",
                "a-content-type-text-html.pdf",
            ),
            ("x\"; filename=evil.exe", "x-filename-evil-exe.pdf"),
            ("x'; filename*=UTF-8''evil", "x-filename-utf-8-evil.pdf"),
            ("../../etc/passwd", "etc-passwd.pdf"),
            ("..\\..\\windows\\system32", "windows-system32.pdf"),
            ("a\0b", "a-b.pdf"),
            ("%0d%0aSet-Cookie:x", "0d-0aset-cookie-x.pdf"),
        ] {
            let got = safe_filename(stem, "pdf");
            assert_eq!(got, want, "{stem:?}");
            assert_safe(&got);
        }
    }

    #[test]
    fn unicode_is_transliterated() {
        assert_eq!(safe_filename("Café Zürich", "docx"), "cafe-zurich.docx");
        assert_eq!(
            safe_filename("Ærøskøbing — straße", "pdf"),
            "aeroskobing-strasse.pdf"
        );
        assert_eq!(safe_filename("北京", "pdf"), "bei-jing.pdf");
        assert_safe(&safe_filename("🚀🔥 Rocket", "pdf"));
        assert_safe(&safe_filename("\u{202E}gnp.exe", "pdf"));
    }

    #[test]
    fn empty_and_junk_fall_back() {
        assert_eq!(safe_filename("", "pdf"), "battlecard.pdf");
        assert_eq!(safe_filename("   ///\\\\\"\"   ", "pdf"), "battlecard.pdf");
        assert_eq!(safe_filename("...", "pdf"), "battlecard.pdf");
        assert_eq!(safe_filename("a", ""), "a");
        assert_eq!(safe_filename("a", ".p/d\"f"), "a.pdf");
    }

    #[test]
    fn long_names_are_capped() {
        let name = safe_filename(&"word ".repeat(100), "pdf");
        assert_safe(&name);
        assert!(name.len() <= 84, "{name}");
        assert!(name.ends_with(".pdf"));
        assert!(!name.contains("-."));
        let name = safe_filename(&"ü".repeat(500), "docx");
        assert_safe(&name);
        assert_eq!(name.len(), 80 + 5);
    }

    #[test]
    fn underscores_and_digits_are_kept() {
        assert_eq!(
            safe_filename("Q3_2026 Card v2", "pdf"),
            "q3_2026-card-v2.pdf"
        );
    }
}
