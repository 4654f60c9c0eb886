//! Probe for `multi_thread/timeout_10k_fire_1ms` (issue 19 §2): per iteration, the wall
//! time, the CPU time of the whole process, and when the timeouts fired relative to their
//! arming (p50/p99), for corio's `Executor` and async-executor + async-io on 2 threads.
//!
//! ```text
//! cargo run --release -p corio-benches --example mt_timeout_probe
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_lite::FutureExt as _;

const TASKS: usize = 10_000;
const ITERS: usize = 200;
const FIRE: Duration = Duration::from_millis(1);

/// User plus system CPU time of this process (from /proc/self/stat, in clock ticks of 10 ms).
fn cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = s
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn summary(name: &str, wall: Duration, cpu: Duration, mut fired: Vec<Duration>) {
    fired.sort_unstable();
    let at = |q: f64| fired[((fired.len() - 1) as f64 * q) as usize];
    println!(
        "{name}: {:?} wall and {:?} CPU per iteration; timeouts fired after p50 {:?} p99 {:?} max {:?}",
        wall / ITERS as u32,
        cpu / ITERS as u32,
        at(0.5),
        at(0.99),
        fired[fired.len() - 1]
    );
}

fn main() {
    let ex = corio::Builder::multi_thread().workers(2).build();
    let (t0, c0) = (Instant::now(), cpu());
    let mut fired = Vec::new();
    for _ in 0..ITERS {
        fired.extend(
            ex.block_on(ex.spawn(async {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| {
                        corio::spawn_send(async {
                            let t = Instant::now();
                            let _ = corio::timeout(FIRE, std::future::pending::<()>()).await;
                            t.elapsed()
                        })
                    })
                    .collect();
                let mut v = Vec::with_capacity(TASKS);
                for t in ts {
                    v.push(t.await.unwrap());
                }
                v
            }))
            .unwrap(),
        );
    }
    summary("corio", t0.elapsed(), cpu() - c0, fired);
    drop(ex);

    let smol = Arc::new(async_executor::Executor::new());
    let (stop, stopped) = async_channel::bounded::<()>(1);
    for _ in 0..2 {
        let (ex, stopped) = (smol.clone(), stopped.clone());
        std::thread::spawn(move || {
            let _ = async_io::block_on(ex.run(stopped.recv()));
        });
    }
    let (t0, c0) = (Instant::now(), cpu());
    let mut fired = Vec::new();
    for _ in 0..ITERS {
        let inner = smol.clone();
        fired.extend(async_io::block_on(smol.spawn(async move {
            let ts: Vec<_> = (0..TASKS)
                .map(|_| {
                    inner.spawn(async {
                        let t = Instant::now();
                        let _ = async { std::future::pending::<()>().await }
                            .or(async {
                                async_io::Timer::after(FIRE).await;
                            })
                            .await;
                        t.elapsed()
                    })
                })
                .collect();
            let mut v = Vec::with_capacity(TASKS);
            for t in ts {
                v.push(t.await);
            }
            v
        })));
    }
    summary("async_executor", t0.elapsed(), cpu() - c0, fired);
    drop(stop);
}
