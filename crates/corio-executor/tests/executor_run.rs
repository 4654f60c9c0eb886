//! `run`, `block_on`, shutdown and the loop's guarantees; asyncio's test_runners.py cases.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{DropCounter, quiet_panics, yield_until};
use corio_executor::{Builder, LocalExecutor, run, spawn, yield_now};

// EX-01, test_runners.py RunTests.test_asyncio_run_return
#[test]
fn ex_01_run_returns_main_value_test_asyncio_run_return() {
    assert_eq!(run(async { 42 }), 42);
}

// EX-02, RunTests.test_asyncio_run_raises
#[test]
fn ex_02_run_propagates_main_error_and_panic_test_asyncio_run_raises() {
    quiet_panics();
    let r: Result<(), &str> = run(async { Err("spam") });
    assert_eq!(r, Err("spam"));
    let caught = std::panic::catch_unwind(|| run(async { panic!("main failed on purpose") }));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"main failed on purpose")
    );
}

// EX-03, RunTests.test_asyncio_run_from_running_loop, RunnerTests.test_recursive_run
#[test]
fn ex_03_run_inside_running_loop_panics_clearly_test_asyncio_run_from_running_loop() {
    quiet_panics();
    let msg = run(async {
        let inner = std::panic::catch_unwind(|| run(async { 1 }));
        let payload = inner.unwrap_err();
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    });
    assert!(msg.contains("inside a running corio event loop"), "{msg}");
}

#[test]
fn run_inside_a_task_panics_and_the_task_reports_it() {
    quiet_panics();
    run(async {
        let t = spawn(async { run(async {}) });
        let err = t.await.unwrap_err();
        assert!(err.panic_message().unwrap().contains("cannot be nested"));
    });
}

// EX-04, RunTests.test_asyncio_run_cancels_hanging_tasks
#[test]
fn ex_04_run_cancels_and_drops_hanging_tasks_before_returning_test_asyncio_run_cancels_hanging_tasks()
 {
    let drops = DropCounter::new();
    let d = drops.clone();
    let out = run(async move {
        for _ in 0..10 {
            let probe = d.probe();
            spawn(async move {
                let _probe = probe;
                std::future::pending::<()>().await;
            })
            .detach();
        }
        yield_now().await; // let them start and suspend
        "main"
    });
    assert_eq!(out, "main");
    assert_eq!(drops.dropped(), 10);
}

// EX-05, RunTests.test_asyncio_run_reports_hanging_tasks_errors
#[test]
fn ex_05_panic_in_leftover_task_during_shutdown_is_reported_test_asyncio_run_reports_hanging_tasks_errors()
 {
    quiet_panics();
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("destructor failed on purpose");
        }
    }
    let reported = Arc::new(AtomicUsize::new(0));
    let r = reported.clone();
    let ex = Builder::new()
        .on_unobserved_failure(move |f| {
            assert_eq!(f.message(), Some("destructor failed on purpose"));
            r.fetch_add(1, Ordering::SeqCst);
        })
        .build_local();
    let out = ex.run(async {
        let started = Rc::new(RefCell::new(false));
        let s = started.clone();
        spawn(async move {
            let _p = PanicOnDrop;
            *s.borrow_mut() = true;
            std::future::pending::<()>().await;
        })
        .detach();
        yield_until(|| *started.borrow()).await; // suspended, guard alive
        7
    });
    assert_eq!(out, 7);
    assert_eq!(reported.load(Ordering::SeqCst), 1);
    assert_eq!(ex.unobserved_failures(), 1);
}

// EX-06, RunTests.test_asyncio_run_closes_gens_after_hanging_tasks_errors
#[test]
fn ex_06_suspended_async_iterators_are_dropped_at_shutdown_test_asyncio_run_closes_gens_after_hanging_tasks_errors()
 {
    // An async iterator suspended inside a leftover task is finalised with it.
    let drops = DropCounter::new();
    let d = drops.clone();
    run(async move {
        let probe = d.probe();
        let stream = futures::stream::unfold(probe, |p| async move {
            std::future::pending::<()>().await;
            Some((1, p))
        });
        spawn(async move {
            use futures::StreamExt;
            let mut s = Box::pin(stream);
            s.next().await;
        })
        .detach();
        yield_now().await;
    });
    assert_eq!(drops.dropped(), 1);
}

// EX-07, test_locks.py EventTests.test_wait: the ready queue is FIFO.
#[test]
fn ex_07_ready_queue_is_fifo_test_wait() {
    let order = run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 1..=3 {
            let log = log.clone();
            tasks.push(spawn(async move { log.borrow_mut().push(i) }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        log.take()
    });
    assert_eq!(order, [1, 2, 3]);
}

// EX-08, test_tasks.py SleepTests.test_sleep_zero (yield_now is sleep(0))
#[test]
fn ex_08_yield_now_gives_exactly_one_turn_test_sleep_zero() {
    run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let t = spawn(async move {
            l.borrow_mut().push("a1");
            yield_now().await;
            l.borrow_mut().push("a2");
        });
        log.borrow_mut().push("m1");
        yield_now().await;
        log.borrow_mut().push("m2");
        yield_now().await;
        log.borrow_mut().push("m3");
        t.await.unwrap();
        assert_eq!(*log.borrow(), ["m1", "a1", "m2", "a2", "m3"]);
    });
}

// EX-09, test_locks.py LockTests.test_acquire: spawn does not run inline.
#[test]
fn ex_09_spawn_does_not_run_the_task_inline_test_acquire() {
    run(async {
        let ran = Rc::new(RefCell::new(false));
        let r = ran.clone();
        let t = spawn(async move { *r.borrow_mut() = true });
        assert!(!*ran.borrow());
        yield_now().await;
        assert!(*ran.borrow());
        t.await.unwrap();
    });
}

// EX-24, test_tasks.py test_log_destroyed_pending_task
#[test]
fn ex_24_dropping_the_executor_drops_every_pending_future_test_log_destroyed_pending_task() {
    let shared = Arc::new(());
    {
        let ex = LocalExecutor::new();
        for _ in 0..5 {
            let s = shared.clone();
            ex.spawn(async move {
                let _s = s;
                std::future::pending::<()>().await;
            })
            .detach();
        }
        ex.run_until_stalled();
        assert_eq!(Arc::strong_count(&shared), 6);
    }
    assert_eq!(Arc::strong_count(&shared), 1);
}

// EX-26, test_runners.py RunnerTests.test_run_keeps_context, test_explicit_close,
// test_double_close, test_second_with_block_raises
#[test]
fn ex_26_runner_shares_loop_across_calls_and_refuses_after_close_test_run_keeps_context() {
    quiet_panics();
    let ex = LocalExecutor::new();
    let counter = Rc::new(RefCell::new(0));
    let c = counter.clone();
    let background = ex.spawn(async move {
        loop {
            *c.borrow_mut() += 1;
            yield_now().await;
        }
    });
    // A few turns each: one is enough on the FIFO loop, not under chaos mode.
    let c = counter.clone();
    ex.block_on(yield_until(|| *c.borrow() >= 1));
    let after_first = *counter.borrow();
    assert!(after_first >= 1);
    let c = counter.clone();
    ex.block_on(yield_until(|| *c.borrow() > after_first));
    assert!(
        *counter.borrow() > after_first,
        "the task lives on between runs"
    );
    ex.shutdown();
    ex.shutdown(); // closing twice is fine
    assert!(background.is_finished());
    assert!(ex.try_spawn(async {}).is_err());
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.block_on(async {})));
    let msg = err
        .unwrap_err()
        .downcast_ref::<&str>()
        .copied()
        .unwrap_or_default();
    assert!(msg.contains("shut down"), "{msg}");
}

#[test]
fn shutdown_with_live_tasks_runs_their_destructors_on_the_loop_thread() {
    let loop_thread = std::thread::current().id();
    let seen = Rc::new(RefCell::new(Vec::new()));
    struct Note(Rc<RefCell<Vec<std::thread::ThreadId>>>);
    impl Drop for Note {
        fn drop(&mut self) {
            self.0.borrow_mut().push(std::thread::current().id());
        }
    }
    let ex = LocalExecutor::new();
    for _ in 0..3 {
        let note = Note(seen.clone());
        ex.spawn(async move {
            let _n = note;
            std::future::pending::<()>().await
        })
        .detach();
    }
    ex.run_until_stalled();
    assert_eq!(ex.live_tasks(), 3);
    ex.shutdown();
    assert_eq!(ex.live_tasks(), 0);
    assert_eq!(*seen.borrow(), [loop_thread; 3]);
}

#[test]
fn tasks_spawned_by_destructors_during_shutdown_never_run_their_body() {
    let ran = Rc::new(RefCell::new(false));
    struct SpawnOnDrop(Rc<RefCell<bool>>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let r = self.0.clone();
            spawn(async move { *r.borrow_mut() = true }).detach();
        }
    }
    let ex = LocalExecutor::new();
    let guard = SpawnOnDrop(ran.clone());
    ex.spawn(async move {
        let _g = guard;
        std::future::pending::<()>().await
    })
    .detach();
    ex.run_until_stalled();
    ex.shutdown();
    assert!(!*ran.borrow());
    assert_eq!(ex.live_tasks(), 0);
}

#[test]
fn spawning_100_000_tasks_joins_them_all() {
    let n: u64 = if cfg!(miri) { 200 } else { 100_000 };
    let sum = run(async move {
        let tasks: Vec<_> = (0..n).map(|i| spawn(async move { i })).collect();
        let mut sum = 0u64;
        for t in tasks {
            sum += t.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, n * (n - 1) / 2);
}

#[test]
fn wake_from_another_thread_reaches_a_parked_loop() {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        tx.send(5).unwrap();
    });
    let got = run(async move {
        // A task waits on the channel; main waits on the task.
        spawn(async move { rx.await.unwrap() }).await.unwrap()
    });
    assert_eq!(got, 5);
    t.join().unwrap();
}

#[test]
fn main_woken_from_another_thread_is_polled_again() {
    let (tx, rx) = futures::channel::oneshot::channel::<u32>();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tx.send(9).unwrap();
    });
    assert_eq!(run(async move { rx.await.unwrap() }), 9);
    t.join().unwrap();
}

#[test]
fn a_busy_task_does_not_starve_the_others() {
    // A task that is always ready (it yields through the cooperative budget) still lets
    // the other task run. The other waits until the busy one is spinning, whichever of
    // them the loop starts first.
    run(async {
        let done = Rc::new(RefCell::new(false));
        let spinning = Rc::new(RefCell::new(false));
        let (d, s) = (done.clone(), spinning.clone());
        let busy = spawn(async move {
            *s.borrow_mut() = true;
            let mut spins = 0u64;
            while !*d.borrow() {
                corio_core::coop::consume_budget().await;
                spins += 1;
            }
            spins
        });
        let d2 = done.clone();
        let other = spawn(async move {
            yield_until(|| *spinning.borrow()).await;
            *d2.borrow_mut() = true;
        });
        other.await.unwrap();
        assert!(busy.await.unwrap() >= 1);
    });
}

#[test]
fn run_until_stalled_reports_polls_and_stops_when_idle() {
    let ex = LocalExecutor::new();
    let _a = ex.spawn(async {
        yield_now().await;
        std::future::pending::<()>().await
    });
    assert_eq!(ex.run_until_stalled(), 2);
    assert_eq!(ex.run_until_stalled(), 0);
}

#[test]
fn spawn_outside_a_loop_is_a_clear_error() {
    quiet_panics();
    let err = corio_executor::try_spawn(async {}).unwrap_err();
    assert_eq!(err, corio_executor::SpawnError::no_executor());
    let p = std::panic::catch_unwind(|| spawn(async {}).detach()).unwrap_err();
    let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("no corio executor is running"), "{msg}");
}

#[test]
fn core_spawn_trait_reaches_the_running_loop() {
    run(async {
        let hit = Rc::new(RefCell::new(0));
        let h = hit.clone();
        let t = corio_core::context::spawn_local(Box::pin(async move { *h.borrow_mut() += 1 }))
            .unwrap();
        t.await.unwrap();
        assert_eq!(*hit.borrow(), 1);
        let stuck = corio_core::context::spawn(Box::pin(std::future::pending())).unwrap();
        stuck.abort();
        assert!(stuck.await.unwrap_err().is_cancelled());
    });
    assert!(corio_core::context::current_spawner().is_none());
}

#[test]
fn a_loop_dropped_inside_another_loops_task_shuts_down_cleanly() {
    let drops = DropCounter::new();
    let d = drops.clone();
    run(async move {
        let inner = LocalExecutor::new();
        let p = d.probe();
        inner
            .spawn(async move {
                let _p = p;
                std::future::pending::<()>().await
            })
            .detach();
        drop(inner); // runs the inner loop's shutdown while the outer one is running
        yield_now().await;
        assert!(corio_executor::in_loop());
    });
    assert_eq!(drops.dropped(), 1);
}

/// A driver for `block_on` threads means nothing to a single-thread loop: building one
/// with it is refused, not silently ignored.
#[test]
#[should_panic(expected = "Builder::block_on_driver is for multi-thread executors")]
fn a_block_on_driver_on_a_single_thread_builder_is_refused() {
    let _ = corio_executor::Builder::new()
        .block_on_driver(|parker| Box::new(parker))
        .build_local();
}

/// Building a multi-thread executor the wrong way round is refused with a message that
/// says what to call instead.
#[test]
#[should_panic(expected = "call .build() for an Executor")]
fn build_local_on_a_multi_thread_builder_is_refused() {
    let _ = corio_executor::Builder::multi_thread().build_local();
}
