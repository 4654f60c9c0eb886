//! `run` of a future that is ready at once: the fixed cost of asyncio.run, building a
//! loop and tearing it down. It is what a program pays for each `block_on` in a
//! synchronous API that wraps async code.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};

fn run_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/run_ready");

    g.bench_function("corio", |b| b.iter(|| corio::run(async { 1 })));

    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| corio_benches::tokio_current_thread().block_on(async { 1 }))
    });

    g.bench_function("async_executor_local", |b| {
        b.iter(|| {
            let ex = async_executor::LocalExecutor::new();
            futures_lite::future::block_on(ex.run(async { 1 }))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        b.iter(|| futures::executor::LocalPool::new().run_until(async { 1 }))
    });

    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = run_ready }
criterion_main!(benches);
