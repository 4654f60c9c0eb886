//! The timer wheel through the public API: many timers in one turn, cancel, cascading,
//! reset, the driver's park.

mod common;

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use common::{counting_waker, paused_loop};
use corio_core::{Driver, ThreadParker};
use corio_timer::{Sleep, TimerDriver, TimerHandle, clock, sleep};

const MS: Duration = Duration::from_millis(1);

fn poll(s: &mut Sleep, cx: &mut Context<'_>) -> Poll<()> {
    Pin::new(s).poll(cx)
}

#[test]
fn many_timers_fire_in_one_turn() {
    let mut driver = TimerDriver::new_paused(ThreadParker::new());
    let h = driver.handle();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut sleeps: Vec<Sleep> = (0..10_000).map(|_| h.sleep(50 * MS)).collect();
    for s in &mut sleeps {
        assert!(poll(s, &mut cx).is_pending());
    }
    assert_eq!(h.pending_timers(), 10_000);
    driver.park(None); // idle: jumps to the deadline and fires them all at once
    assert_eq!(count.0.load(Ordering::SeqCst), 10_000);
    assert_eq!(h.pending_timers(), 0);
    for s in &mut sleeps {
        assert!(poll(s, &mut cx).is_ready());
    }
    drop(sleeps);
    assert_eq!(h.live_entries(), 0);
}

#[test]
fn cancel_before_fire_leaves_no_entry() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut sleeps: Vec<Sleep> = (1..=1000u32).map(|i| h.sleep(i * MS)).collect();
    for s in &mut sleeps {
        assert!(poll(s, &mut cx).is_pending());
    }
    assert_eq!(h.live_entries(), 1000);
    drop(sleeps);
    assert_eq!(h.live_entries(), 0);
    assert_eq!(h.pending_timers(), 0);
    h.advance(Duration::from_secs(2));
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
}

/// Issue 4: one million timers inserted and cancelled.
#[test]
fn one_million_timers_inserted_and_cancelled() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let n = if cfg!(debug_assertions) {
        200_000
    } else {
        1_000_000
    };
    let mut rng = fastrand::Rng::with_seed(7);
    let mut batch = Vec::with_capacity(10_000);
    for _ in 0..n / 10_000 {
        for _ in 0..10_000 {
            let mut s = h.sleep(Duration::from_millis(rng.u64(1..10_000_000)));
            assert!(poll(&mut s, &mut cx).is_pending());
            batch.push(s);
        }
        assert_eq!(h.pending_timers(), 10_000);
        batch.clear();
        assert_eq!(h.live_entries(), 0);
    }
}

#[test]
fn far_future_timers_cascade_to_the_exact_deadline() {
    let ex = paused_loop();
    ex.run(async {
        let start = clock::now();
        for d in [
            63 * MS,
            64 * MS,
            4097 * MS,
            Duration::from_secs(3600 * 24 * 400), // > 64^5 ms: level 5
            Duration::from_millis((1 << 36) + 12_345), // level 6
        ] {
            let t0 = clock::now();
            sleep(d).await;
            assert_eq!(clock::now() - t0, d);
        }
        assert!(clock::now() > start);
    });
}

#[test]
fn far_future_with_manual_advance_does_not_fire_early() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let d = Duration::from_millis(64 * 64 * 64 * 64 + 777);
    let mut s = h.sleep(d);
    assert!(poll(&mut s, &mut cx).is_pending());
    h.advance(d - MS);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    assert!(poll(&mut s, &mut cx).is_pending());
    h.advance(MS);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(poll(&mut s, &mut cx).is_ready());
}

#[test]
fn reset_moves_a_timer_across_levels() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let start = h.now();
    let mut s = h.sleep(Duration::from_secs(3600));
    assert!(poll(&mut s, &mut cx).is_pending());
    assert_eq!(h.live_entries(), 1);
    // Far → near (level 3 → level 0): no new entry, fires at the new deadline.
    s.reset(start + 5 * MS);
    assert_eq!(h.live_entries(), 1);
    h.advance(4 * MS);
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    h.advance(MS);
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "the kept waker is woken");
    assert!(poll(&mut s, &mut cx).is_ready());
    // Fired → far again: re-armed, same entry.
    s.reset(start + Duration::from_secs(100));
    assert!(poll(&mut s, &mut cx).is_pending());
    assert_eq!((h.pending_timers(), h.live_entries()), (1, 1));
    h.advance(Duration::from_secs(99));
    assert!(poll(&mut s, &mut cx).is_pending());
    h.advance(Duration::from_secs(1));
    assert!(poll(&mut s, &mut cx).is_ready());
    // Into the past: completes on the next poll, without a turn of the wheel.
    s.reset(start);
    assert!(poll(&mut s, &mut cx).is_ready());
    // To "never": the entry is given back.
    s.reset(start + Duration::from_secs(3600 * 24 * 365 * 100));
    assert_eq!(h.live_entries(), 0);
    assert!(poll(&mut s, &mut cx).is_pending());
    assert!(!s.is_elapsed());
}

#[test]
fn huge_durations_saturate_to_never() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut s = h.sleep(Duration::MAX);
    assert!(poll(&mut s, &mut cx).is_pending());
    assert_eq!(h.pending_timers(), 0, "never holds no entry");
    assert!(s.deadline() > h.now() + Duration::from_secs(3600 * 24 * 365 * 30));
    h.advance(Duration::from_secs(3600 * 24 * 365));
    assert!(poll(&mut s, &mut cx).is_pending());
    // sleep(Duration::MAX) on the current clock too.
    let mut s = sleep(Duration::MAX);
    assert!(poll(&mut s, &mut cx).is_pending());
}

#[test]
fn past_instant_completes_at_once() {
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut s = h.sleep_until(h.now() - Duration::from_secs(5));
    assert!(poll(&mut s, &mut cx).is_ready());
    assert_eq!(h.live_entries(), 0);
}

#[test]
fn real_driver_parks_until_the_next_deadline() {
    let mut driver = TimerDriver::new(ThreadParker::new());
    let h = driver.handle();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let start = Instant::now();
    let mut s = h.sleep(20 * MS);
    assert!(poll(&mut s, &mut cx).is_pending());
    while count.0.load(Ordering::SeqCst) == 0 {
        driver.park(None);
    }
    assert!(start.elapsed() >= 20 * MS);
    assert!(poll(&mut s, &mut cx).is_ready());
    // A zero timeout never sleeps.
    let mut s = h.sleep(Duration::from_secs(60));
    assert!(poll(&mut s, &mut cx).is_pending());
    let t = Instant::now();
    driver.park(Some(Duration::ZERO));
    assert!(t.elapsed() < Duration::from_secs(1));
}

/// A timer registered from another thread while the driver sleeps wakes it early.
#[test]
fn registration_from_another_thread_wakes_the_parked_driver() {
    let mut driver = TimerDriver::new(ThreadParker::new());
    let h = driver.handle();
    let far = h.sleep(Duration::from_secs(60));
    let (count, waker) = counting_waker();
    let mut far = far;
    assert!(poll(&mut far, &mut Context::from_waker(&waker)).is_pending());
    let h2 = h.clone();
    let waker2 = waker.clone();
    let other = std::thread::spawn(move || {
        std::thread::sleep(10 * MS);
        let mut s = h2.sleep(10 * MS);
        assert!(poll(&mut s, &mut Context::from_waker(&waker2)).is_pending());
        s
    });
    let start = Instant::now();
    while count.0.load(Ordering::SeqCst) == 0 {
        driver.park(None);
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "driver missed the timer"
        );
    }
    assert!(start.elapsed() < Duration::from_secs(30));
    drop(other.join().unwrap());
    drop(far);
    assert_eq!(h.live_entries(), 0);
}

/// A Sleep may be dropped or woken on another thread.
#[test]
fn sleep_moves_between_threads() {
    let ex = common::real_loop();
    ex.run(async {
        let h = TimerHandle::current();
        let mut s = Box::pin(sleep(Duration::from_secs(60)));
        assert!(futures::poll!(s.as_mut()).is_pending());
        assert_eq!(h.pending_timers(), 1);
        std::thread::spawn(move || drop(s)).join().unwrap();
        assert_eq!(h.live_entries(), 0);
        // Polled to completion on another thread, registered in this loop's wheel: the
        // loop (not blocked) fires it and wakes that thread.
        let s = h.sleep(5 * MS);
        let (tx, rx) = futures::channel::oneshot::channel();
        let t = std::thread::spawn(move || {
            futures::executor::block_on(s);
            tx.send(()).unwrap();
        });
        rx.await.unwrap();
        t.join().unwrap();
    });
}

#[test]
fn paused_loop_waits_for_other_threads_when_no_timer_is_pending() {
    let ex = paused_loop();
    let (tx, rx) = futures::channel::oneshot::channel();
    let t = std::thread::spawn(move || {
        std::thread::sleep(20 * MS);
        tx.send(5).unwrap();
    });
    assert_eq!(ex.run(rx).unwrap(), 5);
    t.join().unwrap();
}

/// The scoped entry (`Driver::entry().scope`) installs the timer for the closure only, nests,
/// and restores what was current when the closure unwinds.
#[test]
fn scoped_entry_installs_nests_and_restores_on_unwind() {
    let outer = TimerDriver::new_paused(ThreadParker::new());
    let inner = TimerDriver::new_paused(ThreadParker::new());
    assert!(TimerHandle::try_current().is_none());
    outer.entry().scope(|| {
        let now_outer = TimerHandle::try_current().expect("outer entered").now();
        assert_eq!(now_outer, outer.handle().now());
        inner.handle().advance(Duration::from_secs(5));
        let seen = inner
            .entry()
            .scope(|| TimerHandle::try_current().expect("inner entered").now());
        assert_eq!(seen, inner.handle().now());
        // Back to the outer timer after the inner scope.
        assert_eq!(TimerHandle::try_current().unwrap().now(), now_outer);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inner.entry().scope(|| panic!("a loop body that panics"))
        }));
        assert!(unwound.is_err());
        assert_eq!(TimerHandle::try_current().unwrap().now(), now_outer);
    });
    assert!(TimerHandle::try_current().is_none());
}
