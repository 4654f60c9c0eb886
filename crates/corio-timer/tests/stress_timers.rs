//! 100 000 timers with random deadlines and random cancellation, on virtual time: every
//! timer that was not cancelled fires exactly once, at its deadline, in deadline order
//! (equal deadlines in registration order); none fires early or twice; nothing leaks.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use corio_core::ThreadParker;
use corio_timer::{Sleep, TimerDriver};

struct Recorder {
    id: usize,
    log: Arc<Mutex<Vec<usize>>>,
    wakes: AtomicUsize,
}

impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(self.id);
    }
}

#[test]
fn random_deadlines_and_cancellations_fire_exactly_once_in_order() {
    let n: usize = if cfg!(miri) { 500 } else { 100_000 };
    let h = TimerDriver::new_paused(ThreadParker::new()).handle();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut rng = fastrand::Rng::with_seed(0xC0_510);
    let start = h.now();
    // Deadlines in ms: mostly within 10 s, some far (up to ~3 days: several levels).
    let deadlines: Vec<u64> = (0..n)
        .map(|_| {
            if rng.u8(..) < 230 {
                rng.u64(0..10_000)
            } else {
                rng.u64(0..250_000_000)
            }
        })
        .collect();
    let recorders: Vec<Arc<Recorder>> = (0..n)
        .map(|id| {
            Arc::new(Recorder {
                id,
                log: log.clone(),
                wakes: AtomicUsize::new(0),
            })
        })
        .collect();
    let mut sleeps: Vec<Option<Sleep>> = Vec::with_capacity(n);
    for (id, &ms) in deadlines.iter().enumerate() {
        // Deadlines measured from the start, so that "now" creeping forward (the
        // interleaved advances below) does not change them.
        let mut s = h.sleep_until(start + Duration::from_millis(ms + 1));
        let waker = Waker::from(recorders[id].clone());
        assert!(
            Pin::new(&mut s)
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        sleeps.push(Some(s));
    }
    assert_eq!(h.pending_timers(), n);
    // Cancel a random third, then advance in random steps, cancelling more as we go.
    let mut cancelled = vec![false; n];
    for (id, c) in cancelled.iter_mut().enumerate() {
        if rng.u8(..) < 85 {
            sleeps[id] = None;
            *c = true;
        }
    }
    let mut now_ms = 0u64;
    let mut turn_bounds = Vec::new();
    while h.pending_timers() > 0 {
        let step = if now_ms < 10_000 {
            rng.u64(1..50)
        } else {
            rng.u64(1..5_000_000)
        };
        now_ms += step;
        h.advance(Duration::from_millis(step));
        turn_bounds.push((log.lock().unwrap().len(), now_ms));
        for _ in 0..5 {
            let id = rng.usize(..n);
            if let Some(s) = &sleeps[id] {
                if !s.is_elapsed() {
                    sleeps[id] = None;
                    cancelled[id] = true;
                }
            }
        }
    }
    let log = log.lock().unwrap();
    // Exactly once each, none of the cancelled.
    for (id, r) in recorders.iter().enumerate() {
        let wakes = r.wakes.load(Ordering::SeqCst);
        if cancelled[id] {
            assert_eq!(wakes, 0, "cancelled timer {id} fired");
        } else {
            assert_eq!(wakes, 1, "timer {id} fired {wakes} times");
            let s = sleeps[id].as_mut().unwrap();
            let waker = futures::task::noop_waker();
            assert_eq!(
                Pin::new(s).poll(&mut Context::from_waker(&waker)),
                Poll::Ready(())
            );
        }
    }
    // In deadline order, and equal deadlines in registration order.
    for w in log.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!(
            (deadlines[a], a) < (deadlines[b], b),
            "{a} (at {}) fired before {b} (at {})",
            deadlines[a],
            deadlines[b]
        );
    }
    // None early: every timer that fired in a turn was due at the end of that turn.
    let mut from = 0;
    for &(to, at_ms) in &turn_bounds {
        for &id in &log[from..to] {
            assert!(deadlines[id] < at_ms, "timer {id} fired early");
        }
        from = to;
    }
    drop(sleeps);
    assert_eq!(h.live_entries(), 0);
}
