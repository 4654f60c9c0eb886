//! The owned halves of a [`TcpStream`](super::TcpStream): [`TcpReadHalf`], [`TcpWriteHalf`].

use std::fmt;
use std::io;
use std::net::{self, SocketAddr};
use std::sync::Arc;

#[cfg(doc)]
use super::TcpStream;
use crate::stream::{StreamCore, stream_read, stream_write};

/// The read half of a [`TcpStream`], from [`TcpStream::split`].
///
/// # Examples
///
/// See [`TcpStream::split`].
pub struct TcpReadHalf {
    pub(super) core: Arc<StreamCore<net::TcpStream>>,
}

/// The write half of a [`TcpStream`], from [`TcpStream::split`]; dropping it shuts the
/// write direction down.
///
/// # Examples
///
/// See [`TcpStream::split`].
pub struct TcpWriteHalf {
    pub(super) core: Arc<StreamCore<net::TcpStream>>,
}

impl TcpReadHalf {
    /// The remote address.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let (r, _w) = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap().split();
    ///     assert_eq!(r.peer_addr().unwrap(), l.local_addr().unwrap());
    /// });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.core.get_ref().peer_addr()
    }
}

impl TcpWriteHalf {
    /// The remote address.
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peer_addr`].
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let (_r, w) = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap().split();
    ///     assert_eq!(w.peer_addr().unwrap(), l.local_addr().unwrap());
    /// });
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.core.get_ref().peer_addr()
    }
}

impl Drop for TcpWriteHalf {
    fn drop(&mut self) {
        let _ = self.core.close_write();
    }
}

impl fmt::Debug for TcpReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpReadHalf").field(&self.core).finish()
    }
}

impl fmt::Debug for TcpWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpWriteHalf").field(&self.core).finish()
    }
}

stream_read!(TcpReadHalf, |s| s.core);
stream_write!(TcpWriteHalf, |s| s.core);
