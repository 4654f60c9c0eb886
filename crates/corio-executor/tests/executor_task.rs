//! The `Task` handle: results, panics, cancellation, callbacks; asyncio's test_tasks.py.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{DropCounter, quiet_panics, yield_until};
use corio_executor::{
    Builder, JoinError, LocalExecutor, TaskStatus, current_task, run, spawn, task, yield_now,
};

// EX-10, test_tasks.py test_task_basics
#[test]
fn ex_10_awaiting_a_finished_task_gives_its_value_test_task_basics() {
    run(async {
        let t = spawn(async { "value" });
        yield_until(|| t.is_finished()).await;
        assert_eq!(t.await.unwrap(), "value");
    });
}

// EX-11, test_tasks.py test_exception_traceback
#[test]
fn ex_11_an_error_returned_by_a_task_is_delivered_to_its_awaiter_test_exception_traceback() {
    run(async {
        let t = spawn(async { Err::<(), _>(std::io::Error::other("refused")) });
        let inner = t.await.expect("the task itself completed");
        assert_eq!(inner.unwrap_err().to_string(), "refused");
    });
}

// EX-12, "exception stored": a panic becomes JoinError::Panicked; the loop goes on.
#[test]
fn ex_12_panicking_task_leaves_the_loop_and_other_tasks_running() {
    quiet_panics();
    run(async {
        let survivor = spawn(async {
            yield_now().await;
            yield_now().await;
            "still here"
        });
        let failing = spawn(async {
            yield_now().await;
            panic!("task failed on purpose");
        });
        let err = failing.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.panic_message(), Some("task failed on purpose"));
        assert_eq!(survivor.await.unwrap(), "still here");
    });
}

#[test]
fn panic_payload_can_be_resumed_by_the_awaiter() {
    quiet_panics();
    let caught = std::panic::catch_unwind(|| {
        run(async {
            let err = spawn(async { panic!("resume me on purpose") })
                .await
                .unwrap_err();
            std::panic::resume_unwind(err.into_panic());
        })
    });
    let p = caught.unwrap_err();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"resume me on purpose"));
}

// EX-13, test_tasks.py test_cancel, test_cancel_yield
#[test]
fn ex_13_cancel_of_a_pending_task_returns_true_and_ends_cancelled_test_cancel() {
    run(async {
        let mut t = spawn(std::future::pending::<()>());
        yield_now().await;
        assert!(t.cancel().await);
        assert_eq!(t.status(), Some(TaskStatus::Cancelled));
        assert!(t.await.unwrap_err().is_cancelled());
    });
}

// EX-14, test_cancel_yield (assertFalse(t.cancel())), test_cancel_gather_1
#[test]
fn ex_14_cancel_of_a_finished_task_returns_false_and_keeps_the_result_test_cancel_yield() {
    run(async {
        let mut t = spawn(async { 11 });
        yield_until(|| t.is_finished()).await;
        assert!(!t.cancel().await);
        assert_eq!(t.await.unwrap(), 11);
    });
}

// EX-15, test_cancel_with_message_before_starting_task
#[test]
fn ex_15_task_cancelled_before_its_first_poll_never_runs_its_body_test_cancel_with_message_before_starting_task()
 {
    run(async {
        let ran = Rc::new(RefCell::new(false));
        let r = ran.clone();
        let mut t = spawn(async move { *r.borrow_mut() = true });
        assert!(t.cancel_with("before start").await);
        assert!(!*ran.borrow());
        let e = t.await.unwrap_err();
        assert_eq!(e.cancelled().unwrap().reason(), Some("before start"));
    });
}

// EX-16, test_taskgroups.py test_taskgroup_04 (t2_cancel), test_cancel_inner_future
#[test]
fn ex_16_cancel_drops_the_future_at_its_await_point_before_reporting_test_cancel_inner_future() {
    let drops = DropCounter::new();
    let d = drops.clone();
    run(async move {
        let probe = d.probe();
        let mut t = spawn(async move {
            let _guard = probe;
            std::future::pending::<()>().await;
        });
        yield_now().await; // suspended in the await, guard alive
        assert_eq!(d.dropped(), 0);
        assert!(t.cancel().await);
        assert_eq!(d.dropped(), 1, "destructors ran before cancel() returned");
    });
}

// EX-17, test_tasks.py test_cancel_at_end: decision D1 (the result is kept).
#[test]
fn ex_17_task_finishing_in_the_step_it_is_cancelled_keeps_its_result_test_cancel_at_end() {
    run(async {
        // The task cancels itself (through its own handle) and returns in the same step.
        let slot: Rc<RefCell<Option<corio_executor::Task<u32>>>> = Rc::new(RefCell::new(None));
        let s = slot.clone();
        let me = spawn(async move {
            yield_now().await;
            // Ask for our own cancellation, then return in the same step.
            if let Some(own) = s.borrow().as_ref() {
                own.abort();
            }
            99
        });
        *slot.borrow_mut() = Some(me);
        yield_now().await;
        yield_now().await;
        let me = slot.borrow_mut().take().unwrap();
        assert_eq!(
            me.await.unwrap(),
            99,
            "D1: completion in the same step wins"
        );
    });
}

// EX-18, test_tasks.py test_cancel_current_task
#[test]
fn ex_18_task_that_cancels_itself_then_awaits_is_cancelled_there_test_cancel_current_task() {
    let drops = DropCounter::new();
    let d = drops.clone();
    run(async move {
        let slot: Rc<RefCell<Option<corio_executor::Task<()>>>> = Rc::new(RefCell::new(None));
        let s = slot.clone();
        let probe = d.probe();
        let me = spawn(async move {
            let _p = probe;
            yield_now().await;
            s.borrow().as_ref().unwrap().abort();
            yield_now().await; // cancelled here
            unreachable!("the task was cancelled at its await");
        });
        *slot.borrow_mut() = Some(me);
        yield_until(|| slot.borrow().as_ref().unwrap().is_finished()).await;
        let mut me = slot.borrow_mut().take().unwrap();
        assert!(!me.cancel().await, "a later cancel() returns false");
        assert!(me.await.unwrap_err().is_cancelled());
    });
    assert_eq!(drops.dropped(), 1);
}

// EX-19, test_tasks.py test_cancelling
#[test]
fn ex_19_repeated_cancel_requests_cancel_once_and_keep_the_first_reason_test_cancelling() {
    run(async {
        let mut t = spawn(std::future::pending::<()>());
        t.abort();
        t.abort();
        assert!(t.cancel_with("third").await);
        let e = t.await.unwrap_err();
        assert_eq!(
            e.cancelled().unwrap().reason(),
            None,
            "the first request had no reason"
        );
    });
}

// EX-20, test_tasks.py test_cancel_awaited_task: decision D2 (U is not cancelled).
#[test]
fn ex_20_cancelling_a_task_awaiting_another_does_not_cancel_the_other_test_cancel_awaited_task() {
    run(async {
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let finished = Rc::new(RefCell::new(None));
        let f = finished.clone();
        let u = spawn(async move { *f.borrow_mut() = Some(rx.await.unwrap()) });
        let mut t = spawn(u);
        yield_now().await;
        assert!(t.cancel().await);
        // U detached when T's future (holding U's handle) was dropped; it still runs.
        tx.send(3).unwrap();
        yield_until(|| finished.borrow().is_some()).await;
        assert_eq!(*finished.borrow(), Some(3));
    });
}

// EX-21, test_tasks.py test_task_cancel_sleeping_task
#[test]
fn ex_21_awaiter_of_a_cancelled_task_gets_cancelled_as_a_value_and_carries_on_test_task_cancel_sleeping_task()
 {
    run(async {
        let u = spawn(std::future::pending::<u32>());
        u.abort();
        let t = spawn(async move {
            match u.await {
                Err(e) if e.is_cancelled() => "cancelled",
                _ => "other",
            }
        });
        assert_eq!(t.await.unwrap(), "cancelled");
    });
}

// EX-22, test_tasks.py test_current_task, test_current_task_with_interleaving_tasks
#[test]
fn ex_22_current_task_is_right_across_interleavings_test_current_task_with_interleaving_tasks() {
    assert!(current_task().is_none());
    run(async {
        let mut tasks = Vec::new();
        for _ in 0..3 {
            tasks.push(spawn(async {
                let a = current_task().unwrap().id();
                yield_now().await;
                let b = current_task().unwrap().id();
                assert_eq!(a, b);
                a
            }));
        }
        for t in tasks {
            let id = t.id();
            assert_eq!(t.await.unwrap(), id);
        }
        assert!(current_task().is_none(), "main is not a task");
    });
}

// EX-23, test_tasks.py test_tb_logger_not_called_after_cancel, test_futures tb_logger_*
#[test]
fn ex_23_unretrieved_panic_is_reported_once_but_not_when_taken_or_cancelled_test_tb_logger_not_called_after_cancel()
 {
    quiet_panics();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let (r, r2) = (reports.clone(), reports.clone());
    let ex = Builder::new()
        .on_unobserved_failure(move |f| {
            r.lock()
                .unwrap()
                .push((f.name().map(str::to_owned), f.to_string()))
        })
        .build_local();
    ex.run(async {
        // Detached and panicking: reported, with its name.
        task::Builder::new()
            .name("lost")
            .spawn(async { panic!("nobody looks on purpose") })
            .detach();
        // Panicking but awaited: not reported.
        let seen = spawn(async { panic!("seen on purpose") });
        assert!(seen.await.is_err());
        // Dropped after it finished, without being awaited: reported.
        let late = spawn(async { panic!("dropped late on purpose") });
        yield_until(|| late.is_finished()).await;
        drop(late);
        // Cancelled before it finished: not reported.
        let cancelled = spawn(std::future::pending::<()>());
        cancelled.abort();
        drop(cancelled);
        // Both reports are in once the detached "lost" has run (in any order of the
        // loop; on the FIFO loop it ran first) and the cancelled task was dropped.
        yield_until(|| r2.lock().unwrap().len() >= 2).await;
        yield_now().await;
    });
    let mut reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 2, "{reports:?}");
    reports.sort(); // "lost" is named, the other not: (None, ..) < (Some, ..)
    assert_eq!(reports[1].0.as_deref(), Some("lost"));
    assert!(reports[1].1.contains("'lost'") && reports[1].1.contains("nobody looks"));
    assert!(reports[0].1.contains("dropped late"));
    assert_eq!(ex.unobserved_failures(), 2);
}

// EX-25, test_tasks.py test_baseexception_during_cancel
#[test]
fn ex_25_panic_while_dropping_a_cancelled_task_ends_it_panicked_test_baseexception_during_cancel() {
    quiet_panics();
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("exploding destructor on purpose");
        }
    }
    run(async {
        let started = Rc::new(RefCell::new(false));
        let s = started.clone();
        let mut t = spawn(async move {
            let _b = Bomb;
            *s.borrow_mut() = true;
            std::future::pending::<()>().await;
        });
        yield_until(|| *started.borrow()).await; // suspended, the bomb armed
        assert!(!t.cancel().await, "it did not end cancelled");
        let e = t.await.unwrap_err();
        assert!(e.is_panic());
        assert_eq!(e.panic_message(), Some("exploding destructor on purpose"));
        // The loop survived.
        assert_eq!(spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn dropped_handle_detaches_and_the_task_keeps_running() {
    run(async {
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        drop(spawn(async move {
            yield_now().await;
            yield_now().await;
            *d.borrow_mut() = true;
        }));
        yield_until(|| *done.borrow()).await;
        assert!(*done.borrow());
    });
}

#[test]
fn on_done_runs_once_for_each_callback_in_registration_order() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l1 = log.clone();
    let l2 = log.clone();
    let l3 = log.clone();
    run(async move {
        let t = spawn(async { yield_now().await });
        t.on_done(move |s| l1.lock().unwrap().push((1, s)));
        t.on_done(move |s| l2.lock().unwrap().push((2, s)));
        t.await.unwrap();
        let mut c = spawn(std::future::pending::<()>());
        c.cancel().await;
        // Registered after the end: runs at once.
        c.on_done(move |s| l3.lock().unwrap().push((3, s)));
    });
    assert_eq!(
        *log.lock().unwrap(),
        [
            (1, TaskStatus::Completed),
            (2, TaskStatus::Completed),
            (3, TaskStatus::Cancelled)
        ]
    );
}

#[test]
fn a_panicking_on_done_callback_does_not_lose_the_result() {
    quiet_panics();
    run(async {
        let t = spawn(async {
            yield_now().await;
            8
        });
        t.on_done(|_| panic!("callback failed on purpose"));
        assert_eq!(t.await.unwrap(), 8);
    });
}

#[test]
fn names_ids_and_spawn_locations_are_reported() {
    run(async {
        let t = task::Builder::new().name("named").spawn(async {
            let me = current_task().unwrap();
            (
                me.name().map(str::to_owned),
                me.location().file().to_owned(),
            )
        });
        assert_eq!(t.name(), Some("named"));
        assert!(t.location().file().ends_with("executor_task.rs"));
        let (name, file) = t.await.unwrap();
        assert_eq!(name.as_deref(), Some("named"));
        assert!(file.ends_with("executor_task.rs"));
    });
}

#[test]
fn abort_from_another_thread_cancels_a_task_on_the_loop() {
    let ex = LocalExecutor::new();
    let t = ex.spawn(std::future::pending::<()>());
    let t = Arc::new(t);
    let t2 = t.clone();
    let aborter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(10));
        t2.abort();
    });
    let status = ex.block_on(async {
        while !t.is_finished() {
            // Park until the abort's wake-up arrives from the other thread.
            let (tx, rx) = futures::channel::oneshot::channel::<()>();
            t.on_done(move |_| {
                let _ = tx.send(());
            });
            let _ = rx.await;
        }
        t.status()
    });
    aborter.join().unwrap();
    assert_eq!(status, Some(TaskStatus::Cancelled));
}

#[test]
fn join_error_display_says_what_happened() {
    quiet_panics();
    run(async {
        let mut c = spawn(std::future::pending::<()>());
        c.cancel_with("user pressed stop").await;
        let e: JoinError = c.await.unwrap_err();
        assert_eq!(e.to_string(), "task was cancelled: user pressed stop");
        let p = spawn(async { panic!("bad state on purpose") })
            .await
            .unwrap_err();
        assert_eq!(p.to_string(), "task panicked: bad state on purpose");
    });
}

#[test]
fn cancel_reaches_every_task_when_many_are_cancelled_at_once() {
    let polls = Arc::new(AtomicUsize::new(0));
    let drops = DropCounter::new();
    run(async {
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let p = drops.probe();
            let polls = polls.clone();
            tasks.push(spawn(async move {
                let _p = p;
                common::Forever(polls).await
            }));
        }
        yield_now().await;
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            assert!(t.await.unwrap_err().is_cancelled());
        }
    });
    assert_eq!(drops.dropped(), 100);
    assert_eq!(
        polls.load(Ordering::SeqCst),
        100,
        "each polled once, then cancelled"
    );
}

/// An `AbortHandle` outlives the `Task` handle it came from and the task itself: it still
/// reports the outcome (the task's allocation is kept by the handle's waker), and aborting
/// a finished task changes nothing. Runs under miri (the handle reads the task's metadata
/// through a pointer).
#[test]
fn an_abort_handle_outlives_its_task_handle_and_the_task() {
    let ex = corio_executor::LocalExecutor::new();
    let (stop, done) = ex.block_on(async {
        let stopped = corio_executor::spawn(std::future::pending::<()>());
        let stop = stopped.abort_handle();
        stopped.detach();
        let finished = corio_executor::spawn(async { 1 });
        let done = finished.abort_handle();
        assert_eq!(finished.await.unwrap(), 1);
        (stop, done)
    });
    assert!(!stop.is_finished());
    let other_thread = stop.clone();
    std::thread::spawn(move || other_thread.abort())
        .join()
        .unwrap();
    ex.run_until_stalled();
    assert_eq!(stop.status(), Some(corio_executor::TaskStatus::Cancelled));
    done.abort();
    assert_eq!(done.status(), Some(corio_executor::TaskStatus::Completed));
    drop(ex);
    assert!(stop.is_finished());
}

/// A task's allocation is freed once it has finished and nothing refers to it: the loop's
/// registry gives back the reference it keeps while the task lives, and the waker recorded
/// for the handle is not a reference of its own. The task's metadata holds its name, so
/// the name's count tells whether the task was freed.
#[test]
fn a_finished_task_is_freed_once_nothing_refers_to_it() {
    let name: Arc<str> = Arc::from("probe");
    let live = || Arc::strong_count(&name) - 1;
    run(async {
        // Detached at once.
        let detached_ran = Rc::new(RefCell::new(false));
        let ran = detached_ran.clone();
        task::Builder::new()
            .name(name.clone())
            .spawn(async move { *ran.borrow_mut() = true })
            .detach();
        // Awaited.
        let awaited = task::Builder::new().name(name.clone()).spawn(async { 1 });
        // Kept past its end, then dropped unawaited.
        let kept = task::Builder::new().name(name.clone()).spawn(async { 2 });
        // Aborted, with an abort handle that outlives the task handle.
        let aborted = task::Builder::new()
            .name(name.clone())
            .spawn(std::future::pending::<()>());
        let stop = aborted.abort_handle();
        drop(aborted);
        stop.abort();
        assert_eq!(live(), 4);
        assert_eq!(awaited.await.unwrap(), 1);
        // Whatever order the loop ran them in (chaos mode shuffles it).
        yield_until(|| *detached_ran.borrow() && kept.is_finished() && stop.is_finished()).await;
        assert_eq!(live(), 2, "the detached and the awaited tasks are freed");
        drop(kept);
        assert_eq!(live(), 1, "a finished task is freed with its handle");
        drop(stop);
        assert_eq!(live(), 0, "and with its last abort handle");
    });
}

/// Tasks still alive when the loop shuts down are freed by the shutdown: it cancels them
/// and drops its registry's reference to each, so a detached task waiting forever, one
/// waiting on another task, and one whose handle the loop's future returns are all freed
/// (the last once its handle goes). The name's count in their metadata tells.
#[test]
#[expect(
    clippy::async_yields_async,
    reason = "the loop's future hands a task handle out of the loop on purpose"
)]
fn a_task_alive_at_shutdown_is_freed_by_the_shutdown() {
    let name: Arc<str> = Arc::from("probe");
    let named = name.clone();
    let kept = run(async move {
        let forever = task::Builder::new()
            .name(named.clone())
            .spawn(std::future::pending::<()>());
        // Waits on `forever` through its handle.
        let waiting = Rc::new(RefCell::new(false));
        let started = waiting.clone();
        task::Builder::new()
            .name(named.clone())
            .spawn(async move {
                *started.borrow_mut() = true;
                let _ = forever.await;
            })
            .detach();
        let kept = task::Builder::new()
            .name(named.clone())
            .spawn(std::future::pending::<u8>());
        yield_until(|| *waiting.borrow()).await;
        kept
    });
    assert_eq!(
        Arc::strong_count(&name) - 1,
        1,
        "after the shutdown only the task whose handle is kept is alive"
    );
    assert!(kept.is_finished());
    assert_eq!(kept.status(), Some(TaskStatus::Cancelled));
    drop(kept);
    assert_eq!(
        Arc::strong_count(&name),
        1,
        "and it is freed with its handle"
    );
}
