//! Word (.docx) export with docx-rs.
//!
//! Uses real paragraph styles (Title, Subtitle, Heading1–3, Quote, …),
//! numbering definitions for lists, external hyperlinks for vetted URLs only
//! and a bordered table for objections. All user text goes through docx-rs'
//! XML escaping as text runs; raw HTML stays literal text.

use std::io::Cursor;

use anyhow::Context as _;
use docx_rs::{
    AbstractNumbering, AlignmentType, BorderType, BreakType, Docx, Footer, IndentLevel,
    LevelOverride, NumPages, NumberingId, PageMargin, PageNum, Paragraph, ParagraphBorderPosition,
    Run, Shading, ShdType, Tab, TabValueType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, WidthType,
};

use crate::markdown::{self, clean, clean_line, MdBlock};
use crate::pdf::status_kind;
use crate::{Block, CardDocument};

mod inline;
mod styles;

use inline::*;
use styles::*;
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
