//! corio-stream beside async-stream, futures-util and tokio-stream, on the same executor
//! so that only the stream machinery differs: corio's single-thread loop without drivers
//! (`corio::LocalExecutor::new()`; no workload here sleeps or does I/O), every peer's
//! stream consumed in the `block_on` future of that loop:
//!
//! - a generator yielding 1 000 000 items (asyncio's `async def` with `yield`): corio's
//!   `generate` (one thread) and `generate_send`, async-stream's `stream!`, and
//!   `futures::stream::unfold`, the hand-written equivalent;
//! - a map/filter chain over 1 000 000 items, summed by each library's own `fold` (corio's
//!   and tokio-stream's take a plain closure, futures-util's one returning a future), so
//!   every peer consumes the stream the same way;
//! - `buffer_unordered(64)` over 10 000 futures that each wait once (the web-scraping
//!   pattern: a concurrency-limited map).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::pin::pin;

use criterion::{Criterion, criterion_group, criterion_main};

const ITEMS: u64 = 1_000_000;

fn generator(c: &mut Criterion) {
    let mut g = c.benchmark_group("stream/generator_1m");
    let ex = corio::LocalExecutor::new();
    g.bench_function("corio_generate_send", |b| {
        b.iter(|| {
            ex.block_on(async {
                use corio::StreamExt;
                let s = corio::generate_send(|co| async move {
                    for i in 0..ITEMS {
                        co.yield_(i).await;
                    }
                });
                let mut s = pin!(s);
                let mut sum = 0u64;
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                sum
            })
        })
    });
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                use corio::StreamExt;
                let s = corio::generate(|co| async move {
                    for i in 0..ITEMS {
                        co.yield_(i).await;
                    }
                });
                let mut s = pin!(s);
                let mut sum = 0u64;
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                sum
            })
        })
    });
    g.bench_function("async_stream", |b| {
        b.iter(|| {
            ex.block_on(async {
                use futures::StreamExt;
                let s = async_stream::stream! {
                    for i in 0..ITEMS {
                        yield i;
                    }
                };
                let mut s = pin!(s);
                let mut sum = 0u64;
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                sum
            })
        })
    });
    g.bench_function("futures_unfold", |b| {
        b.iter(|| {
            ex.block_on(async {
                use futures::StreamExt;
                let s =
                    futures::stream::unfold(
                        0u64,
                        |i| async move { (i < ITEMS).then_some((i, i + 1)) },
                    );
                let mut s = pin!(s);
                let mut sum = 0u64;
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                sum
            })
        })
    });
    g.finish();
}

fn map_filter(c: &mut Criterion) {
    let mut g = c.benchmark_group("stream/map_filter_1m");
    let ex = corio::LocalExecutor::new();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                use corio::StreamExt;
                corio::stream::iter(0..ITEMS)
                    .map(|x| x * 3)
                    .filter(|x| x % 2 == 0)
                    .fold(0u64, |a, x| a.wrapping_add(x))
                    .await
            })
        })
    });
    g.bench_function("futures_util", |b| {
        b.iter(|| {
            ex.block_on(async {
                use futures::StreamExt;
                futures::stream::iter(0..ITEMS)
                    .map(|x| x * 3)
                    .filter(|x| std::future::ready(x % 2 == 0))
                    .fold(0u64, |a, x| std::future::ready(a.wrapping_add(x)))
                    .await
            })
        })
    });
    g.bench_function("tokio_stream", |b| {
        b.iter(|| {
            ex.block_on(async {
                use tokio_stream::StreamExt;
                tokio_stream::iter(0..ITEMS)
                    .map(|x| x * 3)
                    .filter(|x| x % 2 == 0)
                    .fold(0u64, |a, x| a.wrapping_add(x))
                    .await
            })
        })
    });
    g.finish();
}

fn buffer_unordered(c: &mut Criterion) {
    const FUTURES: u64 = 10_000;
    let mut g = c.benchmark_group("stream/buffer_unordered_64_10k");
    let ex = corio::LocalExecutor::new();
    g.bench_function("corio", |b| {
        b.iter(|| {
            ex.block_on(async {
                use corio::StreamExt;
                corio::stream::iter(0..FUTURES)
                    .map(|i| async move {
                        corio::yield_now().await;
                        i
                    })
                    .buffer_unordered(64)
                    .fold(0u64, |a, x| a.wrapping_add(x))
                    .await
            })
        })
    });
    g.bench_function("futures_util", |b| {
        b.iter(|| {
            ex.block_on(async {
                use futures::StreamExt;
                futures::stream::iter(0..FUTURES)
                    .map(|i| async move {
                        corio::yield_now().await;
                        i
                    })
                    .buffer_unordered(64)
                    .fold(0u64, |a, x| std::future::ready(a.wrapping_add(x)))
                    .await
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = generator, map_filter, buffer_unordered
}
criterion_main!(benches);
