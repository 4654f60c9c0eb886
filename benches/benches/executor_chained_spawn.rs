//! Each task spawns the next and awaits it, 1 000 deep: spawning from inside a task and
//! a chain of join wake-ups running back up, as in recursive crawlers.
//!
//! Each runtime as its users get it: corio's loop with its timer and reactor (the loop
//! `corio::run` builds), tokio's current-thread runtime with its drivers (as
//! `#[tokio::main(flavor = "current_thread")]` builds it), async-executor's `LocalExecutor`
//! under `async_io::block_on` (smol's `block_on`, with async-io's reactor), and futures'
//! `LocalPool` (which has no timer or reactor to add).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::future::Future;
use std::pin::Pin;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::task::{LocalSpawn, LocalSpawnExt};

const DEPTH: u32 = 1_000;

fn corio_chain(n: u32) -> Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            corio::spawn(corio_chain(n - 1)).await.unwrap() + 1
        }
    })
}

fn tokio_chain(n: u32) -> Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            tokio::spawn(tokio_chain(n - 1)).await.unwrap() + 1
        }
    })
}

fn smol_chain(
    ex: &'static async_executor::LocalExecutor<'static>,
    n: u32,
) -> Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            ex.spawn(smol_chain(ex, n - 1)).await + 1
        }
    })
}

fn futures_chain<S: LocalSpawn + Clone + 'static>(
    s: S,
    n: u32,
) -> Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move {
        if n == 0 {
            0
        } else {
            let child = futures_chain(s.clone(), n - 1);
            s.spawn_local_with_handle(child).unwrap().await + 1
        }
    })
}

fn chained(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/chained_spawn_1000");

    g.bench_function("corio", |b| {
        let ex = corio_benches::corio_loop();
        b.iter(|| ex.block_on(corio_chain(DEPTH)))
    });

    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| rt.block_on(tokio_chain(DEPTH)))
    });

    g.bench_function("async_executor_local", |b| {
        // The chain's futures borrow the executor for 'static.
        let ex: &'static async_executor::LocalExecutor<'static> =
            Box::leak(Box::new(async_executor::LocalExecutor::new()));
        b.iter(|| async_io::block_on(ex.run(smol_chain(ex, DEPTH))))
    });

    g.bench_function("futures_local_pool", |b| {
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        b.iter(|| pool.run_until(futures_chain(spawner.clone(), DEPTH)))
    });

    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = chained }
criterion_main!(benches);
