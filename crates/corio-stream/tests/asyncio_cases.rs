//! The AI- cases of ASYNCIO_CASES.md (§1.17), ported from CPython's asyncio tests.

mod common;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use common::DropCounter;
use corio_stream::{StreamExt, from_queue, generate_send, iter};
use corio_sync::Queue;

/// AI-01, after CPython test_pep492 (the async-for basics: CoroutineTest.test_for_1 and
/// its siblings): `async for` over an async iterator yields the items in order and
/// terminates at end-of-stream.
#[test]
fn ai_01_async_for_yields_in_order_and_terminates_test_pep492() {
    corio_executor::run(async {
        // An async generator, as `async def agen(): for i in range(5): yield i`.
        let mut s = pin!(generate_send(|co| async move {
            for i in 0..5 {
                corio_executor::yield_now().await;
                co.yield_(i).await;
            }
        }));
        let mut seen = Vec::new();
        while let Some(x) = s.next().await {
            seen.push(x);
        }
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        // Exhausted: it stays ended (StopAsyncIteration again).
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);

        // A plain async iterator (a source, no generator) behaves the same.
        let mut it = iter(["a", "b"]);
        assert_eq!(it.next().await, Some("a"));
        assert_eq!(it.next().await, Some("b"));
        assert_eq!(it.next().await, None);
    });
}

/// AI-02, after CPython test_runners' test_asyncio_run_closes_gens_after_hanging_tasks_errors
/// (and PEP 525's aclose): breaking out of `async for` runs the iterator's cleanup
/// exactly once, and the body after the `break` point never runs.
#[test]
fn ai_02_break_runs_cleanup_exactly_once_test_asyncio_run_closes_gens_after_hanging_tasks_errors() {
    let drops = DropCounter::default();
    let after_break = Rc::new(Cell::new(false));
    corio_executor::run(async {
        let probe = drops.probe();
        let after = after_break.clone();
        let mut s = pin!(generate_send(|co| async move {
            let _finally = probe; // `try: ... finally:` in the generator
            for i in 0.. {
                co.yield_(i).await;
            }
            after.set(true);
        }));
        while let Some(x) = s.next().await {
            if x == 2 {
                break;
            }
        }
        // Still suspended at the yield: no cleanup yet (the stream is alive).
        assert_eq!(drops.get(), 0);
    }); // the pinned stream goes out of scope: aclose
    assert_eq!(drops.get(), 1);
    assert!(!after_break.get());

    // And at shutdown: a generator held by a task still pending when `run` returns is
    // finalised (dropped) exactly once (EX-06's side of the same CPython test).
    let drops = DropCounter::default();
    corio_executor::run(async {
        let probe = drops.probe();
        let _hanging = corio_executor::spawn(async move {
            let mut s = pin!(generate_send(|co| async move {
                let _finally = probe;
                co.yield_(1).await;
                std::future::pending::<()>().await;
            }));
            while s.next().await.is_some() {}
        });
        corio_executor::yield_now().await;
        corio_executor::yield_now().await;
    });
    assert_eq!(drops.get(), 1);
}

/// AI-03, derived from QU-14 (CPython test_queues'
/// test_get_cancel_drop_one_pending_reader): a queue consumed as an async iterator;
/// cancelling the consumer between items loses no item.
#[test]
fn ai_03_cancelled_queue_consumer_loses_no_item_test_get_cancel_drop_one_pending_reader() {
    let ex = common::paused();
    ex.run(async {
        let q = Arc::new(Queue::new(0));
        // Consumer A waits on an empty queue through the stream adapter, then is
        // cancelled after the item it was woken for was reserved for it.
        let mut a = corio_executor::spawn({
            let q = q.clone();
            async move {
                let mut s = from_queue(&q);
                s.next().await
            }
        });
        corio_executor::yield_now().await; // A is now waiting in the queue's line
        q.put_nowait(1).unwrap(); // reserves 1 for A and wakes it...
        drop(a.cancel()); // ...but A is cancelled before it runs
        let _ = a.await;
        // A retried consumer gets 1, not a later item: nothing was lost.
        q.put_nowait(2).unwrap();
        let mut s = from_queue(&q);
        assert_eq!(s.next().await, Some(1));
        assert_eq!(s.next().await, Some(2));
    });

    // Cancelling a pending `next()` (dropping it) keeps the stream's place: the item
    // reserved for it is returned by the following `next()`.
    let ex = common::paused();
    ex.run(async {
        let q = Queue::new(0);
        let mut s = from_queue(&q);
        let r = corio_timer::timeout(Duration::from_millis(5), s.next()).await;
        assert!(r.is_err());
        q.put_nowait(10).unwrap();
        q.put_nowait(11).unwrap();
        assert_eq!(s.next().await, Some(10));
        // Shutdown: the queued item drains, then the stream ends.
        q.shutdown(false);
        assert_eq!(s.next().await, Some(11));
        assert_eq!(s.next().await, None);
    });
}

/// AI-03, stress form: a consumer cancelled at random points between and during items
/// of a queue stream, restarted each time; every item comes out exactly once, in order.
#[test]
fn ai_03_stress_random_cancellation_keeps_exact_accounting() {
    let n: u32 = if cfg!(miri) { 50 } else { 2000 };
    let ex = common::paused();
    ex.run(async move {
        let q = Arc::new(Queue::new(4));
        let producer = corio_executor::spawn({
            let q = q.clone();
            async move {
                for i in 0..n {
                    q.put(i).await.unwrap();
                    if i % 3 == 0 {
                        corio_executor::yield_now().await;
                    }
                }
                q.shutdown(false);
            }
        });
        let mut got = Vec::new();
        let mut round = 0u64;
        loop {
            round += 1;
            let mut s = from_queue(&q);
            // Each consumer lives a pseudo-random short while, then is dropped.
            let budget = Duration::from_micros(round * 7919 % 3000);
            let r = corio_timer::timeout(budget, async {
                while let Some(x) = s.next().await {
                    got.push(x);
                }
            })
            .await;
            if r.is_ok() {
                break;
            }
        }
        producer.await.unwrap();
        assert_eq!(got, (0..n).collect::<Vec<_>>());
    });
}
