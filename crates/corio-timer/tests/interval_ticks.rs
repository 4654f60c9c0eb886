//! `Interval` and its missed-tick behaviours, on virtual time.

mod common;

use std::time::Duration;

use common::paused_loop;
use corio_timer::{MissedTickBehavior, advance, clock, interval, interval_at};

const MS: Duration = Duration::from_millis(1);

/// Ticks at 0, 10, 20; then the task comes back at 35 ms (it missed 20 and 30).
fn ticks_after_stall(behavior: MissedTickBehavior) -> Vec<u32> {
    paused_loop().run(async move {
        let start = clock::now();
        let at = |t: std::time::Instant| ((t - start).as_millis()) as u32;
        let mut iv = interval(10 * MS);
        iv.set_missed_tick_behavior(behavior);
        let mut seen = vec![at(iv.tick().await), at(iv.tick().await)];
        advance(25 * MS).await; // now 35 ms
        for _ in 0..4 {
            let scheduled = iv.tick().await;
            seen.push(at(scheduled));
            seen.push(at(clock::now()));
        }
        seen
    })
}

#[test]
fn burst_delivers_every_missed_tick() {
    // scheduled, observed pairs after the stall
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Burst),
        [0, 10, 20, 35, 30, 35, 40, 40, 50, 50]
    );
}

#[test]
fn delay_restarts_the_schedule() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Delay),
        [0, 10, 20, 35, 45, 45, 55, 55, 65, 65]
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_grid() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Skip),
        [0, 10, 20, 35, 40, 40, 50, 50, 60, 60]
    );
}

#[test]
fn interval_at_starts_later_and_reset_restarts() {
    paused_loop().run(async {
        let start = clock::now();
        let mut iv = interval_at(start + 100 * MS, 10 * MS);
        assert_eq!(iv.tick().await, start + 100 * MS);
        assert_eq!(clock::now() - start, 100 * MS);
        advance(3 * MS).await;
        iv.reset();
        assert_eq!(iv.tick().await, start + 113 * MS);
        assert_eq!(iv.period(), 10 * MS);
    });
}

#[test]
fn dropped_tick_loses_nothing() {
    paused_loop().run(async {
        let start = clock::now();
        let mut iv = interval(10 * MS);
        iv.tick().await;
        {
            let mut t = Box::pin(iv.tick());
            assert!(futures::poll!(t.as_mut()).is_pending());
        }
        assert_eq!(iv.tick().await, start + 10 * MS);
    });
}

#[test]
#[should_panic(expected = "non-zero")]
fn zero_period_panics() {
    let _ = interval(Duration::ZERO);
}
