//! Export timing for a 30+ page battlecard.
//!
//! `cargo run --release -p export --example export_bench`
//!
//! One warm-up export (fonts parsed, template compiled), then five timed
//! exports of each format. Every timed run changes the text of every section
//! and objection, so typst cannot simply replay memoised layout from the
//! previous run: the numbers are for a *new* card of the same size.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use export::{Block, CardDocument};

const RUNS: usize = 5;

fn variant(n: usize) -> CardDocument {
    let mut card = common::long_card();
    card.exported_at = format!("22 Nov 2026, 14:{n:02} UTC");
    for block in &mut card.blocks {
        match block {
            Block::Markdown { markdown, .. } => *markdown = format!("Revision {n}. {markdown}"),
            Block::Objections { items, .. } => {
                for (q, a) in items.iter_mut() {
                    *q = format!("{q} (rev {n})");
                    *a = format!("Revision {n}. {a}");
                }
            }
        }
    }
    card
}

fn stats(mut times: Vec<Duration>) -> (u128, u128) {
    times.sort();
    (times[0].as_millis(), times[times.len() / 2].as_millis())
}

fn count_pages(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf)
        .map(|d| d.get_pages().len())
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let t = Instant::now();
    let warm = export::pdf(&variant(0))?;
    println!(
        "pdf warm-up (includes font parsing) ms={}",
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    export::docx(&variant(0))?;
    println!("docx warm-up ms={}", t.elapsed().as_millis());

    let mut pdf_times = Vec::new();
    let mut pdf = warm;
    for n in 1..=RUNS {
        let card = variant(n);
        let t = Instant::now();
        pdf = export::pdf(&card)?;
        pdf_times.push(t.elapsed());
    }
    let (best, median) = stats(pdf_times);
    println!(
        "pdf pages={} bytes={} best_ms={best} median_ms={median}",
        count_pages(&pdf),
        pdf.len()
    );

    // Same card again: what a repeated download of an unchanged card costs.
    let card = variant(RUNS);
    let t = Instant::now();
    export::pdf(&card)?;
    println!("pdf repeat-of-same-card ms={}", t.elapsed().as_millis());

    let mut docx_times = Vec::new();
    let mut docx = Vec::new();
    for n in 1..=RUNS {
        let card = variant(n);
        let t = Instant::now();
        docx = export::docx(&card)?;
        docx_times.push(t.elapsed());
    }
    let (best, median) = stats(docx_times);
    println!(
        "docx bytes={} best_ms={best} median_ms={median}",
        docx.len()
    );
    Ok(())
}
