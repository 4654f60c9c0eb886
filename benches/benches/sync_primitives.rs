//! corio-sync beside tokio::sync, async-lock, async-channel, flume, event-listener and
//! futures, each workload run on the same executor for every peer so that only the
//! primitive differs:
//!
//! - uncontended acquire/release of a semaphore (the cost of `async with sem:` when free);
//! - Semaphore(10) shared by 1 000 tasks taking it 100 times each (the web-scraping
//!   pattern: limit concurrency);
//! - uncontended lock/unlock of a mutex;
//! - a contended lock: 100 tasks x 100 critical sections that yield while holding it;
//! - two tasks ping-ponging through two events (tokio: two `Notify`s);
//! - an event set once with 1 000 waiters (fan-out wake-up);
//! - a bounded queue of capacity 1 024 carrying 1 000 000 items from 4 producers to 4
//!   consumers on a 2-worker multi-thread executor;
//! - a priority queue: 10 000 pushes then 10 000 pops.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

fn local() -> corio::LocalExecutor {
    corio::LocalExecutor::new()
}

fn semaphore_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/semaphore_uncontended_1000");
    let ex = local();
    g.bench_function("corio", |b| {
        let s = corio::Semaphore::new(1);
        b.iter(|| {
            ex.block_on(async {
                for _ in 0..1000 {
                    drop(s.acquire().await.unwrap());
                }
            })
        })
    });
    g.bench_function("tokio", |b| {
        let s = tokio::sync::Semaphore::new(1);
        b.iter(|| {
            ex.block_on(async {
                for _ in 0..1000 {
                    drop(s.acquire().await.unwrap());
                }
            })
        })
    });
    g.bench_function("async_lock", |b| {
        let s = async_lock::Semaphore::new(1);
        b.iter(|| {
            ex.block_on(async {
                for _ in 0..1000 {
                    drop(s.acquire().await);
                }
            })
        })
    });
    g.finish();
}

fn semaphore_limit(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/semaphore_10_1000x100");
    g.sample_size(10);
    let ex = local();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let s = Arc::new(corio::Semaphore::new(10));
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let s = s.clone();
                        corio::spawn(async move {
                            for _ in 0..100 {
                                let _p = s.acquire().await.unwrap();
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.bench_function("tokio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let s = Arc::new(tokio::sync::Semaphore::new(10));
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let s = s.clone();
                        corio::spawn(async move {
                            for _ in 0..100 {
                                let _p = s.acquire().await.unwrap();
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.bench_function("async_lock", |b| {
        b.iter(|| {
            ex.block_on(async {
                let s = Arc::new(async_lock::Semaphore::new(10));
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let s = s.clone();
                        corio::spawn(async move {
                            for _ in 0..100 {
                                let _p = s.acquire().await;
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

fn lock_contended(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/lock_contended_100x100");
    let ex = local();
    macro_rules! lock_bench {
        ($name:expr, $make:expr, $lock:ident) => {
            g.bench_function($name, |b| {
                b.iter(|| {
                    ex.block_on(async {
                        let m = Arc::new($make);
                        let ts: Vec<_> = (0..100)
                            .map(|_| {
                                let m = m.clone();
                                corio::spawn(async move {
                                    for _ in 0..100 {
                                        let mut g = m.$lock().await;
                                        *g += 1;
                                        corio::yield_now().await;
                                    }
                                })
                            })
                            .collect();
                        for t in ts {
                            t.await.unwrap();
                        }
                    })
                })
            });
        };
    }
    lock_bench!("corio", corio::Lock::new(0u64), lock);
    lock_bench!("tokio", tokio::sync::Mutex::new(0u64), lock);
    lock_bench!("async_lock", async_lock::Mutex::new(0u64), lock);
    lock_bench!("futures", futures::lock::Mutex::new(0u64), lock);
    g.finish();
}

fn lock_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/lock_uncontended_1000");
    let ex = local();
    macro_rules! lock_bench {
        ($name:expr, $make:expr) => {
            g.bench_function($name, |b| {
                let m = $make;
                b.iter(|| {
                    ex.block_on(async {
                        for _ in 0..1000 {
                            *m.lock().await += 1;
                        }
                    })
                })
            });
        };
    }
    lock_bench!("corio", corio::Lock::new(0u64));
    lock_bench!("tokio", tokio::sync::Mutex::new(0u64));
    lock_bench!("async_lock", async_lock::Mutex::new(0u64));
    lock_bench!("futures", futures::lock::Mutex::new(0u64));
    g.finish();
}

/// Two tasks taking turns 10 000 times, each waking the other through its event and
/// waiting on its own (corio's level-triggered `Event` is cleared by the waiter).
fn event_ping_pong(c: &mut Criterion) {
    const ROUNDS: usize = 10_000;
    let mut g = c.benchmark_group("sync/event_ping_pong_10k");
    let ex = local();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let (ping, pong) = (Arc::new(corio::Event::new()), Arc::new(corio::Event::new()));
                let (ping2, pong2) = (ping.clone(), pong.clone());
                let t = corio::spawn(async move {
                    for _ in 0..ROUNDS {
                        ping2.wait().await;
                        ping2.clear();
                        pong2.set();
                    }
                });
                for _ in 0..ROUNDS {
                    ping.set();
                    pong.wait().await;
                    pong.clear();
                }
                t.await.unwrap();
            })
        })
    });
    g.bench_function("tokio_notify", |b| {
        b.iter(|| {
            ex.block_on(async {
                let ping = Arc::new(tokio::sync::Notify::new());
                let pong = Arc::new(tokio::sync::Notify::new());
                let (ping2, pong2) = (ping.clone(), pong.clone());
                let t = corio::spawn(async move {
                    for _ in 0..ROUNDS {
                        ping2.notified().await;
                        pong2.notify_one();
                    }
                });
                for _ in 0..ROUNDS {
                    ping.notify_one();
                    pong.notified().await;
                }
                t.await.unwrap();
            })
        })
    });
    g.finish();
}

fn event_fanout(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/event_fanout_1000");
    let ex = local();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let e = Arc::new(corio::Event::new());
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let e = e.clone();
                        corio::spawn(async move { e.wait().await })
                    })
                    .collect();
                corio::yield_now().await;
                e.set();
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.bench_function("tokio_notify", |b| {
        b.iter(|| {
            ex.block_on(async {
                let n = Arc::new(tokio::sync::Notify::new());
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let n = n.clone();
                        corio::spawn(async move { n.notified().await })
                    })
                    .collect();
                corio::yield_now().await;
                n.notify_waiters();
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.bench_function("event_listener", |b| {
        b.iter(|| {
            ex.block_on(async {
                let e = Arc::new(event_listener::Event::new());
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let e = e.clone();
                        corio::spawn(async move { e.listen().await })
                    })
                    .collect();
                corio::yield_now().await;
                e.notify(usize::MAX);
                for t in ts {
                    t.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

fn queue_mpmc(c: &mut Criterion) {
    const ITEMS: u64 = 1_000_000;
    const SIDES: u64 = 4;
    let mut g = c.benchmark_group("sync/queue_bounded_1m_4x4");
    g.sample_size(10);
    let ex = corio::Builder::multi_thread().workers(2).build();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let q = Arc::new(corio::Queue::new(1024));
                let ps: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let q = q.clone();
                        corio::spawn_send(async move {
                            for i in 0..ITEMS / SIDES {
                                q.put(i).await.unwrap();
                            }
                        })
                    })
                    .collect();
                let cs: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let q = q.clone();
                        corio::spawn_send(async move {
                            let mut s = 0u64;
                            for _ in 0..ITEMS / SIDES {
                                s += q.get().await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                for p in ps {
                    p.await.unwrap();
                }
                let mut s = 0;
                for c in cs {
                    s += c.await.unwrap();
                }
                s
            })
        })
    });
    g.bench_function("async_channel", |b| {
        b.iter(|| {
            ex.block_on(async {
                let (tx, rx) = async_channel::bounded(1024);
                let ps: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let tx = tx.clone();
                        corio::spawn_send(async move {
                            for i in 0..ITEMS / SIDES {
                                tx.send(i).await.unwrap();
                            }
                        })
                    })
                    .collect();
                let cs: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let rx = rx.clone();
                        corio::spawn_send(async move {
                            let mut s = 0u64;
                            for _ in 0..ITEMS / SIDES {
                                s += rx.recv().await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                for p in ps {
                    p.await.unwrap();
                }
                let mut s = 0;
                for c in cs {
                    s += c.await.unwrap();
                }
                s
            })
        })
    });
    g.bench_function("flume", |b| {
        b.iter(|| {
            ex.block_on(async {
                let (tx, rx) = flume::bounded(1024);
                let ps: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let tx = tx.clone();
                        corio::spawn_send(async move {
                            for i in 0..ITEMS / SIDES {
                                tx.send_async(i).await.unwrap();
                            }
                        })
                    })
                    .collect();
                let cs: Vec<_> = (0..SIDES)
                    .map(|_| {
                        let rx = rx.clone();
                        corio::spawn_send(async move {
                            let mut s = 0u64;
                            for _ in 0..ITEMS / SIDES {
                                s += rx.recv_async().await.unwrap();
                            }
                            s
                        })
                    })
                    .collect();
                for p in ps {
                    p.await.unwrap();
                }
                let mut s = 0;
                for c in cs {
                    s += c.await.unwrap();
                }
                s
            })
        })
    });
    g.finish();
}

fn priority_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync/priority_queue_10k");
    let ex = local();
    let keys: Vec<u64> = (0..10_000u64)
        .map(|i| i.wrapping_mul(2654435761) % 100_003)
        .collect();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                let q = corio::PriorityQueue::new(0);
                for &k in &keys {
                    q.put(k).await.unwrap();
                }
                let mut last = 0;
                for _ in 0..keys.len() {
                    last = q.get().await.unwrap();
                }
                last
            })
        })
    });
    g.bench_function("mutex_binary_heap", |b| {
        b.iter(|| {
            ex.block_on(async {
                let q = std::sync::Mutex::new(std::collections::BinaryHeap::new());
                for &k in &keys {
                    q.lock().unwrap().push(std::cmp::Reverse(k));
                }
                let mut last = 0;
                for _ in 0..keys.len() {
                    last = q.lock().unwrap().pop().unwrap().0;
                }
                last
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = semaphore_uncontended, semaphore_limit, lock_uncontended, lock_contended, event_ping_pong, event_fanout, queue_mpmc, priority_queue
}
criterion_main!(benches);
