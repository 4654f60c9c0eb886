//! Ctrl-C: [`ctrl_c`] for programs that handle it, and [`cancel_on_ctrl_c`], asyncio.run's
//! KeyboardInterrupt behaviour, for loops that cancel `main` on it.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::registry::{self, Kind};
use crate::signals::Signals;

/// Waits for Ctrl-C (SIGINT). Listening starts when `ctrl_c()` is called, not when the
/// future is first polled, so a Ctrl-C in between is not lost.
///
/// While the future lives, the loop's own Ctrl-C handling (see [`cancel_on_ctrl_c`])
/// stands aside: the program handles Ctrl-C itself, typically by shutting down
/// gracefully. Once the future is dropped, the next Ctrl-C is handled by the loop again
/// (cancelling `main`), or, outside such a loop, ends the process as by default.
///
/// # Errors
///
/// When the listener cannot be set up (no file descriptors left).
///
/// # Cancel safety
///
/// Cancel-safe, but a Ctrl-C that arrives after the future completed or was dropped is
/// seen only by a new `ctrl_c()`; keep one [`Signals`] to count them all.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let ctrl_c = corio_signal::ctrl_c();
///     // Here a user would press Ctrl-C; the example sends SIGINT to itself.
///     std::process::Command::new("kill")
///         .args(["-INT", &std::process::id().to_string()])
///         .status()?;
///     ctrl_c.await?;
///     println!("shutting down");
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub fn ctrl_c() -> CtrlC {
    CtrlC {
        signals: Some(Signals::new([libc::SIGINT])),
    }
}

/// The future of [`ctrl_c`].
#[must_use = "futures do nothing unless awaited"]
pub struct CtrlC {
    signals: Option<io::Result<Signals>>,
}

impl Future for CtrlC {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self
            .signals
            .as_mut()
            .expect("CtrlC polled after completion")
        {
            Ok(signals) => {
                let res = std::task::ready!(signals.recv().poll_unpin_helper(cx));
                self.signals = None;
                Poll::Ready(res.map(drop))
            }
            Err(_) => match self.signals.take() {
                Some(Err(e)) => Poll::Ready(Err(e)),
                _ => unreachable!(),
            },
        }
    }
}

impl fmt::Debug for CtrlC {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtrlC").finish_non_exhaustive()
    }
}

trait PollUnpin: Future + Unpin {
    fn poll_unpin_helper(&mut self, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(self).poll(cx)
    }
}

impl<F: Future + Unpin> PollUnpin for F {}

/// The main future was cancelled by Ctrl-C: the error of [`cancel_on_ctrl_c`].
///
/// # Examples
///
/// ```
/// let e = corio_signal::Interrupted::new();
/// assert_eq!(corio_signal::Interrupted::EXIT_STATUS, 130);
/// assert_eq!(e.to_string(), "interrupted by Ctrl-C (SIGINT)");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Interrupted;

impl Interrupted {
    /// The exit status of a process that ends because of Ctrl-C: 128 + SIGINT, what
    /// shells report for a program killed by SIGINT, and what `asyncio.run` leads to.
    pub const EXIT_STATUS: i32 = 130;

    /// The error value.
    ///
    /// # Examples
    ///
    /// See [`Interrupted`].
    pub fn new() -> Interrupted {
        Interrupted
    }
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted by Ctrl-C (SIGINT)")
    }
}

impl std::error::Error for Interrupted {}

/// asyncio.run's Ctrl-C rule for `future`: the first SIGINT drops (cancels) it at its
/// current await point, so its destructors run, and the result is `Err(Interrupted)`;
/// from then on a second SIGINT ends the process at once (the default action), so a
/// cleanup that hangs can still be interrupted. The caller is expected to finish its
/// shutdown and exit with [`Interrupted::EXIT_STATUS`] (the `corio` facade's
/// `Builder::ctrl_c_cancels_main` and `#[corio::main]` do exactly this).
///
/// While the program listens to SIGINT itself ([`ctrl_c`], a [`Signals`] with SIGINT),
/// a Ctrl-C goes to it and this rule stands aside (asyncio: `loop.add_signal_handler`
/// for SIGINT replaces the KeyboardInterrupt). The choice is made when the signal
/// arrives, inside the handler, so there is no window where both or neither act.
///
/// Compared with asyncio: `asyncio.run` raises `KeyboardInterrupt` inside `main` at its
/// current await point (the task is cancelled), runs the cancellation, then cancels the
/// remaining tasks and re-raises, and Python exits with status 130 (by re-sending itself
/// SIGINT). corio drops the future instead of raising into it (cancellation is dropping,
/// see the design's D-rules), the loop then cancels and drains its other tasks as at any
/// shutdown, and the process exits with status 130.
///
/// Listening starts at the first poll (so the listener is made inside the loop that runs
/// the future, on its reactor). If it cannot be set up (no file descriptors left),
/// `future` runs without it.
///
/// # Cancel safety
///
/// Dropping this future drops `future`.
///
/// # Examples
///
/// ```
/// use corio_signal::{Interrupted, cancel_on_ctrl_c};
///
/// let out = corio_executor::run(cancel_on_ctrl_c(async {
///     std::process::Command::new("kill")
///         .args(["-INT", &std::process::id().to_string()])
///         .status()
///         .unwrap();
///     std::future::pending::<()>().await // cancelled here
/// }));
/// assert_eq!(out, Err(Interrupted::new()));
/// // The process would now finish its cleanup and exit with status 130.
/// ```
pub fn cancel_on_ctrl_c<F: Future>(future: F) -> CancelOnCtrlC<F> {
    CancelOnCtrlC {
        signals: None,
        started: false,
        future: Some(Box::pin(future)),
    }
}

/// The future of [`cancel_on_ctrl_c`].
#[must_use = "futures do nothing unless awaited"]
pub struct CancelOnCtrlC<F> {
    signals: Option<Signals>,
    started: bool,
    // Boxed so that it can be dropped (cancelled) in place while the wrapper lives on.
    future: Option<Pin<Box<F>>>,
}

impl<F: Future> Future for CancelOnCtrlC<F> {
    type Output = Result<F::Output, Interrupted>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !this.started {
            this.started = true;
            this.signals = Signals::with_kind([libc::SIGINT], Kind::Fallback).ok();
        }
        if let Some(signals) = &mut this.signals {
            if let Poll::Ready(Ok(_)) = signals.recv().poll_unpin_helper(cx) {
                // A second Ctrl-C from now on ends the process at once.
                registry::force_default(libc::SIGINT);
                this.signals = None;
                this.future = None; // the destructors of main run here
                return Poll::Ready(Err(Interrupted));
            }
        }
        let fut = this
            .future
            .as_mut()
            .expect("CancelOnCtrlC polled after completion");
        let out = std::task::ready!(fut.as_mut().poll(cx));
        this.future = None;
        this.signals = None;
        Poll::Ready(Ok(out))
    }
}

impl<F> fmt::Debug for CancelOnCtrlC<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelOnCtrlC")
            .field("listening", &self.signals.is_some())
            .finish_non_exhaustive()
    }
}
