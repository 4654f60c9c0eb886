//! gather, race, wait_for, as_completed and wait work under tokio's current-thread runtime
//! and smol: no corio executor involved (timers use corio-timer's fallback thread).

use std::time::Duration;

use corio_combinators::{
    ReturnWhen, as_completed, gather, gather_settled, race, select, try_gather, wait, wait_for,
};
use futures::StreamExt;

async fn workload() {
    let ms = |n: u64| Duration::from_millis(n);
    let out = gather([30u64, 10, 20].map(|n| async move {
        corio_timer::sleep(ms(n)).await;
        n
    }))
    .await;
    assert_eq!(out, vec![30, 10, 20]);

    let (a, b) = corio_combinators::gather!(async { 1 }, async {
        corio_timer::sleep(ms(5)).await;
        "b"
    })
    .await;
    assert_eq!((a, b), (1, "b"));

    assert_eq!(
        try_gather([Ok(1), Err("e")].map(std::future::ready)).await,
        Err("e")
    );
    assert_eq!(
        gather_settled([Ok(1), Err("e")].map(std::future::ready)).await,
        vec![Ok(1), Err("e")]
    );

    let r = race(
        async {
            corio_timer::sleep(ms(50)).await;
            "slow"
        },
        async {
            corio_timer::sleep(ms(5)).await;
            "fast"
        },
    )
    .await;
    assert_eq!(r, "fast");
    assert!(
        select(std::future::ready(1), std::future::pending::<()>())
            .await
            .is_left()
    );

    assert!(
        wait_for(std::future::pending::<()>(), ms(10))
            .await
            .is_err()
    );
    assert_eq!(wait_for(async { 3 }, ms(10)).await, Ok(3));

    let order: Vec<u64> = as_completed([20u64, 5, 10].map(|n| async move {
        corio_timer::sleep(ms(n)).await;
        n
    }))
    .collect()
    .await;
    assert_eq!(order, vec![5, 10, 20]);

    let (done, pending) = wait(
        [
            Box::pin(corio_timer::sleep(ms(5))),
            Box::pin(corio_timer::sleep(ms(10_000))),
        ],
        ReturnWhen::FirstCompleted,
    )
    .await;
    assert_eq!((done.len(), pending.len()), (1, 1));

    // Many children with tokio's / smol's own wakers.
    let n = gather((0..10_000).map(|i| async move {
        if i % 2 == 0 {
            corio_timer::sleep(ms(1)).await;
        }
        1
    }))
    .await
    .len();
    assert_eq!(n, 10_000);
}

#[test]
fn under_tokio_current_thread() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(workload());
}

#[test]
fn under_smol() {
    smol::block_on(workload());
}

#[test]
fn under_futures_executor() {
    futures::executor::block_on(workload());
}

// Tokio's cooperative budget under a gather of many tokio-aware children: the gather drains
// the woken list once per poll, so children that ran out of budget are not spun on.
#[test]
fn tokio_coop_budget_is_not_quadratic() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    rt.block_on(async {
        let futs = (0..20_000).map(|_| async {
            let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
            tx.send(1).unwrap();
            rx.await.unwrap()
        });
        assert_eq!(gather(futs).await.len(), 20_000);
    });
    assert!(start.elapsed() < Duration::from_secs(20));
}
