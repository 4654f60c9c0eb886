//! Async generators: laziness, cleanup on early drop, panics, errors.

mod common;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use common::DropCounter;
use corio_stream::{FusedStream, Stream, StreamExt, generate_send, try_generate_send};
use futures::task::noop_waker;

fn poll_once<S: Stream + Unpin>(s: &mut S) -> Poll<Option<S::Item>> {
    let w = noop_waker();
    s.as_mut_pin().poll_next(&mut Context::from_waker(&w))
}

trait AsMutPin: Unpin + Sized {
    fn as_mut_pin(&mut self) -> std::pin::Pin<&mut Self> {
        std::pin::Pin::new(self)
    }
}
impl<T: Unpin> AsMutPin for T {}

#[test]
fn body_runs_only_when_an_item_is_asked_for() {
    let steps = Rc::new(Cell::new(0));
    let s = generate_send({
        let steps = steps.clone();
        |co| async move {
            for i in 0..3 {
                steps.set(steps.get() + 1);
                co.yield_(i).await;
            }
            steps.set(steps.get() + 1);
        }
    });
    let mut s = pin!(s);
    assert_eq!(steps.get(), 0, "building the generator runs nothing");
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(0)));
    assert_eq!(steps.get(), 1, "one item, one step: nothing runs ahead");
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(steps.get(), 2);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(2)));
    assert_eq!(steps.get(), 3);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert_eq!(steps.get(), 4);
    assert!(s.is_terminated());
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None), "fused");
    assert_eq!(steps.get(), 4);
}

#[test]
fn take_stops_resuming_the_body() {
    let steps = Rc::new(Cell::new(0));
    corio_executor::run(async {
        let s = generate_send(|co| {
            let steps = steps.clone();
            async move {
                for i in 0.. {
                    steps.set(steps.get() + 1);
                    co.yield_(i).await;
                }
            }
        });
        let v: Vec<u32> = s.take(5).collect().await;
        assert_eq!(v, [0, 1, 2, 3, 4]);
    });
    assert_eq!(steps.get(), 5);
}

#[test]
fn dropping_the_stream_early_runs_the_body_cleanup_once() {
    let drops = DropCounter::default();
    let finished = Rc::new(Cell::new(false));
    corio_executor::run(async {
        let mut s = Box::pin(generate_send(|co| {
            let probe = drops.probe();
            let finished = finished.clone();
            async move {
                let _guard = probe; // the generator's `finally`
                for i in 0..10 {
                    co.yield_(i).await;
                }
                finished.set(true);
            }
        }));
        assert_eq!(s.next().await, Some(0));
        assert_eq!(s.next().await, Some(1));
        assert_eq!(drops.get(), 0);
        drop(s); // `break` out of `async for`
    });
    assert_eq!(drops.get(), 1);
    assert!(!finished.get());
}

#[test]
fn dropping_before_the_first_poll_drops_the_captures() {
    let drops = DropCounter::default();
    let s = generate_send(|co| {
        let probe = drops.probe();
        async move {
            let _p = probe;
            co.yield_(1).await;
        }
    });
    drop(s);
    assert_eq!(drops.get(), 1);
}

#[test]
fn a_panic_in_the_body_surfaces_to_the_consumer() {
    let mut s = Box::pin(generate_send(|co| async move {
        co.yield_(1).await;
        panic!("generator failed");
    }));
    let w = noop_waker();
    let mut cx = Context::from_waker(&w);
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(Some(1)));
    let err = catch_unwind(AssertUnwindSafe(|| s.as_mut().poll_next(&mut cx))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"generator failed"));
    // Polled again after the panic: the stream has ended (no "resumed after panicking").
    assert_eq!(s.as_mut().poll_next(&mut cx), Poll::Ready(None));
    assert!(s.is_terminated());
}

#[test]
fn a_panic_in_the_body_propagates_through_an_executor() {
    let r = catch_unwind(|| {
        corio_executor::run(async {
            let s = generate_send(|co| async move {
                co.yield_(1).await;
                panic!("boom");
            });
            s.collect::<Vec<i32>>().await
        })
    });
    assert!(r.is_err());
}

#[test]
fn a_panic_in_the_body_propagates_through_adapters() {
    let r = catch_unwind(|| {
        futures::executor::block_on(async {
            generate_send(|co| async move {
                co.yield_(1).await;
                panic!("boom");
            })
            .map(|x: i32| async move { x + 1 })
            .buffered(2)
            .fold(0, |a, _| a)
            .await
        })
    });
    assert!(r.is_err());
}

#[test]
fn try_generate_error_ends_the_stream() {
    let steps = Rc::new(Cell::new(0));
    corio_executor::run(async {
        let mut s = Box::pin(try_generate_send(|co| {
            let steps = steps.clone();
            async move {
                co.yield_(1).await;
                steps.set(1);
                co.yield_(2).await;
                steps.set(2);
                Err::<(), _>("bad page")?;
                steps.set(3);
                co.yield_(3).await;
                Ok(())
            }
        }));
        assert_eq!(s.next().await, Some(Ok(1)));
        assert_eq!(s.next().await, Some(Ok(2)));
        assert_eq!(s.next().await, Some(Err("bad page")));
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);
        assert!(s.is_terminated());
    });
    assert_eq!(steps.get(), 2);
}

#[test]
fn try_generate_ok_ends_without_error() {
    corio_executor::run(async {
        let s = try_generate_send(|co| async move {
            co.yield_('a').await;
            Ok::<(), std::io::Error>(())
        });
        let v: Vec<_> = s.map(|r| r.unwrap()).collect().await;
        assert_eq!(v, ['a']);
    });
}

#[test]
fn generator_awaits_real_futures_between_yields() {
    let ex = common::paused();
    ex.run(async {
        let start = corio_timer::clock::now();
        let s = generate_send(|co| async move {
            for i in 0..3 {
                corio_timer::sleep(std::time::Duration::from_secs(1)).await;
                co.yield_(i).await;
            }
        });
        assert_eq!(s.collect::<Vec<_>>().await, [0, 1, 2]);
        assert_eq!(
            corio_timer::clock::now() - start,
            std::time::Duration::from_secs(3)
        );
    });
}

#[test]
fn a_pending_body_returns_pending_not_an_item() {
    let (tx, rx) = futures::channel::oneshot::channel::<u8>();
    let mut s = Box::pin(generate_send(|co| async move {
        let v = rx.await.unwrap();
        co.yield_(v).await;
    }));
    assert_eq!(poll_once(&mut s), Poll::Pending);
    tx.send(9).unwrap();
    assert_eq!(poll_once(&mut s), Poll::Ready(Some(9)));
    assert_eq!(poll_once(&mut s), Poll::Ready(None));
}

#[test]
fn many_items() {
    let n = if cfg!(miri) { 100 } else { 100_000 };
    let sum = futures::executor::block_on(
        generate_send(|co| async move {
            for i in 0..n {
                co.yield_(i as u64).await;
            }
        })
        .fold(0u64, |a, x| a + x),
    );
    assert_eq!(sum, (n as u64) * (n as u64 - 1) / 2);
}

#[test]
fn yield_future_dropped_before_poll_yields_nothing() {
    corio_executor::run(async {
        let s = generate_send(|co| async move {
            drop(co.yield_(1));
            co.yield_(2).await;
        });
        assert_eq!(s.collect::<Vec<_>>().await, [2]);
    });
}

#[test]
fn generate_local_is_lazy_cleans_up_and_ends() {
    let steps = Rc::new(Cell::new(0));
    let drops = DropCounter::default();
    corio_executor::run(async {
        let mut s = pin!(corio_stream::generate(|co| {
            let steps = steps.clone();
            let probe = drops.probe();
            async move {
                let _p = probe;
                for i in 0..10 {
                    steps.set(steps.get() + 1);
                    co.yield_(i).await;
                }
            }
        }));
        assert_eq!(steps.get(), 0);
        assert_eq!(s.next().await, Some(0));
        assert_eq!(s.next().await, Some(1));
        assert_eq!(steps.get(), 2);
    });
    assert_eq!(drops.get(), 1);
    let v: Vec<Result<u8, &str>> = futures::executor::block_on(
        corio_stream::try_generate(|co| async move {
            co.yield_(1).await;
            Err("e")
        })
        .collect(),
    );
    assert_eq!(v, [Ok(1), Err("e")]);
}
