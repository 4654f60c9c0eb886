//! Work handed to a runtime from outside its loop, corio beside tokio and smol's crates,
//! each driven from a task spawned on the runtime (as applications run):
//!
//! - `handle_spawn_10k_from_thread`: a plain thread (started per iteration, the same cost
//!   for every runtime) spawns 10 000 tiny tasks through the runtime's handle and hands the
//!   join handles back; the loop joins them. Single-thread flavour (`executor/`): corio's
//!   loop (`corio::Builder::new().build_local()`, what `corio::run` uses) and its
//!   `Handle::spawn`; tokio's current-thread runtime (all drivers) and `Handle::spawn`;
//!   async-executor's thread-safe `Executor` run on one thread (`LocalExecutor` cannot be
//!   spawned onto from another thread) and `Executor::spawn`. Multi-thread flavour
//!   (`multi_thread/`), 2 workers each: corio's `Executor` and its handle, tokio's
//!   multi-thread runtime and `Handle::spawn`, async-executor's `Executor` run by 2 threads.
//! - `to_thread_1k_round_trips`: a task on a single-thread loop sends 1 000 closures, one
//!   after the other, to the runtime's blocking pool and awaits each result: corio's
//!   `to_thread`, tokio's `spawn_blocking`, smol's `unblock` (the `blocking` crate). Each
//!   round trip's duration is recorded, and its p50 and p99 printed.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::Arc;
use std::time::{Duration, Instant};

use corio_benches::latency::Samples;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::channel::oneshot;

const N: u64 = 10_000;
const ROUND_TRIPS: u64 = 1_000;
const WORKERS: usize = 2;

fn tokio_current() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Runs `spawn_all` on a new plain thread and returns what it sends back.
async fn from_thread<T: Send + 'static>(spawn_all: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(spawn_all());
    });
    rx.await.expect("the spawning thread")
}

/// async-executor's `Executor` run by `threads` threads until dropped.
struct SmolPool {
    ex: Arc<async_executor::Executor<'static>>,
    _stop: async_channel::Sender<()>,
}

impl SmolPool {
    fn new(threads: usize) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        for _ in 0..threads {
            let (ex, stopped) = (ex.clone(), stopped.clone());
            std::thread::spawn(move || {
                let _ = async_io::block_on(ex.run(stopped.recv()));
            });
        }
        SmolPool { ex, _stop: stop }
    }
}

fn handle_spawn_single(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/handle_spawn_10k_from_thread");
    g.sample_size(20);

    g.bench_function("corio", |b| {
        let ex = corio::Builder::new().build_local();
        let h = ex.handle();
        b.iter(|| {
            let h = h.clone();
            ex.block_on(ex.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| h.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_current();
        let h = rt.handle().clone();
        b.iter(|| {
            let h = h.clone();
            rt.block_on(rt.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| h.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("async_executor", |b| {
        let ex = Arc::new(async_executor::Executor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| inner.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await;
                }
                s
            })))
        })
    });
    g.finish();
}

fn handle_spawn_multi(c: &mut Criterion) {
    let mut g = c.benchmark_group("multi_thread/handle_spawn_10k_from_thread");
    g.sample_size(20);

    g.bench_function("corio", |b| {
        let ex = corio::Builder::multi_thread().workers(WORKERS).build();
        let h = ex.handle();
        b.iter(|| {
            let h = h.clone();
            ex.block_on(ex.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| h.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio_multi_thread", |b| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_all()
            .build()
            .unwrap();
        let h = rt.handle().clone();
        b.iter(|| {
            let h = h.clone();
            rt.block_on(rt.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| h.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("async_executor", |b| {
        let pool = SmolPool::new(WORKERS);
        b.iter(|| {
            let inner = pool.ex.clone();
            async_io::block_on(pool.ex.spawn(async move {
                let ts = from_thread(move || {
                    (0..N)
                        .map(|i| inner.spawn(async move { i }))
                        .collect::<Vec<_>>()
                })
                .await;
                let mut s = 0;
                for t in ts {
                    s += t.await;
                }
                s
            }))
        })
    });
    g.finish();
}

fn to_thread(c: &mut Criterion) {
    const GROUP: &str = "executor/to_thread_1k_round_trips";
    let mut g = c.benchmark_group(GROUP);
    g.sample_size(20);
    let (sc, st, ss) = (Samples::new(), Samples::new(), Samples::new());

    g.bench_function("corio", |b| {
        let ex = corio::Builder::new().build_local();
        b.iter(|| {
            let times = ex
                .block_on(ex.spawn(async {
                    let mut times = Vec::with_capacity(ROUND_TRIPS as usize);
                    for i in 0..ROUND_TRIPS {
                        let t = Instant::now();
                        assert_eq!(corio::to_thread(move || i).await.unwrap(), i);
                        times.push(t.elapsed());
                    }
                    times
                }))
                .unwrap();
            sc.extend(times);
        });
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_current();
        b.iter(|| {
            let times: Vec<Duration> = rt
                .block_on(rt.spawn(async {
                    let mut times = Vec::with_capacity(ROUND_TRIPS as usize);
                    for i in 0..ROUND_TRIPS {
                        let t = Instant::now();
                        assert_eq!(tokio::task::spawn_blocking(move || i).await.unwrap(), i);
                        times.push(t.elapsed());
                    }
                    times
                }))
                .unwrap();
            st.extend(times);
        });
    });

    g.bench_function("smol_unblock", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            let times = async_io::block_on(ex.run(ex.spawn(async {
                let mut times = Vec::with_capacity(ROUND_TRIPS as usize);
                for i in 0..ROUND_TRIPS {
                    let t = Instant::now();
                    assert_eq!(smol::unblock(move || i).await, i);
                    times.push(t.elapsed());
                }
                times
            })));
            ss.extend(times);
        });
    });
    g.finish();
    sc.report(GROUP, "corio");
    st.report(GROUP, "tokio");
    ss.report(GROUP, "smol_unblock");
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = handle_spawn_single, handle_spawn_multi, to_thread
}
criterion_main!(benches);
