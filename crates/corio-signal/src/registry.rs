//! The process-wide part: which signals corio listens to, and a listener's handler
//! action. This is the only module with `unsafe` code: the actions run inside a signal
//! handler, registered through signal-hook-registry, and may only do async-signal-safe
//! things (atomic loads, `write(2)`, `signal(2)`, `raise(3)`).
//!
//! # Why a pipe per listener, written by our own action
//!
//! Each listener owns a socket pair: its action writes the signal's number (one byte)
//! to the write end; the read end is an `AsyncFd` on the current loop's reactor. So
//! every listener of a signal sees it (each has its own pipe), one pipe serves a
//! listener of several signals (the byte says which one), delivery goes through the
//! reactor the loop already waits in (no thread), and a full pipe merely coalesces
//! repeated signals (the write is non-blocking and its failure is ignored).
//!
//! # Giving a signal back when nobody listens
//!
//! signal-hook-registry never uninstalls its handler: once a signal was listened to, its
//! default action (terminating the process, for SIGINT or SIGTERM) would be lost for the
//! rest of the process, which is what tokio's signal handling documents as a caveat. corio
//! restores it: on the first registration of a signal whose disposition was the default
//! and whose default is to terminate, a second action is installed that, when no corio
//! listener of that signal exists at the moment of delivery, resets the default and
//! re-raises the signal. So a program that listened for Ctrl-C in one phase still dies on
//! Ctrl-C in the next. That action is also how a second Ctrl-C exits at once while main is
//! being cancelled (`force_default`).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use libc::c_int;
use signal_hook_registry::SigId;

use crate::error::SignalError;

/// Flags of the handler's `send`: never block, never raise SIGPIPE (where the flag
/// exists; elsewhere the reader is dropped only after the action is unregistered).
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
const SEND_FLAGS: c_int = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
const SEND_FLAGS: c_int = libc::MSG_DONTWAIT;

/// One above the highest signal number corio accepts (Linux's SIGRTMAX is 64).
const MAX_SIGNAL: usize = 65;

/// Per signal: the live listeners (all, and the program's own) and whether a delivery
/// must take the default action even so.
struct SignalState {
    listeners: AtomicUsize,
    user_listeners: AtomicUsize,
    forced: AtomicBool,
}

#[allow(clippy::declare_interior_mutable_const)]
const STATE: SignalState = SignalState {
    listeners: AtomicUsize::new(0),
    user_listeners: AtomicUsize::new(0),
    forced: AtomicBool::new(false),
};

static STATES: [SignalState; MAX_SIGNAL] = [STATE; MAX_SIGNAL];

/// Which signals already have corio's handler (and, if due, the default-restoring action).
static INSTALLED: Mutex<[bool; MAX_SIGNAL]> = Mutex::new([false; MAX_SIGNAL]);

/// Signals whose default action terminates the process (the ones worth restoring).
const TERMINATING: &[c_int] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
];

/// Checks that `signal` may be listened to.
pub(crate) fn check(signal: c_int) -> Result<(), SignalError> {
    if signal_hook_registry::FORBIDDEN.contains(&signal) {
        return Err(SignalError::forbidden(signal));
    }
    if signal <= 0 || signal as usize >= MAX_SIGNAL {
        return Err(SignalError::invalid(signal));
    }
    Ok(())
}

/// Who a listener is: the program's own (`Signals`, `ctrl_c`), or the loop's Ctrl-C
/// handling, which stands aside while the program listens itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    /// Written to only when no `User` listener of the signal exists at delivery.
    Fallback,
}

/// A registration: its handler actions, removed on drop; the read end of its pipe is
/// returned separately by [`Listener::new`].
#[derive(Debug)]
pub(crate) struct Listener {
    ids: Vec<(c_int, SigId)>,
    kind: Kind,
}

impl Listener {
    /// Registers one action per signal, each writing the signal's number to a new socket
    /// pair; returns the listener and the pair's read end (non-blocking).
    pub(crate) fn new(signals: &[c_int], kind: Kind) -> Result<(Listener, UnixStream), io::Error> {
        for &s in signals {
            check(s)?;
        }
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        let write = std::sync::Arc::new(OwnedFd::from(write));
        let mut listener = Listener {
            ids: Vec::with_capacity(signals.len()),
            kind,
        };
        for &s in signals {
            if listener.ids.iter().any(|&(t, _)| t == s) {
                continue;
            }
            install(s)?;
            let state = &STATES[s as usize];
            let fd = write.clone();
            let byte = s as u8;
            let action = move || {
                if kind == Kind::Fallback && state.user_listeners.load(Ordering::SeqCst) > 0 {
                    return; // the program handles this signal itself
                }
                // SAFETY: `fd` is an open descriptor owned by this closure (the `Arc`
                // keeps it open until the action is unregistered, which the registry
                // does only once no handler runs it); `send(2)` is async-signal-safe,
                // non-blocking here, and its failure (a full buffer: the signal is
                // already pending there) is ignored. `MSG_NOSIGNAL`: a reader that is
                // gone must not raise SIGPIPE (a program may have restored its default).
                // The registry saves and restores errno.
                unsafe {
                    libc::send(fd.as_raw_fd(), (&raw const byte).cast(), 1, SEND_FLAGS);
                }
            };
            // SAFETY: the action is async-signal-safe (an atomic load and `write(2)`,
            // no allocation, no lock) and does not panic.
            let id = unsafe { signal_hook_registry::register(s, action) }?;
            listener.ids.push((s, id));
            state.listeners.fetch_add(1, Ordering::SeqCst);
            if kind == Kind::User {
                state.user_listeners.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok((listener, read))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        for &(s, id) in &self.ids {
            let state = &STATES[s as usize];
            if self.kind == Kind::User {
                state.user_listeners.fetch_sub(1, Ordering::SeqCst);
            }
            state.listeners.fetch_sub(1, Ordering::SeqCst);
            signal_hook_registry::unregister(id);
        }
    }
}

/// From now on `signal` takes its default action (terminating the process) even while
/// corio listens to it: a second Ctrl-C during the cleanup after the first.
pub(crate) fn force_default(signal: c_int) {
    STATES[signal as usize].forced.store(true, Ordering::SeqCst);
}

/// Installs corio's handler for `signal` once, with the default-restoring action when
/// the signal's disposition is still the default and that default terminates.
fn install(signal: c_int) -> io::Result<()> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if installed[signal as usize] {
        return Ok(());
    }
    if TERMINATING.contains(&signal) && disposition_is_default(signal)? {
        let state = &STATES[signal as usize];
        let action = move || {
            if state.listeners.load(Ordering::SeqCst) == 0 || state.forced.load(Ordering::SeqCst) {
                // SAFETY: `signal(2)` and `raise(3)` are async-signal-safe. The signal
                // is blocked while its handler runs, so the re-raised one is delivered,
                // with the default disposition, as soon as the handler returns: the
                // process ends as if corio had never caught the signal.
                unsafe {
                    libc::signal(signal, libc::SIG_DFL);
                    libc::raise(signal);
                }
            }
        };
        // SAFETY: the action is async-signal-safe (atomic loads, `signal`, `raise`).
        unsafe { signal_hook_registry::register(signal, action) }?;
    }
    installed[signal as usize] = true;
    Ok(())
}

/// Whether `signal`'s disposition is `SIG_DFL` (not ignored, not someone's handler).
fn disposition_is_default(signal: c_int) -> io::Result<bool> {
    // SAFETY: an all-zero `sigaction` is a valid value of the plain C struct.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only reads the current one into `old`, a valid pointer.
    let rc = unsafe { libc::sigaction(signal, std::ptr::null(), &mut old) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(old.sa_sigaction == libc::SIG_DFL)
}
