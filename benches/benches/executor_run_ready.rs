//! `run` / `block_on` of a future that is ready at once: the fixed cost of asyncio.run, of
//! each `block_on` in a synchronous API that wraps async code. Compared like with like, in
//! two groups: a runtime built for every call (what a one-off `asyncio.run` pays), and a
//! runtime kept between calls (what a program that calls in repeatedly pays). A third group
//! does the same on each multi-thread runtime, kept.
//!
//! Single-thread groups: corio's loop with its timer and reactor (`corio::run`'s), tokio's
//! current-thread runtime with its drivers (`#[tokio::main(flavor = "current_thread")]`),
//! async-executor's `LocalExecutor` under `async_io::block_on` (smol's `block_on`; async-io's
//! reactor is process-wide, made once, not per runtime) and futures' `LocalPool` (no timer
//! or reactor); the ready future is the `block_on` future on each, since that call's fixed
//! cost is what is measured.
//!
//! Multi-thread group: each runtime has 2 workers and its drivers: corio's
//! `Builder::multi_thread().workers(2)`, tokio's `new_multi_thread().worker_threads(2)
//! .enable_all()`, and an `async_executor::Executor` run by 2 threads under
//! `async_io::block_on` (smol's). The ready future is passed to `block_on` from the
//! bench thread outside the pool on each (`futures_lite::future::block_on(ex.run(..))`
//! for async-executor).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};

/// A current-thread runtime with timers and I/O, like the loop `corio::run` builds.
fn tokio_with_drivers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn fresh(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/run_ready_fresh_runtime");

    // The loop `corio::run` uses (timers and I/O), built and torn down each time.
    g.bench_function("corio", |b| {
        b.iter(|| corio::Builder::new().build_local().run(async { 1 }))
    });

    // With its drivers, as `#[tokio::main(flavor = "current_thread")]` builds it.
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| tokio_with_drivers().block_on(async { 1 }))
    });

    g.bench_function("async_executor_local", |b| {
        b.iter(|| {
            let ex = async_executor::LocalExecutor::new();
            async_io::block_on(ex.run(async { 1 }))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        b.iter(|| futures::executor::LocalPool::new().run_until(async { 1 }))
    });

    g.finish();
}

fn kept(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/run_ready_kept_runtime");

    // `corio::run` keeps its loop between calls on a thread (reopened, not rebuilt).
    g.bench_function("corio", |b| b.iter(|| corio::run(async { 1 })));

    let rt = tokio_with_drivers();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| rt.block_on(async { 1 }))
    });

    let ex = async_executor::LocalExecutor::new();
    g.bench_function("async_executor_local", |b| {
        b.iter(|| async_io::block_on(ex.run(async { 1 })))
    });

    let mut pool = futures::executor::LocalPool::new();
    g.bench_function("futures_local_pool", |b| {
        b.iter(|| pool.run_until(async { 1 }))
    });

    g.finish();
}

fn multi_thread_block_on(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/block_on_ready_multi_thread");

    let ex = corio::Builder::multi_thread().workers(2).build();
    g.bench_function("corio", |b| b.iter(|| ex.block_on(async { 1 })));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    g.bench_function("tokio_multi_thread", |b| {
        b.iter(|| rt.block_on(async { 1 }))
    });

    // Two threads run the executor under smol's `block_on` (async-io's, with its reactor),
    // as smol runs a multi-thread executor; the outside thread waits as corio's and
    // tokio's `block_on` do, without driving anything.
    let smol_ex = std::sync::Arc::new(async_executor::Executor::new());
    let (stop_tx, stop_rx) = async_channel::bounded::<()>(1);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (ex, stop) = (smol_ex.clone(), stop_rx.clone());
            std::thread::spawn(move || async_io::block_on(ex.run(stop.recv())).unwrap_or(()))
        })
        .collect();
    g.bench_function("async_executor", |b| {
        b.iter(|| futures_lite::future::block_on(smol_ex.run(async { 1 })))
    });
    drop(stop_tx);
    for w in workers {
        w.join().unwrap();
    }

    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = fresh, kept, multi_thread_block_on }
criterion_main!(benches);
