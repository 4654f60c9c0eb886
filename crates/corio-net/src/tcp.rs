//! TCP: [`TcpListener`], [`TcpStream`] and its owned halves.

use std::fmt;
use std::io;
use std::net::{self, Shutdown, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::io::Registered;
use crate::reactor::Direction;
use crate::stream::{
    StreamCore, connect_socket, stream_io, stream_read, stream_write, with_timeout,
};

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

/// The listen backlog: large enough that a burst of connections is not dropped (and
/// retried by the client a second later) before the loop gets to accept them.
const BACKLOG: i32 = 1024;

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```
/// use corio_net::{TcpListener, TcpStream};
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// corio_executor::run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let mut client = TcpStream::connect(addr).await?;
///     let (mut server, _peer) = listener.accept().await?;
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct TcpListener {
    io: Registered<net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first of its addresses that works) and listens, with
    /// `SO_REUSEADDR` set and a backlog of 1024.
    ///
    /// Host names are resolved with the system's blocking resolver, on this thread; pass an
    /// IP address to avoid that.
    ///
    /// # Errors
    ///
    /// The last address's error, with the address in the message.
    ///
    /// # Cancel safety
    ///
    /// Binding is done on the first poll, without waiting; dropping the future before then
    /// binds nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     assert!(l.local_addr().unwrap().port() != 0);
    /// });
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let mut last = None;
        for a in resolve(addr)? {
            match Self::bind_one(a) {
                Ok(l) => return Ok(l),
                Err(e) => last = Some(with_addr(e, "bind", a)),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        socket.listen(BACKLOG)?;
        Self::from_std(socket.into())
    }

    /// Wraps a listener of std's (set non-blocking here).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let l = corio_net::TcpListener::from_std(std).unwrap();
    ///     assert!(l.local_addr().is_ok());
    /// });
    /// ```
    pub fn from_std(listener: net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener {
            io: Registered::new(listener)?,
        })
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// As `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// What `accept(2)` reports (running out of file descriptors, say); the listener stays
    /// usable.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the kernel only in the poll that returns
    /// it, so dropping the future loses none.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        std::future::poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection (the poll form of [`accept`](Self::accept)).
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = l.local_addr().unwrap();
    ///     let _c = corio_net::TcpStream::connect(addr).await.unwrap();
    ///     let (s, _) = std::future::poll_fn(|cx| l.poll_accept(cx)).await.unwrap();
    ///     assert_eq!(s.local_addr().unwrap(), addr);
    /// });
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (stream, peer) = match self.io.poll_io(cx, Direction::Read, |l| l.accept()) {
            Poll::Ready(Ok(pair)) => pair,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        Poll::Ready(TcpStream::from_std_peer(stream, peer).map(|s| (s, peer)))
    }

    /// The connections, as a [`Stream`] that never ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    ///
    /// corio_executor::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let _c = corio_net::TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    ///     let mut incoming = l.incoming();
    ///     let s = incoming.next().await.unwrap().unwrap();
    ///     assert!(s.peer_addr().is_ok());
    /// });
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

/// The stream of [`TcpListener::incoming`].
///
/// # Examples
///
/// See [`TcpListener::incoming`].
#[must_use = "streams do nothing unless polled"]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .poll_accept(cx)
            .map(|r| Some(r.map(|(s, _)| s)))
    }
}

impl fmt::Debug for Incoming<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming")
            .field("listener", self.listener)
            .finish()
    }
}

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

    fn from_std_peer(stream: net::TcpStream, peer: SocketAddr) -> io::Result<TcpStream> {
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

/// The read half of a [`TcpStream`], from [`TcpStream::split`].
///
/// # Examples
///
/// See [`TcpStream::split`].
pub struct TcpReadHalf {
    core: Arc<StreamCore<net::TcpStream>>,
}

/// The write half of a [`TcpStream`], from [`TcpStream::split`]; dropping it shuts the
/// write direction down.
///
/// # Examples
///
/// See [`TcpStream::split`].
pub struct TcpWriteHalf {
    core: Arc<StreamCore<net::TcpStream>>,
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
