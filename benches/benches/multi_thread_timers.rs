//! Timers on the multi-thread executors, 2 workers each (the cores of the machines these
//! numbers come from): corio's `Executor` (`corio::Builder::multi_thread().workers(2)`),
//! tokio's multi-thread runtime with its time driver, and async-executor's `Executor` run
//! by 2 threads with async-io's `Timer` (smol's multi-thread set-up). The loop runs in a
//! task spawned on the executor, as applications run it.
//!
//! - `sleep_10k_random_1ms`: 10 000 tasks each sleep a pseudo-random duration below 1 ms;
//!   how late each sleeper wakes (time slept minus time asked) is recorded, and its p50 and
//!   p99 printed;
//! - `timeout_10k_fire_1ms`: 10 000 tasks each wrap a never-ready future in a 1 ms
//!   timeout, which fires (`corio::timeout`, `tokio::time::timeout`, smol's
//!   `future.or(Timer::after(d))`).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::Arc;
use std::time::{Duration, Instant};

use corio_benches::latency::Samples;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_lite::FutureExt as _;

const WORKERS: usize = 2;
const TASKS: usize = 10_000;
const FIRE: Duration = Duration::from_millis(1);

/// Deterministic pseudo-random durations below `max_us` microseconds (xorshift64).
fn random_durations(n: usize, max_us: u64) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_micros(x % max_us)
        })
        .collect()
}

struct Peers {
    corio: corio::Executor,
    tokio: tokio::runtime::Runtime,
    smol: Arc<async_executor::Executor<'static>>,
    _smol_stop: async_channel::Sender<()>,
}

impl Peers {
    fn new() -> Self {
        let smol = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        for _ in 0..WORKERS {
            let (ex, stopped) = (smol.clone(), stopped.clone());
            std::thread::spawn(move || {
                let _ = async_io::block_on(ex.run(stopped.recv()));
            });
        }
        Peers {
            corio: corio::Builder::multi_thread().workers(WORKERS).build(),
            tokio: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_all()
                .build()
                .unwrap(),
            smol,
            _smol_stop: stop,
        }
    }
}

fn sleeps(c: &mut Criterion, p: &Peers) {
    const GROUP: &str = "multi_thread/sleep_10k_random_1ms";
    let mut g = c.benchmark_group(GROUP);
    g.sample_size(20);
    let delays = Arc::new(random_durations(TASKS, 1_000));
    let (sc, st, ss) = (Samples::new(), Samples::new(), Samples::new());
    g.bench_function("corio", |b| {
        b.iter(|| {
            let delays = delays.clone();
            let late = p
                .corio
                .block_on(p.corio.spawn(async move {
                    let ts: Vec<_> = delays
                        .iter()
                        .map(|&d| {
                            corio::spawn_send(async move {
                                let t = Instant::now();
                                corio::sleep(d).await;
                                t.elapsed().saturating_sub(d)
                            })
                        })
                        .collect();
                    let mut late = Vec::with_capacity(TASKS);
                    for t in ts {
                        late.push(t.await.unwrap());
                    }
                    late
                }))
                .unwrap();
            sc.extend(late);
        })
    });
    g.bench_function("tokio_multi_thread", |b| {
        b.iter(|| {
            let delays = delays.clone();
            let late = p
                .tokio
                .block_on(p.tokio.spawn(async move {
                    let ts: Vec<_> = delays
                        .iter()
                        .map(|&d| {
                            tokio::spawn(async move {
                                let t = Instant::now();
                                tokio::time::sleep(d).await;
                                t.elapsed().saturating_sub(d)
                            })
                        })
                        .collect();
                    let mut late = Vec::with_capacity(TASKS);
                    for t in ts {
                        late.push(t.await.unwrap());
                    }
                    late
                }))
                .unwrap();
            st.extend(late);
        })
    });
    g.bench_function("async_executor", |b| {
        b.iter(|| {
            let (delays, ex) = (delays.clone(), p.smol.clone());
            let late = async_io::block_on(p.smol.spawn(async move {
                let ts: Vec<_> = delays
                    .iter()
                    .map(|&d| {
                        ex.spawn(async move {
                            let t = Instant::now();
                            async_io::Timer::after(d).await;
                            t.elapsed().saturating_sub(d)
                        })
                    })
                    .collect();
                let mut late = Vec::with_capacity(TASKS);
                for t in ts {
                    late.push(t.await);
                }
                late
            }));
            ss.extend(late);
        })
    });
    g.finish();
    sc.report(GROUP, "corio");
    st.report(GROUP, "tokio_multi_thread");
    ss.report(GROUP, "async_executor");
}

fn timeouts_fire(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/timeout_10k_fire_1ms");
    g.sample_size(20);
    g.bench_function("corio", |b| {
        b.iter(|| {
            p.corio
                .block_on(p.corio.spawn(async {
                    let ts: Vec<_> = (0..TASKS)
                        .map(|_| {
                            corio::spawn_send(async {
                                corio::timeout(FIRE, std::future::pending::<()>())
                                    .await
                                    .is_err()
                            })
                        })
                        .collect();
                    let mut n = 0;
                    for t in ts {
                        n += usize::from(t.await.unwrap());
                    }
                    assert_eq!(n, TASKS);
                }))
                .unwrap()
        })
    });
    g.bench_function("tokio_multi_thread", |b| {
        b.iter(|| {
            p.tokio
                .block_on(p.tokio.spawn(async {
                    let ts: Vec<_> = (0..TASKS)
                        .map(|_| {
                            tokio::spawn(async {
                                tokio::time::timeout(FIRE, std::future::pending::<()>())
                                    .await
                                    .is_err()
                            })
                        })
                        .collect();
                    let mut n = 0;
                    for t in ts {
                        n += usize::from(t.await.unwrap());
                    }
                    assert_eq!(n, TASKS);
                }))
                .unwrap()
        })
    });
    g.bench_function("async_executor", |b| {
        b.iter(|| {
            let ex = p.smol.clone();
            async_io::block_on(p.smol.spawn(async move {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| {
                        ex.spawn(async {
                            std::future::pending::<Result<(), ()>>()
                                .or(async {
                                    async_io::Timer::after(FIRE).await;
                                    Err(())
                                })
                                .await
                                .is_err()
                        })
                    })
                    .collect();
                let mut n = 0;
                for t in ts {
                    n += usize::from(t.await);
                }
                assert_eq!(n, TASKS);
            }))
        })
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let p = Peers::new();
    sleeps(c, &p);
    timeouts_fire(c, &p);
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = all
}
criterion_main!(benches);
