//! The generators and adapters under tokio's current_thread runtime and under smol: no
//! corio loop, so the timers use corio-timer's fallback thread and there is no corio
//! budget.

use std::pin::pin;
use std::time::Duration;

use corio_stream::{StreamExt, generate_send, iter, try_generate_send};

async fn exercise() {
    // A generator with real sleeps between yields.
    let g = generate_send(|co| async move {
        for i in 0..5u64 {
            corio_timer::sleep(Duration::from_millis(1)).await;
            co.yield_(i).await;
        }
    });
    let v: Vec<u64> = g.map(|x| x * 2).filter(|x| *x != 4).collect().await;
    assert_eq!(v, [0, 2, 6, 8]);

    // try_generate ends at the error.
    let t: Vec<Result<u8, &str>> = try_generate_send(|co| async move {
        co.yield_(1).await;
        Err("x")
    })
    .collect()
    .await;
    assert_eq!(t, [Ok(1), Err("x")]);

    // Ordered and unordered concurrency.
    let ordered: Vec<u64> = iter([5u64, 1, 3])
        .map(|ms| async move {
            corio_timer::sleep(Duration::from_millis(ms)).await;
            ms
        })
        .buffered(3)
        .collect()
        .await;
    assert_eq!(ordered, [5, 1, 3]);
    let mut unordered: Vec<u64> = iter(0..100u64)
        .map(|i| async move { i })
        .buffer_unordered(7)
        .collect()
        .await;
    unordered.sort();
    assert_eq!(unordered, (0..100).collect::<Vec<_>>());

    let count = std::cell::Cell::new(0);
    iter(0..20)
        .for_each_concurrent(4, |_| {
            let count = &count;
            async move {
                corio_timer::sleep(Duration::from_millis(1)).await;
                count.set(count.get() + 1);
            }
        })
        .await;
    assert_eq!(count.get(), 20);

    // Time-aware adapters on the real clock (loose bounds).
    let batches: Vec<Vec<i32>> = iter(0..5)
        .chunks_timeout(2, Duration::from_secs(5))
        .collect()
        .await;
    assert_eq!(batches, [vec![0, 1], vec![2, 3], vec![4]]);
    let start = std::time::Instant::now();
    let v: Vec<i32> = iter(0..3)
        .throttle(Duration::from_millis(10))
        .collect()
        .await;
    assert_eq!(v, [0, 1, 2]);
    assert!(start.elapsed() >= Duration::from_millis(20));
    let slow = generate_send(|co| async move {
        corio_timer::sleep(Duration::from_millis(200)).await;
        co.yield_(1).await;
    });
    let mut s = pin!(slow.timeout(Duration::from_millis(20)));
    assert!(s.next().await.unwrap().is_err());

    // Sources and combinators.
    let z: Vec<_> = iter(0..3)
        .zip(iter("abc".chars()))
        .enumerate()
        .collect()
        .await;
    assert_eq!(z, [(0, (0, 'a')), (1, (1, 'b')), (2, (2, 'c'))]);
    let m: Vec<_> = iter([1, 3]).merge(iter([2, 4])).collect().await;
    assert_eq!(m, [1, 2, 3, 4]);
    let f: Vec<_> = iter([iter(vec![1]), iter(vec![2, 3])])
        .flatten()
        .skip(1)
        .take(5)
        .collect()
        .await;
    assert_eq!(f, [2, 3]);
    let c: Vec<_> = iter(0..5).chunks(2).collect().await;
    assert_eq!(c.len(), 3);
    let ticks: Vec<_> = corio_stream::interval_stream(Duration::from_millis(2))
        .take(3)
        .collect()
        .await;
    assert_eq!(ticks.len(), 3);
    let u: Vec<_> = corio_stream::unfold(0, |n| async move { (n < 3).then_some((n, n + 1)) })
        .take_while(|x| *x < 2)
        .collect()
        .await;
    assert_eq!(u, [0, 1]);
    assert_eq!(iter(1..=4).fold(0, |a, x| a + x).await, 10);
}

#[test]
fn under_tokio_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(exercise());
}

#[test]
fn under_tokio_spawned_on_a_multi_thread_runtime() {
    // Generators and adapters are Send when their parts are.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let n = rt
        .block_on(rt.spawn(async {
            let g = generate_send(|co| async move {
                for i in 0..100u32 {
                    tokio::task::yield_now().await;
                    co.yield_(i).await;
                }
            });
            g.map(|i| async move { i })
                .buffer_unordered(10)
                .fold(0u32, |a, _| a + 1)
                .await
        }))
        .unwrap();
    assert_eq!(n, 100);
}

#[test]
fn under_smol() {
    smol::block_on(exercise());
}

#[test]
fn under_smol_executor_with_spawned_generator() {
    let ex = smol::LocalExecutor::new();
    let v = smol::block_on(ex.run(async {
        ex.spawn(async {
            generate_send(|co| async move {
                for i in 0..3 {
                    smol::Timer::after(Duration::from_millis(1)).await;
                    co.yield_(i).await;
                }
            })
            .collect::<Vec<_>>()
            .await
        })
        .await
    }));
    assert_eq!(v, [0, 1, 2]);
}

#[test]
fn under_futures_block_on() {
    futures::executor::block_on(exercise());
}
