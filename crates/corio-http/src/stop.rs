//! The two signals every connection task of a server watches: "stop" (finish in-flight
//! requests, then close) and "cut off" (close now).
//!
//! A connection task polls its watch beside its connection on every wake-up, so a watch
//! must cost next to nothing when nothing happened: an atomic load and a waker
//! comparison, no lock. And only a raised signal wakes the watchers: connections opening
//! and closing (which the accept loop and `shutdown` follow through the server's change
//! event) must not wake every other connection, or each close of one of N connections
//! costs N wake-ups. Both happened with a watch built on that change event:
//! event-listener's poll took its list lock on every wake-up of every connection (1% of
//! the server's time under wrk), and every close woke all connections.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use slab::Slab;

/// Which signal a [`Watch`] waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Stop: in-flight requests finish, then the connection closes.
    Stop,
    /// Cut off: the connection closes now. Raising it raises [`Signal::Stop`] too.
    CutOff,
}

/// The raised signals and the wakers of the tasks watching them.
#[derive(Debug, Default)]
pub(crate) struct StopSignals {
    stop: AtomicBool,
    cut_off: AtomicBool,
    watchers: Mutex<Slab<Waker>>,
}

impl StopSignals {
    /// Whether `signal` was raised.
    pub(crate) fn is_raised(&self, signal: Signal) -> bool {
        match signal {
            Signal::Stop => self.stop.load(Ordering::SeqCst),
            Signal::CutOff => self.cut_off.load(Ordering::SeqCst),
        }
    }

    /// Raises `signal` and wakes every watcher.
    pub(crate) fn raise(&self, signal: Signal) {
        self.stop.store(true, Ordering::SeqCst);
        if signal == Signal::CutOff {
            self.cut_off.store(true, Ordering::SeqCst);
        }
        // After the stores, under the lock a watcher registers under: a watcher either
        // registered before this (and is woken here) or re-checks the flags after
        // registering (and sees them raised).
        let watchers = self.watchers.lock().unwrap_or_else(|e| e.into_inner());
        for (_, w) in watchers.iter() {
            w.wake_by_ref();
        }
    }

    /// A future that completes once `signal` is raised.
    pub(crate) fn watch(&self, signal: Signal) -> Watch<'_> {
        Watch {
            signals: self,
            signal,
            slot: None,
            waker: None,
        }
    }
}

/// See [`StopSignals::watch`].
pub(crate) struct Watch<'a> {
    signals: &'a StopSignals,
    signal: Signal,
    /// Where this watch's waker sits among the watchers, once registered.
    slot: Option<usize>,
    /// A copy of the registered waker: while the task's waker stays the same, a poll
    /// needs no lock.
    waker: Option<Waker>,
}

impl Future for Watch<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signals.is_raised(self.signal) {
            return Poll::Ready(());
        }
        if self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            return Poll::Pending;
        }
        let this = &mut *self;
        {
            let mut watchers = this
                .signals
                .watchers
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match this.slot {
                Some(slot) => watchers[slot] = cx.waker().clone(),
                None => this.slot = Some(watchers.insert(cx.waker().clone())),
            }
        }
        this.waker = Some(cx.waker().clone());
        if this.signals.is_raised(this.signal) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            let mut watchers = self
                .signals
                .watchers
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            watchers.remove(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn a_watch_completes_when_its_signal_is_raised_and_not_before() {
        let s = StopSignals::default();
        let (count, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        let mut stop = Box::pin(s.watch(Signal::Stop));
        let mut cut = Box::pin(s.watch(Signal::CutOff));
        assert!(stop.as_mut().poll(&mut cx).is_pending());
        assert!(cut.as_mut().poll(&mut cx).is_pending());
        s.raise(Signal::Stop);
        assert_eq!(count.0.load(Ordering::SeqCst), 2, "both watchers woken");
        assert!(stop.as_mut().poll(&mut cx).is_ready());
        assert!(cut.as_mut().poll(&mut cx).is_pending());
        s.raise(Signal::CutOff);
        assert!(cut.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn a_new_waker_is_registered_and_the_old_one_is_not_woken() {
        let s = StopSignals::default();
        let (old, old_waker) = counter();
        let (new, new_waker) = counter();
        let mut w = Box::pin(s.watch(Signal::Stop));
        assert!(
            w.as_mut()
                .poll(&mut Context::from_waker(&old_waker))
                .is_pending()
        );
        assert!(
            w.as_mut()
                .poll(&mut Context::from_waker(&new_waker))
                .is_pending()
        );
        s.raise(Signal::Stop);
        assert_eq!(old.0.load(Ordering::SeqCst), 0);
        assert_eq!(new.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_dropped_watch_leaves_no_waker_behind() {
        let s = StopSignals::default();
        let (count, waker) = counter();
        let mut w = Box::pin(s.watch(Signal::Stop));
        assert!(
            w.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(w);
        assert!(s.watchers.lock().unwrap().is_empty());
        s.raise(Signal::Stop);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_watch_made_after_the_raise_is_ready_at_once() {
        let s = StopSignals::default();
        s.raise(Signal::CutOff);
        let (_, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        assert!(
            Box::pin(s.watch(Signal::Stop))
                .as_mut()
                .poll(&mut cx)
                .is_ready()
        );
        assert!(
            Box::pin(s.watch(Signal::CutOff))
                .as_mut()
                .poll(&mut cx)
                .is_ready()
        );
    }
}
