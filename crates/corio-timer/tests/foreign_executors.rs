//! Timers outside any corio loop: the lazily started fallback timer thread.

use std::time::{Duration, Instant};

use corio_timer::{TimerHandle, interval, sleep, sleep_until, timeout};

const MS: Duration = Duration::from_millis(1);

#[test]
fn sleep_under_tokio_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let start = Instant::now();
    rt.block_on(async {
        sleep(20 * MS).await;
        let set: Vec<_> = (0..100u32)
            .map(|i| tokio::spawn(sleep(i % 10 * MS)))
            .collect();
        for t in set {
            t.await.unwrap();
        }
        assert!(
            timeout(5 * MS, sleep(Duration::from_secs(60)))
                .await
                .is_err()
        );
    });
    assert!(start.elapsed() >= 20 * MS);
    assert!(TimerHandle::try_current().is_none());
}

#[test]
fn sleep_under_tokio_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let set: Vec<_> = (0..200u32)
            .map(|i| tokio::spawn(async move { sleep(i % 20 * MS).await }))
            .collect();
        for t in set {
            t.await.unwrap();
        }
    });
}

#[test]
fn sleep_under_smol() {
    let start = Instant::now();
    smol::block_on(async {
        sleep(20 * MS).await;
        let ex = smol::LocalExecutor::new();
        let tasks: Vec<_> = (0..50u32).map(|i| ex.spawn(sleep(i % 5 * MS))).collect();
        ex.run(async {
            for t in tasks {
                t.await;
            }
        })
        .await;
        let mut iv = interval(2 * MS);
        for _ in 0..3 {
            iv.tick().await;
        }
    });
    assert!(start.elapsed() >= 20 * MS);
}

#[test]
fn sleep_under_futures_executor() {
    let start = Instant::now();
    futures::executor::block_on(async {
        sleep(20 * MS).await;
        let deadline = Instant::now() + 5 * MS;
        sleep_until(deadline).await;
        assert!(Instant::now() >= deadline);
        futures::future::join_all((0..100u32).map(|i| sleep(i % 7 * MS))).await;
    });
    assert!(start.elapsed() >= 25 * MS);
}

#[test]
fn fallback_from_many_threads() {
    let threads: Vec<_> = (0..4u32)
        .map(|i| {
            std::thread::spawn(move || {
                for j in 0..20u32 {
                    futures::executor::block_on(sleep((i + j) % 3 * MS));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
