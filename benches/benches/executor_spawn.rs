//! Spawn 10 000 tasks from inside the loop and join them all: the cost of `create_task`
//! plus awaiting the handle, the most common thing an asyncio program does.
//!
//! Each runtime as its users get it, and the spawning loop in a task spawned on it (where
//! an asyncio program's `main` runs, a task of its loop):
//!
//! - `spawn_join_10k`: corio's loop with its timer and reactor (the loop `corio::run`
//!   builds, `ex.block_on(ex.spawn(..))`), tokio's current-thread runtime with its drivers
//!   (as `#[tokio::main(flavor = "current_thread")]` builds it, `rt.block_on(rt.spawn(..))`),
//!   async-executor's `LocalExecutor` under `async_io::block_on` (smol's `block_on`, with
//!   async-io's reactor), futures' `LocalPool` (which has no timer or reactor to add);
//! - `eager_start_10k_ready`: the same on corio's loop with eager start off and on
//!   (asyncio 3.12's eager task factory), beside tokio for scale.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::rc::Rc;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::task::LocalSpawnExt;

const TASKS: usize = 10_000;

async fn corio_spawn_join() -> usize {
    let tasks: Vec<_> = (0..TASKS).map(|i| corio::spawn(async move { i })).collect();
    let mut sum = 0;
    for t in tasks {
        sum += t.await.unwrap();
    }
    sum
}

async fn tokio_spawn_join() -> usize {
    let tasks: Vec<_> = (0..TASKS).map(|i| tokio::spawn(async move { i })).collect();
    let mut sum = 0;
    for t in tasks {
        sum += t.await.unwrap();
    }
    sum
}

fn spawn_join(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/spawn_join_10k");

    g.bench_function("corio", |b| {
        let ex = corio_benches::corio_loop();
        b.iter(|| ex.block_on(ex.spawn(corio_spawn_join())).unwrap())
    });

    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| rt.block_on(rt.spawn(tokio_spawn_join())).unwrap())
    });

    g.bench_function("async_executor_local", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let tasks: Vec<_> = (0..TASKS).map(|i| inner.spawn(async move { i })).collect();
                let mut sum = 0;
                for t in tasks {
                    sum += t.await;
                }
                sum
            })))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        b.iter(|| {
            let inner = spawner.clone();
            let main = spawner
                .spawn_local_with_handle(async move {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|i| inner.spawn_local_with_handle(async move { i }).unwrap())
                        .collect();
                    let mut sum = 0;
                    for t in tasks {
                        sum += t.await;
                    }
                    sum
                })
                .unwrap();
            pool.run_until(main)
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
            b.iter(|| ex.block_on(ex.spawn(corio_spawn_join())).unwrap())
        });
    }
    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| rt.block_on(rt.spawn(tokio_spawn_join())).unwrap())
    });
    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = spawn_join, eager_start }
criterion_main!(benches);
