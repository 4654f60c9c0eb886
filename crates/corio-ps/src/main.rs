//! `corio-ps`: the tasks of a running corio process and who waits on whom, from outside
//! it (asyncio's `python -m asyncio ps PID` and `pstree PID`).
//!
//! ```text
//! corio-ps ps     PID|SOCKET [--json] [--watch [--interval SECS] [--count N]]
//! corio-ps pstree PID|SOCKET [--json] [--watch [--interval SECS] [--count N]]
//! ```
//!
//! The process opts in: `CORIO_PS=1` in its environment (a socket at
//! `/tmp/corio-ps-<uid>/<pid>.sock`, found from the PID), `CORIO_PS=/path.sock`, or
//! `corio::Builder::call_graph_socket(path)` (give corio-ps the path). The socket is
//! readable by its user only. `ps` prints one line per task (id, name, state, polls, busy
//! time, time since its last poll, age, what it waits on, which tasks wait on it, spawn
//! site); `pstree` the await tree and the deadlocks; `--json` the snapshot as JSON
//! (`corio::debug::CallGraph`); `--watch` refreshes like `top`.
//!
//! Exit status: 0 on success, 1 when no snapshot could be read (the message says why),
//! 2 on a usage error. Every wait is bounded (`CORIO_PS_TIMEOUT`, seconds, default 5).
#![forbid(unsafe_code)]

mod client;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str =
    "usage: corio-ps ps|pstree PID|SOCKET [--json] [--watch [--interval SECS] [--count N]]";

#[derive(Debug)]
struct Args {
    tree: bool,
    target: String,
    json: bool,
    watch: bool,
    interval: Duration,
    count: Option<u64>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let cmd = args.next().ok_or("missing command")?;
    let tree = match cmd.as_str() {
        "ps" => false,
        "pstree" => true,
        "-h" | "--help" => return Err(String::new()),
        other => return Err(format!("unknown command {other:?}")),
    };
    let mut target = None;
    let (mut json, mut watch, mut interval, mut count) =
        (false, false, Duration::from_secs(1), None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--watch" => watch = true,
            "--interval" => {
                let v = args.next().ok_or("--interval needs a number of seconds")?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or(format!(
                        "--interval: not a positive number of seconds: {v:?}"
                    ))?;
                interval = Duration::from_secs_f64(secs);
            }
            "--count" => {
                let v = args.next().ok_or("--count needs a number")?;
                count = Some(
                    v.parse()
                        .map_err(|_| format!("--count: not a number: {v:?}"))?,
                );
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s:?}")),
            s if target.is_none() => target = Some(s.to_owned()),
            s => return Err(format!("unexpected argument {s:?}")),
        }
    }
    Ok(Args {
        tree,
        target: target.ok_or("missing PID or socket path")?,
        json,
        watch,
        interval,
        count,
    })
}

fn timeout() -> Duration {
    std::env::var("CORIO_PS_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

fn show(args: &Args, graph: &corio::debug::CallGraph) -> String {
    if args.json {
        let mut s = serde_json::to_string_pretty(graph).expect("a graph serializes");
        s.push('\n');
        s
    } else if args.tree {
        graph.pstree()
    } else {
        graph.ps()
    }
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("corio-ps: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let path = match client::resolve(&args.target) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("corio-ps: {e}");
            return ExitCode::from(1);
        }
    };
    let mut shown = 0u64;
    loop {
        let graph = match client::fetch(&path, timeout()) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("corio-ps: {e}");
                return ExitCode::from(1);
            }
        };
        let text = show(&args, &graph);
        if !args.watch {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        // Like top: clear, then the frame.
        print!(
            "\x1b[2J\x1b[Hcorio-ps: pid {}, {} tasks, every {:.1} s (Ctrl-C to stop)\n\n{text}",
            graph.pid,
            graph.tasks.len(),
            args.interval.as_secs_f64()
        );
        shown += 1;
        if args.count.is_some_and(|c| shown >= c) {
            return ExitCode::SUCCESS;
        }
        std::thread::sleep(args.interval);
    }
}
