//! The TM- cases of ASYNCIO_CASES.md (sleep), from CPython's Lib/test/test_asyncio, on
//! virtual time.

mod common;

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use common::{DropProbe, paused_loop};
use corio_executor::{spawn, yield_now};
use corio_timer::{TimerHandle, advance, clock, sleep, sleep_until};

const MS: Duration = Duration::from_millis(1);

/// TM-01. CPython test_tasks.py `test_sleep`: `sleep(d, v)` returns v after at least d;
/// on virtual time, exactly d.
#[test]
fn tm_01_sleep_returns_after_delay_test_sleep() {
    let ex = paused_loop();
    ex.run(async {
        let start = clock::now();
        let v = async {
            sleep(Duration::from_millis(100)).await;
            "yeah"
        }
        .await;
        assert_eq!(v, "yeah");
        assert_eq!(clock::now() - start, Duration::from_millis(100));
        // Consecutive sleeps add up exactly.
        for _ in 0..10 {
            sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(clock::now() - start, Duration::from_millis(150));
    });
}

/// TM-01 on the real clock: at least d, and not absurdly more.
#[test]
fn tm_01_sleep_real_clock_at_least_delay_test_sleep() {
    let ex = common::real_loop();
    let start = Instant::now();
    ex.run(sleep(Duration::from_millis(30)));
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(30), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// TM-02. CPython test_tasks.py `test_sleep_cancel`: cancelling a sleeping task
/// deregisters its timer; the timer count returns to 0.
#[test]
fn tm_02_cancel_sleep_frees_timer_test_sleep_cancel() {
    let ex = paused_loop();
    ex.run(async {
        let h = TimerHandle::current();
        let mut t = spawn(sleep(Duration::from_secs(10)));
        // The sleep registers at its first poll (the next turn on the FIFO loop).
        common::yield_until(|| h.pending_timers() == 1).await;
        assert_eq!(h.pending_timers(), 1);
        assert_eq!(h.live_entries(), 1);
        assert!(t.cancel().await);
        assert!(t.await.unwrap_err().is_cancelled());
        assert_eq!(h.pending_timers(), 0);
        assert_eq!(h.live_entries(), 0);
    });
}

/// TM-03. CPython test_tasks.py `test_task_cancel_sleeping_task`: cancelling a task that
/// sleeps 5000 s completes promptly; the awaiter sees Cancelled.
#[test]
fn tm_03_cancel_long_sleep_promptly_test_task_cancel_sleeping_task() {
    let ex = paused_loop();
    let wall = Instant::now();
    ex.run(async {
        let start = clock::now();
        let probe = DropProbe::default();
        let g = probe.guard();
        let mut sleeper = spawn(async move {
            let _g = g;
            sleep(Duration::from_secs(5000)).await;
            "never"
        });
        let waiter = spawn(async move {
            sleep(Duration::from_millis(100)).await;
            sleeper.cancel().await;
            sleeper.await
        });
        let res = waiter.await.unwrap();
        assert!(res.unwrap_err().is_cancelled());
        assert_eq!(probe.dropped(), 1);
        // Only the 100 ms passed, not the 5000 s.
        assert_eq!(clock::now() - start, Duration::from_millis(100));
        assert_eq!(TimerHandle::current().live_entries(), 0);
    });
    assert!(wall.elapsed() < Duration::from_secs(5));
}

/// TM-04. The test loop of test_wait / test_as_completed: timers fire in deadline order,
/// equal deadlines in registration order.
#[test]
fn tm_04_fire_in_deadline_then_registration_order_test_loop() {
    let ex = paused_loop();
    ex.run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let base = clock::now();
        // (name, deadline in ms), registered in this order.
        let plan = [
            ("c", 300u32),
            ("a", 100),
            ("b1", 200),
            ("e", 70_000),
            ("b2", 200),
            ("d", 5_000),
            ("b3", 200),
            ("a2", 100),
        ];
        let mut tasks = Vec::new();
        for (name, ms) in plan {
            let log = log.clone();
            tasks.push(spawn(async move {
                sleep_until(base + ms * MS).await;
                log.borrow_mut().push((name, clock::now() - base));
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let got: Vec<_> = log.borrow().iter().map(|&(n, _)| n).collect();
        assert_eq!(got, ["a", "a2", "b1", "b2", "b3", "c", "d", "e"]);
        for &(n, at) in log.borrow().iter() {
            let ms = plan.iter().find(|p| p.0 == n).unwrap().1;
            assert_eq!(at, ms * MS, "{n} fired at the wrong time");
        }
    });
}

/// TM-05. test_utils.TestLoop as used throughout the suite: with a paused clock,
/// advancing time fires exactly the timers that are due, and the idle auto-advance jumps
/// to the next deadline.
#[test]
fn tm_05_paused_clock_advance_and_auto_advance_test_utils_testloop() {
    let ex = paused_loop();
    ex.run(async {
        let h = TimerHandle::current();
        let start = clock::now();
        let fired = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for ms in [10u32, 20, 30, 40] {
            let fired = fired.clone();
            tasks.push(spawn(async move {
                sleep(ms * MS).await;
                fired.borrow_mut().push(ms);
            }));
        }
        yield_now().await;
        assert_eq!(h.pending_timers(), 4);
        advance(25 * MS).await;
        assert_eq!(*fired.borrow(), [10, 20]);
        assert_eq!(h.pending_timers(), 2);
        advance(4 * MS).await;
        assert_eq!(*fired.borrow(), [10, 20]); // 29 ms: nothing more is due
        advance(MS).await;
        assert_eq!(*fired.borrow(), [10, 20, 30]);
        // Now idle: the loop jumps straight to the 40 ms deadline.
        tasks.pop().unwrap().await.unwrap();
        assert_eq!(*fired.borrow(), [10, 20, 30, 40]);
        assert_eq!(clock::now() - start, 40 * MS);
        // Idle with nothing pending but a far timer: the jump goes all the way.
        sleep(Duration::from_secs(3 * 365 * 24 * 3600)).await;
        assert_eq!(
            clock::now() - start,
            40 * MS + Duration::from_secs(3 * 365 * 24 * 3600)
        );
    });
}

/// TM-06. CPython test_base_events.py / test_tasks.py `test_stop_while_run_in_complete`:
/// a stop requested mid-run leaves the task pending and resumable; virtual time is 0.3 s.
/// corio's equivalent of `loop.stop()` is returning from `block_on` while tasks are alive.
#[test]
fn tm_06_stop_mid_run_leaves_task_resumable_test_stop_while_run_in_complete() {
    let ex = paused_loop();
    let x = Rc::new(Cell::new(0));
    let stop = Rc::new(Cell::new(false));
    let stop_waker: Rc<RefCell<Option<std::task::Waker>>> = Rc::default();
    let start = ex.block_on(async { clock::now() });
    let task = {
        let (x, stop, stop_waker) = (x.clone(), stop.clone(), stop_waker.clone());
        ex.spawn(async move {
            x.set(x.get() + 1);
            sleep(Duration::from_millis(100)).await;
            x.set(x.get() + 1);
            sleep(Duration::from_millis(100)).await;
            x.set(x.get() + 1);
            sleep(Duration::from_millis(100)).await;
            stop.set(true); // loop.stop()
            if let Some(w) = stop_waker.borrow_mut().take() {
                w.wake();
            }
            x.set(x.get() + 1);
            sleep(Duration::from_millis(100)).await;
            x.set(x.get() + 1);
            "done"
        })
    };
    let now = ex.block_on(poll_fn(|cx| {
        if stop.get() {
            Poll::Ready(clock::now())
        } else {
            *stop_waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }
    }));
    assert_eq!(now - start, Duration::from_millis(300));
    assert_eq!(x.get(), 4);
    assert!(!task.is_finished());
    // Resume: the task finishes where it left off.
    assert_eq!(ex.block_on(task).unwrap(), "done");
    assert_eq!(x.get(), 5);
    assert_eq!(
        ex.block_on(async { clock::now() }) - start,
        Duration::from_millis(400)
    );
}
