//! CPython test_tasks.py wait tests (ASYNCIO_CASES.md 1.12, WT-01..WT-09).

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use corio_combinators::{ReturnWhen, wait, wait_first_err, wait_timeout};
use corio_executor::{Task, spawn, yield_now};
use futures::FutureExt;

fn sleeper(s: u64, v: i32) -> Task<i32> {
    spawn(async move {
        sleep_secs(s).await;
        v
    })
}

// WT-01, test_wait / test_wait_with_iterator_of_tasks: ALL_COMPLETED gives done = all,
// pending = none; any iterator is accepted.
#[test]
fn wt_01_all_completed_test_wait_with_iterator_of_tasks() {
    paused(async {
        let start = now();
        let tasks = (1..=3).map(|i| sleeper(i, i as i32));
        let (done, pending) = wait(tasks, ReturnWhen::AllCompleted).await;
        assert!(pending.is_empty());
        let mut vals: Vec<_> = done.into_iter().map(|(_, r)| r.unwrap()).collect();
        vals.sort();
        assert_eq!(vals, vec![1, 2, 3]);
        assert_eq!(now() - start, secs(3));
    });
}

// WT-02, test_wait_first_completed: returns after the first completion; the pending tasks
// are neither cancelled nor disturbed.
#[test]
fn wt_02_first_completed_leaves_pending_running_test_wait_first_completed() {
    paused(async {
        let (done, pending) =
            wait([sleeper(10, 1), sleeper(1, 2)], ReturnWhen::FirstCompleted).await;
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].0, 1);
        assert_eq!(pending.len(), 1);
        assert!(!pending[0].is_finished());
        let (rest, _) = wait(pending, ReturnWhen::AllCompleted).await;
        assert_eq!(*rest[0].1.as_ref().unwrap(), 1); // it ran to completion
    });
}

// WT-03, test_wait_really_done: the FIRST_COMPLETED done set holds every task that had
// finished by the time it returns.
#[test]
fn wt_03_first_completed_includes_all_finished_test_wait_really_done() {
    paused(async {
        let a = spawn(async {});
        let b = spawn(async {});
        let c = spawn(std::future::pending::<()>());
        yield_until(|| a.is_finished() && b.is_finished()).await;
        let (done, pending) = wait([a, b, c], ReturnWhen::FirstCompleted).await;
        assert_eq!(done.len(), 2);
        assert_eq!(pending.len(), 1);
        pending.into_iter().for_each(|t| t.abort());
    });
}

// WT-04, test_wait_first_exception / test_wait_first_exception_in_wait: FIRST_EXCEPTION
// returns at the first error, at once if one had already failed.
#[test]
fn wt_04_first_exception_test_wait_first_exception() {
    paused(async {
        let start = now();
        let ok = spawn(async {
            sleep_secs(10).await;
            Ok::<_, &str>(1)
        });
        let bad = spawn(async {
            sleep_secs(2).await;
            Err("boom")
        });
        let (done, pending) = wait([ok, bad], ReturnWhen::FirstException)
            .failure_if(|r| !matches!(r, Ok(Ok(_))))
            .await;
        assert_eq!(now() - start, secs(2));
        assert_eq!(done.len(), 1);
        assert_eq!(*done[0].1.as_ref().unwrap(), Err("boom"));
        assert_eq!(pending.len(), 1);

        // Already failed: returns at once.
        let failed = spawn(async { Err::<i32, _>("early") });
        yield_now().await;
        let t0 = now();
        let (done, pending) = wait(
            [failed, spawn(std::future::pending())],
            ReturnWhen::FirstException,
        )
        .failure_if(|r| !matches!(r, Ok(Ok(_))))
        .await;
        assert_eq!(now(), t0);
        assert_eq!((done.len(), pending.len()), (1, 1));
        pending[0].abort();

        // No failure at all: behaves like ALL_COMPLETED.
        let (done, pending) = wait(
            [spawn(async { Ok::<_, ()>(1) }), spawn(async { Ok(2) })],
            ReturnWhen::FirstException,
        )
        .await;
        assert_eq!((done.len(), pending.len()), (2, 0));
    });
}

// WT-04, test_wait_first_exception: tasks fail the Rust way, by returning Err (the task
// handle's output is Result<Result<T, E>, JoinError>): wait_first_err returns at the first
// such Err, the still-running task pending and untouched.
#[test]
fn wt_04_first_err_returned_by_a_task_test_wait_first_exception() {
    paused(async {
        let start = now();
        let slow = spawn(async {
            sleep_secs(10).await;
            Ok::<_, &str>("slow")
        });
        let bad = spawn(async {
            sleep_secs(1).await;
            Err::<&str, _>("ZeroDivisionError")
        });
        let (done, pending) = wait_first_err([slow, bad]).await;
        assert_eq!(now() - start, secs(1));
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].0, 1);
        assert_eq!(done[0].1.as_ref().unwrap(), &Err("ZeroDivisionError"));
        assert_eq!(pending.len(), 1);
        let slow = pending.into_iter().next().unwrap();
        assert_eq!(slow.await.unwrap(), Ok("slow")); // not cancelled
    });
}

// WT-05, test_wait_with_exception: errors never make wait fail; failed tasks are in done.
#[test]
fn wt_05_errors_sit_in_done_test_wait_with_exception() {
    paused(async {
        let bad = spawn(async {
            sleep_secs(1).await;
            panic!("zero division");
        });
        let ok = spawn(async {
            sleep_secs(2).await;
        });
        let (done, pending) = wait([bad, ok], ReturnWhen::AllCompleted).await;
        assert!(pending.is_empty());
        assert_eq!(done.len(), 2);
        assert!(
            done.iter()
                .any(|(i, r)| *i == 0 && r.as_ref().unwrap_err().is_panic())
        );
    });
}

// WT-06, test_wait_with_timeout / test_wait_concurrent_complete: a timeout returns a
// partial (done, pending) with no error and without cancelling the pending tasks.
#[test]
fn wt_06_timeout_partial_without_cancelling_test_wait_with_timeout() {
    paused(async {
        let start = now();
        let (done, pending) = wait_timeout(
            [sleeper(1, 1), sleeper(10, 2)],
            ReturnWhen::AllCompleted,
            secs(5),
        )
        .await;
        assert_eq!(now() - start, secs(5));
        assert_eq!(done.len(), 1);
        assert_eq!(pending.len(), 1);
        let t = pending.into_iter().next().unwrap();
        assert_eq!(t.await.unwrap(), 2); // not cancelled

        // test_wait_concurrent_complete: one completes by the timeout, one does not; a
        // completion at the very instant of the timeout counts as done (children are
        // polled before the timer).
        let (done, pending) = wait_timeout(
            [Box::pin(sleep_secs(1)), Box::pin(sleep_secs(2))],
            ReturnWhen::AllCompleted,
            secs(1),
        )
        .await;
        assert_eq!((done.len(), pending.len()), (1, 1));
    });
}

// WT-07, test_wait_errors: asyncio raises ValueError for an empty set or an invalid
// return_when.
// diverges: no decision — an invalid return_when cannot be written (an enum), and an empty
// set is not an error: it returns (∅, ∅) at once, like gather([]).
#[test]
fn wt_07_empty_set_returns_at_once_test_wait_errors() {
    let (done, pending) =
        futures::executor::block_on(wait(Vec::<Task<()>>::new(), ReturnWhen::FirstCompleted));
    assert!(done.is_empty() && pending.is_empty());
}

// WT-08, test_wait_duplicate_coroutines: asyncio de-duplicates. Rust has no identity for
// futures: the same one cannot be passed twice; clones of a `Shared` are separate entries
// that run the work once.
#[test]
fn wt_08_duplicates_run_once_test_wait_duplicate_coroutines() {
    paused(async {
        let runs = Rc::new(Cell::new(0));
        let r = runs.clone();
        let c = async move {
            r.set(r.get() + 1);
            Ok::<_, ()>("test")
        }
        .boxed_local()
        .shared();
        let (done, pending) = wait([c.clone(), c], ReturnWhen::AllCompleted).await;
        assert_eq!(done.len(), 2);
        assert!(pending.is_empty());
        assert_eq!(runs.get(), 1);
    });
}

// WT-09, test_yield_wait_does_not_shield_cancel: cancelling the caller of wait does not
// cancel the waited tasks (decision 9: handles detach); proof == 1.
#[test]
fn wt_09_cancelling_waiter_leaves_tasks_running_test_yield_wait_does_not_shield_cancel() {
    paused(async {
        let proof = Rc::new(Cell::new(0));
        let p = proof.clone();
        let inner = spawn(async move {
            sleep_secs(1).await;
            p.set(p.get() + 1);
        });
        let mut outer = spawn(async move { wait([inner], ReturnWhen::AllCompleted).await });
        yield_now().await;
        assert!(outer.cancel().await);
        sleep_secs(2).await;
        assert_eq!(proof.get(), 1);
    });
}

// Dropping a wait early drops the plain futures it owns (decision 9).
#[test]
fn wait_dropped_drops_plain_futures() {
    paused(async {
        let dropped = DropCounter::new();
        let futs: Vec<_> = (0..3)
            .map(|_| {
                let p = dropped.probe();
                async move {
                    let _p = p;
                    std::future::pending::<()>().await
                }
                .boxed_local()
            })
            .collect();
        let w = wait(futs, ReturnWhen::AllCompleted);
        assert!(corio_combinators::wait_for(w, secs(1)).await.is_err());
        assert_eq!(dropped.get(), 3);
    });
}
