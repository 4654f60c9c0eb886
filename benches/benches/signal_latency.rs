//! Latency from a signal sent (`kill(getpid(), SIGUSR1)`) to the listening task woken
//! with it, 1 000 signals one after the other on one listener: corio's `Signals` (a
//! socket pair written by the handler, read on the loop's reactor) beside tokio::signal
//! (current-thread runtime) and async-signal (smol's, under `smol::block_on`).
//!
//! tokio and async-signal run first: a library that registers a signal after corio did
//! would meet corio's "default action when no corio listener is alive" rule (see
//! corio-signal's crate docs); registered before, corio leaves the signal to them.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use rustix::process::{Signal, getpid, kill_process};

const SIGNALS: usize = 1_000;

fn raise_usr1() {
    kill_process(getpid(), Signal::USR1).unwrap();
}

fn latency(c: &mut Criterion) {
    let mut g = c.benchmark_group("signal/latency_1000_sigusr1");
    g.throughput(criterion::Throughput::Elements(SIGNALS as u64));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut s =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined1())
                        .unwrap();
                for _ in 0..SIGNALS {
                    raise_usr1();
                    s.recv().await.unwrap();
                }
            })
        })
    });

    g.bench_function("async-signal", |b| {
        b.iter(|| {
            smol::block_on(async {
                let mut s = async_signal::Signals::new([async_signal::Signal::Usr1]).unwrap();
                for _ in 0..SIGNALS {
                    raise_usr1();
                    s.next().await.unwrap().unwrap();
                }
            })
        })
    });

    let corio_loop = corio::Builder::new().build_local();
    g.bench_function("corio", |b| {
        b.iter(|| {
            corio_loop.block_on(async {
                let mut s = corio::signal::Signals::new([corio::signal::SIGUSR1]).unwrap();
                for _ in 0..SIGNALS {
                    raise_usr1();
                    s.recv().await.unwrap();
                }
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = latency
}
criterion_main!(benches);
