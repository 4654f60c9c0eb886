//! The time-aware adapters on virtual time: chunks_timeout, throttle, timeout.

mod common;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use corio_stream::{Elapsed, StreamExt, generate_send, iter};
use corio_timer::{clock, sleep};

const MS: Duration = Duration::from_millis(1);

/// Items at the given offsets (ms) from the start.
fn at_times(offsets: &'static [u64]) -> impl corio_stream::Stream<Item = u64> {
    generate_send(move |co| async move {
        let start = clock::now();
        for &t in offsets {
            corio_timer::sleep_until(start + Duration::from_millis(t)).await;
            co.yield_(t).await;
        }
    })
}

#[test]
fn chunks_timeout_cuts_by_size() {
    let ex = common::paused();
    let v: Vec<Vec<u64>> = ex.run(
        at_times(&[0, 1, 2, 3, 4])
            .chunks_timeout(2, 100 * MS)
            .collect(),
    );
    assert_eq!(v, [vec![0, 1], vec![2, 3], vec![4]]);
}

#[test]
fn chunks_timeout_cuts_by_time_since_the_first_item() {
    let ex = common::paused();
    ex.run(async {
        let start = clock::now();
        let mut s = pin!(at_times(&[0, 30, 60, 90, 200, 210, 500]).chunks_timeout(10, 100 * MS));
        let mut got = Vec::new();
        while let Some(batch) = s.next().await {
            got.push(((clock::now() - start).as_millis(), batch));
        }
        assert_eq!(
            got,
            [
                (100, vec![0, 30, 60, 90]), // 100 ms after the batch's first item (0)
                (300, vec![200, 210]),      // 100 ms after 200
                (500, vec![500]),           // the end of the stream flushes at once
            ]
        );
    });
}

#[test]
fn chunks_timeout_never_yields_an_empty_batch() {
    let ex = common::paused();
    ex.run(async {
        let start = clock::now();
        let mut s = pin!(at_times(&[1000]).chunks_timeout(3, 10 * MS));
        assert_eq!(s.next().await, Some(vec![1000]));
        // A long silence produced no empty batches; the single item went out when the
        // stream ended right after it.
        assert_eq!(clock::now() - start, 1000 * MS);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn throttle_spaces_items_by_the_period() {
    let ex = common::paused();
    ex.run(async {
        let start = clock::now();
        let mut s = pin!(iter(0..4).throttle(100 * MS));
        let mut at = Vec::new();
        while let Some(i) = s.next().await {
            at.push((i, (clock::now() - start).as_millis()));
        }
        assert_eq!(at, [(0, 0), (1, 100), (2, 200), (3, 300)]);
    });
}

#[test]
fn throttle_does_not_delay_a_slow_source_further() {
    let ex = common::paused();
    ex.run(async {
        let start = clock::now();
        let mut s = pin!(at_times(&[0, 250, 300, 310]).throttle(100 * MS));
        let mut at = Vec::new();
        while let Some(t) = s.next().await {
            at.push((t, (clock::now() - start).as_millis()));
        }
        // 250 arrives late already: passes at once; 300 must wait until 350; 310 → 450.
        assert_eq!(at, [(0, 0), (250, 250), (300, 350), (310, 450)]);
    });
}

#[test]
fn throttle_does_not_pull_the_source_early() {
    let ex = common::paused();
    let pulled = Rc::new(Cell::new(0));
    ex.run(async {
        let p = pulled.clone();
        let src = generate_send(|co| async move {
            for i in 0..3 {
                p.set(p.get() + 1);
                co.yield_(i).await;
            }
        });
        let mut s = pin!(src.throttle(100 * MS));
        assert_eq!(s.next().await, Some(0));
        assert_eq!(pulled.get(), 1);
        sleep(50 * MS).await;
        assert_eq!(
            pulled.get(),
            1,
            "no item is produced ahead while the gate is shut"
        );
        assert_eq!(s.next().await, Some(1));
        assert_eq!(pulled.get(), 2);
    });
}

#[test]
fn timeout_reports_slow_items_and_continues() {
    let ex = common::paused();
    ex.run(async {
        let start = clock::now();
        let mut s = pin!(at_times(&[10, 250, 260]).timeout(100 * MS));
        let mut got = Vec::new();
        while let Some(r) = s.next().await {
            got.push((r, (clock::now() - start).as_millis()));
        }
        assert_eq!(
            got,
            [
                (Ok(10), 10),
                (Err(Elapsed::new()), 110),
                (Err(Elapsed::new()), 210),
                (Ok(250), 250),
                (Ok(260), 260),
            ]
        );
    });
}

#[test]
fn timeout_then_take_while_ends_at_the_first_timeout() {
    let ex = common::paused();
    let v: Vec<_> = ex.run(
        at_times(&[10, 20, 500])
            .timeout(100 * MS)
            .take_while(Result::is_ok)
            .map(Result::unwrap)
            .collect(),
    );
    assert_eq!(v, [10, 20]);
}

#[test]
fn timeout_lets_a_ready_item_win_at_the_deadline() {
    let ex = common::paused();
    let v: Vec<_> = ex.run(at_times(&[100]).timeout(100 * MS).collect());
    // The item arrives exactly at the deadline: the stream is polled first, so it wins.
    assert_eq!(v, [Ok(100)]);
}
