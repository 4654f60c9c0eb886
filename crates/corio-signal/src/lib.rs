//! asyncio's signal handling for Rust: [`ctrl_c`], a [`Signals`] stream, and
//! [`cancel_on_ctrl_c`], the Ctrl-C rule of `asyncio.run`, all on corio's reactor.
//!
//! - [`ctrl_c`]: wait for Ctrl-C (SIGINT), for a graceful shutdown.
//! - [`Signals`]: a `Stream` of signal numbers (SIGTERM, SIGHUP, SIGUSR1, SIGUSR2,
//!   SIGWINCH, SIGINT, any catchable signal): asyncio's `loop.add_signal_handler`.
//! - [`cancel_on_ctrl_c`] / [`Interrupted`]: the first Ctrl-C cancels a `main` future
//!   and a second one ends the process; the `corio` facade turns it on for
//!   `#[corio::main]`, and on `corio::Builder` with `ctrl_c_cancels_main(true)`.
//! - [`SignalError`]: SIGKILL, SIGSTOP, SIGSEGV, SIGILL, SIGFPE and non-signals are
//!   refused with a typed error, never a panic.
//!
//! # How a signal reaches a task
//!
//! A signal handler may do almost nothing (only async-signal-safe calls). The handler
//! (installed and chained through `signal-hook-registry`, the well-kept crate under
//! signal-hook that handles the tricky parts: chaining a previous handler, saving errno,
//! registering from several threads) runs one small action per listener: it writes the
//! signal's number to that listener's own socket pair. The other end of the pair is a
//! [`corio_net::AsyncFd`] on the reactor of the loop that made the listener, so the task
//! is woken by the same `epoll_wait` that serves its sockets and timers: no helper
//! thread, on the single-thread loop and on each worker of the multi-thread executor.
//! Every listener of a signal sees it. A pipe per listener costs two descriptors;
//! listeners are few (a program has a handful), so that is cheaper than a shared
//! dispatcher and needs no lock inside the handler. `signalfd` was not used: it needs the
//! signal blocked in every thread, which a library cannot ensure.
//!
//! # Improvements on the usual design
//!
//! - **The default comes back.** A signal-hook handler is never uninstalled, so with
//!   tokio (and with signal-hook used directly) a program that once listened for SIGINT
//!   or SIGTERM ignores it for the rest of its life. corio restores the default action
//!   (terminate) whenever no listener is alive at delivery, for signals that had their
//!   default disposition. The rule assumes corio is the only listener of such a signal:
//!   a library that registers its own handler for it later (tokio::signal, signal-hook)
//!   sees the process end on a delivery while no corio listener is alive. Registered
//!   before corio's first listener, it keeps the signal (corio then restores nothing).
//! - **Ctrl-C in `main` is decided at delivery.** Whether the program's own [`ctrl_c`]
//!   or the loop's cancel-main rule gets a SIGINT is decided inside the handler, so a
//!   listener dropped just after a signal arrived cannot make both (or neither) act.
//!
//! # Examples
//!
//! A server that stops on SIGTERM or Ctrl-C:
//!
//! ```
//! use corio_signal::{SIGINT, SIGTERM, Signals};
//!
//! corio_executor::run(async {
//!     let mut signals = Signals::new([SIGINT, SIGTERM])?;
//!     # std::process::Command::new("kill").args(["-TERM", &std::process::id().to_string()]).status()?;
//!     let signal = signals.recv().await?; // or: select it against the accept loop
//!     println!("got signal {signal}, shutting down");
//!     assert_eq!(signal, SIGTERM);
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```
//!
//! # When not to use this crate
//!
//! Unix only. Applications want the `corio` facade (`corio::signal`), whose loops install
//! the reactor; outside a corio loop, listeners use corio-net's fallback reactor thread.
//! The book, in the repository's `docs/` directory (`docs/src/signals.md`), maps each
//! asyncio call to corio's; read it with `mdbook serve docs`.
#![cfg(unix)]

mod ctrl_c;
mod error;
mod registry;
mod signals;

pub use ctrl_c::{CancelOnCtrlC, CtrlC, Interrupted, cancel_on_ctrl_c, ctrl_c};
pub use error::SignalError;
pub use signals::{Recv, Signals};

/// Signal numbers, as the operating system defines them (re-exported from libc).
#[doc(no_inline)]
pub use libc::{
    SIGALRM, SIGCHLD, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGQUIT, SIGSEGV, SIGSTOP, SIGTERM,
    SIGUSR1, SIGUSR2, SIGWINCH,
};
