//! [`AsyncFd`]: any non-blocking file descriptor (a pipe, a pidfd, a terminal, a
//! socket type this crate does not wrap) served by the current loop's reactor.

use std::fmt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use corio_core::coop;

use crate::context;
use crate::reactor::{Direction, Reactor, Source};

/// A file descriptor registered in the current loop's reactor, for the descriptors this
/// crate has no type of its own for: pipes (a child process's stdin and stdout), a Linux
/// pidfd, a signal self-pipe, a terminal.
///
/// `T` owns the descriptor and must already be in **non-blocking** mode (the caller sets
/// it: `UnixStream::set_nonblocking`, `fcntl`, ...): a blocking read would stall the whole
/// loop. The descriptor is registered when the `AsyncFd` is made and deregistered before
/// `T` is dropped or handed back by [`into_inner`](Self::into_inner).
///
/// Two ways to use it:
/// - wait for readiness and do the operation yourself: [`readable`](Self::readable) /
///   [`writable`](Self::writable) wait, [`try_io`](Self::try_io) runs an operation and,
///   when it says `WouldBlock`, forgets the readiness so that the next wait sleeps;
/// - or, when `T` implements [`std::io::Read`] / [`std::io::Write`], use the `AsyncFd`
///   as a `futures_io::AsyncRead` / `AsyncWrite` directly.
///
/// Readiness is edge-triggered underneath but an `AsyncFd` never misses an edge: an
/// event that arrives between a failed attempt and the wait is remembered.
///
/// # Examples
///
/// A socket pair of std's, read and written through the reactor:
///
/// ```
/// use corio_net::AsyncFd;
/// use futures::{AsyncReadExt, AsyncWriteExt};
/// use std::os::unix::net::UnixStream;
///
/// corio_executor::run(async {
///     let (a, b) = UnixStream::pair()?;
///     a.set_nonblocking(true)?;
///     b.set_nonblocking(true)?;
///     let (mut a, mut b) = (AsyncFd::new(a)?, AsyncFd::new(b)?);
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub struct AsyncFd<T: AsFd> {
    reactor: Arc<Reactor>,
    source: Arc<Source>,
    /// `None` only after `into_inner` (which consumes the `AsyncFd`).
    io: Option<T>,
    /// Per direction, the event count read before the last attempt that said
    /// `WouldBlock` (`NOT_BLOCKED` if none did): a wait sleeps only while the count
    /// still equals it.
    blocked_at: [AtomicU64; 2],
    /// What the task call graph shows while a task waits here.
    waits: crate::wait_record::WaitRecords,
}

/// No attempt said `WouldBlock` yet: the descriptor is presumed ready.
const NOT_BLOCKED: u64 = u64::MAX;

impl<T: AsFd> AsyncFd<T> {
    /// Registers `io` (already non-blocking) in the reactor of the current loop, or in
    /// the global fallback reactor outside one.
    ///
    /// # Errors
    ///
    /// When the poller refuses the descriptor (a regular file, with epoll: use a
    /// blocking pool for files).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let fd = corio_net::AsyncFd::new(a)?;
    /// assert!(fd.get_ref().local_addr().is_ok());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(io: T) -> io::Result<AsyncFd<T>> {
        let reactor = context::current();
        let source = reactor.register(&io)?;
        Ok(AsyncFd {
            reactor,
            source,
            io: Some(io),
            blocked_at: [AtomicU64::new(NOT_BLOCKED), AtomicU64::new(NOT_BLOCKED)],
            waits: Default::default(),
        })
    }

    /// The wrapped object.
    ///
    /// # Examples
    ///
    /// See [`AsyncFd::new`].
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().expect("AsyncFd used after into_inner")
    }

    /// The wrapped object, mutably (do not make it blocking).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let mut fd = corio_net::AsyncFd::new(a)?;
    /// let _: &mut std::os::unix::net::UnixStream = fd.get_mut();
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.io.as_mut().expect("AsyncFd used after into_inner")
    }

    /// Deregisters the descriptor and hands the object back (still non-blocking).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// a.set_nonblocking(true)?;
    /// let a = corio_net::AsyncFd::new(a)?.into_inner();
    /// a.set_nonblocking(false)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn into_inner(mut self) -> T {
        let io = self.io.take().expect("AsyncFd used after into_inner");
        self.reactor.deregister(&self.source, &io);
        io
    }

    /// Waits until the descriptor may be readable. Readiness is a hint: the read may
    /// still say `WouldBlock`; do reads through [`try_io`](Self::try_io) so that such a
    /// spurious readiness is forgotten.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future loses no event (the next wait sees it).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// corio_executor::run(async {
    ///     let (a, mut b) = std::os::unix::net::UnixStream::pair()?;
    ///     a.set_nonblocking(true)?;
    ///     let fd = corio_net::AsyncFd::new(a)?;
    ///     b.write_all(b"x")?;
    ///     fd.readable().await?;
    ///     let mut buf = [0; 1];
    ///     let n = fd.try_io(corio_net::Interest::Read, |mut s| s.read(&mut buf))?;
    ///     assert_eq!(n, 1);
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn readable(&self) -> Ready<'_, T> {
        Ready {
            fd: self,
            dir: Direction::Read,
        }
    }

    /// Waits until the descriptor may be writable; see [`readable`](Self::readable).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    ///     a.set_nonblocking(true)?;
    ///     let fd = corio_net::AsyncFd::new(a)?;
    ///     fd.writable().await // an empty socket buffer is writable
    /// })
    /// .unwrap();
    /// ```
    pub fn writable(&self) -> Ready<'_, T> {
        Ready {
            fd: self,
            dir: Direction::Write,
        }
    }

    /// Runs `op` once; a `WouldBlock` from it is returned as is, and the next
    /// [`readable`](Self::readable) / [`writable`](Self::writable) wait (for `interest`)
    /// then sleeps until a new event.
    ///
    /// # Errors
    ///
    /// Whatever `op` returns.
    ///
    /// # Examples
    ///
    /// See [`AsyncFd::readable`].
    pub fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let dir = interest.dir();
        let tick = Reactor::tick(&self.source, dir);
        let res = op(self.get_ref());
        if matches!(&res, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.blocked_at[dir as usize].store(tick, Ordering::Release);
        }
        res
    }

    /// Polls `op` until it stops saying `WouldBlock`, sleeping on `interest` in between
    /// (the loop every operation of this crate's sockets runs); for `poll_*` methods of
    /// types built on an `AsyncFd`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use std::future::poll_fn;
    /// corio_executor::run(async {
    ///     let (a, b) = std::os::unix::net::UnixStream::pair()?;
    ///     a.set_nonblocking(true)?;
    ///     let fd = corio_net::AsyncFd::new(a)?;
    ///     drop(b); // end of stream: the read returns 0
    ///     let mut buf = [0; 4];
    ///     let n = poll_fn(|cx| fd.poll_io(cx, corio_net::Interest::Read, |mut s| s.read(&mut buf))).await?;
    ///     assert_eq!(n, 0);
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let dir = interest.dir();
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            let tick = Reactor::tick(&self.source, dir);
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => {
                    self.waits.ready(interest as usize);
                    return Poll::Ready(res);
                }
            }
            match self
                .reactor
                .wait(&self.source, self.get_ref(), dir, tick, cx)
            {
                Ok(true) => {
                    self.waits
                        .pending(interest as usize, self.get_ref().as_fd());
                    return Poll::Pending;
                }
                Ok(false) => continue, // an event came in meanwhile: try again
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_io_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let dir = interest.dir();
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            let tick = Reactor::tick(&self.source, dir);
            match op(self.get_mut()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => {
                    self.waits.ready(interest as usize);
                    return Poll::Ready(res);
                }
            }
            match self
                .reactor
                .wait(&self.source, self.get_ref(), dir, tick, cx)
            {
                Ok(true) => {
                    self.waits
                        .pending(interest as usize, self.get_ref().as_fd());
                    return Poll::Pending;
                }
                Ok(false) => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

/// The direction an [`AsyncFd`] operation waits on.
///
/// # Examples
///
/// ```
/// assert_ne!(corio_net::Interest::Read, corio_net::Interest::Write);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    /// Waiting to read.
    Read,
    /// Waiting to write.
    Write,
}

impl Interest {
    fn dir(self) -> Direction {
        match self {
            Interest::Read => Direction::Read,
            Interest::Write => Direction::Write,
        }
    }
}

impl<T: AsFd + Read> AsyncRead for AsyncFd<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_io_mut(cx, Interest::Read, |io| io.read(buf))
    }
}

impl<T: AsFd + Write> AsyncWrite for AsyncFd<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_io_mut(cx, Interest::Write, |io| io.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .poll_io_mut(cx, Interest::Write, |io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A descriptor closes when the `AsyncFd` is dropped; closing flushes.
        self.poll_flush(cx)
    }
}

impl<T: AsFd> Unpin for AsyncFd<T> {}

impl<T: AsFd> Drop for AsyncFd<T> {
    fn drop(&mut self) {
        // Deregistered before `io` (a field dropped after this) closes the descriptor.
        if let Some(io) = &self.io {
            self.reactor.deregister(&self.source, io);
        }
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("io", &self.io)
            .finish_non_exhaustive()
    }
}

/// The future of [`AsyncFd::readable`] and [`AsyncFd::writable`].
#[must_use = "futures do nothing unless awaited"]
pub struct Ready<'a, T: AsFd> {
    fd: &'a AsyncFd<T>,
    dir: Direction,
}

impl<T: AsFd> Future for Ready<'_, T> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Ready unless the last attempt said `WouldBlock` and no event came since the
        // count it was made at: so no edge is missed, and none is waited for twice.
        let blocked = self.fd.blocked_at[self.dir as usize].load(Ordering::Acquire);
        if blocked == NOT_BLOCKED {
            return Poll::Ready(Ok(()));
        }
        let fd = self.fd;
        match fd
            .reactor
            .wait(&fd.source, fd.get_ref(), self.dir, blocked, cx)
        {
            Ok(true) => Poll::Pending,
            Ok(false) => Poll::Ready(Ok(())),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl<T: AsFd> fmt::Debug for Ready<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready").field("dir", &self.dir).finish()
    }
}
