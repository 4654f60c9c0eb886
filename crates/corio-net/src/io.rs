//! A non-blocking I/O object registered in a reactor, and the try-then-wait loop that
//! every socket operation goes through.

use std::fmt;
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use corio_core::coop;

use crate::context;
use crate::reactor::{Direction, Reactor, Source};

/// `io` (set non-blocking) plus its registration; deregisters before `io` closes.
pub(crate) struct Registered<T: AsFd> {
    reactor: Arc<Reactor>,
    source: Arc<Source>,
    /// Per direction, the event count at which a read or write came back short (fewer
    /// bytes than asked): the socket was drained (or its send buffer filled) then, so
    /// until another event arrives an attempt could only say `WouldBlock`. `NEVER` when
    /// no short transfer is on record.
    drained: [AtomicU64; 2],
    /// What the task call graph shows while a task waits here.
    waits: crate::wait_record::WaitRecords,
    io: T,
}

/// No short transfer on record (event counts start at 0 and never reach it).
const NEVER: u64 = u64::MAX;

impl<T: AsFd> Registered<T> {
    /// Registers `io`, which must already be non-blocking, in the current reactor.
    pub(crate) fn new(io: T) -> io::Result<Self> {
        let reactor = context::current();
        let source = reactor.register(&io)?;
        Ok(Registered {
            reactor,
            source,
            drained: [AtomicU64::new(NEVER), AtomicU64::new(NEVER)],
            waits: Default::default(),
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
                res => {
                    self.waits.ready(dir as usize);
                    return Poll::Ready(res);
                }
            }
            match self.reactor.wait(&self.source, &self.io, dir, tick, cx) {
                Ok(true) => {
                    self.waits.pending(dir as usize, self.io.as_fd());
                    return Poll::Pending;
                }
                Ok(false) => continue, // an event came in meanwhile: try again
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// [`poll_io`](Self::poll_io) for a stream's reads and writes, where `op` moves at
    /// most `capacity` bytes and returns how many it moved.
    ///
    /// A transfer that moves fewer bytes than asked means the kernel had no more to give
    /// (or no more room): with edge-triggered readiness, the next attempt can only say
    /// `WouldBlock` until a new event arrives. So the event count is remembered, and the
    /// next call goes straight to waiting while it has not changed. This saves one system
    /// call per request on a keep-alive HTTP connection (measured with `strace -c` under
    /// wrk: 2.03 `recvfrom` per request, half of them `EAGAIN`, before; tokio does the
    /// same with its readiness bits). An event that arrives during or after the short
    /// transfer bumps the count, so it is never missed; and once a hang-up or an error
    /// has been seen, every call tries (a short read may be followed by end of file
    /// whose event came in before it: the next read must report it).
    pub(crate) fn poll_transfer(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        capacity: usize,
        mut op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        let drained = &self.drained[dir as usize];
        loop {
            let tick = Reactor::tick(&self.source, dir);
            if drained.load(Ordering::Relaxed) != tick || Reactor::ended(&self.source, dir) {
                match op(&self.io) {
                    Ok(n) => {
                        if n > 0 && n < capacity {
                            drained.store(tick, Ordering::Relaxed);
                        }
                        self.waits.ready(dir as usize);
                        return Poll::Ready(Ok(n));
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.waits.ready(dir as usize);
                        return Poll::Ready(Err(e));
                    }
                }
            }
            match self.reactor.wait(&self.source, &self.io, dir, tick, cx) {
                Ok(true) => {
                    self.waits.pending(dir as usize, self.io.as_fd());
                    return Poll::Pending;
                }
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
