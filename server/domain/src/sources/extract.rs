//! Readable text out of an HTML page: the main content as lines (a heading, a
//! paragraph, a list item or a table row each), with scripts, styles, navigation,
//! site headers and footers, forms and hidden parts dropped.
use ego_tree::NodeRef;
use scraper::{Html, Node, Selector};

/// What a page says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted {
    pub title: String,
    pub text: String,
}

/// Never kept, wherever they are.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "nav",
    "aside", "form", "button", "select", "option", "dialog", "head", "input", "textarea", "menu",
    "video", "audio", "picture", "img", "map",
];

/// Site chrome when outside the page's main content.
const CHROME: &[&str] = &["header", "footer"];

/// Elements that end a line of text.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "blockquote",
    "pre",
    "br",
    "hr",
    "figure",
    "figcaption",
    "details",
    "summary",
    "address",
    "caption",
    "header",
    "footer",
];

const BOILERPLATE_MARKERS: &[&str] = &[
    "cookie",
    "consent",
    "breadcrumb",
    "skip-link",
    "skip-to",
    "newsletter-signup",
];

pub fn html_to_text(html: &str) -> Extracted {
    let document = Html::parse_document(html);
    let title = first_text(&document, "title")
        .or_else(|| meta_content(&document, "meta[property='og:title']"))
        .or_else(|| first_text(&document, "h1"))
        .unwrap_or_default();
    let root = ["main", "[role=main]", "article", "body"]
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .find_map(|s| document.select(&s).next())
        .map(|e| *e)
        .unwrap_or_else(|| document.tree.root());
    let mut out = Lines::default();
    walk(root, &mut out, false);
    Extracted {
        title: squash(&title),
        text: out.finish(),
    }
}

/// Plain text (a `.txt` answer): lines trimmed, blank runs collapsed.
pub fn plain_to_text(text: &str) -> String {
    let mut out = Lines::default();
    for line in text.lines() {
        out.push_text(line);
        out.break_line();
    }
    out.finish()
}

fn first_text(document: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).ok()?;
    let text: String = document.select(&selector).next()?.text().collect();
    let text = squash(&text);
    (!text.is_empty()).then_some(text)
}

fn meta_content(document: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).ok()?;
    let content = document.select(&selector).next()?.value().attr("content")?;
    let content = squash(content);
    (!content.is_empty()).then_some(content)
}

fn walk(node: NodeRef<'_, Node>, out: &mut Lines, in_content: bool) {
    match node.value() {
        Node::Text(text) => out.push_text(text),
        Node::Element(element) => {
            let name = element.name();
            if SKIP.contains(&name) || is_hidden(element) {
                return;
            }
            if CHROME.contains(&name) && !in_content {
                return;
            }
            let in_content = in_content || matches!(name, "main" | "article");
            let block = BLOCK.contains(&name);
            if block {
                out.break_line();
            }
            let cell = matches!(name, "td" | "th");
            if cell {
                out.cell();
            }
            for child in node.children() {
                walk(child, out, in_content);
            }
            if block {
                out.break_line();
            }
        }
        Node::Document | Node::Fragment => {
            for child in node.children() {
                walk(child, out, in_content);
            }
        }
        _ => {}
    }
}

fn is_hidden(element: &scraper::node::Element) -> bool {
    if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
        return true;
    }
    if matches!(
        element.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "search" | "dialog")
    ) {
        return true;
    }
    let style = element
        .attr("style")
        .unwrap_or("")
        .replace(' ', "")
        .to_ascii_lowercase();
    if style.contains("display:none") || style.contains("visibility:hidden") {
        return true;
    }
    let marks = format!(
        "{} {}",
        element.attr("class").unwrap_or(""),
        element.attr("id").unwrap_or("")
    )
    .to_ascii_lowercase();
    BOILERPLATE_MARKERS.iter().any(|m| marks.contains(m))
}

/// Collapses whitespace runs to one space and trims.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Lines {
    lines: Vec<String>,
    current: String,
    cells: usize,
}

impl Lines {
    fn push_text(&mut self, text: &str) {
        let starts_space = text.starts_with(char::is_whitespace);
        let ends_space = text.ends_with(char::is_whitespace);
        let words = squash(text);
        if words.is_empty() {
            if starts_space && !self.current.is_empty() && !self.current.ends_with(' ') {
                self.current.push(' ');
            }
            return;
        }
        if starts_space && !self.current.is_empty() && !self.current.ends_with(' ') {
            self.current.push(' ');
        }
        self.current.push_str(&words);
        if ends_space {
            self.current.push(' ');
        }
    }

    fn cell(&mut self) {
        if self.cells > 0 && !self.current.trim().is_empty() {
            let trimmed = self.current.trim_end().to_string();
            self.current = format!("{trimmed} | ");
        }
        self.cells += 1;
    }

    fn break_line(&mut self) {
        self.cells = 0;
        let line = self.current.trim().trim_end_matches('|').trim().to_string();
        self.current.clear();
        if line.is_empty() || self.lines.last() == Some(&line) {
            return;
        }
        self.lines.push(line);
    }

    fn finish(mut self) -> String {
        self.break_line();
        self.lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_content_and_drops_chrome() {
        let html = r#"<html><head><title> Acme  Pricing </title><style>p{}</style></head>
        <body><header><nav><a href="/">Home</a><a href="/p">Products</a></nav></header>
        <div class="cookie-banner">We use cookies</div>
        <main><h1>Plans for every team</h1>
        <p>Starter costs <b>$29</b> per user per month.</p>
        <ul><li>Unlimited projects</li><li>SSO on Enterprise</li></ul>
        <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>$79</td></tr></table>
        <script>alert("x")</script><p hidden>secret</p></main>
        <footer>© Acme Inc</footer></body></html>"#;
        let out = html_to_text(html);
        assert_eq!(out.title, "Acme Pricing");
        assert_eq!(
            out.text,
            "Plans for every team\nStarter costs $29 per user per month.\nUnlimited projects\nSSO on Enterprise\nPlan | Price\nPro | $79"
        );
    }

    #[test]
    fn without_main_the_body_minus_chrome_is_used() {
        let html =
            "<body><header>Site</header><div><p>One</p>two<br>three</div><footer>f</footer></body>";
        assert_eq!(html_to_text(html).text, "One\ntwo\nthree");
    }
}
