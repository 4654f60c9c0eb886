//! What TCP and Unix streams share: the registered socket, the shutdown flags, error
//! messages that name the peer, the non-blocking connect, and the owned halves.

use std::fmt;
use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::context;
use crate::delay::{self, Delay};
use crate::io::Registered;
use crate::reactor::Direction;

/// A connected stream socket of std's (`net::TcpStream`, `os::unix::net::UnixStream`).
pub(crate) trait StdStream: AsFd + Send + Sync + 'static
where
    for<'a> &'a Self: Read + Write,
{
    fn shutdown_std(&self, how: Shutdown) -> io::Result<()>;
}

impl StdStream for std::net::TcpStream {
    fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
}

impl StdStream for std::os::unix::net::UnixStream {
    fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.shutdown(how)
    }
}

/// The bytes a vectored transfer asks for.
fn total_len<B: std::ops::Deref<Target = [u8]>>(bufs: &[B]) -> usize {
    bufs.iter().map(|b| b.len()).sum()
}

/// The state of one stream, shared by the stream and its halves.
pub(crate) struct StreamCore<T: StdStream>
where
    for<'a> &'a T: Read + Write,
{
    io: Registered<T>,
    read_shut: AtomicBool,
    write_shut: AtomicBool,
    /// The peer as it was when the connection was made, for error messages.
    peer: String,
    /// Counts the reads and writes that moved bytes, so that a server can tell an idle
    /// connection from a busy one without reading the clock on every operation.
    moved: AtomicU64,
}

impl<T: StdStream> StreamCore<T>
where
    for<'a> &'a T: Read + Write,
{
    pub(crate) fn new(io: Registered<T>, peer: String) -> Self {
        StreamCore {
            io,
            read_shut: AtomicBool::new(false),
            write_shut: AtomicBool::new(false),
            peer,
            moved: AtomicU64::new(0),
        }
    }

    /// How many reads and writes have moved bytes so far.
    pub(crate) fn moved(&self) -> u64 {
        self.moved.load(Ordering::Relaxed)
    }

    fn count(&self, done: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = done {
            if n > 0 {
                self.moved.fetch_add(1, Ordering::Relaxed);
            }
        }
        done
    }

    pub(crate) fn get_ref(&self) -> &T {
        self.io.get_ref()
    }

    fn annotate(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{e} (peer {})", self.peer))
    }

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.read_shut.load(Ordering::Acquire) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                format!("read after shutdown (peer {})", self.peer),
            )));
        }
        let done = self
            .io
            .poll_transfer(cx, Direction::Read, buf.len(), |mut s| s.read(buf))
            .map_err(|e| self.annotate(e));
        self.count(done)
    }

    pub(crate) fn poll_read_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.read_shut.load(Ordering::Acquire) {
            return self.poll_read(cx, &mut []);
        }
        let done = self
            .io
            .poll_transfer(cx, Direction::Read, total_len(bufs), |mut s| {
                s.read_vectored(bufs)
            })
            .map_err(|e| self.annotate(e));
        self.count(done)
    }

    fn write_error(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::BrokenPipe,
            format!("write after shutdown (peer {})", self.peer),
        )
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.write_shut.load(Ordering::Acquire) {
            return Poll::Ready(Err(self.write_error()));
        }
        let done = self
            .io
            .poll_transfer(cx, Direction::Write, buf.len(), |mut s| s.write(buf))
            .map_err(|e| self.annotate(e));
        self.count(done)
    }

    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.write_shut.load(Ordering::Acquire) {
            return Poll::Ready(Err(self.write_error()));
        }
        let done = self
            .io
            .poll_transfer(cx, Direction::Write, total_len(bufs), |mut s| {
                s.write_vectored(bufs)
            })
            .map_err(|e| self.annotate(e));
        self.count(done)
    }

    /// Shuts down one or both directions; later reads or writes there fail at once.
    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let (r, w) = match how {
            Shutdown::Read => (true, false),
            Shutdown::Write => (false, true),
            Shutdown::Both => (true, true),
        };
        let already = (!r || self.read_shut.load(Ordering::Acquire))
            && (!w || self.write_shut.load(Ordering::Acquire));
        if r {
            self.read_shut.store(true, Ordering::Release);
        }
        if w {
            self.write_shut.store(true, Ordering::Release);
        }
        if already {
            return Ok(());
        }
        match self.io.get_ref().shutdown_std(how) {
            // The peer may have gone first; the local side is shut all the same.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            res => res.map_err(|e| self.annotate(e)),
        }
    }

    /// `poll_close` of `AsyncWrite`: shuts the write direction down (idempotent).
    pub(crate) fn close_write(&self) -> io::Result<()> {
        if self.write_shut.load(Ordering::Acquire) {
            return Ok(());
        }
        self.shutdown(Shutdown::Write)
    }
}

impl<T: StdStream + fmt::Debug> fmt::Debug for StreamCore<T>
where
    for<'a> &'a T: Read + Write,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("io", self.io.get_ref())
            .field("read_shut", &self.read_shut.load(Ordering::Relaxed))
            .field("write_shut", &self.write_shut.load(Ordering::Relaxed))
            .finish()
    }
}

/// Whether a non-blocking `connect` said "in progress". `EAGAIN` is not: for a Unix
/// socket it means the listener's backlog is full, for TCP that no local port is free;
/// both are failures, and waiting for writability would never end.
fn in_progress(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EINPROGRESS)
}

/// Connects `socket` (non-blocking) to `addr` and waits until the connection is made.
pub(crate) async fn connect_socket<T>(
    socket: socket2::Socket,
    addr: &socket2::SockAddr,
    convert: impl FnOnce(socket2::Socket) -> T,
) -> io::Result<Registered<T>>
where
    T: AsFd,
    T: ConnectCheck,
{
    socket.set_nonblocking(true)?;
    match socket.connect(addr) {
        Ok(()) => {}
        Err(e) if in_progress(&e) => {}
        Err(e) => return Err(e),
    }
    let io = Registered::new(convert(socket))?;
    io.io(Direction::Write, |s: &T| s.check_connected()).await?;
    Ok(io)
}

/// How to tell whether a non-blocking connect has finished.
pub(crate) trait ConnectCheck {
    /// `Ok` once connected, the connect error if it failed, `WouldBlock` meanwhile.
    fn check_connected(&self) -> io::Result<()>;
}

impl ConnectCheck for std::net::TcpStream {
    fn check_connected(&self) -> io::Result<()> {
        if let Some(e) = self.take_error()? {
            return Err(e);
        }
        match self.peer_addr() {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                Err(io::ErrorKind::WouldBlock.into())
            }
            Err(e) => Err(e),
        }
    }
}

impl ConnectCheck for std::os::unix::net::UnixStream {
    fn check_connected(&self) -> io::Result<()> {
        if let Some(e) = self.take_error()? {
            return Err(e);
        }
        match self.peer_addr() {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                Err(io::ErrorKind::WouldBlock.into())
            }
            Err(e) => Err(e),
        }
    }
}

/// Runs `fut` until `timeout` (kept by the current reactor) passes; then a `TimedOut`
/// error built by `msg`. `fut` is dropped before the error returns.
pub(crate) async fn with_timeout<T>(
    timeout: Duration,
    fut: impl Future<Output = io::Result<T>>,
    msg: impl FnOnce() -> String,
) -> io::Result<T> {
    let deadline = delay::now()
        .checked_add(timeout)
        .unwrap_or_else(|| delay::now() + Duration::from_secs(86400 * 365 * 30));
    let mut fut = pin!(fut);
    let mut delay = Delay::new(context::current(), deadline);
    let timed_out = std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(r));
        }
        Pin::new(&mut delay).poll(cx).map(|()| None)
    })
    .await;
    match timed_out {
        Some(r) => r,
        None => Err(io::Error::new(io::ErrorKind::TimedOut, msg())),
    }
}

/// Implements the futures-io traits for a stream type by delegating to a `StreamCore`
/// reached through `$core` (a closure-like path on `self`).
macro_rules! stream_io {
    ($ty:ty, |$s:ident| $core:expr) => {
        $crate::stream::stream_read!($ty, |$s| $core);
        $crate::stream::stream_write!($ty, |$s| $core);
    };
}

/// The `AsyncRead` half of [`stream_io`].
macro_rules! stream_read {
    ($ty:ty, |$s:ident| $core:expr) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $core.poll_read(cx, buf)
            }
            fn poll_read_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $core.poll_read_vectored(cx, bufs)
            }
        }
    };
}

/// The `AsyncWrite` half of [`stream_io`].
macro_rules! stream_write {
    ($ty:ty, |$s:ident| $core:expr) => {
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $core.poll_write(cx, buf)
            }
            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                let $s = &*self;
                $core.poll_write_vectored(cx, bufs)
            }
            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }
            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let $s = &*self;
                std::task::Poll::Ready($core.close_write())
            }
        }
    };
}
pub(crate) use {stream_io, stream_read, stream_write};
