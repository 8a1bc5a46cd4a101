//! Markdown → a small, inert document tree shared by the PDF and DOCX writers.
//!
//! Nothing in here ever produces markup for another language: the tree holds
//! plain strings only, and each writer decides how to draw them. Raw HTML is
//! kept as literal text, images become their alt text, and links keep a URL
//! only when its scheme is `http`, `https` or `mailto`.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};
use serde::Serialize;

/// Containers nested deeper than this are flattened into their parent, so a
/// hostile `>>>>>>…` or `- - - - …` body cannot blow the renderers' stacks.
const MAX_BLOCK_DEPTH: usize = 8;
/// Same for inline containers (`***…***`, nested links and images …).
const MAX_INLINE_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub(crate) enum MdBlock {
    /// A paragraph.
    P { c: Vec<Inline> },
    /// A heading inside a section body; `level` is the Markdown level 1–6.
    H { level: u8, c: Vec<Inline> },
    /// A bullet (`ordered == false`) or numbered list; each item is a list of blocks.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<MdBlock>>,
    },
    /// A block quote.
    Quote { c: Vec<MdBlock> },
    /// A fenced or indented code block, or a raw HTML block shown literally.
    Code { text: String },
    /// A thematic break.
    Rule,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub(crate) enum Inline {
    Text {
        v: String,
    },
    Strong {
        c: Vec<Inline>,
    },
    Emph {
        c: Vec<Inline>,
    },
    Strike {
        c: Vec<Inline>,
    },
    Code {
        v: String,
    },
    /// `url` is always a vetted http/https/mailto URL.
    Link {
        url: String,
        c: Vec<Inline>,
    },
    /// A group with no styling (a link with an unsafe target, image alt text, …).
    Span {
        c: Vec<Inline>,
    },
    /// A soft line break (rendered as a space).
    Soft,
    /// A hard line break.
    Br,
}

/// Removes characters that are invalid in XML 1.0 or meaningless in print
/// (C0/C1 controls except tab and newline, U+FFFE/U+FFFF) and turns CR/CRLF
/// into LF.
pub(crate) fn clean(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\t' | '\n' => Some(c),
            c if c.is_control() => None,
            '\u{FFFE}' | '\u{FFFF}' => None,
            c => Some(c),
        })
        .collect()
}

/// Same as [`clean`] but for one-line fields: every line break or tab
/// becomes a space and runs of spaces collapse.
pub(crate) fn clean_line(s: &str) -> String {
    let cleaned = clean(s);
    let mut out = String::with_capacity(cleaned.len());
    for word in cleaned.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Returns the URL if it may become a clickable link.
pub(crate) fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let scheme_end = url.find(':')?;
    let scheme = &url[..scheme_end];
    let ok = ["http", "https", "mailto"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    if !ok || url.len() > 2048 {
        return None;
    }
    let rest = &url[scheme_end + 1..];
    if rest.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    Some(url.to_string())
}

enum InlineKind {
    Para,
    Heading(u8),
    Emph,
    Strong,
    Strike,
    Link(Option<String>),
    Image,
}

enum Frame {
    /// Root, block quote or list item: holds blocks plus loose inlines of a
    /// tight list item, gathered into an implicit paragraph.
    Blocks {
        quote: bool,
        blocks: Vec<MdBlock>,
        loose: Vec<Inline>,
    },
    Inlines {
        kind: InlineKind,
        items: Vec<Inline>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<MdBlock>>,
    },
    Literal(String),
}

impl Frame {
    fn blocks(quote: bool) -> Self {
        Frame::Blocks {
            quote,
            blocks: Vec::new(),
            loose: Vec::new(),
        }
    }
}

struct Builder {
    stack: Vec<Frame>,
    /// For each open tag: did it push a frame (false = flattened)?
    opened: Vec<bool>,
    block_depth: usize,
    inline_depth: usize,
}

fn flush_loose(blocks: &mut Vec<MdBlock>, loose: &mut Vec<Inline>) {
    if !loose.is_empty() {
        let c = trim_inlines(std::mem::take(loose));
        if !c.is_empty() {
            blocks.push(MdBlock::P { c });
        }
    }
}

/// Drops leading/trailing soft breaks left over from flattening.
fn trim_inlines(mut c: Vec<Inline>) -> Vec<Inline> {
    while matches!(c.last(), Some(Inline::Soft | Inline::Br)) {
        c.pop();
    }
    while matches!(c.first(), Some(Inline::Soft | Inline::Br)) {
        c.remove(0);
    }
    c
}

impl Builder {
    fn new() -> Self {
        Builder {
            stack: vec![Frame::blocks(false)],
            opened: Vec::new(),
            block_depth: 0,
            inline_depth: 0,
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        match self.stack.last_mut() {
            Some(Frame::Inlines { items, .. }) => {
                // Merge adjacent text runs: fewer nodes, faster rendering.
                if let (Inline::Text { v: new }, Some(Inline::Text { v })) =
                    (&inline, items.last_mut())
                {
                    v.push_str(new);
                    return;
                }
                items.push(inline)
            }
            Some(Frame::Blocks { loose, .. }) => loose.push(inline),
            Some(Frame::Literal(text)) => {
                if let Inline::Text { v } = inline {
                    text.push_str(&v)
                }
            }
            Some(Frame::List { items, .. }) => {
                // Cannot happen with pulldown-cmark; keep the text anyway.
                let c = vec![inline];
                match items.last_mut() {
                    Some(last) => last.push(MdBlock::P { c }),
                    None => items.push(vec![MdBlock::P { c }]),
                }
            }
            None => {}
        }
    }

    fn push_block(&mut self, block: MdBlock) {
        match self.stack.last_mut() {
            Some(Frame::Blocks { blocks, loose, .. }) => {
                flush_loose(blocks, loose);
                blocks.push(block);
            }
            Some(Frame::List { items, .. }) => match items.last_mut() {
                Some(last) => last.push(block),
                None => items.push(vec![block]),
            },
            // A block inside an inline container (flattened input): keep its text.
            Some(Frame::Inlines { .. }) | Some(Frame::Literal(_)) => {
                for inline in block_text(block) {
                    self.push_inline(inline);
                }
            }
            None => {}
        }
    }

    fn open(&mut self, frame: Frame) {
        self.stack.push(frame);
        self.opened.push(true);
    }

    fn skip(&mut self) {
        self.opened.push(false);
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.open_inline(InlineKind::Para, true),
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.open_inline(InlineKind::Heading(level), true)
            }
            Tag::BlockQuote(_) => {
                if self.block_depth >= MAX_BLOCK_DEPTH {
                    self.skip()
                } else {
                    self.block_depth += 1;
                    self.open(Frame::blocks(true))
                }
            }
            Tag::CodeBlock(_) => self.open(Frame::Literal(String::new())),
            Tag::HtmlBlock => self.open(Frame::Literal(String::new())),
            Tag::List(start) => {
                if self.block_depth >= MAX_BLOCK_DEPTH {
                    self.skip()
                } else {
                    self.block_depth += 1;
                    self.open(Frame::List {
                        ordered: start.is_some(),
                        start: start.unwrap_or(1).min(1_000_000_000),
                        items: Vec::new(),
                    })
                }
            }
            Tag::Item => {
                if matches!(self.stack.last(), Some(Frame::List { .. })) {
                    self.open(Frame::blocks(false))
                } else {
                    // A flattened list: keep its items on separate lines.
                    self.push_inline(Inline::Br);
                    self.skip()
                }
            }
            Tag::Emphasis => self.open_inline(InlineKind::Emph, false),
            Tag::Strong => self.open_inline(InlineKind::Strong, false),
            Tag::Strikethrough => self.open_inline(InlineKind::Strike, false),
            Tag::Link { dest_url, .. } => {
                let url = safe_url(&dest_url);
                // Links cannot nest in CommonMark, but be safe anyway.
                let in_link = self.stack.iter().any(|f| {
                    matches!(
                        f,
                        Frame::Inlines {
                            kind: InlineKind::Link(_),
                            ..
                        }
                    )
                });
                self.open_inline(InlineKind::Link(if in_link { None } else { url }), false)
            }
            Tag::Image { .. } => self.open_inline(InlineKind::Image, false),
            // Everything else (not enabled by our options) is flattened.
            _ => self.skip(),
        }
    }

    fn open_inline(&mut self, kind: InlineKind, block_level: bool) {
        let inside_inline = matches!(
            self.stack.last(),
            Some(Frame::Inlines { .. }) | Some(Frame::Literal(_))
        );
        if (block_level && inside_inline) || self.inline_depth >= MAX_INLINE_DEPTH {
            if block_level {
                self.push_inline(Inline::Soft);
            }
            return self.skip();
        }
        self.inline_depth += 1;
        self.open(Frame::Inlines {
            kind,
            items: Vec::new(),
        })
    }

    fn end(&mut self) {
        if !self.opened.pop().unwrap_or(false) {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Inlines { kind, items } => {
                self.inline_depth -= 1;
                match kind {
                    InlineKind::Para => {
                        let c = trim_inlines(items);
                        if !c.is_empty() {
                            self.push_block(MdBlock::P { c })
                        }
                    }
                    InlineKind::Heading(level) => self.push_block(MdBlock::H {
                        level,
                        c: trim_inlines(items),
                    }),
                    InlineKind::Emph => self.push_inline(Inline::Emph { c: items }),
                    InlineKind::Strong => self.push_inline(Inline::Strong { c: items }),
                    InlineKind::Strike => self.push_inline(Inline::Strike { c: items }),
                    InlineKind::Link(Some(url)) => self.push_inline(Inline::Link { url, c: items }),
                    InlineKind::Link(None) | InlineKind::Image => {
                        self.push_inline(Inline::Span { c: items })
                    }
                }
            }
            Frame::Blocks {
                quote,
                mut blocks,
                mut loose,
            } => {
                flush_loose(&mut blocks, &mut loose);
                if quote {
                    self.block_depth -= 1;
                    self.push_block(MdBlock::Quote { c: blocks })
                } else if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(blocks)
                } else {
                    for b in blocks {
                        self.push_block(b)
                    }
                }
            }
            Frame::List {
                ordered,
                start,
                items,
            } => {
                self.block_depth -= 1;
                self.push_block(MdBlock::List {
                    ordered,
                    start,
                    items,
                })
            }
            Frame::Literal(text) => {
                let text = text.trim_end_matches('\n').to_string();
                if !text.is_empty() {
                    self.push_block(MdBlock::Code { text })
                }
            }
        }
    }

    fn finish(mut self) -> Vec<MdBlock> {
        // Close anything left open (cannot happen with pulldown-cmark).
        while let Some(opened) = self.opened.pop() {
            if opened {
                self.opened.push(true);
                self.end();
            }
        }
        match self.stack.pop() {
            Some(Frame::Blocks {
                mut blocks,
                mut loose,
                ..
            }) => {
                flush_loose(&mut blocks, &mut loose);
                blocks
            }
            _ => Vec::new(),
        }
    }
}

/// Plain text of a block as inlines (used when structure must be dropped).
fn block_text(block: MdBlock) -> Vec<Inline> {
    match block {
        MdBlock::P { c } | MdBlock::H { c, .. } => c,
        MdBlock::Code { text } => vec![Inline::Text { v: text }],
        MdBlock::Quote { c } => c.into_iter().flat_map(block_text).collect(),
        MdBlock::List { items, .. } => items
            .into_iter()
            .flat_map(|item| item.into_iter().flat_map(block_text))
            .collect(),
        MdBlock::Rule => Vec::new(),
    }
}

impl MdBlock {
    /// Applies `f` to every user string in the tree (text, code, headings).
    pub(crate) fn map_text(&mut self, f: &impl Fn(&str) -> String) {
        match self {
            MdBlock::P { c } | MdBlock::H { c, .. } => c.iter_mut().for_each(|i| i.map_text(f)),
            MdBlock::List { items, .. } => items.iter_mut().flatten().for_each(|b| b.map_text(f)),
            MdBlock::Quote { c } => c.iter_mut().for_each(|b| b.map_text(f)),
            MdBlock::Code { text } => *text = f(text),
            MdBlock::Rule => {}
        }
    }
}

impl Inline {
    fn map_text(&mut self, f: &impl Fn(&str) -> String) {
        match self {
            Inline::Text { v } | Inline::Code { v } => *v = f(v),
            Inline::Strong { c }
            | Inline::Emph { c }
            | Inline::Strike { c }
            | Inline::Span { c }
            | Inline::Link { c, .. } => c.iter_mut().for_each(|i| i.map_text(f)),
            Inline::Soft | Inline::Br => {}
        }
    }
}

/// Parses user Markdown (CommonMark + strikethrough) into the inert tree.
pub(crate) fn parse(markdown: &str) -> Vec<MdBlock> {
    let markdown = clean(markdown);
    let mut b = Builder::new();
    for event in Parser::new_ext(&markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(tag) => b.start(tag),
            Event::End(_) => b.end(),
            Event::Text(t) => b.push_inline(Inline::Text { v: t.into_string() }),
            Event::Code(t) => b.push_inline(Inline::Code { v: t.into_string() }),
            // Raw HTML is shown as the literal text the user typed.
            Event::Html(t) | Event::InlineHtml(t) => {
                b.push_inline(Inline::Text { v: t.into_string() })
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                b.push_inline(Inline::Text { v: t.into_string() })
            }
            Event::SoftBreak => b.push_inline(Inline::Soft),
            Event::HardBreak => b.push_inline(Inline::Br),
            Event::Rule => b.push_block(MdBlock::Rule),
            Event::FootnoteReference(t) => b.push_inline(Inline::Text {
                v: format!("[^{t}]"),
            }),
            Event::TaskListMarker(done) => b.push_inline(Inline::Text {
                v: if done { "☑ " } else { "☐ " }.into(),
            }),
        }
    }
    b.finish()
}

/// Plain text of inlines (for tests and fallbacks).
#[cfg(test)]
pub(crate) fn inline_text(c: &[Inline]) -> String {
    let mut s = String::new();
    for i in c {
        match i {
            Inline::Text { v } | Inline::Code { v } => s.push_str(v),
            Inline::Strong { c }
            | Inline::Emph { c }
            | Inline::Strike { c }
            | Inline::Span { c }
            | Inline::Link { c, .. } => s.push_str(&inline_text(c)),
            Inline::Soft => s.push(' '),
            Inline::Br => s.push('\n'),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_emphasis() {
        let t = parse("Hello **bold** and *it* `code`\nnext");
        assert_eq!(t.len(), 1);
        let MdBlock::P { c } = &t[0] else {
            panic!("{t:?}")
        };
        assert!(matches!(c[1], Inline::Strong { .. }));
        assert!(matches!(c[3], Inline::Emph { .. }));
        assert!(matches!(c[5], Inline::Code { .. }));
        assert!(matches!(c[6], Inline::Soft));
        assert_eq!(inline_text(c), "Hello bold and it code next");
    }

    #[test]
    fn nested_lists_tight_and_loose() {
        let t = parse("- a\n- b\n  1. x\n  2. y\n- c\n\n3. three\n4. four\n");
        let MdBlock::List {
            ordered: false,
            items,
            ..
        } = &t[0]
        else {
            panic!("{t:?}")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(
            items[1][1],
            MdBlock::List {
                ordered: true,
                start: 1,
                ..
            }
        ));
        assert!(matches!(
            t[1],
            MdBlock::List {
                ordered: true,
                start: 3,
                ..
            }
        ));
    }

    #[test]
    fn raw_html_is_literal_text() {
        let t = parse("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> there");
        let MdBlock::Code { text } = &t[0] else {
            panic!("{t:?}")
        };
        assert_eq!(text, "<script>alert(1)</script>");
        let MdBlock::P { c } = &t[1] else {
            panic!("{t:?}")
        };
        assert_eq!(inline_text(c), "hi <img src=x onerror=alert(1)> there");
    }

    #[test]
    fn unsafe_links_lose_their_target() {
        let t = parse("[x](javascript:alert(1)) [y](https://ok.example/a) [m](MAILTO:a@b.c) [r](/rel) [d](data:text/html,hi)");
        let MdBlock::P { c } = &t[0] else {
            panic!("{t:?}")
        };
        let links: Vec<_> = c
            .iter()
            .filter_map(|i| match i {
                Inline::Link { url, .. } => Some(url.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(links, ["https://ok.example/a", "MAILTO:a@b.c"]);
        assert_eq!(inline_text(c), "x y m r d");
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let deep = ">".repeat(500) + " deep";
        let t = parse(&deep);
        fn depth(b: &MdBlock) -> usize {
            match b {
                MdBlock::Quote { c } => 1 + c.iter().map(depth).max().unwrap_or(0),
                _ => 0,
            }
        }
        assert!(depth(&t[0]) <= MAX_BLOCK_DEPTH);
        let lists = (0..300)
            .map(|i| format!("{}- x", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n");
        let _ = parse(&lists);
        let stars = "*".repeat(400) + "x" + &"*".repeat(400);
        let _ = parse(&stars);
    }

    #[test]
    fn flattened_items_stay_separate() {
        let lists = (0..12)
            .map(|i| format!("{}- level {i}", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n");
        let t = parse(&lists);
        let mut deepest = &t[0];
        while let MdBlock::List { items, .. } = deepest {
            match items[0].last() {
                Some(b @ MdBlock::List { .. }) => deepest = b,
                _ => break,
            }
        }
        let MdBlock::List { items, .. } = deepest else {
            panic!()
        };
        let MdBlock::P { c } = &items[0][0] else {
            panic!("{items:?}")
        };
        assert!(
            inline_text(c).contains("level 7\nlevel 8\nlevel 9"),
            "{c:?}"
        );
    }

    #[test]
    fn control_characters_removed() {
        assert_eq!(clean("a\u{0}b\u{7}c\r\nd\re\u{FFFF}"), "abc\nd\ne");
        assert_eq!(clean_line("  a \n\t b  "), "a b");
    }
}
