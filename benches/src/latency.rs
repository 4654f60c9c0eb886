//! Per-operation latencies for the latency-shaped workloads: criterion reports the time of
//! a whole iteration (its median over samples), which hides the slowest operations. A
//! bench records each operation's duration in a [`Samples`] while criterion times the
//! iterations, then [`Samples::report`] prints the p50 and p99 and appends them to
//! `<target>/corio-compare/latency.txt` as `latency <group> <function> <p50_ns> <p99_ns>
//! <count>`, where the `compare` page picks them up.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// At most this many durations are kept per function (the first ones recorded).
const CAP: usize = 2_000_000;

/// Durations of single operations, in nanoseconds; shareable between threads.
#[derive(Debug, Default)]
pub struct Samples {
    ns: Mutex<Vec<u64>>,
}

impl Samples {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the durations of a batch (one lock per batch, not per operation).
    pub fn extend(&self, batch: impl IntoIterator<Item = Duration>) {
        let mut ns = self.ns.lock().unwrap_or_else(|e| e.into_inner());
        let room = CAP.saturating_sub(ns.len());
        ns.extend(
            batch
                .into_iter()
                .take(room)
                .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        );
    }

    /// Prints the p50 and p99 of what was recorded, appends them to the results file
    /// `compare` reads, and forgets them.
    pub fn report(&self, group: &str, function: &str) {
        let mut ns = std::mem::take(&mut *self.ns.lock().unwrap_or_else(|e| e.into_inner()));
        if ns.is_empty() {
            return;
        }
        ns.sort_unstable();
        let at = |q: f64| ns[((ns.len() - 1) as f64 * q).round() as usize];
        let (p50, p99) = (at(0.50), at(0.99));
        eprintln!(
            "{group}/{function}: per operation p50 {} p99 {} ({} operations)",
            fmt(p50),
            fmt(p99),
            ns.len()
        );
        let dir = target_dir().join("corio-compare");
        let line = format!("latency {group} {function} {p50} {p99} {}\n", ns.len());
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            let path = dir.join("latency.txt");
            // Replace this function's earlier line: one line per (group, function).
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            let key = format!("latency {group} {function} ");
            let mut out: String = old
                .lines()
                .filter(|l| !l.starts_with(&key))
                .map(|l| format!("{l}\n"))
                .collect();
            out.push_str(&line);
            std::fs::File::create(&path)?.write_all(out.as_bytes())
        });
        if let Err(e) = written {
            eprintln!("latency: cannot write {}: {e}", dir.display());
        }
    }
}

fn fmt(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else if ns >= 1_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{ns} ns")
    }
}

/// The target directory, as `compare` finds it: `$CARGO_TARGET_DIR` (relative to the
/// workspace root), else `target/` in the workspace root.
fn target_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => root.join(d),
        _ => root.join("target"),
    }
}
