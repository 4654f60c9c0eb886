//! [`Signals`]: a stream of the signals a program listens to.

use std::fmt;
use std::future::Future;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_net::{AsyncFd, Interest};
use futures_core::Stream;
use libc::c_int;

use crate::error::SignalError;
use crate::registry::{self, Kind, Listener};

/// A stream of signals (asyncio's `loop.add_signal_handler`, as an async iterator): each
/// item is the number of a signal that arrived, such as [`SIGTERM`](crate::SIGTERM).
///
/// - Every `Signals` sees every signal it listens to: two listeners of SIGHUP both get
///   it. A signal that arrives again before the stream reads the first may be merged
///   with it (as the operating system itself merges pending signals): count deliveries
///   per read, not per signal sent.
/// - Signals are delivered through the reactor of the loop the `Signals` was made on (a
///   socket pair written by the signal handler): no thread, on the single-thread loop
///   and on the multi-thread executor alike.
/// - While a `Signals` listens to SIGINT, the loop's own Ctrl-C handling (cancelling
///   `main`) stands aside: the program handles Ctrl-C itself, as in asyncio once a handler
///   is added for SIGINT.
/// - When the last listener of a signal whose default action is to terminate is dropped,
///   that default comes back (unlike tokio's, see the [crate docs](crate)).
///
/// # Examples
///
/// ```
/// use corio_signal::{SIGUSR1, Signals};
///
/// corio_executor::run(async {
///     let mut signals = Signals::new([SIGUSR1])?;
///     // Another process would `kill -USR1` us; here the program signals itself.
///     unsafe_free_raise(SIGUSR1);
///     assert_eq!(signals.recv().await?, SIGUSR1);
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// # fn unsafe_free_raise(s: i32) {
/// #     std::process::Command::new("kill").arg(format!("-{s}")).arg(std::process::id().to_string()).status().unwrap();
/// # }
/// ```
pub struct Signals {
    /// First, so that it is dropped first: the actions are unregistered before the read
    /// end closes.
    listener: Listener,
    fd: AsyncFd<UnixStream>,
    /// Signal numbers read from the pipe and not yet handed out.
    buf: [u8; 32],
    pos: usize,
    len: usize,
}

impl Signals {
    /// Listens to `signals` from now on (a signal sent before this call is not seen).
    ///
    /// # Errors
    ///
    /// A [`SignalError`] (as `io::ErrorKind::InvalidInput`) for a signal that cannot be
    /// listened to; an OS error when no socket pair can be made.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_signal::{SIGHUP, SIGKILL, SIGTERM, Signals};
    ///
    /// corio_executor::run(async {
    ///     let signals = Signals::new([SIGTERM, SIGHUP]);
    ///     assert!(signals.is_ok());
    ///     let err = Signals::new([SIGKILL]).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// });
    /// ```
    pub fn new(signals: impl IntoIterator<Item = c_int>) -> io::Result<Signals> {
        Self::with_kind(signals, Kind::User)
    }

    pub(crate) fn with_kind(
        signals: impl IntoIterator<Item = c_int>,
        kind: Kind,
    ) -> io::Result<Signals> {
        let signals: Vec<c_int> = signals.into_iter().collect();
        let (listener, read) = Listener::new(&signals, kind)?;
        Ok(Signals {
            fd: AsyncFd::new(read)?,
            buf: [0; 32],
            pos: 0,
            len: 0,
            listener,
        })
    }

    /// Whether `signal` may be listened to: `Ok` for SIGINT, SIGTERM, SIGHUP, SIGUSR1,
    /// SIGUSR2, SIGWINCH and any other catchable signal.
    ///
    /// # Errors
    ///
    /// [`SignalError`] for SIGKILL, SIGSTOP, SIGSEGV, SIGILL, SIGFPE (forbidden) and for
    /// numbers that are no signal.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_signal::Signals::check(corio_signal::SIGWINCH).is_ok());
    /// assert!(corio_signal::Signals::check(corio_signal::SIGSEGV).is_err());
    /// ```
    pub fn check(signal: c_int) -> Result<(), SignalError> {
        registry::check(signal)
    }

    /// Waits for the next signal and returns its number.
    ///
    /// # Errors
    ///
    /// Only if the reactor fails (the loop that made this `Signals` is gone).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a signal that arrived is kept until a later `recv` (or the stream)
    /// takes it.
    ///
    /// # Examples
    ///
    /// See [`Signals`].
    pub fn recv(&mut self) -> Recv<'_> {
        Recv { signals: self }
    }

    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<c_int>> {
        if self.pos == self.len {
            let Signals { fd, buf, .. } = self;
            let n = match fd.poll_io(cx, Interest::Read, |mut s| s.read(buf)) {
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            };
            if n == 0 {
                // The write end lives as long as the listener: this cannot happen.
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "corio-signal: the signal pipe was closed",
                )));
            }
            self.pos = 0;
            self.len = n;
        }
        let s = self.buf[self.pos];
        self.pos += 1;
        Poll::Ready(Ok(c_int::from(s)))
    }
}

impl Stream for Signals {
    type Item = c_int;

    /// Never ends; a reactor failure (see [`Signals::recv`]) ends it.
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<c_int>> {
        self.poll_recv(cx).map(Result::ok)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals")
            .field("listener", &self.listener)
            .field("pending", &(self.len - self.pos))
            .finish()
    }
}

/// The future of [`Signals::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a> {
    signals: &'a mut Signals,
}

impl Future for Recv<'_> {
    type Output = io::Result<c_int>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<c_int>> {
        self.signals.poll_recv(cx)
    }
}

impl fmt::Debug for Recv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
