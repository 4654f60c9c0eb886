//! Watching a child exit without a thread: a Linux pidfd on the reactor, or SIGCHLD.
//!
//! A pidfd (`pidfd_open(2)`, Linux 5.3+) becomes readable when its process exits; it is
//! an [`AsyncFd`] on the loop's reactor, so a waiting task sleeps in the same
//! `epoll_wait` as the loop's sockets and is woken by that child's exit alone. Where
//! there is no pidfd (older kernels, other Unixes), the watcher listens to SIGCHLD
//! through corio-signal (a listener's pipe on the same reactor) and tries a
//! non-blocking `waitpid` of its own child on each delivery: a SIGCHLD says *some* child
//! changed state, and merged deliveries are harmless because the try comes first.
//!
//! Either way the reaping itself is std's `Child::try_wait` (`waitpid(pid, WNOHANG)`),
//! which keeps the status, so waiting twice returns it again.

use std::future::poll_fn;
use std::io;
use std::os::fd::OwnedFd;
use std::process::ExitStatus;

use corio_net::{AsyncFd, Interest};
use corio_signal::{SIGCHLD, Signals};

/// What a task sleeps on until its child exits.
#[derive(Debug)]
pub(crate) enum ExitWatch {
    PidFd(AsyncFd<OwnedFd>),
    SigChld(Signals),
}

impl ExitWatch {
    /// A watcher for `child` (not yet reaped, so its pid is still its own): a pidfd
    /// when the system has them, else SIGCHLD.
    /// `CORIO_PROCESS_NO_PIDFD` (set before the first spawn) forces SIGCHLD, for tests.
    pub(crate) fn new(child: &std::process::Child) -> io::Result<ExitWatch> {
        // Read once: the environment lock is taken by every spawn already.
        static NO_PIDFD: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if !*NO_PIDFD.get_or_init(|| std::env::var_os("CORIO_PROCESS_NO_PIDFD").is_some()) {
            if let Some(w) = pidfd(child) {
                return Ok(w);
            }
        }
        Ok(ExitWatch::SigChld(Signals::new([SIGCHLD])?))
    }

    /// Waits until `child` has exited and reaps it.
    ///
    /// Cancel-safe: a status reaped is kept by `child` (std's `try_wait` caches it).
    pub(crate) async fn wait(&mut self, child: &mut std::process::Child) -> io::Result<ExitStatus> {
        match self {
            ExitWatch::PidFd(fd) => {
                poll_fn(|cx| {
                    fd.poll_io(cx, Interest::Read, |_| match child.try_wait() {
                        Ok(Some(status)) => Ok(status),
                        Ok(None) => Err(io::ErrorKind::WouldBlock.into()),
                        Err(e) => Err(e),
                    })
                })
                .await
            }
            ExitWatch::SigChld(signals) => loop {
                if let Some(status) = child.try_wait()? {
                    return Ok(status);
                }
                signals.recv().await?;
            },
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn pidfd(child: &std::process::Child) -> Option<ExitWatch> {
    use rustix::process::{Pid, PidfdFlags, pidfd_open};
    let pid = Pid::from_raw(child.id() as i32)?;
    // PIDFD_NONBLOCK is not needed: the pidfd is only polled, never read.
    let fd = pidfd_open(pid, PidfdFlags::empty()).ok()?;
    AsyncFd::new(fd).ok().map(ExitWatch::PidFd)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn pidfd(_child: &std::process::Child) -> Option<ExitWatch> {
    None
}
