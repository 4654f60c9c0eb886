//! 100 tasks each yielding 1 000 times: the cost of one turn of the loop (asyncio's
//! `await asyncio.sleep(0)`), i.e. of waking a task and getting back to it.
//!
//! Each runtime as its users get it: corio's loop with its timer and reactor (the loop
//! `corio::run` builds), tokio's current-thread runtime with its drivers (as
//! `#[tokio::main(flavor = "current_thread")]` builds it), async-executor's `LocalExecutor`
//! under `async_io::block_on` (smol's `block_on`, with async-io's reactor), and futures'
//! `LocalPool` (which has no timer or reactor to add).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use futures::task::LocalSpawnExt;

const TASKS: usize = 100;
const YIELDS: usize = 1_000;

fn yield_many(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/yield_100x1000");

    g.bench_function("corio", |b| {
        let ex = corio_benches::corio_loop();
        b.iter(|| {
            ex.block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        corio::spawn(async {
                            for _ in 0..YIELDS {
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            })
        })
    });

    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        tokio::spawn(async {
                            for _ in 0..YIELDS {
                                tokio::task::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            })
        })
    });

    g.bench_function("async_executor_local", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        ex.spawn(async {
                            for _ in 0..YIELDS {
                                futures_lite::future::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
            }))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        b.iter(|| {
            pool.run_until(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        spawner
                            .spawn_local_with_handle(async {
                                for _ in 0..YIELDS {
                                    futures_lite::future::yield_now().await;
                                }
                            })
                            .unwrap()
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
            })
        })
    });

    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = yield_many }
criterion_main!(benches);
