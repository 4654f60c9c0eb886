//! asyncio's subprocesses for Rust: [`Command`] spawns a [`Child`] whose pipes are
//! async and whose exit is awaited on corio's reactor, with no thread per child and no
//! zombie left behind.
//!
//! - [`Command`]: std's builder (`arg`, `args`, `env`, `current_dir`, `stdin`/`stdout`/
//!   `stderr` with [`Stdio`]) plus [`kill_on_drop`](Command::kill_on_drop);
//!   [`spawn`](Command::spawn), [`output`](Command::output), [`status`](Command::status),
//!   [`Command::shell`] for `sh -c`.
//! - [`Child`]: [`wait`](Child::wait), [`try_wait`](Child::try_wait),
//!   [`kill`](Child::kill), [`id`](Child::id), [`wait_with_output`](Child::wait_with_output);
//!   its [`ChildStdin`] is an `AsyncWrite`, its [`ChildStdout`] and [`ChildStderr`] are
//!   `AsyncRead`s, non-blocking pipes on the reactor.
//!
//! # How an exit is observed
//!
//! On Linux a child still running when first awaited gets a pidfd (`pidfd_open`), which
//! becomes readable when the child exits (opened at the first `wait`, not at the spawn, so
//! that many children started before any wait do not make every spawn copy and close a
//! descriptor per live child); it sits on the loop's reactor like a socket, so `wait`
//! costs no thread and is woken by that child's exit alone. Elsewhere (or on kernels before 5.3) a SIGCHLD
//! listener from corio-signal wakes the waiters, who each try a non-blocking `waitpid` of
//! their own child. The reaping is std's (`Child::try_wait`), which keeps the status.
//!
//! # No zombies
//!
//! A child is reaped by [`Child::wait`] / [`try_wait`](Child::try_wait); a `Child`
//! dropped before that (never waited for, killed by `kill_on_drop`, left after a
//! timed-out `wait`) is handed to a detached reaper task on the current loop, or to a
//! process-wide list swept at every spawn and reap. std's `Child` leaves a zombie in
//! all of these cases.
//!
//! # Errors
//!
//! Every error is an `io::Error` of std's kind whose message names the program:
//! `NotFound` (no such program), `PermissionDenied` (not executable), `BrokenPipe`
//! (writing to the stdin of a child that exited). Waiting twice is not an error: the
//! second `wait` returns the same status, as asyncio's `Process.wait()` and std's do.
//!
//! # Examples
//!
//! `cat` as an echo peer:
//!
//! ```
//! use corio_process::{Command, Stdio};
//! use futures::{AsyncReadExt, AsyncWriteExt};
//!
//! corio_executor::run(async {
//!     let mut cat = Command::new("cat")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .kill_on_drop(true)
//!         .spawn()?;
//!     let mut stdin = cat.stdin.take().unwrap();
//!     let mut stdout = cat.stdout.take().unwrap();
//!     stdin.write_all(b"ping").await?;
//!     let mut buf = [0; 4];
//!     stdout.read_exact(&mut buf).await?;
//!     assert_eq!(&buf, b"ping");
//!     drop(stdin);
//!     assert!(cat.wait().await?.success());
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```
//!
//! # When not to use this crate
//!
//! Unix only for now. Applications want the `corio` facade (`corio::process`). The book,
//! in the repository's `docs/` directory (`docs/src/subprocesses.md`), maps each asyncio
//! call to corio's; read it with `mdbook serve docs`.
#![cfg(unix)]
#![forbid(unsafe_code)]

mod child;
mod command;
mod exit;
mod pipe;
mod reaper;

pub use child::{Child, ChildWait};
pub use command::Command;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};

/// How a child's standard stream is set up: std's type, re-exported.
#[doc(no_inline)]
pub use std::process::{ExitStatus, Output, Stdio};

/// How many dropped, unreaped children wait in the process-wide list (those without a
/// loop to reap them); for tests that check none is left.
///
/// # Examples
///
/// ```
/// assert_eq!(corio_process::orphans(), 0);
/// ```
#[doc(hidden)]
pub fn orphans() -> usize {
    reaper::orphans()
}
