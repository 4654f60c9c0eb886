//! corio's timer wheel beside tokio::time (current-thread runtime, time driver enabled)
//! and async-io's `Timer` (smol's reactor, under async-executor's `LocalExecutor` driven
//! by `async_io::block_on`, the way smol runs on one thread):
//!
//! - 100 000 tasks each sleeping until a random deadline within 10 ms, all awaited: the
//!   whole cost of a burst of timers (insert, fire, wake, run), the shape of a server
//!   where every connection has a read deadline;
//! - 100 000 timeouts around ready futures, one after the other in a task: the common
//!   case of a timeout that is armed and never fires, which every request path pays;
//! - the same with a future that is pending once before it is ready, so that the timer
//!   is really registered and then cancelled (insert + remove);
//! - 10 000 resets of one registered sleep, each followed by a poll: a keep-alive or
//!   idle deadline pushed back on every request (hyper's `Timer::reset`).
//!
//! Every workload spawns or awaits the same way on each runtime; only the timer and the
//! loop that turns it differ. Each runs in a spawned task, where users run them: in the
//! `block_on` future, tokio's current-thread runtime and async-io pay a driver round trip
//! per wake-up that a task does not (async-io 2.7 us per timeout there, 166 ns in a task).
//! Each runtime is built as its users build it: tokio with all its drivers, corio with the
//! timer and reactor `corio::run` installs. Memory per pending timer is measured separately by the
//! `timer_memory` binary.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_lite::FutureExt;

const SLEEPS: usize = 100_000;
const TIMEOUTS: usize = 100_000;
const RESETS: usize = 10_000;

fn corio_loop() -> corio::LocalExecutor {
    corio::Builder::new().build_local()
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Deterministic pseudo-random durations below `max_us` microseconds (xorshift64).
fn random_durations(n: usize, max_us: u64) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_micros(x % max_us)
        })
        .collect()
}

/// Pending on its first poll (waking itself), ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// async-io has no timeout combinator: smol users race the future with a `Timer`,
/// `future.or(Timer::after(d))`, whose timer is only built if the future is pending (a
/// ready future never pays for one). That is the documented idiom, so it is what runs here.
async fn async_io_timeout<F: Future>(d: Duration, f: F) -> Result<F::Output, ()> {
    async { Ok(f.await) }
        .or(async move {
            async_io::Timer::after(d).await;
            Err(())
        })
        .await
}

/// Polls `f` once and ignores the result.
async fn poll_once<F: Future>(mut f: Pin<&mut F>) {
    std::future::poll_fn(|cx| {
        let _ = f.as_mut().poll(cx);
        Poll::Ready(())
    })
    .await
}

fn sleeps_random(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer/sleep_100k_random_10ms");
    g.sample_size(10);
    let delays = Arc::new(random_durations(SLEEPS, 10_000));

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            let delays = delays.clone();
            ex.block_on(ex.spawn(async move {
                let ts: Vec<_> = delays
                    .iter()
                    .map(|&d| corio::spawn(corio::sleep(d)))
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            let delays = delays.clone();
            rt.block_on(rt.spawn(async move {
                let ts: Vec<_> = delays
                    .iter()
                    .map(|&d| tokio::spawn(tokio::time::sleep(d)))
                    .collect();
                for t in ts {
                    t.await.unwrap();
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        // Shared with the task that spawns the sleepers (smol's `spawn` needs the executor).
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let (inner, delays) = (ex.clone(), delays.clone());
            async_io::block_on(ex.run(ex.spawn(async move {
                let ts: Vec<_> = delays
                    .iter()
                    .map(|&d| {
                        inner.spawn(async move {
                            async_io::Timer::after(d).await;
                        })
                    })
                    .collect();
                for t in ts {
                    t.await;
                }
            })))
        })
    });

    g.finish();
}

fn timeouts_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer/timeout_100k_ready");
    let d = Duration::from_secs(1);

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async move {
                let mut s = 0usize;
                for i in 0..TIMEOUTS {
                    s += corio::timeout(d, std::future::ready(i)).await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async move {
                let mut s = 0usize;
                for i in 0..TIMEOUTS {
                    s += tokio::time::timeout(d, std::future::ready(i))
                        .await
                        .unwrap();
                }
                s
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(ex.spawn(async move {
                let mut s = 0usize;
                for i in 0..TIMEOUTS {
                    s += async_io_timeout(d, std::future::ready(i)).await.unwrap();
                }
                s
            })))
        })
    });

    g.finish();
}

fn timeouts_pending_once(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer/timeout_100k_insert_cancel");
    g.sample_size(10);
    let d = Duration::from_secs(1);

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async move {
                for _ in 0..TIMEOUTS {
                    corio::timeout(d, YieldOnce(false)).await.unwrap();
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async move {
                for _ in 0..TIMEOUTS {
                    tokio::time::timeout(d, YieldOnce(false)).await.unwrap();
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(ex.spawn(async move {
                for _ in 0..TIMEOUTS {
                    async_io_timeout(d, YieldOnce(false)).await.unwrap();
                }
            })))
        })
    });

    g.finish();
}

fn sleep_reset(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer/sleep_reset_10k");
    // Deadlines between 1 s and 11 s away, in no order: they move across wheel levels.
    let offsets: Arc<Vec<Duration>> = Arc::new(
        random_durations(RESETS, 10_000_000)
            .into_iter()
            .map(|d| d + Duration::from_secs(1))
            .collect(),
    );

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            let offsets = offsets.clone();
            ex.block_on(ex.spawn(async move {
                let mut s = corio::sleep(Duration::from_secs(30));
                poll_once(Pin::new(&mut s)).await;
                let now = Instant::now();
                for &o in offsets.iter() {
                    s.reset(now + o);
                    poll_once(Pin::new(&mut s)).await;
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            let offsets = offsets.clone();
            rt.block_on(rt.spawn(async move {
                let s = tokio::time::sleep(Duration::from_secs(30));
                tokio::pin!(s);
                poll_once(s.as_mut()).await;
                let now = tokio::time::Instant::now();
                for &o in offsets.iter() {
                    s.as_mut().reset(now + o);
                    poll_once(s.as_mut()).await;
                }
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(ex.spawn(async {
                let mut t = async_io::Timer::after(Duration::from_secs(30));
                poll_once(Pin::new(&mut t)).await;
                let now = Instant::now();
                for &o in offsets.iter() {
                    t.set_at(now + o);
                    poll_once(Pin::new(&mut t)).await;
                }
            })))
        })
    });

    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = sleeps_random, timeouts_ready, timeouts_pending_once, sleep_reset
}
criterion_main!(benches);
