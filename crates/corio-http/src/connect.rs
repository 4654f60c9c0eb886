//! Opening a connection: resolve (on the blocking pool), connect (each address in turn),
//! and for `https` the TLS handshake; all of it under the connect timeout, on corio's timer.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_rustls::TlsConnector;
use rustls_pki_types::ServerName;

use crate::error::{Error, ErrorKind, TimeoutKind};

/// Where a connection goes: the pool's key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
}

/// A connected byte stream, plain or TLS.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<futures_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write_vectored(cx, bufs),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_close(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_close(cx),
        }
    }
}

/// What connecting needs from the client's configuration.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    pub(crate) tls: Arc<rustls::ClientConfig>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) nodelay: bool,
}

/// A new connection and whether ALPN chose HTTP/2.
pub(crate) struct Connected {
    pub(crate) stream: Stream,
    pub(crate) h2: bool,
}

impl Connector {
    pub(crate) async fn connect(&self, target: &Target) -> Result<Connected, Error> {
        match self.connect_timeout {
            None => self.connect_inner(target).await,
            Some(d) => match corio_timer::timeout(d, self.connect_inner(target)).await {
                Ok(r) => r,
                Err(_) => Err(Error::timeout(
                    TimeoutKind::Connect,
                    format!(
                        "connecting to {}:{} took more than {d:?}",
                        target.host, target.port
                    ),
                )),
            },
        }
    }

    async fn connect_inner(&self, target: &Target) -> Result<Connected, Error> {
        let addrs = resolve(&target.host, target.port).await?;
        let mut last = None;
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(connect_error(e, addr)),
            }
        }
        let tcp = match tcp {
            Some(s) => s,
            None => return Err(last.expect("resolve returns at least one address")),
        };
        if self.nodelay {
            let _ = tcp.set_nodelay(true);
        }
        if !target.https {
            return Ok(Connected {
                stream: Stream::Plain(tcp),
                h2: false,
            });
        }
        let name = server_name(&target.host)?;
        let tls = TlsConnector::from(self.tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| {
                Error::new(ErrorKind::Tls, crate::tls::explain(&e, &target.host)).with_source(e)
            })?;
        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
        Ok(Connected {
            stream: Stream::Tls(Box::new(tls)),
            h2,
        })
    }
}

fn server_name(host: &str) -> Result<ServerName<'static>, Error> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("{host:?} is not a valid TLS server name: {e}"),
        )
    })
}

fn connect_error(e: io::Error, addr: SocketAddr) -> Error {
    let kind = if e.kind() == io::ErrorKind::ConnectionRefused {
        ErrorKind::ConnectRefused
    } else {
        ErrorKind::Connect
    };
    Error::new(kind, e.to_string())
        .with_addr(addr)
        .with_source(e)
}

/// Resolves on the blocking pool (the system resolver blocks): the loop keeps running.
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    // RFC 6761: `localhost` is the loopback interface; no resolver (and no thread of the
    // blocking pool, which a paused clock cannot see) is needed.
    if bare.eq_ignore_ascii_case("localhost") {
        return Ok(vec![
            SocketAddr::from(([127, 0, 0, 1], port)),
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
        ]);
    }
    let owned = bare.to_string();
    let result = corio_executor::spawn_blocking(move || {
        (owned.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>())
    })
    .await
    .map_err(|e| Error::new(ErrorKind::Runtime, format!("the resolver task failed: {e}")))?;
    match result {
        Ok(addrs) if !addrs.is_empty() => Ok(addrs),
        Ok(_) => Err(Error::new(
            ErrorKind::Dns,
            format!("the name {host:?} resolved to no address"),
        )),
        Err(e) => {
            Err(Error::new(ErrorKind::Dns, format!("cannot resolve {host:?}: {e}")).with_source(e))
        }
    }
}
