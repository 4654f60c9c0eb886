//! [`Stdout`] and [`Stderr`]: writes queued in the process and written on the blocking
//! pool by one drain job per stream, so they keep their order and coalesce. A write of up
//! to 64 KiB is queued whole, so concurrent tasks' writes never interleave inside one.

use std::fmt;
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_io::AsyncWrite;

use crate::pool;

/// Bytes a stream queues before a write waits for the drain job to catch up.
const QUEUE: usize = 64 << 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Stdout,
    Stderr,
}

/// One standard stream's queue, shared by all its handles.
struct Queue {
    pending: Vec<u8>,
    /// A drain job is on the pool (it stops once it finds `pending` empty).
    draining: bool,
    /// The first write error since a handle last looked.
    error: Option<io::Error>,
    /// Writers waiting for room, and flushers waiting for the queue to empty.
    waiters: Vec<Waker>,
}

impl Queue {
    const fn new() -> Self {
        Queue {
            pending: Vec::new(),
            draining: false,
            error: None,
            waiters: Vec::new(),
        }
    }

    fn wait(&mut self, waker: &Waker) {
        if !self.waiters.iter().any(|w| w.will_wake(waker)) {
            self.waiters.push(waker.clone());
        }
    }

    fn wake_all(&mut self) {
        for w in self.waiters.drain(..) {
            w.wake();
        }
    }
}

static STDOUT: Mutex<Queue> = Mutex::new(Queue::new());
static STDERR: Mutex<Queue> = Mutex::new(Queue::new());

impl Target {
    fn queue(self) -> MutexGuard<'static, Queue> {
        let q = match self {
            Target::Stdout => &STDOUT,
            Target::Stderr => &STDERR,
        };
        q.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write(self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Target::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()
            }
            Target::Stderr => io::stderr().lock().write_all(bytes),
        }
    }

    /// Runs on the pool: writes whatever is queued, batch after batch, until the queue
    /// is empty.
    fn drain(self) {
        let mut batch = Vec::new();
        loop {
            {
                let mut q = self.queue();
                q.wake_all(); // room for writers; flushers look again
                if q.pending.is_empty() {
                    q.draining = false;
                    return;
                }
                batch.clear();
                std::mem::swap(&mut batch, &mut q.pending);
            }
            if let Err(e) = self.write(&batch) {
                let mut q = self.queue();
                if q.error.is_none() {
                    q.error = Some(e);
                }
            }
        }
    }

    fn poll_write(self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let mut q = self.queue();
        if let Some(e) = q.error.take() {
            return Poll::Ready(Err(e));
        }
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        // A write that fits in the queue is taken whole or not at all, so that writes from
        // different tasks never interleave inside one call (a line written by one
        // `write_all` is never torn by another task's; pipes keep writes of up to PIPE_BUF
        // whole the same way). Only a write larger than the whole queue is taken in parts.
        let free = QUEUE - q.pending.len();
        if free == 0 || (data.len() > free && data.len() <= QUEUE) {
            q.wait(cx.waker());
            return Poll::Pending;
        }
        let n = data.len().min(free);
        q.pending.extend_from_slice(&data[..n]);
        if !q.draining {
            q.draining = true;
            pool::spawn(move || self.drain()).detach();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut q = self.queue();
        if let Some(e) = q.error.take() {
            return Poll::Ready(Err(e));
        }
        if q.draining || !q.pending.is_empty() {
            q.wait(cx.waker());
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }
}

macro_rules! stream {
    ($(#[$doc:meta])* $ty:ident, $fun:ident, $target:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $ty {
            _priv: (),
        }

        #[doc = concat!("A handle to ", $name, ": see [`", stringify!($ty), "`]. Handles share one queue.")]
        ///
        /// # Examples
        ///
        /// ```
        /// use futures::io::AsyncWriteExt;
        /// # corio_executor::run(async {
        #[doc = concat!("let mut out = corio_fs::io::", stringify!($fun), "();")]
        /// out.write_all(b"written on the blocking pool\n").await?;
        /// out.flush().await?;
        /// # std::io::Result::Ok(()) }).unwrap();
        /// ```
        pub fn $fun() -> $ty {
            $ty { _priv: () }
        }

        impl $ty {
            /// Queues all of `data` (waiting for room when 64 KiB are already queued);
            /// [`flush`](Self::flush) to wait until it is written.
            ///
            /// # Errors
            ///
            /// The error of an earlier write of this stream (a closed pipe: `BrokenPipe`).
            ///
            /// # Cancel safety
            ///
            /// Bytes queued before the future was dropped are written; how many is not
            /// told (use `futures_io`'s `poll_write` to count them).
            ///
            /// # Examples
            ///
            /// ```
            /// # corio_executor::run(async {
            #[doc = concat!("let mut out = corio_fs::io::", stringify!($fun), "();")]
            /// out.write_all(b"no extension trait needed\n").await?;
            /// out.flush().await?;
            /// # std::io::Result::Ok(()) }).unwrap();
            /// ```
            pub async fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
                while !data.is_empty() {
                    let n = std::future::poll_fn(|cx| Target::$target.poll_write(cx, data)).await?;
                    data = &data[n..];
                }
                Ok(())
            }

            /// Waits until everything queued on this stream, by any handle, is written.
            ///
            /// # Errors
            ///
            /// The error of a queued write.
            ///
            /// # Cancel safety
            ///
            /// Dropping the future loses nothing: the queue is written all the same.
            ///
            /// # Examples
            ///
            /// See [`write_all`](Self::write_all).
            pub async fn flush(&mut self) -> io::Result<()> {
                std::future::poll_fn(|cx| Target::$target.poll_flush(cx)).await
            }
        }

        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                data: &[u8],
            ) -> Poll<io::Result<usize>> {
                Target::$target.poll_write(cx, data)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Target::$target.poll_flush(cx)
            }

            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Target::$target.poll_flush(cx)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let q = Target::$target.queue();
                f.debug_struct(stringify!($ty))
                    .field("queued", &q.pending.len())
                    .field("draining", &q.draining)
                    .finish()
            }
        }
    };
}

stream! {
    /// The process's standard output, as a `futures_io::AsyncWrite` (asyncio: a
    /// `StreamWriter` from `connect_write_pipe`, or `to_thread(sys.stdout.write, s)`).
    ///
    /// A write copies its bytes into a queue shared by every `Stdout` handle (up to 64 KiB
    /// waiting; beyond that a write waits for room) and returns; one job on the blocking
    /// pool writes the queue out, all that has gathered in one system call. So writes keep
    /// their order across handles and tasks, and many small writes cost few hops. Bytes
    /// go through std's `io::stdout()` lock, so they do not interleave mid-write with
    /// `println!`.
    ///
    /// # Errors
    ///
    /// A write error (a closed pipe: `BrokenPipe`) is returned by the next write or
    /// flush on any handle.
    ///
    /// # Flushing
    ///
    /// [`flush`](futures_io::AsyncWrite::poll_flush) waits until everything queued is
    /// written. Flush before the process exits: the queue is written by a pool thread, and
    /// an exiting process does not wait for it.
    ///
    /// # Cancel safety
    ///
    /// Bytes a write accepted are written even if the handle is dropped; a dropped write
    /// future whose write returned nothing accepted nothing. A dropped flush loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// let mut out = corio_fs::io::stdout();
    /// for i in 0..3 {
    ///     out.write_all(format!("line {i}\n").as_bytes()).await?;
    /// }
    /// out.flush().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    Stdout, stdout, Stdout, "standard output"
}

stream! {
    /// The process's standard error, as a `futures_io::AsyncWrite`: queued and written on
    /// the blocking pool like [`Stdout`] (whose docs say how, and what its errors, flushing
    /// and cancel safety are), through std's `io::stderr()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// let mut err = corio_fs::io::stderr();
    /// err.write_all(b"warning: a message on stderr\n").await?;
    /// err.flush().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    Stderr, stderr, Stderr, "standard error"
}
