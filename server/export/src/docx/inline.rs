//! Inline Markdown (bold, italic, code, links) as Word runs and hyperlinks.

use docx_rs::{BreakType, Hyperlink, HyperlinkType, Paragraph, Run};

use crate::markdown::Inline;

#[derive(Clone, Copy, Default)]
pub(super) struct Fmt {
    bold: bool,
    italic: bool,
    strike: bool,
}

/// One run of text with its formatting and (vetted) link target.
pub(super) struct Seg {
    text: String,
    fmt: Fmt,
    code: bool,
    link: Option<String>,
    br: bool,
}

pub(super) fn flatten(inlines: &[Inline], fmt: Fmt, link: Option<&str>, out: &mut Vec<Seg>) {
    let text = |text: String, code: bool| Seg {
        text,
        fmt,
        code,
        link: link.map(str::to_string),
        br: false,
    };
    for i in inlines {
        match i {
            Inline::Text { v } => out.push(text(v.clone(), false)),
            Inline::Code { v } => out.push(text(v.clone(), true)),
            Inline::Soft => out.push(text(" ".into(), false)),
            Inline::Br => out.push(Seg {
                br: true,
                ..text(String::new(), false)
            }),
            Inline::Strong { c } => flatten(c, Fmt { bold: true, ..fmt }, link, out),
            Inline::Emph { c } => flatten(
                c,
                Fmt {
                    italic: true,
                    ..fmt
                },
                link,
                out,
            ),
            Inline::Strike { c } => flatten(
                c,
                Fmt {
                    strike: true,
                    ..fmt
                },
                link,
                out,
            ),
            Inline::Span { c } => flatten(c, fmt, link, out),
            Inline::Link { url, c } => flatten(c, fmt, Some(url), out),
        }
    }
}

pub(super) fn run_for(seg: &Seg) -> Run {
    let mut run = Run::new();
    if seg.br {
        return run.add_break(BreakType::TextWrapping);
    }
    run = run.add_text(seg.text.as_str());
    if seg.code {
        run = run.style("InlineCode");
    } else if seg.link.is_some() {
        run = run.style("Hyperlink");
    }
    if seg.fmt.bold {
        run = run.bold();
    }
    if seg.fmt.italic {
        run = run.italic();
    }
    if seg.fmt.strike {
        run = run.strike();
    }
    run
}

pub(super) fn add_inlines(mut p: Paragraph, inlines: &[Inline], base: Fmt) -> Paragraph {
    let mut segs = Vec::new();
    flatten(inlines, base, None, &mut segs);
    let mut i = 0;
    while i < segs.len() {
        match &segs[i].link {
            Some(url) => {
                let mut link = Hyperlink::new(url.as_str(), HyperlinkType::External);
                while i < segs.len() && segs[i].link.as_deref() == Some(url.as_str()) {
                    link = link.add_run(run_for(&segs[i]));
                    i += 1;
                }
                p = p.add_hyperlink(link);
            }
            None => {
                p = p.add_run(run_for(&segs[i]));
                i += 1;
            }
        }
    }
    p
}

pub(super) fn text_paragraph(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .add_run(Run::new().add_text(text))
}
