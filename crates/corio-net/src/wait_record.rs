//! What the task call graph (`corio_core::callgraph`) shows while a task waits on a
//! socket: `TcpStream read` with the peer's address. One relaxed load per operation while
//! the bookkeeping is off.

use std::os::fd::BorrowedFd;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use corio_core::callgraph::{self, WaitOn, WaitSlot};

/// One record per direction (read, write) of a descriptor.
#[derive(Debug, Default)]
pub(crate) struct WaitRecords {
    recorded: [AtomicBool; 2],
    slots: Mutex<[WaitSlot; 2]>,
}

impl WaitRecords {
    /// The operation in direction `dir` (0: read, 1: write) on `fd` returned `Pending`.
    #[inline]
    pub(crate) fn pending(&self, dir: usize, fd: BorrowedFd<'_>) {
        if callgraph::enabled() {
            self.record(dir, fd);
        }
    }

    /// The operation in direction `dir` completed.
    #[inline]
    pub(crate) fn ready(&self, dir: usize) {
        if self.recorded[dir].load(Ordering::Relaxed) {
            self.clear(dir);
        }
    }

    #[cold]
    fn record(&self, dir: usize, fd: BorrowedFd<'_>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots[dir].pending(|| describe(dir, fd));
        self.recorded[dir].store(slots[dir].is_recorded(), Ordering::Relaxed);
    }

    #[cold]
    fn clear(&self, dir: usize) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots[dir].done();
        self.recorded[dir].store(false, Ordering::Relaxed);
    }
}

/// `TcpStream read` (peer 127.0.0.1:8080), `UnixStream write` (peer /run/x.sock), or
/// `socket read` (fd 7): the socket's addresses read through a duplicate of the
/// descriptor (debug bookkeeping only).
fn describe(dir: usize, fd: BorrowedFd<'_>) -> WaitOn {
    let op = if dir == 0 { "read" } else { "write" };
    let raw = std::os::fd::AsRawFd::as_raw_fd(&fd);
    let Ok(owned) = fd.try_clone_to_owned() else {
        return WaitOn::new(format!("socket {op}")).detail(format!("fd {raw}"));
    };
    let tcp = std::net::TcpStream::from(owned);
    if let Ok(peer) = tcp.peer_addr() {
        return WaitOn::new(format!("TcpStream {op}")).detail(format!("peer {peer}"));
    }
    if let (Ok(local), Ok(_)) = (tcp.local_addr(), tcp.take_error()) {
        // A listener (or an unconnected socket): its own address.
        return WaitOn::new(format!("socket {op}")).detail(format!("on {local}"));
    }
    let unix = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(tcp));
    match unix.peer_addr() {
        Ok(peer) => match peer.as_pathname() {
            Some(p) => {
                WaitOn::new(format!("UnixStream {op}")).detail(format!("peer {}", p.display()))
            }
            None => WaitOn::new(format!("UnixStream {op}")).detail("unnamed peer"),
        },
        Err(_) => WaitOn::new(format!("socket {op}")).detail(format!("fd {raw}")),
    }
}
