//! The ordering guarantee of each adapter and source.

mod common;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_stream::{FusedStream, Stream, StreamExt, generate_send, iter, repeat_with, unfold};
use corio_timer::sleep;
use futures::task::noop_waker;

fn block<F: std::future::Future>(f: F) -> F::Output {
    corio_executor::run(f)
}

#[test]
fn iter_keeps_order_and_size_hint() {
    let s = iter(vec![3, 1, 2]);
    assert_eq!(s.size_hint(), (3, Some(3)));
    assert_eq!(block(s.collect::<Vec<_>>()), [3, 1, 2]);
}

#[test]
fn repeat_with_calls_lazily() {
    let calls = Cell::new(0);
    let v: Vec<_> = block(
        repeat_with(|| {
            calls.set(calls.get() + 1);
            calls.get()
        })
        .take(3)
        .collect(),
    );
    assert_eq!(v, [1, 2, 3]);
    assert_eq!(calls.get(), 3);
}

#[test]
fn unfold_steps_in_order_and_lazily() {
    let steps = Rc::new(Cell::new(0));
    let s = unfold(0, {
        let steps = steps.clone();
        move |n| {
            let steps = steps.clone();
            async move {
                steps.set(steps.get() + 1);
                corio_executor::yield_now().await;
                (n < 4).then_some((n, n + 1))
            }
        }
    });
    assert_eq!(steps.get(), 0);
    let v: Vec<_> = block(s.take(2).collect());
    assert_eq!(v, [0, 1]);
    assert_eq!(steps.get(), 2);
}

#[test]
fn unfold_ends_at_none() {
    let s = unfold(0, |n| async move { (n < 3).then_some((n, n + 1)) });
    assert_eq!(block(s.collect::<Vec<_>>()), [0, 1, 2]);
}

#[test]
fn map_filter_then_keep_order() {
    let v: Vec<_> = block(
        iter(0..20)
            .map(|x| x * 3)
            .filter(|x| x % 2 == 0)
            .then(|x| async move {
                corio_executor::yield_now().await;
                x + 1
            })
            .collect(),
    );
    let want: Vec<_> = (0..20)
        .map(|x| x * 3)
        .filter(|x| x % 2 == 0)
        .map(|x| x + 1)
        .collect();
    assert_eq!(v, want);
}

#[test]
fn then_runs_one_future_at_a_time() {
    let g = common::Gauge::default();
    block(
        iter(0..10)
            .then(|_| {
                let g = g.clone();
                async move {
                    let _in = g.enter();
                    corio_executor::yield_now().await;
                }
            })
            .collect::<Vec<_>>(),
    );
    assert_eq!(g.peak(), 1);
}

#[test]
fn take_skip_take_while_enumerate() {
    assert_eq!(
        block(iter(0..10).skip(3).take(4).collect::<Vec<_>>()),
        [3, 4, 5, 6]
    );
    assert_eq!(block(iter(0..2).take(5).collect::<Vec<_>>()), [0, 1]);
    assert_eq!(
        block(iter(0..2).skip(5).collect::<Vec<_>>()),
        Vec::<i32>::new()
    );
    assert_eq!(
        block(
            iter([1, 2, 5, 1])
                .take_while(|x| *x < 3)
                .collect::<Vec<_>>()
        ),
        [1, 2]
    );
    assert_eq!(
        block(iter("abc".chars()).enumerate().collect::<Vec<_>>()),
        [(0, 'a'), (1, 'b'), (2, 'c')]
    );
    assert_eq!(iter(0..10).skip(3).size_hint(), (7, Some(7)));
    assert_eq!(iter(0..10).take(3).size_hint(), (3, Some(3)));
}

#[test]
fn take_while_does_not_poll_after_the_first_rejected_item() {
    let pulled = Cell::new(0);
    let s = repeat_with(|| {
        pulled.set(pulled.get() + 1);
        pulled.get()
    })
    .take_while(|x| *x < 3);
    let mut s = pin!(s);
    assert_eq!(
        block(async { s.as_mut().collect::<Vec<_>>().await }),
        [1, 2]
    );
    assert_eq!(pulled.get(), 3);
    assert!(s.is_terminated());
}

#[test]
fn zip_pairs_in_order_and_ends_with_the_shorter() {
    let v: Vec<_> = block(iter(0..5).zip(iter("xy".chars())).collect());
    assert_eq!(v, [(0, 'x'), (1, 'y')]);
    // The slow side is waited for; pairs stay aligned.
    let ex = common::paused();
    let v: Vec<_> = ex.run(async {
        let slow = generate_send(|co| async move {
            for i in 0..3 {
                sleep(Duration::from_millis(10)).await;
                co.yield_(i).await;
            }
        });
        iter(["a", "b", "c", "d"]).zip(slow).collect().await
    });
    assert_eq!(v, [("a", 0), ("b", 1), ("c", 2)]);
}

#[test]
fn merge_alternates_fairly_when_both_are_ready() {
    let v: Vec<_> = block(iter([1, 1, 1, 1]).merge(iter([2, 2, 2, 2])).collect());
    assert_eq!(v, [1, 2, 1, 2, 1, 2, 1, 2]);
    // One side ends: the other continues alone.
    let v: Vec<_> = block(iter([1]).merge(iter([2, 2, 2])).collect());
    assert_eq!(v, [1, 2, 2, 2]);
}

#[test]
fn merge_is_arrival_order_and_keeps_each_sides_order() {
    let ex = common::paused();
    let v: Vec<_> = ex.run(async {
        let every = |ms: u64, tag: &'static str| {
            generate_send(move |co| async move {
                for i in 0..3 {
                    sleep(Duration::from_millis(ms)).await;
                    co.yield_((tag, i)).await;
                }
            })
        };
        every(10, "fast").merge(every(25, "slow")).collect().await
    });
    assert_eq!(
        v,
        [
            ("fast", 0), // 10
            ("fast", 1), // 20
            ("slow", 0), // 25
            ("fast", 2), // 30
            ("slow", 1), // 50
            ("slow", 2), // 75
        ]
    );
}

#[test]
fn merge_an_endless_stream_does_not_starve_the_other() {
    let v: Vec<_> = block(repeat_with(|| 0).merge(iter([1, 1, 1])).take(6).collect());
    assert_eq!(v, [0, 1, 0, 1, 0, 1]);
}

#[test]
fn flatten_is_sequential() {
    let pulled = Cell::new(0);
    let outer = iter(0..3).map(|i| {
        pulled.set(pulled.get() + 1);
        iter(vec![i; 2])
    });
    let mut s = pin!(outer.flatten());
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(0)));
    assert_eq!(pulled.get(), 1, "the next inner stream is not pulled early");
    let rest: Vec<_> = block(async { s.as_mut().collect::<Vec<_>>().await });
    assert_eq!(rest, [0, 1, 1, 2, 2]);
}

#[test]
fn chunks_batches_in_order() {
    let v: Vec<_> = block(iter(0..7).chunks(3).collect());
    assert_eq!(v, [vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
    let v: Vec<Vec<i32>> = block(iter(0..0).chunks(3).collect());
    assert!(v.is_empty());
    assert_eq!(iter(0..7).chunks(3).size_hint(), (3, Some(3)));
}

#[test]
#[should_panic(expected = "at least 1")]
fn chunks_of_zero_panics() {
    let _ = iter(0..1).chunks(0);
}

#[test]
fn collect_and_fold() {
    let s: String = block(iter(["a", "b"]).collect());
    assert_eq!(s, "ab");
    assert_eq!(block(iter(1..=5).fold(1, |a, x| a * x)), 120);
}

#[test]
fn fold_keeps_its_accumulator_across_pending() {
    // An always-ready source spends its task's budget, so under corio's loop a fold over
    // 100 000 items returns Pending many times; its accumulator survives each one.
    let mut fold = pin!(iter(0..100_000u64).fold(0u64, |a, x| a + x));
    let mut polls = 0;
    let sum = block(std::future::poll_fn(|cx| {
        polls += 1;
        fold.as_mut().poll(cx)
    }));
    assert!(polls > 10, "fold polled {polls} times");
    assert_eq!(sum, 99_999 * 100_000 / 2);
}

#[test]
fn next_is_cancel_safe_for_a_generator() {
    // Dropping a pending `next()` loses nothing: the item stays in the stream.
    let ex = common::paused();
    ex.run(async {
        let mut s = Box::pin(generate_send(|co| async move {
            sleep(Duration::from_millis(100)).await;
            co.yield_(1).await;
            co.yield_(2).await;
        }));
        let r = corio_timer::timeout(Duration::from_millis(10), s.next()).await;
        assert!(r.is_err());
        assert_eq!(s.next().await, Some(1));
        assert_eq!(s.next().await, Some(2));
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn interval_stream_ticks_on_schedule() {
    let ex = common::paused();
    ex.run(async {
        let start = corio_timer::clock::now();
        let ticks: Vec<_> = corio_stream::interval_stream(Duration::from_secs(2))
            .take(3)
            .collect()
            .await;
        let offsets: Vec<_> = ticks.iter().map(|t| *t - start).collect();
        assert_eq!(
            offsets,
            [
                Duration::ZERO,
                Duration::from_secs(2),
                Duration::from_secs(4)
            ]
        );
    });
}

#[test]
fn debug_impls_exist() {
    let s = iter(0..3).map(|x| x).filter(|_| true).enumerate().chunks(2);
    assert!(format!("{s:?}").contains("Chunks"));
    let g = generate_send(|co| async move { co.yield_(1u8).await });
    assert!(format!("{g:?}").contains("Generator"));
}
