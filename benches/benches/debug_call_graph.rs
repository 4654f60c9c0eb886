//! The task call graph's bookkeeping (`corio::debug`, issue 20), off and on, on the sync
//! workloads where every wait records itself: Semaphore(10) shared by 1 000 tasks taking
//! it 100 times each, and a lock contended by 100 tasks x 100 critical sections. "off" is
//! a loop without the hooks and the process-wide flag clear (what every program pays);
//! "on" a loop built with `Builder::call_graph(true)` (every poll and every `Pending`
//! recorded).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

fn executor(on: bool) -> corio::LocalExecutor {
    let ex = corio::Builder::new().call_graph(on).build_local();
    corio::core::callgraph::set_enabled(on);
    ex
}

fn semaphore(c: &mut Criterion) {
    let mut g = c.benchmark_group("debug/call_graph_semaphore_10_1000x100");
    g.sample_size(10);
    for (name, on) in [("off", false), ("on", true)] {
        let ex = executor(on);
        g.bench_function(name, |b| {
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
    }
    g.finish();
}

fn lock(c: &mut Criterion) {
    let mut g = c.benchmark_group("debug/call_graph_lock_contended_100x100");
    for (name, on) in [("off", false), ("on", true)] {
        let ex = executor(on);
        g.bench_function(name, |b| {
            b.iter(|| {
                ex.block_on(async {
                    let m = Arc::new(corio::Lock::new(0u64));
                    let ts: Vec<_> = (0..100)
                        .map(|_| {
                            let m = m.clone();
                            corio::spawn(async move {
                                for _ in 0..100 {
                                    let mut g = m.lock().await;
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
    }
    g.finish();
}

criterion_group!(benches, semaphore, lock);
criterion_main!(benches);
