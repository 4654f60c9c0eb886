//! hyper 1.x on corio: the three adapters hyper asks of a runtime.
//!
//! - [`CorioExecutor`] (and [`CorioLocalExecutor`] for `!Send` futures) implement
//!   `hyper::rt::Executor`: hyper's background tasks (HTTP/2 connection drivers, say) are
//!   spawned on the current corio loop through [`corio_core::context`].
//! - [`CorioTimer`] implements `hyper::rt::Timer` with `corio_timer::sleep`: header read
//!   timeouts and keep-alive timers use the loop's timer wheel (or corio-timer's fallback
//!   thread outside a loop).
//! - [`CorioIo`] implements `hyper::rt::Read` and `hyper::rt::Write` for any
//!   `futures_io::AsyncRead + AsyncWrite` stream, such as [`corio_net::TcpStream`] or
//!   [`corio_net::UnixStream`].
//!
//! # Examples
//!
//! An HTTP/1 server and hyper's own client, on one corio loop:
//!
//! ```
//! use bytes::Bytes;
//! use corio_hyper::{CorioIo, CorioTimer};
//! use corio_net::{IoDriver, TcpListener, TcpStream};
//! use http_body_util::{BodyExt, Full};
//! use hyper::{Request, Response, service::service_fn};
//!
//! let ex = corio_executor::Builder::new()
//!     .driver(|_| Box::new(corio_timer::TimerDriver::new(IoDriver::new().unwrap())))
//!     .build_local();
//! ex.run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     corio_executor::spawn(async move {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         let service = service_fn(|_req: Request<hyper::body::Incoming>| async {
//!             Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from("hi"))))
//!         });
//!         hyper::server::conn::http1::Builder::new()
//!             .timer(CorioTimer::new())
//!             .serve_connection(CorioIo::new(stream), service)
//!             .await
//!             .unwrap();
//!     });
//!
//!     let stream = TcpStream::connect(addr).await.unwrap();
//!     let (mut sender, conn) = hyper::client::conn::http1::handshake(CorioIo::new(stream))
//!         .await
//!         .unwrap();
//!     corio_executor::spawn(conn);
//!     let req = Request::get("/").body(Full::new(Bytes::new())).unwrap();
//!     let res = sender.send_request(req).await.unwrap();
//!     let body = res.into_body().collect().await.unwrap().to_bytes();
//!     assert_eq!(body, "hi");
//! });
//! ```
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/networking.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_io::{AsyncRead, AsyncWrite};

/// `hyper::rt::Executor` for `Send` futures: spawns them on the current corio loop (on
/// the multi-thread executor, any worker may run them).
///
/// # Panics
///
/// `execute` panics when no corio loop runs on the calling thread (hyper calls it from
/// inside the connection futures, which run on the loop).
///
/// # Examples
///
/// ```
/// use hyper::rt::Executor;
///
/// corio_executor::run(async {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     corio_hyper::CorioExecutor::new().execute(async move { tx.send(7).unwrap() });
///     assert_eq!(rx.await.unwrap(), 7);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CorioExecutor {
    _private: (),
}

impl CorioExecutor {
    /// The executor adapter.
    ///
    /// # Examples
    ///
    /// See [`CorioExecutor`].
    pub fn new() -> Self {
        CorioExecutor { _private: () }
    }
}

impl<F> hyper::rt::Executor<F> for CorioExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, fut: F) {
        let task = corio_core::context::spawn(Box::pin(async move {
            fut.await;
        }))
        .unwrap_or_else(|e| panic!("corio-hyper: cannot spawn hyper's task: {e}"));
        drop(task); // detached
    }
}

/// `hyper::rt::Executor` for `!Send` futures: spawns them on the current thread's loop.
///
/// # Panics
///
/// As [`CorioExecutor`].
///
/// # Examples
///
/// ```
/// use hyper::rt::Executor;
/// use std::rc::Rc;
///
/// corio_executor::run(async {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     let not_send = Rc::new(5);
///     corio_hyper::CorioLocalExecutor::new().execute(async move { tx.send(*not_send).unwrap() });
///     assert_eq!(rx.await.unwrap(), 5);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CorioLocalExecutor {
    _private: (),
}

impl CorioLocalExecutor {
    /// The executor adapter.
    ///
    /// # Examples
    ///
    /// See [`CorioLocalExecutor`].
    pub fn new() -> Self {
        CorioLocalExecutor { _private: () }
    }
}

impl<F> hyper::rt::Executor<F> for CorioLocalExecutor
where
    F: Future + 'static,
{
    fn execute(&self, fut: F) {
        let task = corio_core::context::spawn_local(Box::pin(async move {
            fut.await;
        }))
        .unwrap_or_else(|e| panic!("corio-hyper: cannot spawn hyper's task: {e}"));
        drop(task);
    }
}

/// `hyper::rt::Timer` on corio-timer: sleeps register in the current loop's timer wheel
/// (or corio-timer's fallback thread outside a loop).
///
/// # Examples
///
/// ```
/// use hyper::rt::Timer;
/// use std::time::{Duration, Instant};
///
/// corio_executor::run(async {
///     let start = Instant::now();
///     corio_hyper::CorioTimer::new().sleep(Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CorioTimer {
    _private: (),
}

impl CorioTimer {
    /// The timer adapter.
    ///
    /// # Examples
    ///
    /// See [`CorioTimer`].
    pub fn new() -> Self {
        CorioTimer { _private: () }
    }
}

impl hyper::rt::Timer for CorioTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep(corio_timer::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep(corio_timer::sleep_until(deadline)))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(s) => s.get_mut().0.reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A corio-timer sleep as a `hyper::rt::Sleep`.
struct HyperSleep(corio_timer::Sleep);

impl Future for HyperSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}

/// A `futures_io` stream as hyper's `Read` + `Write`.
///
/// Reads go through a scratch buffer (copied into hyper's), so that this crate needs no
/// `unsafe` to hand hyper's uninitialized buffer to the socket. The buffer is the
/// thread's, not the connection's: a read copies out of it before it returns, so every
/// connection served on a thread shares one 16 KiB buffer, allocated and zeroed once. With
/// one per connection, an HTTP server holding 1 000 connections kept 16 MB more memory
/// resident than hyper on tokio (37 kB per connection against 19 kB; 22 kB with the
/// thread's).
///
/// # Examples
///
/// See the [crate] documentation.
pub struct CorioIo<T> {
    inner: T,
}

impl<T> CorioIo<T> {
    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = corio_hyper::CorioIo::new(futures::io::Cursor::new(Vec::<u8>::new()));
    /// assert!(io.get_ref().get_ref().is_empty());
    /// ```
    pub fn new(inner: T) -> Self {
        CorioIo { inner }
    }

    /// The stream underneath.
    ///
    /// # Examples
    ///
    /// See [`new`](Self::new).
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The stream underneath, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut io = corio_hyper::CorioIo::new(futures::io::Cursor::new(Vec::<u8>::new()));
    /// io.get_mut().set_position(0);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = corio_hyper::CorioIo::new(5);
    /// assert_eq!(io.into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for CorioIo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CorioIo").field(&self.inner).finish()
    }
}

const READ_CHUNK: usize = 16 * 1024;

thread_local! {
    /// The scratch buffer of [`CorioIo`]'s reads on this thread.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for CorioIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let want = buf.remaining().min(READ_CHUNK);
        let inner = Pin::new(&mut self.inner);
        let shared = SCRATCH.try_with(|s| {
            // Busy only if the reader underneath is itself a `CorioIo` read on this
            // thread; gone only while the thread exits. Either way a buffer of its own.
            let mut scratch = s.try_borrow_mut().ok()?;
            if scratch.is_empty() {
                *scratch = vec![0u8; READ_CHUNK];
            }
            Some(read_through(inner, cx, &mut scratch[..want], &mut buf))
        });
        match shared {
            Ok(Some(poll)) => poll,
            _ => {
                let mut own = vec![0u8; want];
                read_through(Pin::new(&mut self.inner), cx, &mut own, &mut buf)
            }
        }
    }
}

/// Reads from `inner` into `scratch`, then copies what came into hyper's buffer.
fn read_through<T: AsyncRead>(
    inner: Pin<&mut T>,
    cx: &mut Context<'_>,
    scratch: &mut [u8],
    buf: &mut hyper::rt::ReadBufCursor<'_>,
) -> Poll<io::Result<()>> {
    match inner.poll_read(cx, scratch) {
        Poll::Ready(Ok(n)) => {
            buf.put_slice(&scratch[..n]);
            Poll::Ready(Ok(()))
        }
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => Poll::Pending,
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for CorioIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}
