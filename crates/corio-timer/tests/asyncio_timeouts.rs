//! The TO- cases of ASYNCIO_CASES.md (asyncio.timeout / timeout_at), from CPython's
//! Lib/test/test_asyncio/test_timeouts.py, on virtual time. asyncio's `Timeout` context
//! manager maps to two things here: the `Timeout` future (`timeout`, `timeout_at`) and the
//! `Deadline` scope, whose handle the guarded code can use.

mod common;

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use common::{DropProbe, paused_loop, real_loop};
use corio_executor::{spawn, yield_now};
use corio_timer::{
    Deadline, Elapsed, RescheduleError, TimerHandle, clock, sleep, timeout, timeout_at,
};

const MS: Duration = Duration::from_millis(1);
const HOUR: Duration = Duration::from_secs(3600);

/// TO-01. test_timeouts.py `test_timeout_basic`, `test_waiter_cancelled`: the body
/// outlives the deadline → Timeout, and `expired()` is true.
#[test]
fn to_01_body_outlives_deadline_test_timeout_basic() {
    paused_loop().run(async {
        let start = clock::now();
        let probe = DropProbe::default();
        let g = probe.guard();
        let mut t = pin!(timeout(10 * MS, async move {
            let _g = g;
            sleep(HOUR).await;
        }));
        assert_eq!(t.as_mut().await, Err(Elapsed::new()));
        assert!(t.expired());
        assert_eq!(
            probe.dropped(),
            1,
            "the body is cancelled before Elapsed returns"
        );
        assert_eq!(clock::now() - start, 10 * MS);
        // The scope form.
        let scope = Deadline::after(10 * MS);
        let cm = scope.handle();
        assert!(scope.run(sleep(HOUR)).await.is_err());
        assert!(cm.expired());
        assert_eq!(TimerHandle::current().live_entries(), 0);
    });
}

/// TO-02. test_timeouts.py `test_timeout_at_basic`: `timeout_at(t).when() == t`.
#[test]
fn to_02_timeout_at_when_test_timeout_at_basic() {
    paused_loop().run(async {
        let deadline = clock::now() + 10 * MS;
        let t = timeout_at(deadline, sleep(HOUR));
        assert_eq!(t.deadline(), Some(deadline));
        assert!(t.await.is_err());
        assert_eq!(clock::now(), deadline);
        let scope = Deadline::at(Some(deadline + MS));
        assert_eq!(scope.when(), Some(deadline + MS));
        let cm = scope.handle();
        assert!(scope.run(sleep(HOUR)).await.is_err());
        assert_eq!(cm.when(), Some(deadline + MS));
        assert!(cm.expired());
    });
}

/// TO-03. test_timeouts.py `test_timeout_not_called`: the body finishes in time → no
/// error, `expired()` false, `when()` still in the future.
#[test]
fn to_03_body_finishes_in_time_test_timeout_not_called() {
    paused_loop().run(async {
        let mut t = pin!(timeout(10 * MS, sleep(MS)));
        assert_eq!(t.as_mut().await, Ok(()));
        assert!(!t.expired());
        assert!(t.deadline().unwrap() > clock::now());
        let scope = Deadline::after(10 * MS);
        let cm = scope.handle();
        assert_eq!(scope.run(async { 7 }).await, Ok(7));
        assert!(!cm.expired());
        assert!(cm.when().unwrap() > clock::now());
        // No timer left behind by the completed timeouts.
        assert_eq!(TimerHandle::current().pending_timers(), 0);
    });
}

/// TO-04. test_timeouts.py `test_timeout_disabled`, `test_timeout_at_disabled`: a scope
/// without a deadline never expires, and `when()` is None.
#[test]
fn to_04_disabled_never_expires_test_timeout_disabled() {
    paused_loop().run(async {
        let scope = Deadline::at(None);
        let cm = scope.handle();
        assert_eq!(cm.when(), None);
        assert_eq!(scope.run(sleep(HOUR)).await, Ok(()));
        assert!(!cm.expired());
        // The future form: remove the deadline.
        let mut t = pin!(timeout(MS, sleep(HOUR)));
        t.as_mut().reschedule(None);
        assert_eq!(t.deadline(), None);
        assert_eq!(t.as_mut().await, Ok(()));
        assert!(!t.expired());
        // A duration too large to represent saturates to never.
        assert_eq!(timeout(Duration::MAX, sleep(HOUR)).await, Ok(()));
    });
}

/// TO-05. test_timeouts.py `test_timeout_zero`, `test_timeout_zero_sleep_zero`,
/// `test_timeout_in_the_past_sleep_zero`: a zero or negative timeout expires at the first
/// suspension. D5: the body is polled once first, and a body that completes without
/// suspending wins. corio's `sleep(0)` completes at once (it is not a suspension point;
/// `yield_now` is), so the asyncio `sleep(0)` cases use `yield_now` here.
#[test]
fn to_05_zero_or_past_timeout_test_timeout_zero() {
    paused_loop().run(async {
        let past = clock::now() - Duration::from_secs(10);
        assert_eq!(
            timeout(Duration::ZERO, sleep(HOUR)).await,
            Err(Elapsed::new())
        );
        assert_eq!(
            timeout(Duration::ZERO, yield_now()).await,
            Err(Elapsed::new())
        );
        assert_eq!(timeout_at(past, yield_now()).await, Err(Elapsed::new()));
        let scope = Deadline::at(Some(past));
        assert!(scope.run(yield_now()).await.is_err());
        // D5: completion wins.
        assert_eq!(timeout(Duration::ZERO, async { 1 }).await, Ok(1));
        assert_eq!(timeout_at(past, sleep(Duration::ZERO)).await, Ok(()));
        assert_eq!(Deadline::at(Some(past)).run(async { 2 }).await, Ok(2));
    });
}

/// TO-06. test_timeouts.py `test_foreign_exception_passed`: the body's own error passes
/// through unchanged; `expired()` false.
#[test]
fn to_06_body_error_passes_through_test_foreign_exception_passed() {
    paused_loop().run(async {
        let mut t = pin!(timeout(10 * MS, async {
            sleep(MS).await;
            Err::<(), _>("KeyError")
        }));
        assert_eq!(t.as_mut().await, Ok(Err("KeyError")));
        assert!(!t.expired());
    });
}

/// TO-07. test_timeouts.py `test_foreign_exception_on_timeout`.
#[test]
#[ignore = "SOFT: cancellation is dropping the future; a destructor cannot raise an error \
            that replaces Elapsed (a panic in it propagates as a panic)"]
fn to_07_cleanup_error_replaces_timeout_test_foreign_exception_on_timeout() {}

/// TO-08. test_timeouts.py `test_foreign_cancel_doesnt_timeout_if_not_expired`: an outer
/// cancellation inside an unexpired scope propagates as Cancelled, not Timeout;
/// `expired()` false.
#[test]
fn to_08_outer_cancel_is_not_timeout_test_foreign_cancel_doesnt_timeout_if_not_expired() {
    paused_loop().run(async {
        let scope = Deadline::after(HOUR);
        let cm = scope.handle();
        let mut task = spawn(scope.run(sleep(2 * HOUR)));
        yield_now().await;
        assert!(task.cancel().await);
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!cm.expired());
        assert_eq!(cm.reschedule(None), Err(RescheduleError::Finished));
        // The future form, cancelled by dropping it.
        let mut task = spawn(timeout(HOUR, sleep(2 * HOUR)));
        yield_now().await;
        assert!(task.cancel().await);
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(TimerHandle::current().live_entries(), 0);
    });
}

/// TO-09. test_timeouts.py `test_outer_task_is_not_cancelled`,
/// `test_uncancel_structured_blocks`: after a Timeout has been handled, the enclosing task
/// is not left cancelled; later awaits work and it completes normally.
#[test]
fn to_09_task_not_left_cancelled_test_outer_task_is_not_cancelled() {
    paused_loop().run(async {
        let task = spawn(async {
            assert!(timeout(MS, sleep(HOUR)).await.is_err());
            assert!(Deadline::after(MS).run(sleep(HOUR)).await.is_err());
            sleep(5 * MS).await; // still works
            yield_now().await;
            "completed"
        });
        assert_eq!(task.await.unwrap(), "completed");
    });
}

/// TO-10. test_timeouts.py `test_nested_timeouts`: nested scopes with the same deadline.
/// D4 (asyncio differs): the innermost reports Elapsed, the outer sees the inner's result;
/// exactly one Elapsed.
#[test]
fn to_10_nested_same_deadline_innermost_reports_test_nested_timeouts() {
    paused_loop().run(async {
        let at = clock::now() + 10 * MS;
        let out = timeout_at(at, timeout_at(at, timeout_at(at, sleep(HOUR)))).await;
        assert_eq!(out, Ok(Ok(Err(Elapsed::new()))));
        // Scopes: only the innermost is expired.
        let at = clock::now() + 10 * MS;
        let (outer, inner) = (Deadline::at(Some(at)), Deadline::at(Some(at)));
        let (ho, hi) = (outer.handle(), inner.handle());
        let out = outer.run(inner.run(sleep(HOUR))).await;
        assert_eq!(out, Ok(Err(Elapsed::new())));
        assert!(hi.expired());
        assert!(!ho.expired());
        // Also when the outer timer was registered first and both fire in one turn.
        let at = clock::now() + 10 * MS;
        let out = timeout_at(at, async {
            yield_now().await; // the outer registers its timer before the inner exists
            timeout_at(at, sleep(HOUR)).await
        })
        .await;
        assert_eq!(out, Ok(Err(Elapsed::new())));
    });
}

/// TO-11. test_timeouts.py `test_nested_timeouts_concurrent`: the inner scope expires and
/// is caught; the outer deadline still fires later.
#[test]
fn to_11_inner_caught_outer_fires_later_test_nested_timeouts_concurrent() {
    paused_loop().run(async {
        let start = clock::now();
        let out = timeout(Duration::from_secs(2), async {
            let inner = timeout(Duration::from_secs(1), sleep(Duration::from_secs(10))).await;
            assert!(inner.is_err());
            assert_eq!(clock::now() - start, Duration::from_secs(1));
            sleep(Duration::from_secs(10)).await;
        })
        .await;
        assert!(out.is_err());
        assert_eq!(clock::now() - start, Duration::from_secs(2));
    });
}

/// TO-11. test_timeouts.py `test_nested_timeouts_loop_busy`: the same after the loop was
/// blocked past both deadlines (real clock: blocking does not move virtual time). Both
/// are overdue at the inner's first suspension; D4 makes the inner report first, then the
/// outer fires at the body's next suspension.
#[test]
fn to_11_outer_fires_after_blocking_test_nested_timeouts_loop_busy() {
    real_loop().run(async {
        let out = timeout(Duration::from_millis(100), async {
            let inner = timeout(Duration::from_millis(10), async {
                std::thread::sleep(Duration::from_millis(120)); // the loop is busy
                sleep(Duration::from_millis(10)).await;
            })
            .await;
            assert_eq!(inner, Err(Elapsed::new()));
            sleep(Duration::from_secs(5)).await;
        })
        .await;
        assert_eq!(out, Err(Elapsed::new()));
    });
}

/// TO-12. test_timeouts.py `test_reschedule`: `reschedule(later)` postpones,
/// `reschedule(None)` disables, `when()` reflects the change.
#[test]
fn to_12_reschedule_test_reschedule() {
    paused_loop().run(async {
        let start = clock::now();
        // From inside the body, through the scope's handle.
        let scope = Deadline::after(10 * MS);
        let cm = scope.handle();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let (cm2, seen2) = (cm.clone(), seen.clone());
        let out = scope
            .run(async move {
                seen2.borrow_mut().push(cm2.when());
                cm2.reschedule(Some(start + 50 * MS)).unwrap();
                seen2.borrow_mut().push(cm2.when());
                sleep(30 * MS).await; // would have expired at 10 ms
                cm2.reschedule(None).unwrap();
                seen2.borrow_mut().push(cm2.when());
                sleep(HOUR).await;
                "finished"
            })
            .await;
        assert_eq!(out, Ok("finished"));
        assert_eq!(
            *seen.borrow(),
            [Some(start + 10 * MS), Some(start + 50 * MS), None]
        );
        // From another task, while the scope's task is parked.
        let t0 = clock::now();
        let scope = Deadline::after(HOUR);
        let cm = scope.handle();
        let entered = Rc::new(std::cell::Cell::new(false));
        let e = entered.clone();
        let body = spawn(scope.run(async move {
            e.set(true);
            sleep(2 * HOUR).await
        }));
        // Parked inside the scope (after one turn on the FIFO loop).
        common::yield_until(|| entered.get()).await;
        cm.reschedule(Some(t0 + 5 * MS)).unwrap();
        assert!(body.await.unwrap().is_err());
        assert_eq!(clock::now() - t0, 5 * MS);
        // The future form.
        let t0 = clock::now();
        let mut t = pin!(timeout(10 * MS, sleep(30 * MS)));
        assert!(futures::poll!(t.as_mut()).is_pending());
        t.as_mut().reschedule(Some(t0 + 40 * MS));
        assert_eq!(t.deadline(), Some(t0 + 40 * MS));
        assert_eq!(t.as_mut().await, Ok(()));
        assert_eq!(clock::now() - t0, 30 * MS);
        // Sooner than before.
        let t0 = clock::now();
        let mut t = pin!(timeout(HOUR, sleep(2 * HOUR)));
        assert!(futures::poll!(t.as_mut()).is_pending());
        t.as_mut().reschedule(Some(t0 + 3 * MS));
        assert!(t.as_mut().await.is_err());
        assert_eq!(clock::now() - t0, 3 * MS);
    });
}

/// TO-13. test_timeouts.py `test_timeout_not_entered`, `_expiring`, `_expired`,
/// `_finished`: `reschedule` before entering, while expiring, after expiry or after
/// finishing is an error.
#[test]
fn to_13_reschedule_outside_running_scope_errors_test_timeout_not_entered() {
    paused_loop().run(async {
        // Not entered.
        let scope = Deadline::after(10 * MS);
        let cm = scope.handle();
        assert_eq!(cm.reschedule(None), Err(RescheduleError::NotEntered));
        // Expiring: the body's cleanup (its destructor) runs while the scope expires.
        struct OnDrop(
            corio_timer::DeadlineHandle,
            Rc<RefCell<Option<RescheduleError>>>,
        );
        impl Drop for OnDrop {
            fn drop(&mut self) {
                *self.1.borrow_mut() = self.0.reschedule(None).err();
            }
        }
        let during = Rc::new(RefCell::new(None));
        let guard = OnDrop(cm.clone(), during.clone());
        let out = scope
            .run(async move {
                let _guard = guard;
                sleep(HOUR).await;
            })
            .await;
        assert!(out.is_err());
        assert_eq!(*during.borrow(), Some(RescheduleError::Expiring));
        // Expired.
        assert_eq!(cm.reschedule(None), Err(RescheduleError::Expired));
        // Finished.
        let scope = Deadline::after(10 * MS);
        let cm = scope.handle();
        assert_eq!(scope.run(async {}).await, Ok(()));
        assert_eq!(
            cm.reschedule(Some(clock::now())),
            Err(RescheduleError::Finished)
        );
    });
}

/// TO-14. test_timeouts.py `test_timeout_already_entered`, `test_timeout_double_enter`: a
/// scope cannot be entered twice. `Deadline::run` takes the scope by value, so a second
/// entry does not compile (a `compile_fail` doctest on `Deadline::run` checks it); here,
/// the one entry works and a `Timeout` polled after it resolved panics.
#[test]
fn to_14_scope_entered_once_test_timeout_double_enter() {
    paused_loop().run(async {
        let scope = Deadline::after(10 * MS);
        assert_eq!(scope.run(async { 1 }).await, Ok(1));
        let mut t = Box::pin(timeout(MS, async { 2 }));
        assert_eq!(t.as_mut().await, Ok(2));
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures::executor::block_on(t.as_mut())
        }));
        assert!(again.is_err());
    });
}

/// TO-15. test_timeouts.py `test_timeout_without_task`: a scope created outside any task
/// is an error in asyncio. Deliberate divergence: corio's timers work anywhere (outside a
/// corio loop they use the fallback timer thread), so this checks that it *works*.
#[test]
fn to_15_scope_outside_any_task_works_test_timeout_without_task() {
    let scope = Deadline::after(Duration::from_millis(5));
    let t = timeout(Duration::from_millis(5), sleep(HOUR));
    futures::executor::block_on(async {
        assert!(scope.run(sleep(HOUR)).await.is_err());
        assert!(t.await.is_err());
    });
}

/// TO-16. test_timeouts.py `test_nested_timeout_in_finally`,
/// `test_timeout_after_cancellation`, `test_cancel_in_timeout_after_cancellation`: a
/// timeout in cleanup code (after an outer timeout, or after a cancellation) still works.
/// Rust has no `finally` that can await; the equivalent is the code that runs after the
/// Elapsed (or the cancellation of a child) has been handled.
#[test]
fn to_16_timeout_in_cleanup_after_timeout_test_nested_timeout_in_finally() {
    paused_loop().run(async {
        let start = clock::now();
        let out = timeout(10 * MS, sleep(HOUR)).await;
        assert!(out.is_err());
        // "finally": another timeout, which must work and expire on its own.
        assert!(timeout(10 * MS, sleep(HOUR)).await.is_err());
        assert_eq!(clock::now() - start, 20 * MS);
        // After a swallowed cancellation (a child task cancelled and awaited).
        let mut child = spawn(sleep(HOUR));
        yield_now().await;
        assert!(child.cancel().await);
        assert!(timeout(10 * MS, sleep(HOUR)).await.is_err());
        assert_eq!(clock::now() - start, 30 * MS);
    });
}

/// Dropping a `Timeout` drops the inner future (issue 4's test list).
#[test]
fn dropping_timeout_drops_inner_future() {
    let probe = DropProbe::default();
    let g = probe.guard();
    let t = timeout(HOUR, async move {
        let _g = g;
        sleep(HOUR).await;
    });
    let wall = Instant::now();
    paused_loop().run(async move {
        let mut t = Box::pin(t);
        assert!(futures::poll!(t.as_mut()).is_pending());
        drop(t);
    });
    assert_eq!(probe.dropped(), 1);
    assert!(wall.elapsed() < Duration::from_secs(5));
}

/// A timeout dropped while its timer is armed gives the wheel entry back (the timer is
/// dropped by `Timeout`'s own drop, not by field drop glue: see `timeout.rs`).
#[test]
fn dropping_an_armed_timeout_removes_its_timer() {
    paused_loop().run(async {
        let h = corio_timer::TimerHandle::current();
        let before = h.live_entries();
        let mut armed: Vec<_> = (0..10)
            .map(|_| Box::pin(timeout(HOUR, std::future::pending::<()>())))
            .collect();
        for t in &mut armed {
            assert!(futures::poll!(t.as_mut()).is_pending());
        }
        assert_eq!(h.live_entries(), before + 10);
        drop(armed);
        assert_eq!(h.live_entries(), before);
        // One built by `timeout_at` (its timer made at construction, armed at the poll).
        let mut at = Box::pin(timeout_at(
            clock::now() + HOUR,
            std::future::pending::<()>(),
        ));
        assert!(futures::poll!(at.as_mut()).is_pending());
        assert_eq!(h.live_entries(), before + 1);
        drop(at);
        assert_eq!(h.live_entries(), before);
    });
}

/// A timeout's clock starts at its first poll, and a future ready at that poll never
/// builds a timer: nothing is registered in the wheel, before or after.
#[test]
fn a_timeout_around_a_ready_future_registers_no_timer() {
    real_loop().run(async {
        let h = corio_timer::TimerHandle::current();
        let before = h.live_entries();
        for i in 0..1000 {
            assert_eq!(timeout(Duration::from_secs(1), async { i }).await, Ok(i));
        }
        assert_eq!(h.live_entries(), before);
        // A pending one does register, and gives its entry back when it resolves.
        let slow = timeout(Duration::from_millis(1), std::future::pending::<()>());
        assert_eq!(slow.await, Err(Elapsed::new()));
        assert_eq!(h.live_entries(), before);
    });
}

/// The deadline counts from the start of the turn in which the timeout was first polled,
/// not from the end of that poll: time the first poll spent blocking counts (asyncio starts
/// `wait_for`'s clock when it is awaited). Counted from the end of the poll, the 30 ms sleep
/// would finish 20 ms before a 50 ms deadline; counted from the start, it is already past.
#[test]
fn a_timeout_counts_the_time_its_first_poll_spent() {
    real_loop().run(async {
        let r = timeout(Duration::from_millis(50), async {
            std::thread::sleep(Duration::from_millis(60)); // blocks past the deadline
            sleep(Duration::from_millis(30)).await;
        })
        .await;
        assert_eq!(r, Err(Elapsed::new()));
    });
}
