//! PDF export through typst, with a sealed in-memory `World`.
//!
//! The world knows exactly two files: the fixed template (`/main.typ`) and
//! the card as JSON (`/data.json`). Every other path, package or import is
//! refused, fonts come from `typst-assets`, and `today` is fixed, so the
//! output depends only on the card.

use std::sync::OnceLock;

use anyhow::{anyhow, Context as _};
use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::markdown::{self, clean, clean_line, MdBlock};
use crate::{Block, CardDocument};

const TEMPLATE: &str = include_str!("template.typ");

/// Everything that is the same for every export: parsed once per process.
struct Resources {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data_id: FileId,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("static virtual path is valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

fn resources() -> &'static Resources {
    static RESOURCES: OnceLock<Resources> = OnceLock::new();
    RESOURCES.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        Resources {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(file_id("/main.typ"), TEMPLATE.to_string()),
            data_id: file_id("/data.json"),
        }
    })
}

struct CardWorld {
    res: &'static Resources,
    data: Bytes,
}

impl World for CardWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.res.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.res.book
    }

    fn main(&self) -> FileId {
        self.res.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.res.main.id() {
            Ok(self.res.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.res.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.res.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(2000, 1, 1)
    }
}

// ------------------------------------------------------------------ payload

#[derive(Serialize)]
struct Payload {
    doc_title: String,
    competitor: String,
    title: String,
    summary: String,
    status: String,
    status_kind: &'static str,
    version: String,
    exported_at: String,
    sections: Vec<Section>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Section {
    Markdown {
        title: String,
        body: Vec<MdBlock>,
    },
    Objections {
        title: String,
        items: Vec<Objection>,
    },
}

#[derive(Serialize)]
struct Objection {
    q: String,
    a: Vec<MdBlock>,
}

pub(crate) fn status_kind(status: &str) -> &'static str {
    let s = status.trim().to_ascii_lowercase();
    match s.as_str() {
        "published" => "published",
        "draft" => "draft",
        "archived" => "archived",
        "in review" | "review" | "in_review" => "review",
        _ => "other",
    }
}

fn payload(doc: &CardDocument) -> Payload {
    let competitor = clean_line(&doc.competitor);
    let title = clean_line(&doc.title);
    let doc_title = match (competitor.is_empty(), title.is_empty()) {
        (false, false) => format!("{competitor} — {title}"),
        (false, true) => competitor.clone(),
        (true, false) => title.clone(),
        (true, true) => "Battlecard".to_string(),
    };
    Payload {
        doc_title,
        competitor: if competitor.is_empty() {
            "Battlecard".into()
        } else {
            wrap_long_words(&competitor)
        },
        title: wrap_long_words(&title),
        summary: wrap_long_words(&clean_line(&doc.summary)),
        status: clean_line(&doc.status),
        status_kind: status_kind(&doc.status),
        version: doc.version.to_string(),
        exported_at: clean_line(&doc.exported_at),
        sections: doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Markdown { title, markdown } => Section::Markdown {
                    title: wrap_long_words(&clean_line(title)),
                    body: markdown_body(markdown),
                },
                Block::Objections { title, items } => Section::Objections {
                    title: wrap_long_words(&clean_line(title)),
                    items: items
                        .iter()
                        .map(|(q, a)| Objection {
                            q: wrap_long_words(clean(q).trim()),
                            a: markdown_body(a),
                        })
                        .collect(),
                },
            })
            .collect(),
    }
}

/// Longest run of non-space characters typst gets without a break opportunity.
const MAX_UNBROKEN: usize = 28;

/// Inserts zero-width spaces into very long unbroken runs (URLs, hashes,
/// "xxxxxxxx…") so they wrap instead of running off the page.
fn wrap_long_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = 0;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{200B}' {
            run = 0;
        } else {
            if run >= MAX_UNBROKEN {
                out.push('\u{200B}');
                run = 0;
            }
            run += 1;
        }
        out.push(c);
    }
    out
}

fn markdown_body(markdown: &str) -> Vec<MdBlock> {
    let mut blocks = markdown::parse(markdown);
    for b in &mut blocks {
        b.map_text(&wrap_long_words);
    }
    blocks
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn render(doc: &CardDocument) -> anyhow::Result<Vec<u8>> {
    let data = serde_json::to_vec(&payload(doc)).context("serialising card for PDF")?;
    let world = CardWorld {
        res: resources(),
        data: Bytes::new(data),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // The data file differs on every export: drop memoised results that were
    // not reused recently so a long-running server does not grow without bound.
    typst::comemo::evict(10);
    let document =
        compiled.map_err(|errors| anyhow!("typst layout failed: {}", describe(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Auto,
        creator: Smart::Custom(Some("Outrival".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|errors| anyhow!("PDF export failed: {}", describe(&errors)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_kinds() {
        assert_eq!(status_kind("Published"), "published");
        assert_eq!(status_kind("In review"), "review");
        assert_eq!(status_kind(" draft "), "draft");
        assert_eq!(status_kind("Archived"), "archived");
        assert_eq!(status_kind("Something"), "other");
    }

    #[test]
    fn long_words_get_break_opportunities() {
        let long = "x".repeat(60);
        let wrapped = wrap_long_words(&long);
        assert_eq!(wrapped.replace('\u{200B}', ""), long);
        assert!(wrapped
            .split('\u{200B}')
            .all(|part| part.chars().count() <= MAX_UNBROKEN));
        assert_eq!(
            wrap_long_words("short words stay as they are"),
            "short words stay as they are"
        );
    }

    #[test]
    fn world_refuses_other_files() {
        let world = CardWorld {
            res: resources(),
            data: Bytes::new(b"{}".to_vec()),
        };
        assert!(world.file(file_id("/etc/passwd")).is_err());
        assert!(world.source(file_id("/other.typ")).is_err());
        assert!(world.file(file_id("/data.json")).is_ok());
    }
}
