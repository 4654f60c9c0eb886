//! Two tasks pass a message back and forth 10 000 times: the latency of waking another
//! task and getting its answer, the heart of every request/response program.
//!
//! Every runtime uses the same channel (async-channel, capacity 1), so the difference
//! is the executor's wake-up and scheduling path.
//!
//! Each runtime as its users get it: corio's loop with its timer and reactor (the loop
//! `corio::run` builds), tokio's current-thread runtime with its drivers (as
//! `#[tokio::main(flavor = "current_thread")]` builds it), async-executor's `LocalExecutor`
//! under `async_io::block_on` (smol's `block_on`, with async-io's reactor), and futures'
//! `LocalPool` (which has no timer or reactor to add).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use futures::task::LocalSpawnExt;

const ROUND_TRIPS: usize = 10_000;

async fn ponger(rx: async_channel::Receiver<u32>, tx: async_channel::Sender<u32>) {
    while let Ok(v) = rx.recv().await {
        if tx.send(v + 1).await.is_err() {
            break;
        }
    }
}

async fn pinger(tx: async_channel::Sender<u32>, rx: async_channel::Receiver<u32>) -> u32 {
    let mut v = 0;
    for _ in 0..ROUND_TRIPS {
        tx.send(v).await.unwrap();
        v = rx.recv().await.unwrap();
    }
    v
}

type Pipe = (async_channel::Sender<u32>, async_channel::Receiver<u32>);

fn channels() -> (Pipe, Pipe) {
    (async_channel::bounded(1), async_channel::bounded(1))
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("executor/ping_pong_10k");

    g.bench_function("corio", |b| {
        let ex = corio_benches::corio_loop();
        b.iter(|| {
            ex.block_on(async {
                let ((tx1, rx1), (tx2, rx2)) = channels();
                let pong = corio::spawn(ponger(rx1, tx2));
                let v = corio::spawn(pinger(tx1, rx2)).await.unwrap();
                pong.await.unwrap();
                v
            })
        })
    });

    g.bench_function("tokio_current_thread", |b| {
        let rt = corio_benches::tokio_current_thread();
        b.iter(|| {
            rt.block_on(async {
                let ((tx1, rx1), (tx2, rx2)) = channels();
                let pong = tokio::spawn(ponger(rx1, tx2));
                let v = tokio::spawn(pinger(tx1, rx2)).await.unwrap();
                pong.await.unwrap();
                v
            })
        })
    });

    g.bench_function("async_executor_local", |b| {
        let ex = async_executor::LocalExecutor::new();
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let ((tx1, rx1), (tx2, rx2)) = channels();
                let pong = ex.spawn(ponger(rx1, tx2));
                let v = ex.spawn(pinger(tx1, rx2)).await;
                pong.await;
                v
            }))
        })
    });

    g.bench_function("futures_local_pool", |b| {
        let mut pool = futures::executor::LocalPool::new();
        let spawner = pool.spawner();
        b.iter(|| {
            pool.run_until(async {
                let ((tx1, rx1), (tx2, rx2)) = channels();
                let pong = spawner.spawn_local_with_handle(ponger(rx1, tx2)).unwrap();
                let v = spawner
                    .spawn_local_with_handle(pinger(tx1, rx2))
                    .unwrap()
                    .await;
                pong.await;
                v
            })
        })
    });

    g.finish();
}

criterion_group! { name = benches; config = corio_benches::criterion(); targets = ping_pong }
criterion_main!(benches);
