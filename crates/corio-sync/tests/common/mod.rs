//! Shared helpers for corio-sync's tests.
#![allow(dead_code, unreachable_pub)]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A shared log of events, in order.
pub type Log<T> = Rc<RefCell<Vec<T>>>;

pub fn log<T>() -> Log<T> {
    Rc::new(RefCell::new(Vec::new()))
}

/// Polls `f` once with a no-op waker.
pub fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    Pin::new(f).poll(&mut cx)
}

/// A waker that counts its wakes.
pub fn counting_waker() -> (
    std::task::Waker,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct W(Arc<AtomicUsize>);
    impl futures::task::ArcWake for W {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let n = Arc::new(AtomicUsize::new(0));
    (futures::task::waker(Arc::new(W(n.clone()))), n)
}

/// Polls `f` once with the given waker.
pub fn poll_with<F: Future + Unpin>(f: &mut F, waker: &std::task::Waker) -> Poll<F::Output> {
    let mut cx = Context::from_waker(waker);
    Pin::new(f).poll(&mut cx)
}

#[allow(unused_imports)] // not every test binary waits this way
pub use corio_test_support::yield_until;
