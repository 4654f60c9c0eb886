//! Spawn-and-wait of 1 000 `true` processes, all started at once and then awaited: corio's
//! `corio::process` (a pidfd per child on the loop's reactor) beside tokio::process
//! (current-thread runtime; SIGCHLD plus pidfd reaping) and async-process (smol's; a
//! SIGCHLD-driven reaper). fork/exec dominates; what differs is how each runtime learns
//! of the exits and how much it costs per child to watch one.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{Criterion, criterion_group, criterion_main};

const CHILDREN: usize = 1_000;

fn spawn_and_wait(c: &mut Criterion) {
    let mut g = c.benchmark_group("process/spawn_wait_1000_true");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(10));

    let corio_loop = corio::Builder::new().build_local();
    g.bench_function("corio", |b| {
        b.iter(|| {
            corio_loop.block_on(async {
                let mut children: Vec<_> = (0..CHILDREN)
                    .map(|_| corio::process::Command::new("true").spawn().unwrap())
                    .collect();
                for c in &mut children {
                    assert!(c.wait().await.unwrap().success());
                }
            })
        })
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut children: Vec<_> = (0..CHILDREN)
                    .map(|_| tokio::process::Command::new("true").spawn().unwrap())
                    .collect();
                for c in &mut children {
                    assert!(c.wait().await.unwrap().success());
                }
            })
        })
    });

    g.bench_function("async-process", |b| {
        b.iter(|| {
            smol::block_on(async {
                let mut children: Vec<_> = (0..CHILDREN)
                    .map(|_| smol::process::Command::new("true").spawn().unwrap())
                    .collect();
                for c in &mut children {
                    assert!(c.status().await.unwrap().success());
                }
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = spawn_and_wait
}
criterion_main!(benches);
