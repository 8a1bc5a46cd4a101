//! Markdown typed by people, rendered to HTML that is safe to put in a page: parsed by
//! pulldown-cmark, then every tag, attribute and URL scheme not on ammonia's allow-list
//! is removed. `<script>`, `<iframe>`, `on*=` handlers and `javascript:` links never
//! survive; the text around them is kept.
use std::sync::OnceLock;

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(["http", "https", "mailto"].into())
            .link_rel(Some("noopener noreferrer nofollow"))
            .add_generic_attributes(["align"])
            .set_tag_attribute_value("a", "target", "_blank")
            .rm_tags(["img"]);
        builder
    })
}

/// Markdown → sanitised HTML.
pub fn to_html(markdown: &str) -> String {
    if markdown.trim().is_empty() {
        return String::new();
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    sanitizer().clean(&unsafe_html).to_string()
}

/// Markdown → plain text (for copy-to-clipboard and the search index): formatting
/// dropped, list items and paragraphs on their own lines, raw HTML left out.
pub fn to_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut list_depth: usize = 0;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => {
                push_line_break(&mut out);
                out.push_str(&"  ".repeat(list_depth.saturating_sub(1)));
                out.push_str("• ");
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                push_line_break(&mut out);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock)
                if list_depth == 0 =>
            {
                push_line_break(&mut out);
                out.push('\n');
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

fn push_line_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_survives() {
        let html = to_html("**bold** and *it*\n\n- one\n- two\n\n[site](https://example.com)");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn script_links_handlers_and_frames_are_inert() {
        let payloads = [
            "<script>alert(1)</script>",
            "[click](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div onclick=\"alert(1)\">hi</div>",
            "<svg onload=alert(1)>",
        ];
        for payload in payloads {
            let html = to_html(payload).to_lowercase();
            for bad in [
                "<script",
                "javascript:",
                "onerror",
                "<iframe",
                "onclick",
                "onload",
                "<svg",
                "<img",
            ] {
                assert!(!html.contains(bad), "{payload:?} rendered as {html:?}");
            }
        }
    }

    #[test]
    fn plain_text_keeps_words_and_lines() {
        let text = to_plain_text("Intro **bold**.\n\n- one\n- two <b>x</b>\n\nEnd");
        assert_eq!(text, "Intro bold.\n\n• one\n• two x\n\nEnd");
    }
}
