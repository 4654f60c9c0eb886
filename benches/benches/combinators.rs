//! corio's combinators beside futures' (`join_all`, `FuturesUnordered`) and tokio's
//! `JoinSet`:
//!
//! - gather of 10 000 ready futures: the fixed cost per child (allocation, bookkeeping,
//!   the output vector in input order);
//! - gather of 10 000 futures woken one at a time in a shuffled order: each awaits a
//!   oneshot that a driver task completes, yielding after every send. A combinator that
//!   re-polls every child on each wake-up is quadratic here (futures-rs #2201); one with
//!   per-child wakers is linear;
//! - as_completed over the same 10 000 shuffled wake-ups (outputs in completion order);
//! - wait_for around 10 000 ready futures, one after the other (the timeout that never
//!   fires; peers: `tokio::time::timeout`, and smol's idiom `future.or(Timer::after(d))`,
//!   which builds no timer for a ready future);
//! - a TaskGroup spawning 10 000 children and collecting their outputs (peers: `JoinSet`
//!   spawning 10 000 tasks and collecting them, smol's `LocalExecutor::spawn` +
//!   `join_all` of the handles), each on its runtime's single-thread flavour.
//!
//! Every loop, on every runtime and in every group, runs in a spawned task, where users
//! run them (on tokio's current-thread runtime, the `block_on` future pays a driver round
//! trip per wake-up that a task does not): `ex.block_on(ex.spawn(..))` on corio,
//! `rt.block_on(rt.spawn(..))` on tokio, `async_io::block_on(ex.run(ex.spawn(..)))` on
//! smol.
//!
//! Each runtime is single-thread and has its drivers, as its users build it: corio's loop
//! from `corio::Builder::new()` (timer and reactor); tokio's current-thread runtime with
//! `enable_all()`, as `#[tokio::main(flavor = "current_thread")]` builds it; smol's
//! `LocalExecutor` under `async_io::block_on` (smol's `block_on`, with async-io's reactor
//! and timers). The futures-crate combinators run on corio's loop, like corio's own, so
//! only the combinator differs; `JoinSet` and `tokio::time::timeout` need tokio's runtime.
//! Every peer uses the same oneshot (`futures::channel::oneshot`, which has no cooperative
//! budget of its own).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use futures::channel::oneshot;
use futures::stream::FuturesUnordered;

const N: usize = 10_000;

fn corio_loop() -> corio::LocalExecutor {
    corio::Builder::new().build_local()
}

/// With its drivers, as `#[tokio::main(flavor = "current_thread")]` builds it (corio's
/// loop has its timer and reactor too).
fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A fixed shuffled permutation of `0..n` (Fisher-Yates over xorshift64).
fn shuffled(n: usize) -> Vec<usize> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.swap(i, (x % (i as u64 + 1)) as usize);
    }
    v
}

/// `N` receivers, and the senders in the order the driver completes them.
fn oneshots(order: &[usize]) -> (Vec<oneshot::Receiver<usize>>, Vec<oneshot::Sender<usize>>) {
    let (mut txs, rxs): (Vec<_>, Vec<_>) = (0..order.len()).map(|_| oneshot::channel()).unzip();
    let mut ordered: Vec<Option<oneshot::Sender<usize>>> = txs.drain(..).map(Some).collect();
    let txs = order.iter().map(|&i| ordered[i].take().unwrap()).collect();
    (rxs, txs)
}

async fn recv(rx: oneshot::Receiver<usize>) -> usize {
    rx.await.unwrap()
}

/// Completes the senders one at a time, yielding to the loop after each. The yield is
/// the same neutral one on every runtime (futures-lite's: wake itself, return `Pending`
/// once): tokio's own `yield_now` defers its wake-up until the I/O driver has been polled,
/// which would add an `epoll_wait` per item to tokio's figure that is not the combinator's.
macro_rules! driver {
    ($txs:expr) => {
        async move {
            for (i, tx) in $txs.into_iter().enumerate() {
                tx.send(i).unwrap();
                futures_lite::future::yield_now().await;
            }
        }
    };
}

fn gather_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("combinators/gather_10k_ready");
    let ex = corio_loop();
    g.bench_function("corio_gather", |b| {
        b.iter(|| {
            ex.block_on(ex.spawn(corio::gather((0..N).map(std::future::ready))))
                .unwrap()
        })
    });
    g.bench_function("futures_join_all", |b| {
        b.iter(|| {
            ex.block_on(ex.spawn(futures::future::join_all((0..N).map(std::future::ready))))
                .unwrap()
        })
    });
    g.bench_function("futures_unordered", |b| {
        b.iter(|| {
            ex.block_on(
                ex.spawn(
                    (0..N)
                        .map(std::future::ready)
                        .collect::<FuturesUnordered<_>>()
                        .collect::<Vec<_>>(),
                ),
            )
            .unwrap()
        })
    });
    g.bench_function("tokio_joinset", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..N {
                    set.spawn(std::future::ready(i));
                }
                set.join_all().await
            }))
            .unwrap()
        })
    });
    g.finish();
}

fn gather_random_wake(c: &mut Criterion) {
    let mut g = c.benchmark_group("combinators/gather_10k_shuffled_wakes");
    let order = shuffled(N);
    let ex = corio_loop();
    g.bench_function("corio_gather", |b| {
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            ex.block_on(ex.spawn(async move {
                let _d = corio::spawn(driver!(txs));
                corio::gather(rxs.into_iter().map(recv)).await
            }))
            .unwrap()
        })
    });
    g.bench_function("futures_join_all", |b| {
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            ex.block_on(ex.spawn(async move {
                let _d = corio::spawn(driver!(txs));
                futures::future::join_all(rxs.into_iter().map(recv)).await
            }))
            .unwrap()
        })
    });
    g.bench_function("futures_unordered", |b| {
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            ex.block_on(ex.spawn(async move {
                let _d = corio::spawn(driver!(txs));
                rxs.into_iter()
                    .map(recv)
                    .collect::<FuturesUnordered<_>>()
                    .collect::<Vec<_>>()
                    .await
            }))
            .unwrap()
        })
    });
    g.bench_function("tokio_joinset", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            rt.block_on(rt.spawn(async move {
                let mut set = tokio::task::JoinSet::new();
                for rx in rxs {
                    set.spawn(recv(rx));
                }
                let _d = tokio::spawn(driver!(txs));
                set.join_all().await
            }))
            .unwrap()
        })
    });
    g.finish();
}

fn as_completed(c: &mut Criterion) {
    let mut g = c.benchmark_group("combinators/as_completed_10k_shuffled_wakes");
    let order = shuffled(N);
    let ex = corio_loop();
    g.bench_function("corio_as_completed", |b| {
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            ex.block_on(ex.spawn(async move {
                let _d = corio::spawn(driver!(txs));
                let mut s = corio::as_completed(rxs.into_iter().map(recv));
                let mut sum = 0;
                while let Some(v) = s.next().await {
                    sum += v;
                }
                sum
            }))
            .unwrap()
        })
    });
    g.bench_function("futures_unordered", |b| {
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            ex.block_on(ex.spawn(async move {
                let _d = corio::spawn(driver!(txs));
                let mut s: FuturesUnordered<_> = rxs.into_iter().map(recv).collect();
                let mut sum = 0;
                while let Some(v) = s.next().await {
                    sum += v;
                }
                sum
            }))
            .unwrap()
        })
    });
    g.bench_function("tokio_joinset", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            let (rxs, txs) = oneshots(&order);
            rt.block_on(rt.spawn(async move {
                let mut set = tokio::task::JoinSet::new();
                for rx in rxs {
                    set.spawn(recv(rx));
                }
                let _d = tokio::spawn(driver!(txs));
                let mut sum = 0;
                while let Some(v) = set.join_next().await {
                    sum += v.unwrap();
                }
                sum
            }))
            .unwrap()
        })
    });
    g.finish();
}

fn wait_for_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("combinators/wait_for_10k_ready");
    let d = Duration::from_secs(1);
    g.bench_function("corio_wait_for", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async move {
                let mut s = 0;
                for i in 0..N {
                    s += corio::wait_for(std::future::ready(i), d).await.unwrap();
                }
                s
            }))
            .unwrap()
        })
    });
    g.bench_function("tokio_timeout", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async move {
                let mut s = 0;
                for i in 0..N {
                    s += tokio::time::timeout(d, std::future::ready(i))
                        .await
                        .unwrap();
                }
                s
            }))
            .unwrap()
        })
    });
    g.bench_function("smol_or_timer", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(ex.spawn(async move {
                let mut s = 0;
                for i in 0..N {
                    // smol's documented idiom: the timer future is built only if the
                    // first one is pending.
                    s += futures_lite::FutureExt::or(
                        async { Ok(std::future::ready(i).await) },
                        async {
                            async_io::Timer::after(d).await;
                            Err(())
                        },
                    )
                    .await
                    .unwrap();
                }
                s
            })))
        })
    });
    g.finish();
}

fn task_group(c: &mut Criterion) {
    let mut g = c.benchmark_group("combinators/task_group_10k_children");
    g.bench_function("corio_task_group", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(corio::task_group(|tg| async move {
                let children: Vec<_> = (0..N)
                    .map(|i| tg.spawn(async move { Ok(i) }).unwrap())
                    .collect();
                let mut outputs = Vec::with_capacity(N);
                for child in children {
                    outputs.push(child.await.unwrap());
                }
                Ok::<_, ()>(outputs)
            })))
            .unwrap()
            .unwrap()
        })
    });
    g.bench_function("tokio_joinset", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..N {
                    set.spawn(async move { i });
                }
                let mut outputs = Vec::with_capacity(N);
                while let Some(r) = set.join_next().await {
                    outputs.push(r.unwrap());
                }
                outputs
            }))
            .unwrap()
        })
    });
    g.bench_function("smol_local_executor_join_all", |b| {
        // Shared with the task that spawns the children (smol's `spawn` needs the executor).
        let ex = std::rc::Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let ts: Vec<_> = (0..N).map(|i| inner.spawn(async move { i })).collect();
                futures::future::join_all(ts).await
            })))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = gather_ready, gather_random_wake, as_completed, wait_for_ready, task_group
}
criterion_main!(benches);
