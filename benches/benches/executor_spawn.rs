//! Spawn 10 000 tasks from inside the loop and join them all: the cost of `create_task`
//! plus awaiting the handle, the most common thing an asyncio program does.
//!
//! Each group compares like with like, the loop in the `block_on` future on every runtime:
//!
//! - `spawn_join_10k`: every single-thread executor bare, without timer or I/O driver
//!   (`corio::LocalExecutor::new()`, tokio's current-thread runtime without
//!   `enable_all()`, async-executor's `LocalExecutor` under `futures_lite::future::block_on`,
//!   futures' `LocalPool`): the cost of the scheduler alone;
//! - `eager_start_10k_ready`: the loops users get by default, drivers on: corio's from
//!   `corio::Builder::new()` (timer and reactor; lazy and eager start), tokio's
//!   current-thread runtime with `enable_all()`, as `#[tokio::main(flavor =
//!   "current_thread")]` builds it.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use futures::task::LocalSpawnExt;

const TASKS: usize = 10_000;

fn spawn_join(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/spawn_join_10k");

    g.bench_function("corio", |b| {
        let ex = corio::LocalExecutor::new();
        b.iter(|| {
            ex.block_on(async {
                let tasks: Vec<_> = (0..TASKS).map(|i| corio::spawn(async move { i })).collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await.unwrap();
                }
                sum
            })
        })
    });

    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..TASKS).map(|i| tokio::spawn(async move { i })).collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await.unwrap();
                }
                sum
            })
        })
    });

    g.bench_function("async_executor_local", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            futures_lite::future::block_on(ex.run(async {
                let tasks: Vec<_> = (0..TASKS).map(|i| ex.spawn(async move { i })).collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await;
                }
                sum
            }))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        b.iter(|| {
            pool.run_until(async {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|i| spawner.spawn_local_with_handle(async move { i }).unwrap())
                    .collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await;
                }
                sum
            })
        })
    });

    g.finish();
}

/// Eager start (asyncio 3.12's eager_task_factory) pays when tasks finish without ever
/// waiting (a cache hit, a ready value): the task runs inline at spawn, never visits the
/// ready queue, and its handle is ready at once. The same 10 000 ready tasks, lazy and
/// eager, beside tokio for scale.
fn eager_start(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/eager_start_10k_ready");
    for (name, eager) in [("corio_lazy", false), ("corio_eager", true)] {
        let ex = corio::Builder::new().eager_start(eager).build_local();
        g.bench_function(name, |b| {
            b.iter(|| {
                ex.block_on(async {
                    let tasks: Vec<_> =
                        (0..TASKS).map(|i| corio::spawn(async move { i })).collect();
                    let mut sum = 0;
                    for t in tasks {
                        sum += t.await.unwrap();
                    }
                    sum
                })
            })
        });
    }
    g.bench_function("tokio_current_thread", |b| {
        // With its drivers, as `#[tokio::main(flavor = "current_thread")]` builds it:
        // corio's loops above have their timer and reactor.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..TASKS).map(|i| tokio::spawn(async move { i })).collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await.unwrap();
                }
                sum
            })
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = spawn_join, eager_start }
criterion_main!(benches);
