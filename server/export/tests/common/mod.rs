//! Sample cards shared by the integration tests and the benchmark example.
#![allow(dead_code)]

use export::{Block, CardDocument};

pub const SECTION_TITLES: [&str; 8] = [
    "Overview",
    "Strengths",
    "Weaknesses",
    "Why we win",
    "Pricing",
    "Landmines",
    "Proof points",
    "Resources",
];

pub fn objections() -> Vec<(String, String)> {
    vec![
        (
            "Acme is cheaper per seat".to_string(),
            "True on list price, but **total cost** is higher once you add the *analytics add-on* \
             and onboarding fees.\n\n- Ask for their 3-year quote\n- Compare to our bundle"
                .to_string(),
        ),
        (
            "We already use Acme for CRM sync".to_string(),
            "We integrate with the same CRMs and import existing mappings in minutes. \
             See [the migration guide](https://docs.example.com/migrate)."
                .to_string(),
        ),
        (
            "Acme has more integrations".to_string(),
            "Count the ones that matter: we cover 95% of the integrations our mid-market \
             customers actually use, and our API is open.\n\n1. Salesforce\n2. HubSpot\n3. Slack"
                .to_string(),
        ),
        (
            "Your product is too new".to_string(),
            "> We moved 400 reps in a week and never looked back. — VP Sales, Globex\n\n\
             Over 300 customers run on Outrival today."
                .to_string(),
        ),
    ]
}

fn section_body(title: &str) -> String {
    match title {
        "Overview" => "Acme Corp sells a **sales enablement suite** to enterprise teams. \
            They lead with *content management* and analytics, and bundle a `chrome-extension` \
            for reps.\n\n## Who they sell to\n\nLarge enterprises (2,000+ seats), mostly in \
            financial services and healthcare.\n\n### Recent moves\n\n- Raised a Series D in 2026\n\
            - Acquired a conversation-intelligence start-up\n  - Integration is still rough\n  \
            - Separate login and billing\n- New CEO from a CRM vendor"
            .to_string(),
        "Strengths" => "- Strong brand with enterprise buyers\n- Deep **Salesforce** integration\n\
            - Large partner ecosystem\n\nThey also have a polished *mobile app*."
            .to_string(),
        "Weaknesses" => "1. Slow implementation (often **3–6 months**)\n2. Expensive add-ons\n\
            3. Dated UI that reps dislike\n   1. Search is slow\n   2. No offline mode"
            .to_string(),
        "Why we win" => "We win on **time to value** and *rep adoption*:\n\n\
            - Live in days, not months\n- Battlecards where reps work (Slack, CRM, browser)\n\
            - Transparent pricing\n\n> Outrival was live in our team the same week. Acme took a \
            quarter. — RevOps lead, Initech"
            .to_string(),
        "Pricing" => "Acme list price is **$65/seat/month** with a 100-seat minimum. \
            Analytics is an extra $15/seat.\n\n```\nAcme:     $65 + $15 analytics = $80/seat\n\
            Outrival: $49 all-in\n```"
            .to_string(),
        "Landmines" => "Set these early in the cycle:\n\n- Ask how long *their* last three \
            implementations took\n- Ask whether analytics is included in the quote\n- Ask for a \
            reference customer under 1,000 seats"
            .to_string(),
        "Proof points" => "- **Globex**: 400 reps live in one week\n- **Initech**: win rate vs \
            Acme up from 38% to 61%\n- **Umbrella**: replaced Acme after a failed 5-month rollout"
            .to_string(),
        "Resources" => "- [Competitive deck](https://intranet.example.com/acme-deck)\n\
            - [Pricing calculator](https://example.com/pricing)\n- Questions? \
            [Email the CI team](mailto:ci@example.com)\n\n---\n\nLast reviewed by the product \
            marketing team."
            .to_string(),
        _ => String::new(),
    }
}

/// A realistic card: the eight standard sections plus objection handling.
pub fn sample_card() -> CardDocument {
    let mut blocks: Vec<Block> = SECTION_TITLES
        .iter()
        .map(|t| Block::Markdown {
            title: t.to_string(),
            markdown: section_body(t),
        })
        .collect();
    blocks.insert(
        6,
        Block::Objections {
            title: "Objection handling".to_string(),
            items: objections(),
        },
    );
    CardDocument {
        competitor: "Acme Corp".to_string(),
        title: "Acme vs Outrival — enterprise".to_string(),
        summary: "Win on time to value and rep adoption; neutralise the price objection early."
            .to_string(),
        status: "Published".to_string(),
        version: 7,
        exported_at: "22 Nov 2026, 14:03 UTC".to_string(),
        blocks,
    }
}

const LOREM: &str = "Acme's enterprise motion relies on long pilots and heavy services; our \
    counter is a fast, measurable rollout with a named success manager. Reps should anchor \
    the conversation on adoption metrics, not feature checklists, and bring a customer \
    reference from the same industry whenever possible.";

/// A long card: long sections and 60 objections with long answers (30+ pages).
pub fn long_card() -> CardDocument {
    let mut card = sample_card();
    card.title = "Acme vs Outrival — full competitive dossier".to_string();
    card.status = "In review".to_string();
    for block in &mut card.blocks {
        if let Block::Markdown { markdown, .. } = block {
            for i in 0..6 {
                markdown.push_str(&format!(
                    "\n\n### Detail {i}\n\n{LOREM} *{LOREM}*\n\n- {LOREM}\n- **Note {i}:** {LOREM}\n  \
                     1. {LOREM}\n  2. See [source {i}](https://example.com/{i})"
                ));
            }
        }
    }
    let items: Vec<(String, String)> = (1..=60)
        .map(|i| {
            (
                format!("Objection {i}: Acme claims feature parity on area {i}"),
                format!(
                    "{LOREM}\n\n- **Proof:** {LOREM}\n- *Ask:* {LOREM}\n\n{LOREM} \
                     Details in [the wiki](https://wiki.example.com/objections/{i})."
                ),
            )
        })
        .collect();
    for block in &mut card.blocks {
        if let Block::Objections { items: it, .. } = block {
            *it = items.clone();
        }
    }
    card
}

/// A card whose every field tries to escape into markup.
pub fn payload_card() -> CardDocument {
    let evil = "<script>alert(1)</script>\n\n[x](javascript:alert(1)) and [y](JaVaScRiPt:alert(2)) \
        and [z](  javascript:alert(3))\n\n<img src=x onerror=alert(1)>\n\n<iframe src=//evil></iframe>\n\n\
        #import \"x\"\n\n#read(\"/etc/passwd\")\n\n#let x = read(\"/etc/passwd\")\n\n$x$ and *a* and ] and \\ \
        and [ and } and { and // comment and /* block */ and @ref <label> and #{1+1} \
        and `#eval(\"1\")` and ```#panic()```\n\n```typst\n#read(\"/etc/passwd\")\n#panic(\"boom\")\n```\n\n\
        [link](data:text/html,<script>alert(1)</script>) ![img](file:///etc/passwd) \
        <a href=\"javascript:alert(1)\">a</a>\n\n\u{0}\u{7}\u{1b}[31m control chars \u{FFFF}";
    CardDocument {
        competitor: "#read(\"/etc/passwd\") <script>alert(1)</script> ]*_$".to_string(),
        title: "#panic(\"title\") \\ ] [ $x$".to_string(),
        summary: "#import \"@preview/x:0.1.0\": * <iframe src=//evil>".to_string(),
        status: "#set page(width: 1pt)".to_string(),
        version: -1,
        exported_at: "#datetime.today() \" ' & < >".to_string(),
        blocks: vec![
            Block::Markdown {
                title: "#read(\"/etc/passwd\") ]".to_string(),
                markdown: evil.to_string(),
            },
            Block::Objections {
                title: "Objections <script>".to_string(),
                items: vec![
                    ("#read(\"/etc/passwd\")".to_string(), evil.to_string()),
                    ("<img src=x onerror=alert(1)>".to_string(), "]".to_string()),
                    ("\\".to_string(), String::new()),
                ],
            },
        ],
    }
}
