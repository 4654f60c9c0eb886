//! CPython test_tasks.py shield tests (ASYNCIO_CASES.md 1.14, SH-01..SH-08), and race/select.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use corio_combinators::{Either, gather, race, select, shield, try_gather, wait_for};
use corio_executor::{spawn, yield_now};
use futures::FutureExt;

// SH-01, test_shield_result: the result passes through.
#[test]
fn sh_01_result_passes_through_test_shield_result() {
    paused(async {
        assert_eq!(shield(async { 42 }).await.unwrap(), 42);
    });
}

// SH-02, test_shield_exception: the error passes through (an Err value, and a panic).
#[test]
fn sh_02_error_passes_through_test_shield_exception() {
    paused(async {
        assert_eq!(
            shield(async { Err::<(), _>("bad") }).await.unwrap(),
            Err("bad")
        );
        let e = shield(async {
            panic!("exc");
        })
        .await
        .unwrap_err();
        assert_eq!(e.panic_message(), Some("exc"));
    });
}

// SH-03, test_shield_cancel_inner: the inner is cancelled: the shield reports Cancelled.
#[test]
fn sh_03_inner_cancelled_test_shield_cancel_inner() {
    paused(async {
        let s = shield(std::future::pending::<()>());
        yield_now().await;
        s.abort();
        assert!(s.await.unwrap_err().is_cancelled());
    });
}

// SH-04, test_shield_effect / test_shield_cancel_outer: cancelling the outer reports
// Cancelled at once while the inner keeps running and completes (proof == 1).
#[test]
fn sh_04_outer_cancelled_inner_completes_test_shield_effect() {
    paused(async {
        let proof = Rc::new(Cell::new(0));
        let started = Rc::new(Cell::new(false));
        let (p, s) = (proof.clone(), started.clone());
        let mut outer = spawn(async move {
            s.set(true);
            shield(async move {
                sleep_secs(1).await;
                p.set(p.get() + 1);
            })
            .await
        });
        yield_until(|| started.get()).await; // the outer is inside the shield
        assert!(outer.cancel().await);
        assert!(outer.await.unwrap_err().is_cancelled());
        assert_eq!(proof.get(), 0);
        sleep_secs(2).await;
        assert_eq!(proof.get(), 1);
    });
}

// SH-05, test_shield_shortcut: shielding an already-done future returns at once: the
// shield is ready at its first poll, so a zero timeout around it succeeds (D5).
#[test]
fn sh_05_done_future_returns_at_once_test_shield_shortcut() {
    paused(async {
        let t0 = now();
        assert_eq!(
            shield(std::future::ready(7))
                .now_or_never()
                .unwrap()
                .unwrap(),
            7
        );
        let task = spawn(async { "done" });
        while !task.is_finished() {
            yield_now().await; // one turn on the FIFO loop; any number under chaos mode
        }
        let out = wait_for(shield(task), std::time::Duration::ZERO).await;
        assert_eq!(out.unwrap().unwrap().unwrap(), "done");
        assert_eq!(now(), t0);
    });
}

// SH-06, test_shield_gather: shield(gather(..)): cancelling the outer leaves the gather
// running; it later yields [1, 2].
#[test]
fn sh_06_shielded_gather_keeps_running_test_shield_gather() {
    paused(async {
        let result = Rc::new(Cell::new(None));
        let r = result.clone();
        let g = shield(async move {
            let out = gather([1u64, 2].map(|n| async move {
                sleep_secs(n).await;
                n
            }))
            .await;
            r.set(Some(out.clone()));
            out
        });
        assert!(wait_for(g, secs(1) / 2).await.is_err()); // the outer wait was cancelled
        sleep_secs(3).await;
        assert_eq!(result.take(), Some(vec![1, 2]));
    });
}

// SH-07, test_gather_shield: gather(shield(a), shield(b)) cancelled: the gather fails
// (Cancelled: here the timeout) while a and b still complete.
#[test]
fn sh_07_gather_of_shields_cancelled_test_gather_shield() {
    paused(async {
        let done = Rc::new(Cell::new(0));
        let mk = |s: u64| {
            let done = done.clone();
            shield(async move {
                sleep_secs(s).await;
                done.set(done.get() + 1);
            })
        };
        let g = gather([mk(1), mk(2)]);
        assert!(wait_for(g, secs(1) / 2).await.is_err());
        sleep_secs(3).await;
        assert_eq!(done.get(), 2);
    });
}

// SH-08, test_shield_cancel_outer (`_callbacks` empty): cancelling the outer leaves no
// reference on the inner: once it finishes, its output is dropped and nothing is held.
#[test]
fn sh_08_no_leak_after_outer_cancelled_test_shield_cancel_outer() {
    paused(async {
        let dropped = DropCounter::new();
        let p = dropped.probe();
        let s = shield(async move {
            sleep_secs(1).await;
            p // the output
        });
        drop(s);
        assert_eq!(dropped.get(), 0);
        sleep_secs(2).await;
        assert_eq!(dropped.get(), 1); // output computed and released: no leaked slot
        assert!(corio_executor::all_tasks().is_empty()); // the shielded task is gone
    });
}

// race: first output wins; the loser is dropped before the output is returned.
#[test]
fn race_first_wins_loser_dropped() {
    paused(async {
        let dropped = DropCounter::new();
        let p = dropped.probe();
        let slow = async move {
            let _p = p;
            sleep_secs(10).await;
            "slow"
        };
        let fast = async {
            sleep_secs(1).await;
            "fast"
        };
        let (a, b) = gather!(race(slow, fast), async { dropped.get() }).await;
        assert_eq!(a, "fast");
        assert_eq!(b, 0);
        assert_eq!(dropped.get(), 1);
        let n: u8 = corio_combinators::race!(
            std::future::pending(),
            async {
                sleep_secs(2).await;
                2
            },
            async {
                sleep_secs(1).await;
                3
            },
        )
        .await;
        assert_eq!(n, 3);
    });
}

// select: Either tells which side won; ties go to the first.
#[test]
fn select_either_and_bias() {
    paused(async {
        let r = select(sleep_secs(5), async {
            sleep_secs(1).await;
            "b"
        })
        .await;
        assert_eq!(r, Either::Right("b"));
        let tie = select(std::future::ready(1), std::future::ready("x")).await;
        assert_eq!(tie, Either::Left(1));
    });
}

// try_gather of shields: a failure drops the Shield handles, the shielded work finishes.
#[test]
fn try_gather_of_shields_failure_detaches() {
    paused(async {
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        let a = shield(async move {
            sleep_secs(2).await;
            d.set(true);
        })
        .boxed_local();
        let b = shield(async {
            sleep_secs(1).await;
            panic!("b failed");
        })
        .boxed_local();
        let r = try_gather([a, b]).await;
        assert_eq!(r.unwrap_err().panic_message(), Some("b failed"));
        assert!(!done.get());
        sleep_secs(3).await;
        assert!(done.get());
    });
}
