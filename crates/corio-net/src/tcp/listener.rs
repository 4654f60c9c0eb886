//! [`TcpListener`] and its [`Incoming`] stream.

use std::fmt;
use std::io;
use std::net::{self, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use socket2::{Domain, Protocol, Socket, Type};

use crate::io::Registered;
use crate::reactor::Direction;

use super::TcpStream;
use crate::addr::{resolve, with_addr};

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
