//! loom models of a timer registered, cancelled, reset and polled on one thread while
//! another fires the wheel. Run with
//! `RUSTFLAGS="--cfg corio_loom" cargo test -p corio-timer --test loom_timer --release`.
#![cfg(corio_loom)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use corio_core::ThreadParker;
use corio_timer::{Sleep, TimerDriver};

const MS: Duration = Duration::from_millis(1);

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn poll(s: &mut Sleep, w: &Waker) -> Poll<()> {
    Pin::new(s).poll(&mut Context::from_waker(w))
}

/// Registration on one thread races the wheel firing on another: either the timer is
/// registered before the fire (and is woken exactly once), or after (and the deadline has
/// passed, so the registration completes at once). Never lost, never twice.
#[test]
fn register_vs_fire() {
    loom::model(|| {
        let h = TimerDriver::new_paused(ThreadParker::new()).handle();
        let h2 = h.clone();
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        let mut s = h.sleep(MS);
        let fire = loom::thread::spawn(move || h2.advance(MS));
        let first = poll(&mut s, &waker);
        fire.join().unwrap();
        match first {
            Poll::Ready(()) => assert_eq!(count.0.load(Ordering::SeqCst), 0),
            Poll::Pending => {
                assert_eq!(count.0.load(Ordering::SeqCst), 1);
                assert_eq!(poll(&mut s, &waker), Poll::Ready(()));
            }
        }
        drop(s);
        assert_eq!(h.live_entries(), 0);
    });
}

/// Cancelling (dropping) races firing: no leak, at most one wake.
#[test]
fn cancel_vs_fire() {
    loom::model(|| {
        let h = TimerDriver::new_paused(ThreadParker::new()).handle();
        let h2 = h.clone();
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        let mut s = h.sleep(MS);
        assert_eq!(poll(&mut s, &waker), Poll::Pending);
        let fire = loom::thread::spawn(move || h2.advance(MS));
        drop(s);
        fire.join().unwrap();
        assert!(count.0.load(Ordering::SeqCst) <= 1);
        assert_eq!(h.live_entries(), 0);
        assert_eq!(h.pending_timers(), 0);
    });
}

/// A reset to a later deadline races the fire of the earlier one: the sleep either fired
/// first (then the reset re-arms it for later) or moved first (and does not fire now).
#[test]
fn reset_vs_fire() {
    loom::model(|| {
        let h = TimerDriver::new_paused(ThreadParker::new()).handle();
        let h2 = h.clone();
        let start = h.now();
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        let mut s = h.sleep(MS);
        assert_eq!(poll(&mut s, &waker), Poll::Pending);
        let fire = loom::thread::spawn(move || h2.advance(MS));
        s.reset(start + 10 * MS);
        fire.join().unwrap();
        assert_eq!(poll(&mut s, &waker), Poll::Pending);
        assert_eq!(h.pending_timers(), 1);
        h.advance(9 * MS);
        assert_eq!(poll(&mut s, &waker), Poll::Ready(()));
        drop(s);
        assert_eq!(h.live_entries(), 0);
    });
}
