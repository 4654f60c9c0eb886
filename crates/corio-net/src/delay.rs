//! Deadlines of corio-net (connect timeouts, a server's shutdown grace and accept
//! back-off): the clock they are measured on, and [`Delay`], which waits for one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::reactor::{Reactor, lock};

/// The time deadlines are measured on: the current loop's clock when a corio timer runs
/// on this thread (the paused virtual clock included), else the real one.
pub(crate) fn now() -> Instant {
    corio_core::time::now()
}

/// A deadline; completes once `when` has passed. On a loop with a corio timer it is one of
/// that timer's sleeps, so the paused virtual clock governs it like every other deadline
/// (DESIGN, "One clock"); elsewhere (corio-net under another runtime) the reactor keeps it.
pub(crate) struct Delay {
    inner: DelayKind,
}

enum DelayKind {
    Clock(corio_core::BoxFuture<()>),
    Reactor {
        reactor: Arc<Reactor>,
        when: Instant,
        id: Option<u64>,
    },
}

impl Delay {
    pub(crate) fn new(reactor: Arc<Reactor>, when: Instant) -> Delay {
        let inner = match corio_core::time::current_clock() {
            Some(clock) => DelayKind::Clock(clock.sleep_until(when)),
            None => DelayKind::Reactor {
                reactor,
                when,
                id: None,
            },
        };
        Delay { inner }
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (reactor, when, id) = match &mut self.inner {
            DelayKind::Clock(sleep) => return sleep.as_mut().poll(cx),
            DelayKind::Reactor { reactor, when, id } => (reactor, *when, id),
        };
        if Instant::now() >= when {
            if let Some(id) = id.take() {
                reactor.remove_timer(id);
            }
            return Poll::Ready(());
        }
        let key = match *id {
            Some(key) => key,
            None => {
                let key = reactor.add_timer(when);
                *id = Some(key);
                key
            }
        };
        let mut t = lock(&reactor.timers);
        match t.wakers.get_mut(&key) {
            Some(slot) => *slot = Some(cx.waker().clone()),
            // Fired between the clock read and here.
            None => return Poll::Ready(()),
        }
        Poll::Pending
    }
}

impl Drop for Delay {
    fn drop(&mut self) {
        if let DelayKind::Reactor { reactor, id, .. } = &mut self.inner {
            if let Some(id) = id.take() {
                reactor.remove_timer(id);
            }
        }
    }
}

impl fmt::Debug for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            DelayKind::Clock(_) => f.debug_struct("Delay").field("kept_by", &"clock").finish(),
            DelayKind::Reactor { when, .. } => f
                .debug_struct("Delay")
                .field("kept_by", &"reactor")
                .field("when", when)
                .finish(),
        }
    }
}
