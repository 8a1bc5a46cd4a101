//! Word (.docx) export with docx-rs.
//!
//! Uses real paragraph styles (Title, Subtitle, Heading1–3, Quote, …),
//! numbering definitions for lists, external hyperlinks for vetted URLs only
//! and a bordered table for objections. All user text goes through docx-rs'
//! XML escaping as text runs; raw HTML stays literal text.

use std::io::Cursor;

use anyhow::Context as _;
use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, BreakType, Docx, Footer, Hyperlink,
    HyperlinkType, IndentLevel, Level, LevelJc, LevelOverride, LevelText, LineSpacing, NumPages,
    NumberFormat, NumberingId, PageMargin, PageNum, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading, ShdType, SpecialIndentType,
    Start, Style, StyleType, Tab, TabValueType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::markdown::{self, clean, clean_line, Inline, MdBlock};
use crate::pdf::status_kind;
use crate::{Block, CardDocument};

const BRAND: &str = "1F4FD1";
const BRAND_DARK: &str = "173DA3";
const INK: &str = "1B2330";
const MUTED: &str = "5B6676";
const RULE: &str = "DDE2E8";
const ZEBRA: &str = "F6F7F9";
const CODE_BG: &str = "F1F3F6";
const BODY_FONT: &str = "Calibri";
const MONO_FONT: &str = "Consolas";

/// A4 with 2 cm margins, in twentieths of a point.
const PAGE_W: i32 = 11906;
const PAGE_H: i32 = 16838;
const MARGIN: i32 = 1134;
const CONTENT_W: usize = (PAGE_W - 2 * MARGIN) as usize;

const ABSTRACT_BULLET: usize = 2;
const ABSTRACT_DECIMAL: usize = 3;
const NUM_BULLET: usize = 2;
/// Word supports nine list levels (0–8).
const MAX_LIST_LEVEL: usize = 8;

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
        .east_asia(name)
}

/// Paragraph borders with only one side drawn (docx-rs' default draws all four).
fn one_border(
    position: ParagraphBorderPosition,
    size: usize,
    space: usize,
    colour: &str,
) -> ParagraphBorders {
    ParagraphBorders::with_empty().set(
        ParagraphBorder::new(position)
            .val(BorderType::Single)
            .size(size)
            .space(space)
            .color(colour),
    )
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after)
}

fn paragraph_style(id: &str, name: &str) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
}

fn styles(mut docx: Docx) -> Docx {
    let normal = Style::new("Normal", StyleType::Paragraph)
        .name("Normal")
        .q_format(true)
        .fonts(fonts(BODY_FONT))
        .size(21)
        .color(INK)
        .line_spacing(spacing(0, 120).line(264));

    let mut title = paragraph_style("Title", "Title")
        .size(52)
        .bold()
        .color(INK)
        .line_spacing(spacing(0, 60).line(240));
    title.paragraph_property = title.paragraph_property.keep_next(true);

    let mut subtitle = paragraph_style("Subtitle", "Subtitle")
        .size(28)
        .color(INK)
        .line_spacing(spacing(0, 80));
    subtitle.paragraph_property = subtitle.paragraph_property.keep_next(true);

    let summary = paragraph_style("Summary", "Summary")
        .size(22)
        .italic()
        .color(MUTED)
        .line_spacing(spacing(0, 120));

    let mut h1 = paragraph_style("Heading1", "heading 1")
        .size(30)
        .bold()
        .color(BRAND_DARK)
        .outline_lvl(0)
        .line_spacing(spacing(360, 160));
    h1.paragraph_property = h1
        .paragraph_property
        .keep_next(true)
        .set_borders(one_border(ParagraphBorderPosition::Bottom, 12, 4, BRAND));

    let mut h2 = paragraph_style("Heading2", "heading 2")
        .size(24)
        .bold()
        .color(INK)
        .outline_lvl(1)
        .line_spacing(spacing(240, 80));
    h2.paragraph_property = h2.paragraph_property.keep_next(true);

    let mut h3 = paragraph_style("Heading3", "heading 3")
        .size(21)
        .bold()
        .color(MUTED)
        .outline_lvl(2)
        .line_spacing(spacing(200, 60));
    h3.paragraph_property = h3.paragraph_property.keep_next(true);

    let mut quote = paragraph_style("Quote", "Quote")
        .italic()
        .color(MUTED)
        .indent(Some(360), None, None, None);
    quote.paragraph_property = quote.paragraph_property.set_borders(one_border(
        ParagraphBorderPosition::Left,
        18,
        8,
        "C9D6F7",
    ));

    let mut code = paragraph_style("CodeBlock", "Code Block")
        .fonts(fonts(MONO_FONT))
        .size(17)
        .line_spacing(spacing(60, 60).line(240));
    code.paragraph_property = code.paragraph_property.shading(
        Shading::new()
            .shd_type(ShdType::Clear)
            .color("auto")
            .fill(CODE_BG),
    );

    let list_paragraph = paragraph_style("ListParagraph", "List Paragraph")
        .line_spacing(spacing(0, 60))
        .indent(Some(720), None, None, None);

    let footer = paragraph_style("Footer", "footer")
        .size(16)
        .color(MUTED)
        .line_spacing(spacing(0, 0));

    let meta = paragraph_style("CardMeta", "Card Meta")
        .size(18)
        .color(MUTED)
        .line_spacing(spacing(0, 240));

    let hyperlink = Style::new("Hyperlink", StyleType::Character)
        .name("Hyperlink")
        .color(BRAND)
        .underline("single");
    let code_char = Style::new("InlineCode", StyleType::Character)
        .name("Inline Code")
        .fonts(fonts(MONO_FONT))
        .size(19)
        .highlight("lightGray");

    for s in [
        normal,
        title,
        subtitle,
        summary,
        h1,
        h2,
        h3,
        quote,
        code,
        list_paragraph,
        footer,
        meta,
        hyperlink,
        code_char,
    ] {
        docx = docx.add_style(s);
    }
    docx
}

fn list_levels(mut abs: AbstractNumbering, ordered: bool) -> AbstractNumbering {
    const BULLETS: [&str; 3] = ["•", "◦", "▪"];
    const FORMATS: [&str; 3] = ["decimal", "lowerLetter", "lowerRoman"];
    for level in 0..=MAX_LIST_LEVEL {
        let (format, text) = if ordered {
            (FORMATS[level % 3], format!("%{}.", level + 1))
        } else {
            ("bullet", BULLETS[level % 3].to_string())
        };
        let left = 360 * (level as i32 + 1);
        abs = abs.add_level(
            Level::new(
                level,
                Start::new(1),
                NumberFormat::new(format),
                LevelText::new(text),
                LevelJc::new("left"),
            )
            .indent(
                Some(left),
                Some(SpecialIndentType::Hanging(360)),
                None,
                None,
            ),
        );
    }
    abs
}

// ------------------------------------------------------------------ inlines

#[derive(Clone, Copy, Default)]
struct Fmt {
    bold: bool,
    italic: bool,
    strike: bool,
}

/// One run of text with its formatting and (vetted) link target.
struct Seg {
    text: String,
    fmt: Fmt,
    code: bool,
    link: Option<String>,
    br: bool,
}

fn flatten(inlines: &[Inline], fmt: Fmt, link: Option<&str>, out: &mut Vec<Seg>) {
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

fn run_for(seg: &Seg) -> Run {
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

fn add_inlines(mut p: Paragraph, inlines: &[Inline], base: Fmt) -> Paragraph {
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

fn text_paragraph(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .add_run(Run::new().add_text(text))
}

// ------------------------------------------------------------------- blocks

struct Writer {
    /// Numbered lists, each its own `w:num` so it restarts: (num id, level, start).
    ordered_lists: Vec<(usize, usize, usize)>,
    next_num: usize,
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    /// Paragraph style for body text ("Normal" or "Quote").
    style: &'a str,
    /// Innermost list: (numbering id, level).
    list: Option<(usize, usize)>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            ordered_lists: Vec::new(),
            next_num: NUM_BULLET + 1,
        }
    }

    fn blocks(&mut self, blocks: &[MdBlock], ctx: Ctx<'_>, out: &mut Vec<Paragraph>) {
        for b in blocks {
            self.block(b, ctx, out)
        }
    }

    fn body_paragraph(&self, ctx: Ctx<'_>) -> Paragraph {
        match ctx.list {
            Some((_, level)) => Paragraph::new()
                .style(if ctx.style == "Normal" {
                    "ListParagraph"
                } else {
                    ctx.style
                })
                .indent(Some(360 * (level as i32 + 1)), None, None, None),
            None => Paragraph::new().style(ctx.style),
        }
    }

    fn block(&mut self, b: &MdBlock, ctx: Ctx<'_>, out: &mut Vec<Paragraph>) {
        match b {
            MdBlock::P { c } => out.push(add_inlines(self.body_paragraph(ctx), c, Fmt::default())),
            MdBlock::H { level, c } => {
                let style = if *level <= 2 { "Heading2" } else { "Heading3" };
                out.push(add_inlines(
                    Paragraph::new().style(style),
                    c,
                    Fmt::default(),
                ))
            }
            MdBlock::Rule => {
                let mut p = Paragraph::new().style(ctx.style);
                p.property =
                    p.property
                        .set_borders(one_border(ParagraphBorderPosition::Bottom, 4, 1, RULE));
                out.push(p)
            }
            MdBlock::Code { text } => {
                let mut p = self.body_paragraph(ctx).style("CodeBlock");
                for (n, line) in text.split('\n').enumerate() {
                    let mut run = Run::new();
                    if n > 0 {
                        run = run.add_break(BreakType::TextWrapping);
                    }
                    p = p.add_run(run.add_text(line));
                }
                out.push(p)
            }
            MdBlock::Quote { c } => self.blocks(
                c,
                Ctx {
                    style: "Quote",
                    ..ctx
                },
                out,
            ),
            MdBlock::List {
                ordered,
                start,
                items,
            } => {
                let level = ctx
                    .list
                    .map(|(_, l)| (l + 1).min(MAX_LIST_LEVEL))
                    .unwrap_or(0);
                let num = if *ordered {
                    let id = self.next_num;
                    self.next_num += 1;
                    let start = usize::try_from(*start).unwrap_or(1);
                    self.ordered_lists.push((id, level, start));
                    id
                } else {
                    NUM_BULLET
                };
                for item in items {
                    let mut first = true;
                    for child in item {
                        match child {
                            // The item's first paragraph carries the number/bullet.
                            MdBlock::P { c } if first => {
                                let style = if ctx.style == "Normal" {
                                    "ListParagraph"
                                } else {
                                    ctx.style
                                };
                                let p = Paragraph::new()
                                    .style(style)
                                    .numbering(NumberingId::new(num), IndentLevel::new(level));
                                out.push(add_inlines(p, c, Fmt::default()));
                            }
                            other => {
                                if first {
                                    // No leading paragraph: emit an empty numbered one.
                                    out.push(
                                        Paragraph::new().style("ListParagraph").numbering(
                                            NumberingId::new(num),
                                            IndentLevel::new(level),
                                        ),
                                    );
                                }
                                self.block(
                                    other,
                                    Ctx {
                                        list: Some((num, level)),
                                        ..ctx
                                    },
                                    out,
                                )
                            }
                        }
                        first = false;
                    }
                }
            }
        }
    }
}

fn objections_table(w: &mut Writer, items: &[(String, String)]) -> Table {
    let q_w = CONTENT_W * 34 / 100;
    let a_w = CONTENT_W - q_w;
    let margins = TableCellMargins::new().margin(100, 120, 100, 120);
    let header_cell = |text: &str, width: usize| {
        TableCell::new()
            .width(width, WidthType::Dxa)
            .shading(
                Shading::new()
                    .shd_type(ShdType::Clear)
                    .color("auto")
                    .fill(BRAND),
            )
            .vertical_align(VAlignType::Center)
            .add_paragraph(
                Paragraph::new()
                    .line_spacing(spacing(0, 0))
                    .add_run(Run::new().add_text(text).bold().color("FFFFFF")),
            )
    };
    let mut rows = vec![TableRow::new(vec![
        header_cell("Objection", q_w),
        header_cell("Answer", a_w),
    ])];
    for (n, (q, a)) in items.iter().enumerate() {
        let shade = |cell: TableCell| {
            if n % 2 == 1 {
                cell.shading(
                    Shading::new()
                        .shd_type(ShdType::Clear)
                        .color("auto")
                        .fill(ZEBRA),
                )
            } else {
                cell
            }
        };
        let q_cell = TableCell::new().width(q_w, WidthType::Dxa).add_paragraph(
            Paragraph::new()
                .line_spacing(spacing(0, 0))
                .add_run(Run::new().add_text(clean(q).trim()).bold()),
        );
        let mut paras = Vec::new();
        w.blocks(
            &markdown::parse(a),
            Ctx {
                style: "Normal",
                list: None,
            },
            &mut paras,
        );
        if paras.is_empty() {
            paras.push(Paragraph::new());
        }
        let mut a_cell = TableCell::new().width(a_w, WidthType::Dxa);
        for p in paras {
            a_cell = a_cell.add_paragraph(p);
        }
        rows.push(TableRow::new(vec![shade(q_cell), shade(a_cell)]));
    }
    let border = |pos| {
        TableBorder::new(pos)
            .border_type(BorderType::Single)
            .size(4)
            .color(RULE)
    };
    Table::new(rows)
        .set_grid(vec![q_w, a_w])
        .width(CONTENT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .margins(margins)
        .set_borders(
            TableBorders::new()
                .set(border(TableBorderPosition::Top))
                .set(border(TableBorderPosition::Bottom))
                .set(border(TableBorderPosition::Left))
                .set(border(TableBorderPosition::Right))
                .set(border(TableBorderPosition::InsideH))
                .set(border(TableBorderPosition::InsideV)),
        )
}

pub(crate) fn render(doc: &CardDocument) -> anyhow::Result<Vec<u8>> {
    let competitor = clean_line(&doc.competitor);
    let title = clean_line(&doc.title);
    let summary = clean_line(&doc.summary);
    let status = clean_line(&doc.status);
    let exported_at = clean_line(&doc.exported_at);

    let mut docx = Docx::new()
        .page_size(PAGE_W as u32, PAGE_H as u32)
        .page_margin(PageMargin {
            top: MARGIN,
            left: MARGIN,
            bottom: MARGIN,
            right: MARGIN,
            header: 567,
            footer: 567,
            gutter: 0,
        })
        .default_fonts(fonts(BODY_FONT))
        .default_size(21)
        .created_at("2000-01-01T00:00:00Z")
        .updated_at("2000-01-01T00:00:00Z");
    docx = styles(docx);
    docx = docx
        .add_abstract_numbering(list_levels(AbstractNumbering::new(ABSTRACT_BULLET), false))
        .add_abstract_numbering(list_levels(AbstractNumbering::new(ABSTRACT_DECIMAL), true))
        .add_numbering(docx_rs::Numbering::new(NUM_BULLET, ABSTRACT_BULLET));

    // Title block.
    docx = docx
        .add_paragraph(
            Paragraph::new()
                .style("CardMeta")
                .line_spacing(spacing(0, 40))
                .add_run(
                    Run::new()
                        .add_text("BATTLECARD")
                        .bold()
                        .color(BRAND)
                        .character_spacing(30),
                ),
        )
        .add_paragraph(text_paragraph(
            "Title",
            if competitor.is_empty() {
                "Battlecard"
            } else {
                &competitor
            },
        ));
    if !title.is_empty() {
        docx = docx.add_paragraph(text_paragraph("Subtitle", &title));
    }
    if !summary.is_empty() {
        docx = docx.add_paragraph(text_paragraph("Summary", &summary));
    }
    let status_colour = match status_kind(&status) {
        "published" => "0F7A4A",
        "review" => "8A5A00",
        "archived" => "6B7280",
        "draft" => "475467",
        _ => BRAND_DARK,
    };
    let mut meta = Paragraph::new().style("CardMeta");
    meta.property =
        meta.property
            .set_borders(one_border(ParagraphBorderPosition::Bottom, 4, 6, RULE));
    docx = docx.add_paragraph(
        meta.add_run(Run::new().add_text("Status: "))
            .add_run(
                Run::new()
                    .add_text(status.to_uppercase())
                    .bold()
                    .color(status_colour),
            )
            .add_run(Run::new().add_text("    ·    Version "))
            .add_run(Run::new().add_text(doc.version.to_string()).bold())
            .add_run(Run::new().add_text(format!("    ·    Exported {exported_at}"))),
    );

    // Sections.
    let mut w = Writer::new();
    let body = Ctx {
        style: "Normal",
        list: None,
    };
    for block in &doc.blocks {
        match block {
            Block::Markdown { title, markdown } => {
                docx = docx.add_paragraph(text_paragraph("Heading1", &clean_line(title)));
                let mut paras = Vec::new();
                w.blocks(&markdown::parse(markdown), body, &mut paras);
                if paras.is_empty() {
                    paras.push(
                        Paragraph::new()
                            .add_run(Run::new().add_text("No content yet.").italic().color(MUTED)),
                    );
                }
                for p in paras {
                    docx = docx.add_paragraph(p);
                }
            }
            Block::Objections { title, items } => {
                docx = docx.add_paragraph(text_paragraph("Heading1", &clean_line(title)));
                if items.is_empty() {
                    docx = docx.add_paragraph(
                        Paragraph::new().add_run(
                            Run::new()
                                .add_text("No objections yet.")
                                .italic()
                                .color(MUTED),
                        ),
                    );
                } else {
                    docx = docx.add_table(objections_table(&mut w, items));
                    docx = docx.add_paragraph(Paragraph::new());
                }
            }
        }
    }
    for &(id, level, start) in &w.ordered_lists {
        docx = docx.add_numbering(
            docx_rs::Numbering::new(id, ABSTRACT_DECIMAL)
                .add_override(LevelOverride::new(level).start(start)),
        );
    }

    // Footer: export stamp left, "Page N of M" right.
    let footer = Paragraph::new()
        .style("Footer")
        .add_tab(Tab::new().val(TabValueType::Right).pos(CONTENT_W))
        .add_run(Run::new().add_text(format!("Exported {exported_at} · Version {}", doc.version)))
        .add_run(Run::new().add_tab().add_text("Page "))
        .add_page_num(PageNum::new())
        .add_run(Run::new().add_text(" of "))
        .add_num_pages(NumPages::new())
        .align(AlignmentType::Left);
    docx = docx.footer(Footer::new().add_paragraph(footer));

    let mut buf = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .context("writing the .docx archive")?;
    deflate(&buf.into_inner())
}

/// docx-rs stores every part uncompressed; re-pack the parts (same order,
/// [Content_Types].xml first) with deflate, which makes files ~5–10× smaller.
fn deflate(stored: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut input = zip::ZipArchive::new(Cursor::new(stored)).context("reading docx-rs output")?;
    let mut output = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(stored.len() / 4)));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    for i in 0..input.len() {
        let mut entry = input.by_index(i).context("reading docx-rs output")?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        output.start_file(name, options)?;
        std::io::copy(&mut entry, &mut output)?;
    }
    Ok(output.finish()?.into_inner())
}
