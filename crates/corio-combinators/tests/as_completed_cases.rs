//! CPython test_tasks.py as_completed tests (ASYNCIO_CASES.md 1.13, AC-01..AC-07).

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use corio_combinators::{as_completed, as_completed_timeout};
use corio_core::Elapsed;
use futures::{FutureExt, StreamExt};

async fn after(s: u64, v: &'static str) -> &'static str {
    sleep_secs(s).await;
    v
}

// AC-01, test_as_completed: yields in completion order: a and b first, c last.
#[test]
fn ac_01_completion_order_test_as_completed() {
    paused(async {
        let start = now();
        let mut s = as_completed([after(3, "c"), after(1, "a"), after(1, "b")]);
        let first_two = [s.next().await.unwrap(), s.next().await.unwrap()];
        assert!(first_two.contains(&"a") && first_two.contains(&"b"));
        assert_eq!(now() - start, secs(1));
        assert_eq!(s.next().await, Some("c"));
        assert_eq!(s.next().await, None);
        assert_eq!(now() - start, secs(3));
    });
}

// AC-02, test_as_completed_with_timeout: completed results first, then the timeout.
// diverges: D9 — one Err(Elapsed) ends the stream and the remaining futures are dropped
// with it; asyncio raises TimeoutError from every remaining placeholder.
#[test]
fn ac_02_timeout_after_completed_results_test_as_completed_with_timeout() {
    paused(async {
        let start = now();
        let out: Vec<_> = as_completed_timeout([after(1, "a"), after(10, "b")], secs(5))
            .collect()
            .await;
        assert_eq!(out, vec![Ok("a"), Err(Elapsed::new())]);
        assert_eq!(now() - start, secs(5));
    });
}

// AC-03, test_as_completed_with_unused_timeout: a timeout that never fires is no error.
#[test]
fn ac_03_unused_timeout_test_as_completed_with_unused_timeout() {
    paused(async {
        let out: Vec<_> = as_completed_timeout([after(1, "a")], secs(10))
            .collect()
            .await;
        assert_eq!(out, vec![Ok("a")]);
    });
}

// AC-04, test_as_completed_reverse_wait: asyncio hands out placeholder futures that may be
// awaited out of order. A Rust Stream yields outputs one at a time, so there is no
// placeholder to await out of order.
#[test]
#[ignore = "no placeholders: as_completed is a Stream whose items arrive one at a time"]
fn ac_04_placeholders_out_of_order_test_as_completed_reverse_wait() {}

// AC-05, test_as_completed_concurrent: the placeholders awaited concurrently give the
// complete set. Rust equivalent: the stream polled concurrently with other work through
// `gather` of its `next()`s is impossible (one &mut), but collecting it yields every output.
#[test]
fn ac_05_complete_set_of_results_test_as_completed_concurrent() {
    paused(async {
        let mut out: Vec<_> = as_completed([after(1, "a"), after(1, "b")]).collect().await;
        out.sort();
        assert_eq!(out, vec!["a", "b"]);
    });
}

// AC-06, test_as_completed_duplicate_coroutines: asyncio de-duplicates [c, c, d] into two
// results. Rust: futures have no identity; clones of a `Shared` each yield, the work runs
// once.
#[test]
fn ac_06_duplicates_run_once_test_as_completed_duplicate_coroutines() {
    paused(async {
        let runs = Rc::new(Cell::new(0));
        let r = runs.clone();
        let c = async move {
            r.set(r.get() + 1);
            "a"
        }
        .boxed_local()
        .shared();
        let d = async { "b" }.boxed_local().shared();
        let mut out: Vec<_> = as_completed([c.clone(), c, d]).collect().await;
        out.sort();
        assert_eq!(out, vec!["a", "a", "b"]);
        assert_eq!(runs.get(), 1);
    });
}

// AC-07, Rust extension: dropping the stream early drops the futures it owns (decision 9);
// Task handles detach and their tasks run on.
#[test]
fn ac_07_dropping_stream_drops_owned_futures_rust_extension() {
    paused(async {
        let dropped = DropCounter::new();
        let futs: Vec<_> = (1..=3u64)
            .map(|i| {
                let p = dropped.probe();
                async move {
                    let _p = p;
                    sleep_secs(i).await;
                }
            })
            .collect();
        let mut s = as_completed(futs);
        s.next().await;
        assert_eq!(dropped.get(), 1);
        drop(s);
        assert_eq!(dropped.get(), 3);

        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        let task = corio_executor::spawn(async move {
            sleep_secs(1).await;
            r.set(true);
        });
        drop(as_completed([task]));
        sleep_secs(2).await;
        assert!(ran.get()); // the detached task finished
    });
}

// Many children through as_completed: every output, each child polled a bounded number of
// times.
#[test]
fn as_completed_many_children_linear() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let polls = Arc::new(AtomicUsize::new(0));
    let n = 50_000;
    let total: usize = corio_executor::run(
        as_completed((0..n).map(|_| Counted {
            polls: polls.clone(),
            remaining: 1,
        }))
        .fold(0, |a, b| async move { a + b }),
    );
    assert_eq!(total, n);
    assert!(polls.load(Ordering::Relaxed) < 3 * n);
}
