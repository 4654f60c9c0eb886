//! Addresses: resolving them and naming them in errors (shared by TCP, UDP and Unix
//! sockets).

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Resolves `addr` (blocking, on the calling thread, for host names) into a list.
pub(crate) fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing",
        ));
    }
    Ok(addrs)
}

/// An error of `what` on `addr`, keeping the kind and the OS's message.
pub(crate) fn with_addr(e: io::Error, what: &str, addr: impl fmt::Display) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {addr}: {e}"))
}
