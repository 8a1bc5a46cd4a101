//! The document's look: colours, fonts, page size, paragraph and character styles,
//! and the list numbering definitions.

use docx_rs::{
    AbstractNumbering, BorderType, Docx, Level, LevelJc, LevelText, LineSpacing, NumberFormat,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, RunFonts, Shading, ShdType,
    SpecialIndentType, Start, Style, StyleType,
};

pub(super) const BRAND: &str = "1F4FD1";
pub(super) const BRAND_DARK: &str = "173DA3";
pub(super) const INK: &str = "1B2330";
pub(super) const MUTED: &str = "5B6676";
pub(super) const RULE: &str = "DDE2E8";
pub(super) const ZEBRA: &str = "F6F7F9";
pub(super) const CODE_BG: &str = "F1F3F6";
pub(super) const BODY_FONT: &str = "Calibri";
pub(super) const MONO_FONT: &str = "Consolas";

/// A4 with 2 cm margins, in twentieths of a point.
pub(super) const PAGE_W: i32 = 11906;
pub(super) const PAGE_H: i32 = 16838;
pub(super) const MARGIN: i32 = 1134;
pub(super) const CONTENT_W: usize = (PAGE_W - 2 * MARGIN) as usize;

pub(super) const ABSTRACT_BULLET: usize = 2;
pub(super) const ABSTRACT_DECIMAL: usize = 3;
pub(super) const NUM_BULLET: usize = 2;
/// Word supports nine list levels (0–8).
pub(super) const MAX_LIST_LEVEL: usize = 8;

pub(super) fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
        .east_asia(name)
}

/// Paragraph borders with only one side drawn (docx-rs' default draws all four).
pub(super) fn one_border(
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

pub(super) fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after)
}

pub(super) fn paragraph_style(id: &str, name: &str) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
}

pub(super) fn styles(mut docx: Docx) -> Docx {
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

pub(super) fn list_levels(mut abs: AbstractNumbering, ordered: bool) -> AbstractNumbering {
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
