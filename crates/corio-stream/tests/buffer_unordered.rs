//! buffered / buffer_unordered / for_each_concurrent: limits (counted), ordering,
//! per-child wakers, budget.

mod common;

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{DropCounter, Gauge};
use corio_stream::{FusedStream, Stream, StreamExt, generate_send, iter};
use corio_timer::sleep;
use futures::task::noop_waker;

/// A future that counts its polls and completes when its flag is set, waking through the
/// waker it was last polled with.
#[derive(Clone, Default)]
struct Gate {
    open: Rc<Cell<bool>>,
    waker: Rc<Cell<Option<Waker>>>,
    polls: Rc<Cell<usize>>,
}

impl Gate {
    fn open(&self) {
        self.open.set(true);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

impl Future for Gate {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.set(self.polls.get() + 1);
        if self.open.get() {
            Poll::Ready(())
        } else {
            self.waker.set(Some(cx.waker().clone()));
            Poll::Pending
        }
    }
}

#[test]
fn buffer_unordered_never_runs_more_than_n() {
    let ex = common::paused();
    let g = Gauge::default();
    let started = Rc::new(Cell::new(0));
    let out: Vec<u64> = ex.run(async {
        iter(0..50u64)
            .map(|i| {
                let g = g.clone();
                let started = started.clone();
                async move {
                    started.set(started.get() + 1);
                    let _in = g.enter();
                    sleep(Duration::from_millis(1 + (i * 7) % 13)).await;
                    i
                }
            })
            .buffer_unordered(4)
            .collect()
            .await
    });
    assert_eq!(
        g.peak(),
        4,
        "exactly n at once: never more, and the limit is used"
    );
    assert_eq!(started.get(), 50);
    let mut sorted = out.clone();
    sorted.sort();
    assert_eq!(sorted, (0..50).collect::<Vec<_>>());
}

#[test]
fn buffer_unordered_pulls_the_source_only_when_a_slot_is_free() {
    let pulled = Rc::new(Cell::new(0));
    let gates: Vec<Gate> = (0..10).map(|_| Gate::default()).collect();
    let src = generate_send({
        let pulled = pulled.clone();
        let gates = gates.clone();
        |co| async move {
            for g in gates {
                pulled.set(pulled.get() + 1);
                co.yield_(g).await;
            }
        }
    });
    let mut s = pin!(src.buffer_unordered(3));
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(pulled.get(), 3, "the source is not drained ahead");
    assert_eq!(s.in_flight(), 3);
    gates[1].open();
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(())));
    assert_eq!(s.in_flight(), 2);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert_eq!(pulled.get(), 4);
    assert_eq!(s.in_flight(), 3);
}

#[test]
fn buffer_unordered_yields_in_completion_order() {
    let ex = common::paused();
    let v: Vec<u64> = ex.run(async {
        iter([50u64, 10, 40, 20, 30])
            .map(|ms| async move {
                sleep(Duration::from_millis(ms)).await;
                ms
            })
            .buffer_unordered(5)
            .collect()
            .await
    });
    assert_eq!(v, [10, 20, 30, 40, 50]);
}

#[test]
fn buffered_yields_in_input_order_and_counts_waiting_outputs() {
    let ex = common::paused();
    let g = Gauge::default();
    let v: Vec<u64> = ex.run(async {
        iter([50u64, 10, 40, 20, 30, 5, 1])
            .map(|ms| {
                let g = g.clone();
                async move {
                    let _in = g.enter();
                    sleep(Duration::from_millis(ms)).await;
                    ms
                }
            })
            .buffered(3)
            .collect()
            .await
    });
    assert_eq!(v, [50, 10, 40, 20, 30, 5, 1]);
    assert!(g.peak() <= 3);
}

#[test]
fn buffered_limit_includes_finished_outputs() {
    let gates: Vec<Gate> = (0..6).map(|_| Gate::default()).collect();
    let mut s = pin!(iter(gates.clone()).buffered(3));
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    gates[1].open();
    gates[2].open();
    assert_eq!(
        s.as_mut().poll_next(&mut cx),
        Poll::Pending,
        "the first is not done"
    );
    assert_eq!(
        s.in_flight(),
        3,
        "two outputs wait; no fourth future starts"
    );
    assert_eq!(gates[3].polls.get(), 0);
    gates[0].open();
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(())));
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(())));
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(())));
    for g in &gates[3..] {
        g.open();
    }
    let rest = futures::executor::block_on(s.as_mut().collect::<Vec<_>>());
    assert_eq!(rest.len(), 3);
    assert!(s.is_terminated());
}

#[test]
fn a_wake_polls_only_the_woken_child() {
    let n = 1000;
    let gates: Vec<Gate> = (0..n).map(|_| Gate::default()).collect();
    let mut s = pin!(iter(gates.clone()).buffer_unordered(n));
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    // The first poll polls every child once (in slices, yielding after a budget).
    while s.as_mut().poll_next(&mut cx).is_pending() && gates.iter().any(|g| g.polls.get() == 0) {}
    assert!(gates.iter().all(|g| g.polls.get() == 1));
    for k in [7, 500, 999] {
        gates[k].open();
        assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(())));
    }
    let total: usize = gates.iter().map(|g| g.polls.get()).sum();
    assert_eq!(total, n + 3, "each wake polled one child, not all {n}");
}

#[test]
fn a_poll_yields_after_a_budget_of_child_polls() {
    // Children that wake themselves and stay pending forever: one poll of the set must
    // return (Pending, with its task woken) instead of spinning.
    struct Spin(Rc<Cell<usize>>);
    impl Future for Spin {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.0.set(self.0.get() + 1);
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
    let polls = Rc::new(Cell::new(0));
    let mut s = pin!(iter((0..1000).map(|_| Spin(polls.clone()))).buffer_unordered(1000));
    let woken = Arc::new(AtomicUsize::new(0));
    struct CountWake(Arc<AtomicUsize>);
    impl std::task::Wake for CountWake {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let w = Waker::from(Arc::new(CountWake(woken.clone())));
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Pending);
    assert!(
        polls.get() <= 64,
        "polled {} children in one poll",
        polls.get()
    );
    assert!(
        woken.load(Ordering::SeqCst) >= 1,
        "yielded with its task woken"
    );
}

#[test]
fn many_ready_futures_under_corio_do_not_starve_other_tasks() {
    // A sibling task must get turns while buffer_unordered works through 10 000 ready
    // futures (the coop budget and the set's own budget both yield).
    let turns = Rc::new(Cell::new(0));
    corio_executor::run(async {
        let t = turns.clone();
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        let sibling = corio_executor::spawn(async move {
            while !d.get() {
                t.set(t.get() + 1);
                corio_executor::yield_now().await;
            }
        });
        let n: usize = iter(0..10_000)
            .map(|i| async move { i })
            .buffer_unordered(64)
            .fold(0, |a, _| a + 1)
            .await;
        done.set(true);
        sibling.await.unwrap();
        assert_eq!(n, 10_000);
    });
    // An always-ready source spends one unit of budget per 32 items (128 units a poll), so
    // 10 000 items give the sibling a turn at least twice.
    assert!(turns.get() >= 2, "sibling ran {} times", turns.get());
}

#[test]
fn dropping_buffer_unordered_drops_running_futures() {
    let drops = DropCounter::default();
    let ex = common::paused();
    ex.run(async {
        let mut s = pin!(
            iter(0..10)
                .map(|i| {
                    let p = drops.probe();
                    async move {
                        let _p = p;
                        sleep(Duration::from_millis(10 * (i + 1))).await;
                        i
                    }
                })
                .buffer_unordered(3)
        );
        assert_eq!(s.next().await, Some(0));
        assert_eq!(drops.get(), 1);
    });
    // The two still running were dropped with the stream; the 7 never created futures
    // were never made (map is lazy), so their probes never existed.
    assert_eq!(drops.get(), 3);
}

#[test]
fn for_each_concurrent_limits_and_finishes_all() {
    let ex = common::paused();
    let g = Gauge::default();
    let done = Cell::new(0);
    ex.run(async {
        iter(0..30u64)
            .for_each_concurrent(5, |i| {
                let g = g.clone();
                let done = &done;
                async move {
                    let _in = g.enter();
                    sleep(Duration::from_millis(1 + i % 7)).await;
                    done.set(done.get() + 1);
                }
            })
            .await;
    });
    assert_eq!(done.get(), 30);
    assert_eq!(g.peak(), 5);
    assert_eq!(g.now(), 0);
}

#[test]
fn for_each_concurrent_over_many_ready_items_terminates() {
    let count = Cell::new(0);
    corio_executor::run(async {
        iter(0..100_000)
            .for_each_concurrent(16, |_| {
                count.set(count.get() + 1);
                async {}
            })
            .await;
    });
    assert_eq!(count.get(), 100_000);
}

#[test]
fn slots_are_reused_across_many_futures() {
    // 10 000 futures through a limit of 8: works and keeps order-insensitive accounting.
    let sum: u64 = futures::executor::block_on(
        iter(0..10_000u64)
            .map(|i| async move { i })
            .buffer_unordered(8)
            .fold(0, |a, x| a + x),
    );
    assert_eq!(sum, 10_000 * 9_999 / 2);
}

#[test]
#[should_panic(expected = "at least 1")]
fn buffer_unordered_of_zero_panics() {
    let _ = iter([async {}]).buffer_unordered(0);
}
