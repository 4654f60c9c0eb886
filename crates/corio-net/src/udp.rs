//! UDP: [`UdpSocket`].

use std::fmt;
use std::io;
use std::net::{self, SocketAddr, ToSocketAddrs};
use std::task::{Context, Poll};

use crate::addr::{resolve, with_addr};
use crate::io::Registered;
use crate::reactor::Direction;

/// A UDP socket.
///
/// All methods take `&self`, so one socket can be shared (through an `Rc` or `Arc`) by a
/// sending task and a receiving task; each waits on its own direction.
///
/// # Examples
///
/// ```
/// use corio_net::UdpSocket;
///
/// corio_executor::run(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct UdpSocket {
    io: Registered<net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (the first of its addresses that works).
    ///
    /// # Errors
    ///
    /// The last address's error, with the address in the message.
    ///
    /// # Cancel safety
    ///
    /// Binding happens on the first poll, without waiting.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last = None;
        for a in resolve(addr)? {
            match net::UdpSocket::bind(a) {
                Ok(s) => return Self::from_std(s),
                Err(e) => last = Some(with_addr(e, "bind", a)),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    /// Wraps a socket of std's (set non-blocking here).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let socket = corio_net::UdpSocket::from_std(std)?;
    /// assert!(socket.local_addr().is_ok());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(socket: net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: Registered::new(socket)?,
        })
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname`.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address [`connect`](Self::connect)ed to.
    ///
    /// # Errors
    ///
    /// `NotConnected` when not connected.
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets the default destination of [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts.
    ///
    /// # Errors
    ///
    /// The last address's error, with the address in the message.
    ///
    /// # Cancel safety
    ///
    /// Done on the first poll, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_net::UdpSocket;
    ///
    /// corio_executor::run(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     a.send(b"one").await?;
    ///     let mut buf = [0; 8];
    ///     let n = b.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"one");
    ///     std::io::Result::Ok(())
    /// }).unwrap();
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let mut last = None;
        for a in resolve(addr)? {
            match self.io.get_ref().connect(a) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(with_addr(e, "connect to", a)),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    /// Sends a datagram to `target`; returns the bytes sent.
    ///
    /// # Errors
    ///
    /// As `sendto(2)`, with the address in the message.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the datagram is sent whole in the poll that returns, or not at all.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = resolve(target)?[0];
        self.io
            .io(Direction::Write, |s| s.send_to(buf, target))
            .await
            .map_err(|e| with_addr(e, "send to", target))
    }

    /// Receives a datagram; returns its length and sender. Bytes that do not fit in
    /// `buf` are lost.
    ///
    /// # Errors
    ///
    /// As `recvfrom(2)`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is taken from the kernel only in the poll that returns it.
    ///
    /// # Examples
    ///
    /// See [`UdpSocket`].
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.io(Direction::Read, |s| s.recv_from(buf)).await
    }

    /// Polls for a datagram (the poll form of [`recv_from`](Self::recv_from)).
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.send_to(b"x", a.local_addr().unwrap()).await.unwrap();
    ///     let mut buf = [0; 4];
    ///     let (n, _) = std::future::poll_fn(|cx| a.poll_recv_from(cx, &mut buf)).await.unwrap();
    ///     assert_eq!(n, 1);
    /// });
    /// ```
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_io(cx, Direction::Read, |s| s.recv_from(buf))
    }

    /// Sends a datagram to the [`connect`](Self::connect)ed address.
    ///
    /// # Errors
    ///
    /// As `send(2)` (`ConnectionRefused` when an earlier datagram was refused, say).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`send_to`](Self::send_to).
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.io(Direction::Write, |s| s.send(buf)).await
    }

    /// Receives a datagram from the [`connect`](Self::connect)ed address.
    ///
    /// # Errors
    ///
    /// As `recv(2)`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv_from`](Self::recv_from).
    ///
    /// # Examples
    ///
    /// See [`connect`](Self::connect).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.io(Direction::Read, |s| s.recv(buf)).await
    }

    /// The std socket underneath (for socket options this type does not offer).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = corio_net::UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    /// s.get_ref().set_broadcast(true)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_ref(&self) -> &net::UdpSocket {
        self.io.get_ref()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
