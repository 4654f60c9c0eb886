//! Waiting for a future on a plain thread.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use corio_core::{Driver, ThreadParker, Unparker};

struct Unpark(Unparker);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread, sleeping between wake-ups.
///
/// # Panics
///
/// With `what` named, when called on a thread that runs a corio loop or worker: blocking
/// it would stall every task there, and deadlock if the awaited task needs this thread.
#[track_caller]
pub(crate) fn block_on_thread<F: Future>(what: &str, future: F) -> F::Output {
    if crate::context::runs_tasks() {
        panic!(
            "{what} was called from inside a running corio loop: it would block the loop \
             (and deadlock if the task needs this thread); .await the task instead"
        );
    }
    let mut parker = ThreadParker::new();
    let waker = Waker::from(Arc::new(Unpark(parker.unparker())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        parker.park(None);
    }
}
