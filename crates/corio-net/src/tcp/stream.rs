//! [`TcpStream`]: a TCP connection.

use std::fmt;
use std::io;
use std::net::{self, Shutdown, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Weak};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::io::Registered;
use crate::stream::{StreamCore, connect_socket, stream_io, with_timeout};

#[cfg(doc)]
use super::TcpListener;
use super::{TcpReadHalf, TcpWriteHalf};
use crate::addr::{resolve, with_addr};

/// A TCP connection: `futures_io::AsyncRead` and `AsyncWrite`.
///
/// `&TcpStream` is also `AsyncRead` and `AsyncWrite`, so a reader task and a writer task
/// can share one stream through an `Arc` or a borrow; [`split`](Self::split) makes owned
/// halves for the same purpose.
///
/// After [`shutdown`](Self::shutdown) of a direction (or `close()` for the write
/// direction), further reads or writes in it fail at once with `NotConnected` or
/// `BrokenPipe`. Errors name the peer's address.
///
/// # Examples
///
/// ```
/// use corio_net::{TcpListener, TcpStream};
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// corio_executor::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"hello").await?;
///     client.close().await?; // half-close: the server reads to EOF
///     let mut got = Vec::new();
///     server.read_to_end(&mut got).await?;
///     assert_eq!(got, b"hello");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct TcpStream {
    core: Arc<StreamCore<net::TcpStream>>,
}

impl TcpStream {
    /// Connects to `addr`, trying each of its addresses in turn.
    ///
    /// Host names are resolved with the system's blocking resolver, on this thread.
    /// For a time limit, see [`connect_timeout`](Self::connect_timeout).
    ///
    /// # Errors
    ///
    /// The last address's error (`ConnectionRefused`, say), with the address in the
    /// message.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the half-made connection.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     // Nothing listens on a port just freed:
    ///     let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    ///     let err = corio_net::TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    ///     assert!(err.to_string().contains(&format!("127.0.0.1:{port}")));
    /// });
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for a in resolve(addr)? {
            match Self::connect_one(a).await {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(with_addr(e, "connect to", a)),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        let io = connect_socket(socket, &SockAddr::from(addr), net::TcpStream::from).await?;
        Ok(TcpStream::from_registered(io, addr.to_string()))
    }

    /// [`connect`](Self::connect) with a time limit for the whole attempt (all addresses),
    /// on the loop's timer (a paused virtual clock governs it; see the crate docs'
    /// *Timeouts*).
    ///
    /// The same can be had with any timer: `corio::wait_for(TcpStream::connect(a), d)`.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect); `TimedOut` naming the address when time runs out.
    ///
    /// # Cancel safety
    ///
    /// As [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = l.local_addr().unwrap();
    ///     let s = corio_net::TcpStream::connect_timeout(addr, Duration::from_secs(5)).await.unwrap();
    ///     assert_eq!(s.peer_addr().unwrap(), addr);
    /// });
    /// ```
    pub async fn connect_timeout(
        addr: impl ToSocketAddrs,
        timeout: Duration,
    ) -> io::Result<TcpStream> {
        let addrs = resolve(addr)?;
        let shown = addrs[0];
        with_timeout(timeout, Self::connect(&addrs[..]), || {
            format!("connect to {shown}: timed out after {timeout:?}")
        })
        .await
    }

    /// Wraps a connected stream of std's (set non-blocking here).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let std = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
    ///     let s = corio_net::TcpStream::from_std(std).unwrap();
    ///     assert!(s.peer_addr().is_ok());
    /// });
    /// ```
    pub fn from_std(stream: net::TcpStream) -> io::Result<TcpStream> {
        let peer = stream.peer_addr()?;
        Self::from_std_peer(stream, peer)
    }

    pub(super) fn from_std_peer(stream: net::TcpStream, peer: SocketAddr) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        Ok(Self::from_registered(
            Registered::new(stream)?,
            peer.to_string(),
        ))
    }

    fn from_registered(io: Registered<net::TcpStream>, peer: String) -> TcpStream {
        TcpStream {
            core: Arc::new(StreamCore::new(io, peer)),
        }
    }

    /// The remote address.
    ///
    /// # Errors
    ///
    /// As `getpeername` (`NotConnected` once the peer is gone, say).
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.core.get_ref().peer_addr()
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`TcpListener::poll_accept`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.core.get_ref().local_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// As `setsockopt`.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let s = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    ///     s.set_nodelay(true).unwrap();
    ///     assert!(s.nodelay().unwrap());
    /// });
    /// ```
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.core.get_ref().set_nodelay(on)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// As `getsockopt`.
    ///
    /// # Examples
    ///
    /// See [`set_nodelay`](Self::set_nodelay).
    pub fn nodelay(&self) -> io::Result<bool> {
        self.core.get_ref().nodelay()
    }

    /// Shuts down reading, writing or both. Reads after a read shutdown fail with
    /// `NotConnected`; writes after a write shutdown fail with `BrokenPipe`; the peer sees
    /// end-of-file after a write shutdown. Shutting down twice is not an error.
    ///
    /// # Errors
    ///
    /// As `shutdown(2)`, except that a peer already gone is not an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::AsyncWriteExt;
    /// use std::net::Shutdown;
    ///
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let mut s = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    ///     s.shutdown(Shutdown::Write).unwrap();
    ///     let err = s.write_all(b"late").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    /// });
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.core.shutdown(how)
    }

    /// A handle that tells how much this stream (or its halves) has moved, without keeping
    /// the socket open.
    pub(crate) fn activity(&self) -> Weak<StreamCore<net::TcpStream>> {
        Arc::downgrade(&self.core)
    }

    /// Splits the stream into a read half and a write half that can move to different
    /// tasks. Dropping the write half shuts the write direction down (the peer sees
    /// end-of-file); the socket closes when both halves are gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    ///
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let c = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    ///     let (mut s, _) = l.accept().await.unwrap();
    ///     let (mut r, mut w) = c.split();
    ///     w.write_all(b"hi").await.unwrap();
    ///     drop(w);
    ///     let mut got = Vec::new();
    ///     s.read_to_end(&mut got).await.unwrap();
    ///     s.write_all(b"bye").await.unwrap();
    ///     let mut buf = [0; 3];
    ///     r.read_exact(&mut buf).await.unwrap();
    ///     assert_eq!((&got[..], &buf), (&b"hi"[..], b"bye"));
    /// });
    /// ```
    pub fn split(self) -> (TcpReadHalf, TcpWriteHalf) {
        (
            TcpReadHalf {
                core: self.core.clone(),
            },
            TcpWriteHalf { core: self.core },
        )
    }

    /// The std socket underneath (for socket options this type does not offer).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let s = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    ///     s.get_ref().set_ttl(32).unwrap();
    /// });
    /// ```
    pub fn get_ref(&self) -> &net::TcpStream {
        self.core.get_ref()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpStream").field(&self.core).finish()
    }
}

stream_io!(TcpStream, |s| s.core);
stream_io!(&TcpStream, |s| s.core);
