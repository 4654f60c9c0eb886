//! Rough throughput numbers, corio beside futures-util (run in release:
//! `cargo test -p corio-stream --release --test perf -- --ignored --nocapture`).
//! The criterion benches are the reference; these guard against gross regressions
//! (quadratic behaviour, spinning) and print what they measure.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn time<R>(label: &str, f: impl FnOnce() -> R) -> (R, Duration) {
    let t = Instant::now();
    let r = f();
    let d = t.elapsed();
    println!("{label:<58} {:>9.2} ms", d.as_secs_f64() * 1e3);
    (r, d)
}

fn block<F: Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

const N: u64 = 1_000_000;

#[test]
#[ignore = "timing; run in release"]
fn generator_one_million_items() {
    time("corio generate_send: 1M yields (block_on)", || {
        use corio_stream::StreamExt;
        block(
            corio_stream::generate_send(|co| async move {
                for i in 0..N {
                    co.yield_(i).await;
                }
            })
            .fold(0u64, |a, x| a.wrapping_add(black_box(x))),
        )
    });
    time("corio generate: 1M yields (block_on)", || {
        use corio_stream::StreamExt;
        block(
            corio_stream::generate(|co| async move {
                for i in 0..N {
                    co.yield_(i).await;
                }
            })
            .fold(0u64, |a, x| a.wrapping_add(black_box(x))),
        )
    });
    time("futures::stream::unfold: 1M items (block_on)", || {
        use futures::StreamExt;
        block(
            futures::stream::unfold(0u64, |i| async move { (i < N).then_some((i, i + 1)) })
                .fold(0u64, |a, x| async move { a.wrapping_add(black_box(x)) }),
        )
    });
}

#[test]
#[ignore = "timing; run in release"]
fn map_filter_chain_one_million() {
    time("corio iter.map.filter.fold: 1M", || {
        use corio_stream::StreamExt;
        block(
            corio_stream::iter(0..N)
                .map(|x| x * 3)
                .filter(|x| x % 2 == 0)
                .fold(0u64, |a, x| a.wrapping_add(x)),
        )
    });
    time("futures iter.map.filter.fold: 1M", || {
        use futures::StreamExt;
        block(
            futures::stream::iter(0..N)
                .map(|x| x * 3)
                .filter(|x| futures::future::ready(x % 2 == 0))
                .fold(0u64, |a, x| futures::future::ready(a.wrapping_add(x))),
        )
    });
}

#[test]
#[ignore = "timing; run in release"]
fn buffer_unordered_64_over_10k() {
    for _ in 0..2 {
        time("corio buffer_unordered(64), 10k yield-once futures", || {
            use corio_stream::StreamExt;
            block(
                corio_stream::iter(0..10_000u64)
                    .map(|i| async move {
                        futures_yield().await;
                        i
                    })
                    .buffer_unordered(64)
                    .fold(0u64, |a, x| a + x),
            )
        });
        time(
            "futures buffer_unordered(64), 10k yield-once futures",
            || {
                use futures::StreamExt;
                block(
                    futures::stream::iter(0..10_000u64)
                        .map(|i| async move {
                            futures_yield().await;
                            i
                        })
                        .buffer_unordered(64)
                        .fold(0u64, |a, x| async move { a + x }),
                )
            },
        );
    }
}

#[test]
#[ignore = "timing; run in release"]
fn many_sleeps_through_one_buffer_unordered_under_tokio_current_thread() {
    // STYLE.md's pitfall: 100 000 sleeps through one FuturesUnordered on tokio's
    // current_thread runtime took 9.3 s. Here: tokio's own sleeps (which spend tokio's
    // budget) through corio's buffer_unordered, and corio's sleeps on corio's loop.
    let n = 100_000u64;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_, d) = time(
        "corio buffer_unordered(100k) of tokio sleeps, tokio ct",
        || {
            use corio_stream::StreamExt;
            rt.block_on(
                corio_stream::iter(0..n)
                    .map(|_| tokio::time::sleep(Duration::from_millis(1)))
                    .buffer_unordered(n as usize)
                    .fold(0u64, |a, ()| a + 1),
            )
        },
    );
    assert!(d < Duration::from_secs(3), "took {d:?}");
    let (_, d) = time(
        "corio buffer_unordered(100k) of corio sleeps, corio loop",
        || {
            use corio_stream::StreamExt;
            corio_executor::run(
                corio_stream::iter(0..n)
                    .map(|_| corio_timer::sleep(Duration::from_millis(1)))
                    .buffer_unordered(n as usize)
                    .fold(0u64, |a, ()| a + 1),
            )
        },
    );
    assert!(d < Duration::from_secs(3), "took {d:?}");
    time(
        "futures buffer_unordered(100k) of tokio sleeps, tokio ct",
        || {
            use futures::StreamExt;
            rt.block_on(
                futures::stream::iter(0..n)
                    .map(|_| tokio::time::sleep(Duration::from_millis(1)))
                    .buffer_unordered(n as usize)
                    .fold(0u64, |a, ()| async move { a + 1 }),
            )
        },
    );
}

/// Returns Pending once (waking itself), then Ready: a future that needs a second poll.
fn futures_yield() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}
