//! The test server's logs, kept in memory and shown when a test fails: a failing test
//! prints what the server did (tests share one server runtime, so lines of other tests
//! running at the same time may appear too; each carries its request id).
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Lines kept; older ones are dropped.
const KEPT: usize = 400;

fn lines() -> &'static Mutex<VecDeque<String>> {
    static LINES: OnceLock<Mutex<VecDeque<String>>> = OnceLock::new();
    LINES.get_or_init(|| Mutex::new(VecDeque::with_capacity(KEPT)))
}

struct Buffer;

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut lines = lines().lock().unwrap_or_else(|e| e.into_inner());
        for line in String::from_utf8_lossy(bytes).lines() {
            if lines.len() == KEPT {
                lines.pop_front();
            }
            lines.push_back(line.to_string());
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct MakeBuffer;

impl<'a> MakeWriter<'a> for MakeBuffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Buffer {
        Buffer
    }
}

/// Installs the in-memory log subscriber once per test process (`OUTRIVAL_TEST_LOG`
/// sets the filter; default: info for Outrival, warnings for everything else).
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let filter = std::env::var("OUTRIVAL_TEST_LOG").unwrap_or_else(|_| {
            "warn,server=info,domain=info,app=info,tower_http=warn".to_string()
        });
        let _ = tracing_subscriber::registry()
            .with(EnvFilter::new(filter))
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(MakeBuffer),
            )
            .try_init();
    });
}

/// Prints the kept lines to the test's output (shown by the test runner on failure).
pub fn print_recent() {
    let lines = lines().lock().unwrap_or_else(|e| e.into_inner());
    eprintln!("---- server log (last {} lines) ----", lines.len());
    for line in lines.iter() {
        eprintln!("{line}");
    }
    eprintln!("---- end of server log ----");
}
