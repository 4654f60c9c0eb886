//! corio's one-value, broadcast and watch channels beside tokio's (tokio's current-thread
//! runtime, all drivers) and, for oneshot, `futures::channel::oneshot` on async-executor's
//! `LocalExecutor` (smol has no oneshot of its own; `futures`' is what its users reach
//! for); and cancellation-heavy loads on the single-thread loops (corio's loop from
//! `corio::Builder::new().build_local()`, tokio's current-thread runtime, async-executor's
//! `LocalExecutor` under `async_io::block_on`). Every workload runs in a task spawned on
//! its runtime.
//!
//! - `sync/oneshot_10k_wait_then_send`: 10 000 tasks each await their own oneshot
//!   receiver; then every sender sends and every task is joined.
//! - `sync/broadcast_16rx_1k`: one sender, 16 receiving tasks, 1 000 messages (capacity
//!   1 024, so no receiver lags); every receiver gets every message.
//! - `sync/watch_16rx_1k`: one sender yielding after each of 1 000 updates, 16 tasks
//!   waiting in `changed()` until they see the last value.
//! - `cancel/timeout_10k_fire_1ms`: 10 000 tasks each wrap a never-ready future in a 1 ms
//!   timeout, which fires (each runtime's idiom: `corio::timeout`, `tokio::time::timeout`,
//!   smol's `future.or(Timer::after(d))`). Each timeout's time from arming to firing is
//!   recorded and its p50/p99 printed.
//! - `cancel/abort_10k_mid_wait`: 10 000 tasks parked in a wait are aborted and joined
//!   (corio `Task::abort` then await, tokio `JoinHandle::abort` then await, smol's
//!   `Task::cancel().await`).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::rc::Rc;
use std::time::{Duration, Instant};

use corio_benches::latency::Samples;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_lite::FutureExt as _;

const TASKS: usize = 10_000;
const RECEIVERS: usize = 16;
const MESSAGES: u64 = 1_000;
const FIRE: Duration = Duration::from_millis(1);

fn corio_loop() -> corio::LocalExecutor {
    corio::Builder::new().build_local()
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn oneshot(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/oneshot_10k_wait_then_send");
    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let mut txs = Vec::with_capacity(TASKS);
                let mut ts = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    let (tx, rx) = corio::oneshot::channel::<u64>();
                    txs.push(tx);
                    ts.push(corio::spawn(async move { rx.await.unwrap() }));
                }
                for (i, tx) in txs.into_iter().enumerate() {
                    tx.send(i as u64).unwrap();
                }
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
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let mut txs = Vec::with_capacity(TASKS);
                let mut ts = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
                    txs.push(tx);
                    ts.push(tokio::spawn(async move { rx.await.unwrap() }));
                }
                for (i, tx) in txs.into_iter().enumerate() {
                    tx.send(i as u64).unwrap();
                }
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });
    g.bench_function("futures_oneshot", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let mut txs = Vec::with_capacity(TASKS);
                let mut ts = Vec::with_capacity(TASKS);
                for _ in 0..TASKS {
                    let (tx, rx) = futures::channel::oneshot::channel::<u64>();
                    txs.push(tx);
                    ts.push(inner.spawn(async move { rx.await.unwrap() }));
                }
                for (i, tx) in txs.into_iter().enumerate() {
                    tx.send(i as u64).unwrap();
                }
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

fn broadcast(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/broadcast_16rx_1k");
    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let (tx, rx) = corio::broadcast::channel::<u64>(1024);
                let ts: Vec<_> = (0..RECEIVERS)
                    .map(|_| {
                        let mut rx = tx.subscribe();
                        corio::spawn(async move {
                            let mut s = 0;
                            for _ in 0..MESSAGES {
                                s += rx.recv().await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                drop(rx);
                for i in 0..MESSAGES {
                    tx.send(i).unwrap();
                }
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
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let (tx, rx) = tokio::sync::broadcast::channel::<u64>(1024);
                let ts: Vec<_> = (0..RECEIVERS)
                    .map(|_| {
                        let mut rx = tx.subscribe();
                        tokio::spawn(async move {
                            let mut s = 0;
                            for _ in 0..MESSAGES {
                                s += rx.recv().await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                drop(rx);
                for i in 0..MESSAGES {
                    tx.send(i).unwrap();
                }
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });
    g.finish();
}

fn watch(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/watch_16rx_1k");
    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let (tx, rx) = corio::watch::channel(0u64);
                let ts: Vec<_> = (0..RECEIVERS)
                    .map(|_| {
                        let mut rx = rx.clone();
                        corio::spawn(async move {
                            let mut seen = 0u64;
                            while *rx.borrow_and_update() != MESSAGES {
                                rx.changed().await.unwrap();
                                seen += 1;
                            }
                            seen
                        })
                    })
                    .collect();
                for i in 1..=MESSAGES {
                    tx.send(i);
                    corio::yield_now().await;
                }
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
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let (tx, rx) = tokio::sync::watch::channel(0u64);
                let ts: Vec<_> = (0..RECEIVERS)
                    .map(|_| {
                        let mut rx = rx.clone();
                        tokio::spawn(async move {
                            let mut seen = 0u64;
                            while *rx.borrow_and_update() != MESSAGES {
                                rx.changed().await.unwrap();
                                seen += 1;
                            }
                            seen
                        })
                    })
                    .collect();
                for i in 1..=MESSAGES {
                    tx.send(i).unwrap();
                    tokio::task::yield_now().await;
                }
                let mut s = 0;
                for t in ts {
                    s += t.await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });
    g.finish();
}

fn timeouts_fire(c: &mut Criterion) {
    const GROUP: &str = "cancel/timeout_10k_fire_1ms";
    let mut g = c.benchmark_group(GROUP);
    g.sample_size(20);
    let (sc, st, ss) = (Samples::new(), Samples::new(), Samples::new());
    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            let times = ex
                .block_on(ex.spawn(async {
                    let ts: Vec<_> = (0..TASKS)
                        .map(|_| {
                            corio::spawn(async {
                                let t = Instant::now();
                                let r = corio::timeout(FIRE, std::future::pending::<()>()).await;
                                assert!(r.is_err());
                                t.elapsed()
                            })
                        })
                        .collect();
                    let mut times = Vec::with_capacity(TASKS);
                    for t in ts {
                        times.push(t.await.unwrap());
                    }
                    times
                }))
                .unwrap();
            sc.extend(times);
        })
    });
    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            let times = rt
                .block_on(rt.spawn(async {
                    let ts: Vec<_> = (0..TASKS)
                        .map(|_| {
                            tokio::spawn(async {
                                let t = Instant::now();
                                let r =
                                    tokio::time::timeout(FIRE, std::future::pending::<()>()).await;
                                assert!(r.is_err());
                                t.elapsed()
                            })
                        })
                        .collect();
                    let mut times = Vec::with_capacity(TASKS);
                    for t in ts {
                        times.push(t.await.unwrap());
                    }
                    times
                }))
                .unwrap();
            st.extend(times);
        })
    });
    g.bench_function("async_io", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            let times = async_io::block_on(ex.run(ex.spawn(async move {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| {
                        inner.spawn(async {
                            let t = Instant::now();
                            let r = std::future::pending::<Result<(), ()>>()
                                .or(async {
                                    async_io::Timer::after(FIRE).await;
                                    Err(())
                                })
                                .await;
                            assert!(r.is_err());
                            t.elapsed()
                        })
                    })
                    .collect();
                let mut times = Vec::with_capacity(TASKS);
                for t in ts {
                    times.push(t.await);
                }
                times
            })));
            ss.extend(times);
        })
    });
    g.finish();
    sc.report(GROUP, "corio");
    st.report(GROUP, "tokio");
    ss.report(GROUP, "async_io");
}

fn abort_mid_wait(c: &mut Criterion) {
    let mut g = c.benchmark_group("cancel/abort_10k_mid_wait");
    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| corio::spawn(std::future::pending::<()>()))
                    .collect();
                corio::yield_now().await;
                for t in &ts {
                    t.abort();
                }
                let mut n = 0;
                for t in ts {
                    n += usize::from(t.await.is_err());
                }
                assert_eq!(n, TASKS);
            }))
            .unwrap()
        })
    });
    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| tokio::spawn(std::future::pending::<()>()))
                    .collect();
                tokio::task::yield_now().await;
                for t in &ts {
                    t.abort();
                }
                let mut n = 0;
                for t in ts {
                    n += usize::from(t.await.is_err());
                }
                assert_eq!(n, TASKS);
            }))
            .unwrap()
        })
    });
    g.bench_function("async_executor", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let ts: Vec<_> = (0..TASKS)
                    .map(|_| inner.spawn(std::future::pending::<()>()))
                    .collect();
                futures_lite::future::yield_now().await;
                let mut n = 0;
                for t in ts {
                    n += usize::from(t.cancel().await.is_none());
                }
                assert_eq!(n, TASKS);
            })))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = oneshot, broadcast, watch, timeouts_fire, abort_mid_wait
}
criterion_main!(benches);
