//! Unix domain stream sockets: [`UnixListener`], [`UnixStream`] and its owned halves.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::{self, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::task::{Context, Poll};

use socket2::{Domain, SockAddr, Socket, Type};

use crate::addr::with_addr;
use crate::io::Registered;
use crate::reactor::Direction;
use crate::stream::{StreamCore, connect_socket, stream_io, stream_read, stream_write};

/// A Unix domain socket listening for connections.
///
/// # Examples
///
/// ```
/// use corio_net::{UnixListener, UnixStream};
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// let dir = std::env::temp_dir().join(format!("corio-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("listener.sock");
/// let _ = std::fs::remove_file(&path);
/// corio_executor::run(async {
///     let listener = UnixListener::bind(&path)?;
///     let mut client = UnixStream::connect(&path).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     std::io::Result::Ok(())
/// }).unwrap();
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct UnixListener {
    io: Registered<net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` and listens. The socket file is not removed on drop.
    ///
    /// # Errors
    ///
    /// As `bind(2)` (`AddrInUse` when the file exists, say), with the path in the message.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let listener =
            net::UnixListener::bind(path).map_err(|e| with_addr(e, "bind", path.display()))?;
        Self::from_std(listener)
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
    /// let dir = std::env::temp_dir().join(format!("corio-doc-fs-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("s");
    /// let _ = std::fs::remove_file(&path);
    /// let l = corio_net::UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path)?)?;
    /// assert!(l.local_addr().is_ok());
    /// std::fs::remove_dir_all(&dir)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(listener: net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
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
    /// See [`from_std`](Self::from_std).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Waits for a connection.
    ///
    /// # Errors
    ///
    /// As `accept(2)`; the listener stays usable.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the kernel only in the poll that returns it.
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
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
    /// # let dir = std::env::temp_dir().join(format!("corio-doc-pa-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let path = dir.join("s");
    /// # let _ = std::fs::remove_file(&path);
    /// corio_executor::run(async {
    ///     let l = corio_net::UnixListener::bind(&path).unwrap();
    ///     let _c = corio_net::UnixStream::connect(&path).await.unwrap();
    ///     let (s, _) = std::future::poll_fn(|cx| l.poll_accept(cx)).await.unwrap();
    ///     assert!(s.local_addr().is_ok());
    /// });
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (stream, peer) = match self.io.poll_io(cx, Direction::Read, |l| l.accept()) {
            Poll::Ready(Ok(pair)) => pair,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        let shown = format!("{peer:?}");
        Poll::Ready(UnixStream::from_std_named(stream, shown).map(|s| (s, peer)))
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

/// A Unix domain stream connection: `futures_io::AsyncRead` and `AsyncWrite`, with the
/// same shutdown rules as [`TcpStream`](crate::TcpStream).
///
/// # Examples
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// corio_executor::run(async {
///     let (mut a, mut b) = corio_net::UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct UnixStream {
    core: Arc<StreamCore<net::UnixStream>>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Errors
    ///
    /// As `connect(2)` (`NotFound`, `ConnectionRefused`), with the path in the message.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the half-made connection.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let err = corio_net::UnixStream::connect("/nonexistent/corio.sock").await.unwrap_err();
    ///     assert!(err.to_string().contains("/nonexistent/corio.sock"));
    /// });
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        let annotate = |e| with_addr(e, "connect to", path.display());
        let addr = SockAddr::unix(path).map_err(annotate)?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(annotate)?;
        let io = connect_socket(socket, &addr, net::UnixStream::from)
            .await
            .map_err(annotate)?;
        Ok(Self::from_registered(io, path.display().to_string()))
    }

    /// A connected pair of streams.
    ///
    /// # Errors
    ///
    /// As `socketpair(2)`.
    ///
    /// # Examples
    ///
    /// See [`UnixStream`].
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = net::UnixStream::pair()?;
        Ok((
            Self::from_std_named(a, "(pair)".into())?,
            Self::from_std_named(b, "(pair)".into())?,
        ))
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
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = corio_net::UnixStream::from_std(a)?;
    /// assert!(a.peer_addr().is_ok());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(stream: net::UnixStream) -> io::Result<UnixStream> {
        let peer = format!("{:?}", stream.peer_addr()?);
        Self::from_std_named(stream, peer)
    }

    fn from_std_named(stream: net::UnixStream, peer: String) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        Ok(Self::from_registered(Registered::new(stream)?, peer))
    }

    fn from_registered(io: Registered<net::UnixStream>, peer: String) -> UnixStream {
        UnixStream {
            core: Arc::new(StreamCore::new(io, peer)),
        }
    }

    /// The remote address.
    ///
    /// # Errors
    ///
    /// As `getpeername`.
    ///
    /// # Examples
    ///
    /// See [`from_std`](Self::from_std).
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
    /// See [`UnixListener::poll_accept`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.core.get_ref().local_addr()
    }

    /// Shuts down reading, writing or both; see [`TcpStream::shutdown`](crate::TcpStream::shutdown).
    ///
    /// # Errors
    ///
    /// As `shutdown(2)`, except that a peer already gone is not an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::AsyncReadExt;
    /// corio_executor::run(async {
    ///     let (mut a, b) = corio_net::UnixStream::pair().unwrap();
    ///     b.shutdown(std::net::Shutdown::Write).unwrap();
    ///     let mut buf = Vec::new();
    ///     assert_eq!(a.read_to_end(&mut buf).await.unwrap(), 0); // EOF
    /// });
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.core.shutdown(how)
    }

    /// Splits the stream into owned halves; see [`TcpStream::split`](crate::TcpStream::split).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    /// corio_executor::run(async {
    ///     let (a, mut b) = corio_net::UnixStream::pair().unwrap();
    ///     let (mut r, mut w) = a.split();
    ///     w.write_all(b"x").await.unwrap();
    ///     let mut one = [0; 1];
    ///     b.read_exact(&mut one).await.unwrap();
    ///     b.write_all(b"y").await.unwrap();
    ///     r.read_exact(&mut one).await.unwrap();
    ///     assert_eq!(&one, b"y");
    /// });
    /// ```
    pub fn split(self) -> (UnixReadHalf, UnixWriteHalf) {
        (
            UnixReadHalf {
                core: self.core.clone(),
            },
            UnixWriteHalf { core: self.core },
        )
    }

    /// The std socket underneath.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = corio_net::UnixStream::pair()?;
    /// assert!(a.get_ref().take_error()?.is_none());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_ref(&self) -> &net::UnixStream {
        self.core.get_ref()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixStream").field(&self.core).finish()
    }
}

stream_io!(UnixStream, |s| s.core);
stream_io!(&UnixStream, |s| s.core);

/// The read half of a [`UnixStream`], from [`UnixStream::split`].
///
/// # Examples
///
/// See [`UnixStream::split`].
pub struct UnixReadHalf {
    core: Arc<StreamCore<net::UnixStream>>,
}

/// The write half of a [`UnixStream`], from [`UnixStream::split`]; dropping it shuts the
/// write direction down.
///
/// # Examples
///
/// See [`UnixStream::split`].
pub struct UnixWriteHalf {
    core: Arc<StreamCore<net::UnixStream>>,
}

impl Drop for UnixWriteHalf {
    fn drop(&mut self) {
        let _ = self.core.close_write();
    }
}

impl fmt::Debug for UnixReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixReadHalf").field(&self.core).finish()
    }
}

impl fmt::Debug for UnixWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixWriteHalf").field(&self.core).finish()
    }
}

stream_read!(UnixReadHalf, |s| s.core);
stream_write!(UnixWriteHalf, |s| s.core);
