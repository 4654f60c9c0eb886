//! Issue 21, item 6: a `Sleep` or `Interval` first polled under one loop's timer and
//! awaited under another (a second loop on the same thread, or any executor on a thread
//! the first loop never ran on, after that loop's thread exited) must still fire: it moves
//! to the timer that polls it instead of waiting on a wheel that nobody turns.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use common::{paused_loop, real_loop};
use corio_timer::{Interval, Sleep, TimerDriver, TimerHandle, interval, sleep};

const MS: Duration = Duration::from_millis(1);

/// Runs `f` on its own thread and fails the test, instead of hanging it, when `f` does not
/// return within `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("timer did not fire within {limit:?}: a silent hang"),
    }
}

/// Polls `fut` once with a no-op waker and expects `Pending` (it registers its timer).
fn poll_once_pending<F: Future + Unpin>(fut: &mut F) {
    let w = futures::task::noop_waker();
    assert!(
        Pin::new(fut)
            .poll(&mut Context::from_waker(&w))
            .is_pending()
    );
}

/// A sleep first polled inside one loop's `run` and armed there, then awaited in a second
/// loop on the same thread while the first loop still exists (idle, so its wheel is never
/// turned again).
#[test]
fn sleep_polled_in_one_loop_fires_in_the_next_on_the_same_thread() {
    within(Duration::from_secs(5), || {
        let first = real_loop();
        let mut s: Pin<Box<Sleep>> = Box::pin(sleep(30 * MS));
        first.run(async {
            poll_once_pending(&mut s);
        });
        let second = real_loop();
        let start = Instant::now();
        second.run(s);
        assert!(start.elapsed() >= 20 * MS);
        drop(first);
    });
}

/// The same with the first loop dropped before the second runs (its driver is gone).
#[test]
fn sleep_outlives_its_first_loop_on_the_same_thread() {
    within(Duration::from_secs(5), || {
        let mut s = Box::pin(sleep(30 * MS));
        {
            let first = real_loop();
            first.run(async { poll_once_pending(&mut s) });
        }
        real_loop().run(s);
    });
}

/// On virtual time too: the second paused loop auto-advances to the moved timer.
#[test]
fn sleep_moves_between_paused_loops() {
    within(Duration::from_secs(5), || {
        let first = paused_loop();
        let mut s = Box::pin(sleep(Duration::from_secs(3600)));
        let first_timer = first.run(async {
            poll_once_pending(&mut s);
            TimerHandle::current()
        });
        assert_eq!(first_timer.pending_timers(), 1);
        let second = paused_loop();
        second.run(async {
            let handle = TimerHandle::current();
            s.await;
            // The entry left the first wheel, and the second one's is gone once fired.
            assert_eq!(first_timer.live_entries(), 0);
            assert_eq!(handle.live_entries(), 0);
        });
    });
}

/// An interval that ticked in one loop keeps ticking in the next.
#[test]
fn interval_ticks_in_the_next_loop_on_the_same_thread() {
    within(Duration::from_secs(5), || {
        let first = real_loop();
        let mut iv: Interval = interval(10 * MS);
        first.run(async {
            iv.tick().await; // immediate
            iv.tick().await; // through the first wheel
            poll_once_pending(&mut Box::pin(iv.tick()));
        });
        let second = real_loop();
        second.run(async {
            for _ in 0..3 {
                iv.tick().await;
            }
        });
    });
}

/// A sleep armed in a loop whose thread then exited, awaited on another thread, under a
/// foreign executor (no corio loop there: the fallback timer takes it).
#[test]
fn sleep_moved_out_of_an_exited_loop_thread_fires_under_a_foreign_executor() {
    let s = thread::spawn(|| {
        let mut s = Box::pin(sleep(30 * MS));
        real_loop().run(async { poll_once_pending(&mut s) });
        s
    })
    .join()
    .unwrap();
    within(Duration::from_secs(5), move || {
        let start = Instant::now();
        futures::executor::block_on(s);
        assert!(start.elapsed() >= 10 * MS);
    });
}

/// The same, awaited in a corio loop on another thread.
#[test]
fn sleep_moved_out_of_an_exited_loop_thread_fires_in_another_loop() {
    let s = thread::spawn(|| {
        let mut s = Box::pin(sleep(30 * MS));
        real_loop().run(async { poll_once_pending(&mut s) });
        s
    })
    .join()
    .unwrap();
    within(Duration::from_secs(5), move || real_loop().run(s));
}

/// An interval moved out of an exited loop thread.
#[test]
fn interval_moved_out_of_an_exited_loop_thread_keeps_ticking() {
    let iv = thread::spawn(|| {
        let mut iv = interval(10 * MS);
        real_loop().run(async {
            iv.tick().await;
            poll_once_pending(&mut Box::pin(iv.tick()));
        });
        iv
    })
    .join()
    .unwrap();
    within(Duration::from_secs(5), move || {
        let mut iv = iv;
        futures::executor::block_on(async {
            for _ in 0..3 {
                iv.tick().await;
            }
        });
    });
}

/// A sleep made for a given timer (`TimerHandle::sleep`) stays in that timer while it
/// lives, wherever it is polled: the driver below is turned by hand.
#[test]
fn handle_sleep_stays_in_its_timer_while_the_driver_lives() {
    let driver = TimerDriver::new_paused(corio_core::ThreadParker::new());
    let handle = driver.handle();
    let mut s = Box::pin(handle.sleep(Duration::from_secs(5)));
    paused_loop().run(async { poll_once_pending(&mut s) });
    assert_eq!(handle.pending_timers(), 1);
    handle.advance(Duration::from_secs(5));
    let w = futures::task::noop_waker();
    assert_eq!(
        s.as_mut().poll(&mut Context::from_waker(&w)),
        Poll::Ready(())
    );
    drop(driver);
}

/// But once its driver is dropped, it moves rather than wait forever.
#[test]
fn handle_sleep_whose_driver_was_dropped_moves_to_the_current_timer() {
    within(Duration::from_secs(5), || {
        let driver = TimerDriver::new(corio_core::ThreadParker::new());
        let s = driver.handle().sleep(20 * MS);
        drop(driver);
        futures::executor::block_on(s);
    });
}
