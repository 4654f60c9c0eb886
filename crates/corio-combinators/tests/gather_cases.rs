//! CPython test_tasks.py GatherTestsBase / CoroutineGatherTests / FutureGatherTests
//! (ASYNCIO_CASES.md 1.11, GA-01..GA-13), plus the linear-time and budget guarantees.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use corio_combinators::{gather, gather_settled, try_gather, wait_for};
use corio_core::JoinError;
use corio_executor::{spawn, yield_now};
use futures::FutureExt;

// GA-01, test_success: results come back in argument order whatever the completion order.
#[test]
fn ga_01_results_in_argument_order_test_success() {
    paused(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let futs = [(1, 2), (2, 1), (3, 3)].map(|(v, delay)| {
            let order = order.clone();
            async move {
                sleep_secs(delay).await;
                order.borrow_mut().push(v);
                v
            }
        });
        assert_eq!(gather(futs).await, vec![1, 2, 3]);
        assert_eq!(*order.borrow(), vec![2, 1, 3]); // completion order differed
    });
}

// GA-02, test_success: gather is not done until every child is done.
#[test]
fn ga_02_not_done_until_every_child_done_test_success() {
    paused(async {
        let start = now();
        let mut g = Box::pin(gather([1u64, 5, 3].map(|s| async move {
            sleep_secs(s).await;
            s
        })));
        assert!(wait_for(g.as_mut(), secs(4)).await.is_err()); // 5 s child still running
        assert_eq!(g.pending(), 1);
        assert_eq!(g.await, vec![1, 5, 3]);
        assert_eq!(now() - start, secs(5));
    });
}

// GA-03, test_one_exception: without return_exceptions the first error completes the gather
// at once. Decision 3: the remaining children are dropped (asyncio lets them run on).
#[test]
fn ga_03_first_error_returns_at_once_rest_dropped_test_one_exception() {
    paused(async {
        let dropped = DropCounter::new();
        let finished = Rc::new(Cell::new(0));
        let start = now();
        let futs = [(1u64, false), (2, true), (10, false)].map(|(s, fail)| {
            let probe = dropped.probe();
            let finished = finished.clone();
            async move {
                let _probe = probe;
                sleep_secs(s).await;
                finished.set(finished.get() + 1);
                if fail { Err(s) } else { Ok(s) }
            }
        });
        assert_eq!(try_gather(futs).await, Err(2));
        assert_eq!(now() - start, secs(2)); // did not wait for the 10 s child
        assert_eq!(dropped.get(), 3); // every child dropped by now
        sleep_secs(20).await;
        assert_eq!(finished.get(), 2); // the 10 s child never completed
    });
}

// GA-04, test_return_exceptions: all values and errors in argument order; done only when all
// are done.
#[test]
fn ga_04_return_exceptions_all_outcomes_in_order_test_return_exceptions() {
    paused(async {
        let start = now();
        let futs = [(3u64, Ok(3)), (1, Ok(1)), (2, Err("exc")), (4, Err("exc2"))].map(
            |(s, r): (u64, Result<i32, &str>)| async move {
                sleep_secs(s).await;
                r
            },
        );
        let out = gather_settled(futs).await;
        assert_eq!(out, vec![Ok(3), Ok(1), Err("exc"), Err("exc2")]);
        assert_eq!(now() - start, secs(4));
    });
}

// GA-05, test_result_exception_one_cancellation: with return_exceptions a cancelled child
// puts Cancelled in its slot and the rest carry on.
#[test]
fn ga_05_cancelled_child_slot_holds_cancelled_test_result_exception_one_cancellation() {
    paused(async {
        let a = spawn(async { Ok::<_, &str>(1) });
        let b = spawn(async {
            sleep_secs(1).await;
            Err("zde")
        });
        let c = spawn(std::future::pending::<Result<i32, &str>>());
        let d = spawn(async {
            sleep_secs(2).await;
            Ok(3)
        });
        c.abort();
        let out = gather_settled([a, b, c, d]).await;
        assert_eq!(*out[0].as_ref().unwrap(), Ok(1));
        assert_eq!(*out[1].as_ref().unwrap(), Err("zde"));
        assert!(out[2].as_ref().unwrap_err().is_cancelled());
        assert_eq!(*out[3].as_ref().unwrap(), Ok(3));
    });
}

// GA-06, test_one_cancellation: without return_exceptions a cancelled child makes the
// gather fail with Cancelled.
#[test]
fn ga_06_cancelled_child_fails_gather_test_one_cancellation() {
    paused(async {
        let a = spawn(async {
            sleep_secs(1).await;
            1
        });
        let b = spawn(std::future::pending::<i32>());
        let c = spawn(async {
            sleep_secs(5).await;
            3
        });
        b.abort();
        let err = try_gather([a, b, c]).await.unwrap_err();
        assert!(err.is_cancelled());
    });
}

// GA-07, test_cancellation_broadcast: dropping an unfinished gather drops every unfinished
// child; none completes afterwards.
#[test]
fn ga_07_dropping_gather_drops_every_child_test_cancellation_broadcast() {
    paused(async {
        let dropped = DropCounter::new();
        let completed = Rc::new(Cell::new(0));
        let futs: Vec<_> = (0..5u64)
            .map(|i| {
                let probe = dropped.probe();
                let completed = completed.clone();
                async move {
                    let _p = probe;
                    sleep_secs(i).await; // child 0 completes at once
                    completed.set(completed.get() + 1);
                }
            })
            .collect();
        let mut g = Box::pin(gather(futs));
        assert!(
            wait_for(g.as_mut(), Duration::from_millis(500))
                .await
                .is_err()
        );
        assert_eq!(completed.get(), 1);
        assert_eq!(dropped.get(), 1);
        drop(g);
        assert_eq!(dropped.get(), 5);
        sleep_secs(10).await;
        assert_eq!(completed.get(), 1);
    });
}

// GA-08, test_cancel_gather_1: cancelling a gather whose children are all done is a no-op;
// the results are kept. Rust: a zero timeout around it still yields the results
// (decision 5: completion wins).
#[test]
fn ga_08_gather_of_done_children_keeps_results_test_cancel_gather_1() {
    paused(async {
        let t = spawn(async { 42 });
        yield_until(|| t.is_finished()).await;
        let out = wait_for(gather([t]), Duration::ZERO).await.unwrap();
        assert_eq!(
            out.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            vec![42]
        );
    });
}

// GA-09, test_cancel_gather_2: cancelling the task awaiting a gather (even one with
// return_exceptions) cancels it; the cancellation is not swallowed into the results.
#[test]
fn ga_09_outer_cancel_not_swallowed_test_cancel_gather_2() {
    paused(async {
        let dropped = DropCounter::new();
        let probe = dropped.probe();
        let mut outer = spawn(async move {
            let child = async move {
                let _p = probe;
                std::future::pending::<Result<(), ()>>().await
            };
            gather_settled([child]).await
        });
        yield_now().await;
        assert!(outer.cancel().await);
        assert!(outer.await.unwrap_err().is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}

// GA-10, test_constructor_empty_sequence_use_running_loop: an empty gather is [] at once.
#[test]
fn ga_10_empty_gather_is_empty_test_constructor_empty_sequence() {
    let out: Vec<()> = futures::executor::block_on(gather(Vec::<std::future::Ready<()>>::new()));
    assert!(out.is_empty());
    let g = gather(Vec::<std::future::Ready<()>>::new());
    assert!(g.now_or_never().unwrap().is_empty()); // ready on the first poll
}

// GA-11, test_duplicate_coroutines: duplicates run once and the result is repeated. Rust:
// only a shareable handle can appear twice; `Shared` runs once.
#[test]
fn ga_11_duplicate_shared_runs_once_test_duplicate_coroutines() {
    paused(async {
        let runs = Rc::new(Cell::new(0));
        let r = runs.clone();
        let c = async move {
            r.set(r.get() + 1);
            sleep_secs(1).await;
            "abc"
        }
        .shared();
        let d = async { "def" }.boxed_local().shared();
        let out = gather([c.clone().boxed_local(), c.boxed_local(), d.boxed_local()]).await;
        assert_eq!(out, vec!["abc", "abc", "def"]);
        assert_eq!(runs.get(), 1);
    });
}

// GA-12, test_exception_marking: a later child's error after the gather already failed
// counts as retrieved. Rust: the later children are dropped with the failed gather, so
// their errors never come to exist and nothing is left to report.
#[test]
fn ga_12_later_error_after_failure_not_reported_test_exception_marking() {
    paused(async {
        let ran_late = Rc::new(Cell::new(false));
        let r = ran_late.clone();
        let a = async {
            sleep_secs(1).await;
            Err::<(), _>("first")
        }
        .boxed_local();
        let b = async move {
            sleep_secs(2).await;
            r.set(true);
            Err::<(), _>("second")
        }
        .boxed_local();
        assert_eq!(try_gather([a, b]).await, Err("first"));
        sleep_secs(5).await;
        assert!(!ran_late.get());
    });
}

// GA-13, Rust extension: a panicking child. Gathering tasks: `Err(Panicked)` in its slot
// with gather_settled; try_gather fails with it.
#[test]
fn ga_13_panicking_child_test_rust_extension() {
    paused(async {
        let ok = spawn(async { 1 });
        let bad = spawn(async {
            panic!("child panicked");
            #[allow(unreachable_code)]
            2
        });
        let out = gather_settled([ok, bad]).await;
        assert_eq!(*out[0].as_ref().unwrap(), 1);
        assert_eq!(
            out[1].as_ref().unwrap_err().panic_message(),
            Some("child panicked")
        );

        let ok = spawn(async {
            sleep_secs(1).await;
            1
        });
        let bad = spawn(async {
            panic!("again");
            #[allow(unreachable_code)]
            2
        });
        let err: JoinError = try_gather([ok, bad]).await.unwrap_err();
        assert!(err.is_panic());
    });
}

// The STYLE.md pitfall (futures-rs #2201): 100 000 children, each pending once, cost fewer
// than 3 polls per child in all.
#[test]
fn gather_100k_is_linear_counted_polls() {
    const N: usize = 100_000;
    let polls = Arc::new(AtomicUsize::new(0));
    let futs: Vec<_> = (0..N)
        .map(|_| Counted {
            polls: polls.clone(),
            remaining: 1,
        })
        .collect();
    let start = std::time::Instant::now();
    let out = corio_executor::run(gather(futs));
    let elapsed = start.elapsed();
    assert_eq!(out.len(), N);
    let p = polls.load(Ordering::Relaxed);
    assert!(p < 3 * N, "{p} polls for {N} children");
    eprintln!("gather of {N} self-waking futures: {p} child polls, {elapsed:?}");

    // Same with wake-ups from timers in random-ish order, under futures' executor.
    let polls = Arc::new(AtomicUsize::new(0));
    let out = futures::executor::block_on(gather((0..N).map(|_| Counted {
        polls: polls.clone(),
        remaining: 2,
    })));
    assert_eq!(out.iter().sum::<usize>(), N);
    assert!(polls.load(Ordering::Relaxed) == 3 * N);
}

// A gather of many ready children yields to its executor: another task gets to run while it
// works through them.
#[test]
fn gather_yields_to_the_loop_after_a_budget() {
    corio_executor::run(async {
        let ticks = Rc::new(Cell::new(0usize));
        let t = ticks.clone();
        let ticker = spawn(async move {
            for _ in 0..1_000 {
                t.set(t.get() + 1);
                yield_now().await;
            }
        });
        let seen = Rc::new(Cell::new(usize::MAX));
        let futs: Vec<_> = (0..20_000)
            .map(|i| {
                let ticks = ticks.clone();
                let seen = seen.clone();
                async move {
                    if i == 19_999 {
                        seen.set(ticks.get());
                    }
                }
            })
            .collect();
        gather(futs).await;
        assert!(
            seen.get() > 1 && seen.get() != usize::MAX,
            "ticker ran {} times",
            seen.get()
        );
        ticker.abort();
    });
}

// corio's cooperative budget: children that spend it are not re-polled in a spin; the
// gather finishes with a bounded number of child polls.
#[test]
fn gather_respects_coop_budget_without_spinning() {
    let polls = Rc::new(Cell::new(0usize));
    corio_executor::run(async {
        let futs: Vec<_> = (0..2_000)
            .map(|_| {
                let polls = polls.clone();
                std::future::poll_fn(move |cx| {
                    polls.set(polls.get() + 1);
                    corio_core::coop::poll_proceed(cx)
                })
            })
            .collect();
        gather(futs).await;
    });
    // Each child is polled once, plus once more when the budget ran out under it.
    assert!(polls.get() < 2_000 * 2, "{} polls", polls.get());
}

// gather! and try_gather! over mixed types; a wake-up polls only the child woken.
#[test]
fn gather_macro_tuple_and_per_child_wakers() {
    paused(async {
        let (a, b, c) = corio_combinators::gather!(
            async {
                sleep_secs(2).await;
                1u8
            },
            async { "b" },
            async {
                sleep_secs(1).await;
                'c'
            },
        )
        .await;
        assert_eq!((a, b, c), (1, "b", 'c'));

        let p1 = Arc::new(AtomicUsize::new(0));
        let p2 = Arc::new(AtomicUsize::new(0));
        let slow = Counted {
            polls: p1.clone(),
            remaining: 0,
        };
        let busy = Counted {
            polls: p2.clone(),
            remaining: 50,
        };
        let waiting = async {
            sleep_secs(1).await;
            0
        };
        let (x, y, z) = corio_combinators::gather!(slow, busy, waiting).await;
        assert_eq!((x, y, z), (1, 1, 0));
        assert_eq!(p1.load(Ordering::Relaxed), 1); // not re-polled on its siblings' wakes
        assert_eq!(p2.load(Ordering::Relaxed), 51);

        let dropped = DropCounter::new();
        let probe = dropped.probe();
        let r = corio_combinators::try_gather!(
            async {
                sleep_secs(1).await;
                Err::<u8, _>("e")
            },
            async move {
                let _p = probe;
                sleep_secs(9).await;
                Ok("never")
            },
        )
        .await;
        assert_eq!(r, Err("e"));
        assert_eq!(dropped.get(), 1);
        let ok = corio_combinators::try_gather!(async { Ok::<_, ()>(1) }, async { Ok("x") }).await;
        assert_eq!(ok, Ok((1, "x")));
    });
}

/// A child that logs its polls: `(input index, nth poll)`; it completes on poll
/// `polls_to_finish` (counting from 1) and wakes itself before it returns `Pending`, and
/// before it returns `Ready` too if `stale`.
fn logged(
    log: Rc<RefCell<Vec<(usize, usize)>>>,
    i: usize,
    polls_to_finish: usize,
    stale: bool,
) -> impl std::future::Future<Output = usize> {
    let mut n = 0;
    std::future::poll_fn(move |cx| {
        n += 1;
        log.borrow_mut().push((i, n));
        if stale || n < polls_to_finish {
            cx.waker().wake_by_ref();
        }
        if n == polls_to_finish {
            std::task::Poll::Ready(i)
        } else {
            std::task::Poll::Pending
        }
    })
}

// More children than the gather pushes into its set per poll (it feeds them in windows,
// reusing the slots of children that completed): every child is still first polled in
// input order before any child is polled again, the outputs are in input order, and each
// child is polled once per wake.
#[test]
fn gather_first_polls_every_child_in_input_order_before_any_repoll() {
    const N: usize = 2_000;
    for run in [run_corio as fn(_) -> _, run_futures] {
        let log = Rc::new(RefCell::new(Vec::new()));
        // Every third child is pending once (it woke itself), the others are ready at once.
        let futs: Vec<_> = (0..N)
            .map(|i| logged(log.clone(), i, if i % 3 == 0 { 2 } else { 1 }, false))
            .collect();
        let g = gather(futs);
        assert_eq!(g.pending(), N);
        assert_eq!(run(g), (0..N).collect::<Vec<_>>());
        let log = log.borrow();
        let firsts: Vec<usize> = log.iter().filter(|p| p.1 == 1).map(|p| p.0).collect();
        assert_eq!(firsts, (0..N).collect::<Vec<_>>());
        let first_repoll = log.iter().position(|p| p.1 == 2).unwrap();
        assert!(log[..first_repoll].iter().all(|p| p.1 == 1));
        assert_eq!(log.len(), N + N.div_ceil(3));
    }
}

// Children that wake themselves and then complete leave their slot queued on the set's
// list of woken children; the next child put in that slot is polled from that list (so
// later than the children pushed before it: the one exception to the order above). The
// gather neither stalls nor finishes early, and polls each child as often as it needs.
#[test]
fn gather_with_stale_wakes_from_completed_children() {
    const N: usize = 3_000;
    for run in [run_corio as fn(_) -> _, run_futures] {
        let log = Rc::new(RefCell::new(Vec::new()));
        // Every child wakes itself; every seventh is pending once.
        let futs: Vec<_> = (0..N)
            .map(|i| logged(log.clone(), i, if i % 7 == 0 { 2 } else { 1 }, true))
            .collect();
        assert_eq!(run(gather(futs)), (0..N).collect::<Vec<_>>());
        let mut log = log.borrow().clone();
        assert_eq!(log.len(), N + N.div_ceil(7));
        log.sort_unstable();
        log.dedup();
        assert_eq!(log.len(), N + N.div_ceil(7)); // no child polled twice for one wake
    }
}

fn run_corio(g: corio_combinators::Gather<impl std::future::Future<Output = usize>>) -> Vec<usize> {
    corio_executor::run(g)
}

fn run_futures(
    g: corio_combinators::Gather<impl std::future::Future<Output = usize>>,
) -> Vec<usize> {
    futures::executor::block_on(g)
}

// try_gather's first error drops every other child, those never pushed into its set among
// them, and polls none of them.
#[test]
fn try_gather_error_drops_unstarted_children() {
    const N: usize = 2_000;
    let dropped = DropCounter::new();
    let polls = Rc::new(Cell::new(0usize));
    let futs: Vec<_> = (0..N)
        .map(|i| {
            let probe = dropped.probe();
            let polls = polls.clone();
            async move {
                let _p = probe;
                polls.set(polls.get() + 1);
                if i == 300 {
                    Err(i)
                } else {
                    std::future::pending::<Result<(), usize>>().await
                }
            }
        })
        .collect();
    let mut g = try_gather(futs);
    assert_eq!(corio_executor::run(&mut g), Err(300));
    assert_eq!(polls.get(), 301);
    assert_eq!(dropped.get(), N);
    drop(g);
    assert_eq!(dropped.get(), N);
}
