//! The multi-thread executors side by side, with the same number of workers (2, the
//! cores of the machines these numbers come from):
//!
//! - spawn+join of 10 000 tasks from outside the workers (a `block_on` thread) and from
//!   inside a worker: the cost of handing work to the pool;
//! - yield: 100 tasks each yielding 1 000 times;
//! - ping-pong: two tasks passing a message 10 000 times (wake-up latency across, or
//!   within, workers);
//! - chained spawn, 1 000 deep;
//! - fan-out/fan-in of 100 000 tasks, each doing a little work.
//!
//! Each runtime is built as its users build it, with its timer and I/O drivers:
//!
//! - corio: `Builder::multi_thread().workers(2).build()`, whose workers turn their timer
//!   wheels and share the reactor;
//! - tokio: `Builder::new_multi_thread().worker_threads(2).enable_all()`, as
//!   `#[tokio::main]` builds it;
//! - smol: an `async_executor::Executor` run by 2 threads, each under
//!   `async_io::block_on(ex.run(..))` (smol's `block_on`), so an idle worker drives
//!   async-io's reactor and timers, as smol's own executor threads do.
//!
//! On every runtime the measured future runs on a thread outside the pool, which waits
//! without driving timers or I/O: corio's and tokio's `block_on`, and
//! `futures_lite::future::block_on` for smol (the outside thread of async-executor's
//! documentation). `spawn_join_10k_inside` spawns its root loop onto a worker on every
//! runtime; the other workloads run their root in that outside future on every runtime.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::future::Future;
use std::pin::Pin;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

const WORKERS: usize = 2;

struct Peers {
    corio: corio::Executor,
    tokio: tokio::runtime::Runtime,
    smol: std::sync::Arc<async_executor::Executor<'static>>,
    _smol_threads: Vec<std::thread::JoinHandle<()>>,
    _smol_stop: async_channel::Sender<()>,
}

impl Peers {
    fn new() -> Self {
        let smol = std::sync::Arc::new(async_executor::Executor::new());
        let (stop_tx, stop_rx) = async_channel::bounded::<()>(1);
        let threads = (0..WORKERS)
            .map(|_| {
                let ex = smol.clone();
                let stop = stop_rx.clone();
                std::thread::spawn(move || async_io::block_on(ex.run(stop.recv())).unwrap_or(()))
            })
            .collect();
        Peers {
            corio: corio::Builder::multi_thread().workers(WORKERS).build(),
            tokio: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_all()
                .build()
                .unwrap(),
            smol,
            _smol_threads: threads,
            _smol_stop: stop_tx,
        }
    }
}

fn bench3<FC, FT, FS>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    p: &Peers,
    corio_w: FC,
    tokio_w: FT,
    smol_w: FS,
) where
    FC: Fn() -> Pin<Box<dyn Future<Output = u64> + Send>>,
    FT: Fn() -> Pin<Box<dyn Future<Output = u64> + Send>>,
    FS: Fn(
        std::sync::Arc<async_executor::Executor<'static>>,
    ) -> Pin<Box<dyn Future<Output = u64> + Send>>,
{
    g.bench_function("corio", |b| b.iter(|| p.corio.block_on(corio_w())));
    g.bench_function("tokio_multi_thread", |b| {
        b.iter(|| p.tokio.block_on(tokio_w()))
    });
    g.bench_function("async_executor", |b| {
        b.iter(|| futures_lite::future::block_on(smol_w(p.smol.clone())))
    });
}

const N: u64 = 10_000;

fn spawn_outside(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/spawn_join_10k_outside");
    bench3(
        &mut g,
        p,
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..N)
                    .map(|i| corio::spawn_send(async move { i }))
                    .collect();
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            })
        },
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..N).map(|i| tokio::spawn(async move { i })).collect();
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            })
        },
        |ex| {
            Box::pin(async move {
                let ts: Vec<_> = (0..N).map(|i| ex.spawn(async move { i })).collect();
                let mut s = 0;
                for t in ts {
                    s += t.await;
                }
                s
            })
        },
    );
    g.finish();
}

fn spawn_inside(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/spawn_join_10k_inside");
    bench3(
        &mut g,
        p,
        || {
            Box::pin(async {
                corio::spawn_send(async {
                    let ts: Vec<_> = (0..N)
                        .map(|i| corio::spawn_send(async move { i }))
                        .collect();
                    let mut s = 0;
                    for t in ts {
                        s += t.await.unwrap();
                    }
                    s
                })
                .await
                .unwrap()
            })
        },
        || {
            Box::pin(async {
                tokio::spawn(async {
                    let ts: Vec<_> = (0..N).map(|i| tokio::spawn(async move { i })).collect();
                    let mut s = 0;
                    for t in ts {
                        s += t.await.unwrap();
                    }
                    s
                })
                .await
                .unwrap()
            })
        },
        |ex| {
            Box::pin(async move {
                let inner = ex.clone();
                ex.spawn(async move {
                    let ts: Vec<_> = (0..N).map(|i| inner.spawn(async move { i })).collect();
                    let mut s = 0;
                    for t in ts {
                        s += t.await;
                    }
                    s
                })
                .await
            })
        },
    );
    g.finish();
}

fn yield_many(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/yield_100x1000");
    bench3(
        &mut g,
        p,
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..100)
                    .map(|_| {
                        corio::spawn_send(async {
                            for _ in 0..1000 {
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
                0
            })
        },
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..100)
                    .map(|_| {
                        tokio::spawn(async {
                            for _ in 0..1000 {
                                tokio::task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
                0
            })
        },
        |ex| {
            Box::pin(async move {
                let ts: Vec<_> = (0..100)
                    .map(|_| {
                        ex.spawn(async {
                            for _ in 0..1000 {
                                futures_lite::future::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await;
                }
                0
            })
        },
    );
    g.finish();
}

async fn ponger(rx: async_channel::Receiver<u64>, tx: async_channel::Sender<u64>) {
    while let Ok(v) = rx.recv().await {
        if tx.send(v + 1).await.is_err() {
            break;
        }
    }
}

async fn pinger(tx: async_channel::Sender<u64>, rx: async_channel::Receiver<u64>) -> u64 {
    let mut v = 0;
    for _ in 0..N {
        tx.send(v).await.unwrap();
        v = rx.recv().await.unwrap();
    }
    v
}

fn ping_pong(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/ping_pong_10k");
    bench3(
        &mut g,
        p,
        || {
            Box::pin(async {
                let (t1, r1) = async_channel::bounded(1);
                let (t2, r2) = async_channel::bounded(1);
                let pong = corio::spawn_send(ponger(r1, t2));
                let v = corio::spawn_send(pinger(t1, r2)).await.unwrap();
                pong.await.unwrap();
                v
            })
        },
        || {
            Box::pin(async {
                let (t1, r1) = async_channel::bounded(1);
                let (t2, r2) = async_channel::bounded(1);
                let pong = tokio::spawn(ponger(r1, t2));
                let v = tokio::spawn(pinger(t1, r2)).await.unwrap();
                pong.await.unwrap();
                v
            })
        },
        |ex| {
            Box::pin(async move {
                let (t1, r1) = async_channel::bounded(1);
                let (t2, r2) = async_channel::bounded(1);
                let pong = ex.spawn(ponger(r1, t2));
                let v = ex.spawn(pinger(t1, r2)).await;
                pong.await;
                v
            })
        },
    );
    g.finish();
}

fn corio_chain(n: u32) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            corio::spawn_send(corio_chain(n - 1)).await.unwrap() + 1
        }
    })
}

fn tokio_chain(n: u32) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            tokio::spawn(tokio_chain(n - 1)).await.unwrap() + 1
        }
    })
}

fn smol_chain(
    ex: std::sync::Arc<async_executor::Executor<'static>>,
    n: u32,
) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            let child = smol_chain(ex.clone(), n - 1);
            ex.spawn(child).await + 1
        }
    })
}

fn chained(c: &mut Criterion, p: &Peers) {
    let mut g = c.benchmark_group("multi_thread/chained_spawn_1000");
    bench3(
        &mut g,
        p,
        || corio_chain(1000),
        || tokio_chain(1000),
        |ex| smol_chain(ex, 1000),
    );
    g.finish();
}

fn work(i: u64) -> u64 {
    // A little arithmetic per task, so the fan-out has something to spread.
    (0..20).fold(i, |a, k| {
        a.wrapping_mul(6364136223846793005).wrapping_add(k)
    })
}

fn fan_out_in(c: &mut Criterion, p: &Peers) {
    const FAN: u64 = 100_000;
    let mut g = c.benchmark_group("multi_thread/fan_out_in_100k");
    g.sample_size(10);
    bench3(
        &mut g,
        p,
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..FAN)
                    .map(|i| corio::spawn_send(async move { work(i) }))
                    .collect();
                let mut s = 0u64;
                for t in ts {
                    s = s.wrapping_add(t.await.unwrap());
                }
                s
            })
        },
        || {
            Box::pin(async {
                let ts: Vec<_> = (0..FAN)
                    .map(|i| tokio::spawn(async move { work(i) }))
                    .collect();
                let mut s = 0u64;
                for t in ts {
                    s = s.wrapping_add(t.await.unwrap());
                }
                s
            })
        },
        |ex| {
            Box::pin(async move {
                let ts: Vec<_> = (0..FAN).map(|i| ex.spawn(async move { work(i) })).collect();
                let mut s = 0u64;
                for t in ts {
                    s = s.wrapping_add(t.await);
                }
                s
            })
        },
    );
    g.finish();
}

fn all(c: &mut Criterion) {
    let p = Peers::new();
    spawn_outside(c, &p);
    spawn_inside(c, &p);
    yield_many(c, &p);
    ping_pong(c, &p);
    chained(c, &p);
    fan_out_in(c, &p);
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = all }
criterion_main!(benches);
