//! The one error type of the crate: [`Error`], which says what went wrong through
//! [`ErrorKind`].

use std::error::Error as StdError;
use std::fmt;
use std::net::SocketAddr;

use http::StatusCode;
use url::Url;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Which deadline ran out: aiohttp's `ClientTimeout` fields.
///
/// # Examples
///
/// ```
/// use corio_http::TimeoutKind;
/// assert_eq!(TimeoutKind::Read.to_string(), "read");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// The whole request, redirects and body included (`ClientTimeout.total`).
    Total,
    /// Resolving, connecting and the TLS handshake (`ClientTimeout.connect`).
    Connect,
    /// Waiting for the response head, or for the next chunk of the body
    /// (`ClientTimeout.sock_read`).
    Read,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Total => "total",
            TimeoutKind::Connect => "connect",
            TimeoutKind::Read => "read",
        })
    }
}

/// What went wrong, for code that decides what to do next (retry, report, give up).
///
/// # Examples
///
/// ```
/// let err = corio_http::Client::new().get("not a url").build().unwrap_err();
/// assert_eq!(err.kind(), corio_http::ErrorKind::InvalidUrl);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URL does not parse, has no host, or its scheme is neither `http` nor `https`.
    InvalidUrl,
    /// A request could not be built: a bad header name or value, a body that does not
    /// serialize.
    Builder,
    /// The host name did not resolve (DNS failure).
    Dns,
    /// The server refused the connection (nothing listens on the port).
    ConnectRefused,
    /// Another error while connecting (unreachable network, reset during connect).
    Connect,
    /// The TLS handshake failed: untrusted certificate, name mismatch, no common
    /// protocol version. The message says which.
    Tls,
    /// A deadline ran out; [`Error::timeout_kind`] says which.
    Timeout,
    /// More redirects than the client's limit allows.
    TooManyRedirects,
    /// A redirect points back to a URL already visited; [`Error::redirects`] lists them.
    RedirectLoop,
    /// The server answered with a 4xx or 5xx status, turned into an error by
    /// [`Response::error_for_status`](crate::Response::error_for_status).
    Status,
    /// The body is not what the caller asked for: not UTF-8 for `text`, not JSON for
    /// `json`.
    Decode,
    /// The connection closed before the whole body arrived.
    BodyClosed,
    /// Any other HTTP protocol error (a malformed response, an HTTP/2 reset).
    Protocol,
    /// The client was used outside a corio loop, or the loop refused a task.
    Runtime,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::InvalidUrl => "invalid URL",
            ErrorKind::Builder => "invalid request",
            ErrorKind::Dns => "DNS failure",
            ErrorKind::ConnectRefused => "connection refused",
            ErrorKind::Connect => "connect error",
            ErrorKind::Tls => "TLS error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::TooManyRedirects => "too many redirects",
            ErrorKind::RedirectLoop => "redirect loop",
            ErrorKind::Status => "HTTP error status",
            ErrorKind::Decode => "body decode error",
            ErrorKind::BodyClosed => "connection closed mid-body",
            ErrorKind::Protocol => "HTTP protocol error",
            ErrorKind::Runtime => "runtime error",
        })
    }
}

/// The error of every fallible operation of this crate.
///
/// [`kind`](Self::kind) says what went wrong; the accessors give the details that kind
/// carries (the URL, the address, the status, the timeout kind, the redirect chain). The
/// `Display` message says all of it in one line, e.g. `TLS error for
/// https://127.0.0.1:4433/: invalid peer certificate: UnknownIssuer (the certificate is
/// not signed by a trusted root: add it with ClientBuilder::add_root_certificate)`.
///
/// # Examples
///
/// ```
/// let err = corio_http::Client::new().get("ftp://example.com/").build().unwrap_err();
/// assert_eq!(err.kind(), corio_http::ErrorKind::InvalidUrl);
/// assert!(err.to_string().contains("ftp"));
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    url: Option<Url>,
    addr: Option<SocketAddr>,
    status: Option<StatusCode>,
    timeout: Option<TimeoutKind>,
    redirects: Vec<Url>,
    source: Option<BoxError>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                url: None,
                addr: None,
                status: None,
                timeout: None,
                redirects: Vec::new(),
                source: None,
            }),
        }
    }

    pub(crate) fn timeout(kind: TimeoutKind, message: impl Into<String>) -> Error {
        let mut e = Error::new(ErrorKind::Timeout, message);
        e.inner.timeout = Some(kind);
        e
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Error {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn with_url(mut self, url: &Url) -> Error {
        if self.inner.url.is_none() {
            self.inner.url = Some(url.clone());
        }
        self
    }

    pub(crate) fn with_addr(mut self, addr: SocketAddr) -> Error {
        self.inner.addr = Some(addr);
        self
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Error {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_redirects(mut self, chain: Vec<Url>) -> Error {
        self.inner.redirects = chain;
        self
    }

    /// What went wrong.
    ///
    /// # Examples
    ///
    /// See [`ErrorKind`].
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Whether a deadline ran out (any [`TimeoutKind`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert!(!err.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Which deadline ran out, for [`ErrorKind::Timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert_eq!(err.timeout_kind(), None);
    /// ```
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        self.inner.timeout
    }

    /// The URL of the request that failed, when there was one.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert!(err.url().is_none()); // it did not parse
    /// ```
    pub fn url(&self) -> Option<&Url> {
        self.inner.url.as_ref()
    }

    /// The socket address a connect error concerns.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert!(err.addr().is_none());
    /// ```
    pub fn addr(&self) -> Option<SocketAddr> {
        self.inner.addr
    }

    /// The status, for [`ErrorKind::Status`].
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert!(err.status().is_none());
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The URLs visited, in order, for [`ErrorKind::TooManyRedirects`] and
    /// [`ErrorKind::RedirectLoop`].
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://[::1").build().unwrap_err();
    /// assert!(err.redirects().is_empty());
    /// ```
    pub fn redirects(&self) -> &[Url] {
        &self.inner.redirects
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        match i.timeout {
            Some(t) => write!(f, "{t} timeout")?,
            None => write!(f, "{}", i.kind)?,
        }
        if let Some(url) = &i.url {
            write!(f, " for {url}")?;
        }
        if let Some(addr) = i.addr {
            write!(f, " ({addr})")?;
        }
        if !i.message.is_empty() {
            write!(f, ": {}", i.message)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind).field("message", &i.message);
        if let Some(url) = &i.url {
            d.field("url", &url.as_str());
        }
        if let Some(addr) = &i.addr {
            d.field("addr", addr);
        }
        if let Some(s) = &i.status {
            d.field("status", s);
        }
        if let Some(t) = &i.timeout {
            d.field("timeout", t);
        }
        if !i.redirects.is_empty() {
            d.field("redirects", &i.redirects);
        }
        if let Some(s) = &i.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| &**s as &(dyn StdError + 'static))
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        let kind = match e.kind() {
            ErrorKind::Timeout => std::io::ErrorKind::TimedOut,
            ErrorKind::ConnectRefused => std::io::ErrorKind::ConnectionRefused,
            ErrorKind::BodyClosed => std::io::ErrorKind::UnexpectedEof,
            ErrorKind::InvalidUrl | ErrorKind::Builder => std::io::ErrorKind::InvalidInput,
            ErrorKind::Decode => std::io::ErrorKind::InvalidData,
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

/// Maps a hyper error met while sending a request or reading a body.
pub(crate) fn from_hyper(e: hyper::Error, url: &Url) -> Error {
    let kind = if e.is_incomplete_message() || e.is_canceled() || from_hyper_is_eof(&e) {
        ErrorKind::BodyClosed
    } else {
        ErrorKind::Protocol
    };
    let msg = match std::error::Error::source(&e) {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    };
    Error::new(kind, msg).with_url(url).with_source(e)
}

pub(crate) fn from_hyper_is_eof(e: &hyper::Error) -> bool {
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
            );
        }
        src = s.source();
    }
    false
}
