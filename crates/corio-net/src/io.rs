//! A non-blocking I/O object registered in a reactor, and the try-then-wait loop that
//! every socket operation goes through.

use std::fmt;
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use corio_core::coop;

use crate::reactor::{Direction, Reactor, Source};

/// `io` (set non-blocking) plus its registration; deregisters before `io` closes.
pub(crate) struct Registered<T: AsFd> {
    reactor: Arc<Reactor>,
    source: Arc<Source>,
    io: T,
}

impl<T: AsFd> Registered<T> {
    /// Registers `io`, which must already be non-blocking, in the current reactor.
    pub(crate) fn new(io: T) -> io::Result<Self> {
        let reactor = Reactor::current();
        let source = reactor.register(&io)?;
        Ok(Registered {
            reactor,
            source,
            io,
        })
    }

    pub(crate) fn get_ref(&self) -> &T {
        &self.io
    }

    /// Tries `op` until it stops saying `WouldBlock`; sleeps on `dir` in between.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            let tick = Reactor::tick(&self.source, dir);
            match op(&self.io) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => return Poll::Ready(res),
            }
            match self.reactor.wait(&self.source, &self.io, dir, tick, cx) {
                Ok(true) => return Poll::Pending,
                Ok(false) => continue, // an event came in meanwhile: try again
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// A future running [`poll_io`](Self::poll_io) with `op`.
    pub(crate) fn io<R, F>(&self, dir: Direction, op: F) -> IoFuture<'_, T, F>
    where
        F: FnMut(&T) -> io::Result<R>,
    {
        IoFuture { io: self, dir, op }
    }
}

impl<T: AsFd> Drop for Registered<T> {
    fn drop(&mut self) {
        self.reactor.deregister(&self.source, &self.io);
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for Registered<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.fmt(f)
    }
}

/// See [`Registered::io`].
pub(crate) struct IoFuture<'a, T: AsFd, F> {
    io: &'a Registered<T>,
    dir: Direction,
    op: F,
}

impl<T: AsFd, F> Unpin for IoFuture<'_, T, F> {}

impl<T: AsFd, R, F: FnMut(&T) -> io::Result<R>> Future for IoFuture<'_, T, F> {
    type Output = io::Result<R>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.io.poll_io(cx, this.dir, &mut this.op)
    }
}
