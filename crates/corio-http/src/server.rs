//! The server: aiohttp.web's job, minimal. [`Server`] binds and configures,
//! [`Server::serve`] starts the accept loop and hands back a [`ServerHandle`], whose
//! [`shutdown`](ServerHandle::shutdown) stops accepting and lets in-flight requests finish
//! within a grace period. [`serve`] is the one-liner that runs until an error.
//!
//! Each connection is a corio task speaking HTTP/1.1 (keep-alive) or HTTP/2 (h2c with
//! prior knowledge, or h2 over TLS by ALPN), chosen by hyper-util's `auto` builder from
//! the first bytes. A connection that does not finish sending request headers within the
//! header-read timeout (a slowloris) is closed; a malformed request gets `400 Bad Request`.
//!
//! The handler is an async function from `http::Request<Incoming>` to
//! `http::Response<B>`; [`text`], [`full`] and [`json`] build the common responses.

use std::borrow::Cow;
use std::convert::Infallible;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use corio_hyper::{CorioExecutor, CorioIo, CorioTimer};
use corio_net::{TcpListener, TcpStream};
use event_listener::Event;
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::future::{Either, select};
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body_util::Full;
use hyper::body::{Body, Incoming};
use hyper::service::service_fn;
use hyper_util::server::conn::auto;

use crate::error::Error;
use crate::stop::{Signal, StopSignals};
use crate::tls::Identity;

/// An incoming request, as the handler receives it.
pub type Request = http::Request<Incoming>;

/// A response with its whole body in memory: what [`text`], [`full`] and [`json`] build.
pub type Response = http::Response<Full<Bytes>>;

/// A `200 OK` response with a UTF-8 text body.
///
/// The body is a `&'static str` (a literal, sent from where it lies: no copy, no
/// allocation), a `String` (its buffer becomes the body) or a `Cow<'static, str>`. A
/// borrowed `&str` that is not `'static` does not convert: pass `s.to_owned()`, which is
/// the copy it would need anyway.
///
/// # Examples
///
/// ```
/// let r = corio_http::server::text("hi");
/// assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
/// let name = "world";
/// let r = corio_http::server::text(format!("hello, {name}"));
/// assert_eq!(r.status(), 200);
/// ```
pub fn text(body: impl Into<Cow<'static, str>>) -> Response {
    let body = match body.into() {
        Cow::Borrowed(s) => Bytes::from_static(s.as_bytes()),
        Cow::Owned(s) => Bytes::from(s),
    };
    let mut r = http::Response::new(Full::new(body));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// A response with `status` and a body of bytes.
///
/// # Examples
///
/// ```
/// let r = corio_http::server::full(http::StatusCode::NOT_FOUND, "no such page");
/// assert_eq!(r.status(), 404);
/// ```
pub fn full(status: http::StatusCode, body: impl Into<Bytes>) -> Response {
    let mut r = http::Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

/// A `200 OK` JSON response (feature `json`); a value that does not serialize gives a
/// `500`.
///
/// # Examples
///
/// ```
/// let r = corio_http::server::json(&serde_json::json!({"ok": true}));
/// assert_eq!(r.headers()["content-type"], "application/json");
/// ```
#[cfg(feature = "json")]
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => {
            let mut r = http::Response::new(Full::new(Bytes::from(body)));
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Err(e) => full(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialize the response: {e}"),
        ),
    }
}

/// aiohttp's `await request.read()`: the whole body of a request.
///
/// # Errors
///
/// [`ErrorKind::BodyClosed`](crate::ErrorKind::BodyClosed) when the client goes away
/// mid-body, [`ErrorKind::Protocol`](crate::ErrorKind::Protocol) on a malformed body.
///
/// # Cancel safety
///
/// Dropping the future drops the request body.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap().serve(|req| async move {
///     let body = corio_http::server::read_body(req).await.unwrap_or_default();
///     corio_http::server::text(format!("{} bytes", body.len()))
/// });
/// let url = format!("http://{}/", server.local_addr());
/// let resp = corio_http::Client::new().post(&url).body("four").send().await?;
/// assert_eq!(resp.text().await?, "4 bytes");
/// # Ok::<_, corio_http::Error>(())
/// # }).unwrap();
/// ```
pub async fn read_body(req: Request) -> Result<Bytes, Error> {
    use http_body_util::BodyExt;
    let url: url::Url = format!("http://server{}", req.uri())
        .parse()
        .unwrap_or_else(|_| "http://server/".parse().expect("a valid URL"));
    req.into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| crate::error::from_hyper(e, &url))
}

/// aiohttp's `await request.json()`: the body parsed as JSON (feature `json`).
///
/// # Errors
///
/// As [`read_body`]; [`ErrorKind::Decode`](crate::ErrorKind::Decode) when it is not JSON
/// of type `T`.
///
/// # Cancel safety
///
/// As [`read_body`].
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap().serve(|req| async move {
///     match corio_http::server::read_json::<Vec<u32>>(req).await {
///         Ok(v) => corio_http::server::text(v.iter().sum::<u32>().to_string()),
///         Err(e) => corio_http::server::full(http::StatusCode::BAD_REQUEST, e.to_string()),
///     }
/// });
/// let url = format!("http://{}/", server.local_addr());
/// let resp = corio_http::Client::new().post(&url).json(&[1, 2, 3]).send().await?;
/// assert_eq!(resp.text().await?, "6");
/// # Ok::<_, corio_http::Error>(())
/// # }).unwrap();
/// ```
#[cfg(feature = "json")]
pub async fn read_json<T: serde::de::DeserializeOwned>(req: Request) -> Result<T, Error> {
    let body = read_body(req).await?;
    serde_json::from_slice(&body).map_err(|e| {
        Error::new(
            crate::ErrorKind::Decode,
            format!("the body is not the JSON expected: {e}"),
        )
        .with_source(e)
    })
}

/// A bound server, not yet serving: set the options, then [`serve`](Self::serve).
///
/// Defaults: header-read timeout 30 s, no connection limit, HTTP/1.1 and HTTP/2.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// # corio_executor::run(async {
/// let server = corio_http::Server::bind("127.0.0.1:0")
///     .await?
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(1000)
///     .serve(|req| async move { corio_http::server::text(format!("you asked for {}", req.uri())) });
/// let url = format!("http://{}/a", server.local_addr());
/// let body = corio_http::Client::new().get(&url).send().await.unwrap().text().await.unwrap();
/// assert_eq!(body, "you asked for /a");
/// server.shutdown(Duration::from_secs(1)).await;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[must_use = "a server does nothing until `serve` is called"]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    header_read_timeout: Option<Duration>,
    max_connections: usize,
    http1_only: bool,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Server {
    /// Binds a listening socket.
    ///
    /// # Errors
    ///
    /// When the address does not resolve or cannot be bound (in use, say).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the socket if it was bound.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Server {
            listener,
            addr,
            header_read_timeout: Some(Duration::from_secs(30)),
            max_connections: 0,
            http1_only: false,
            tls: None,
        })
    }

    /// The address bound (the port chosen, when bound to port 0).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let s = corio_http::Server::bind("127.0.0.1:0").await?;
    /// assert_ne!(s.local_addr().port(), 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The time a client has to send a request's headers (and, over TLS, to finish the
    /// handshake) before the connection is closed: the defence against slowloris.
    /// `None` turns it off. Default 30 s; on corio's timer.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn header_read_timeout(mut self, d: impl Into<Option<Duration>>) -> Server {
        self.header_read_timeout = d.into();
        self
    }

    /// The most connections served at once (0: no limit, the default). At the limit the
    /// server stops accepting (new clients wait in the kernel's backlog) until one closes.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn max_connections(mut self, n: usize) -> Server {
        self.max_connections = n;
        self
    }

    /// Speak only HTTP/1.1 (no h2c, no h2 over TLS).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let s = corio_http::Server::bind("127.0.0.1:0").await?.http1_only();
    /// # drop(s);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn http1_only(mut self) -> Server {
        self.http1_only = true;
        self
    }

    /// Serve HTTPS with `identity` (HTTP/2 offered through ALPN unless
    /// [`http1_only`](Self::http1_only)).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Tls`](crate::ErrorKind::Tls) when rustls refuses the key or chain.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// let id = corio_http::Identity::from_pem(
    ///     cert.cert.pem().as_bytes(),
    ///     cert.key_pair.serialize_pem().as_bytes(),
    /// )?;
    /// let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap().tls(id)?
    ///     .serve(|_req| async { corio_http::server::text("secret") });
    /// let client = corio_http::Client::builder()
    ///     .add_root_certificate(corio_http::Certificate::from_pem(cert.cert.pem().as_bytes())?)
    ///     .build()?;
    /// let url = format!("https://localhost:{}/", server.local_addr().port());
    /// let resp = client.get(&url).send().await?;
    /// assert_eq!(resp.version(), http::Version::HTTP_2);
    /// assert_eq!(resp.text().await?, "secret");
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn tls(mut self, identity: Identity) -> Result<Server, Error> {
        self.tls = Some(Arc::new(identity.server_config(!self.http1_only)?));
        Ok(self)
    }

    /// Starts serving: the accept loop and each connection run as corio tasks (on the
    /// multi-thread executor, across its workers). Returns at once.
    ///
    /// # Panics
    ///
    /// When no corio loop runs on this thread.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn serve<H, F, B>(self, handler: H) -> ServerHandle
    where
        H: Fn(Request) -> F + Send + Sync + 'static,
        F: Future<Output = http::Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
    {
        let shared = Arc::new(Shared {
            signals: StopSignals::default(),
            active: AtomicUsize::new(0),
            changed: Event::new(),
            accept_done: AtomicBool::new(false),
        });
        let addr = self.addr;
        let accept = accept_loop(self, Arc::new(handler), shared.clone());
        let task = corio_core::context::spawn(Box::pin(accept))
            .unwrap_or_else(|e| panic!("corio-http: cannot spawn the server: {e}"));
        drop(task); // detached: the handle's shutdown stops it
        ServerHandle { shared, addr }
    }

    /// Serves until `signal` completes (a `CancelToken`'s `cancelled()`, Ctrl-C), then
    /// shuts down gracefully within `grace`; returns the number of connections cut off
    /// when the grace period ran out.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future stops nothing: the server keeps running detached. Shut it
    /// down through a signal instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # corio_executor::run(async {
    /// let server = corio_http::Server::bind("127.0.0.1:0").await?;
    /// let stop = futures::future::ready(()); // a Ctrl-C future, a cancel token, ...
    /// let cut = server
    ///     .serve_until(|_req| async { corio_http::server::text("bye") }, stop, Duration::from_secs(1))
    ///     .await;
    /// assert_eq!(cut, 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub async fn serve_until<H, F, B>(
        self,
        handler: H,
        signal: impl Future<Output = ()>,
        grace: Duration,
    ) -> usize
    where
        H: Fn(Request) -> F + Send + Sync + 'static,
        F: Future<Output = http::Response<B>> + Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
    {
        let handle = self.serve(handler);
        signal.await;
        handle.shutdown(grace).await
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("http1_only", &self.http1_only)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// aiohttp's `web.run_app` in one line: binds `addr` and serves `handler` with the
/// defaults until the task is cancelled.
///
/// # Errors
///
/// When the address cannot be bound.
///
/// # Cancel safety
///
/// Dropping the future (cancelling the task) shuts the server down at once: in-flight
/// requests are cut off. Use [`Server::serve_until`] for a graceful stop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// # corio_executor::run(async {
/// let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let server = corio_executor::spawn(corio_http::serve(
///     ("127.0.0.1", port),
///     |_req| async { corio_http::server::text("up") },
/// ));
/// # let mut tries = 0;
/// let body = loop {
///     match corio_http::Client::new().get(format!("http://127.0.0.1:{port}/")).send().await {
///         Ok(r) => break r.text().await.unwrap(),
///         Err(_) if tries < 100 => { tries += 1; corio_timer::sleep(Duration::from_millis(5)).await }
///         Err(e) => panic!("{e}"),
///     }
/// };
/// assert_eq!(body, "up");
/// server.abort();
/// # });
/// ```
pub async fn serve<H, F, B>(addr: impl ToSocketAddrs, handler: H) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = http::Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let handle = Server::bind(addr).await?.serve(handler);
    let _stop_on_drop = StopOnDrop(handle.shared.clone());
    std::future::pending::<()>().await;
    Ok(())
}

struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.signals.raise(Signal::CutOff);
        self.0.changed.notify(usize::MAX);
    }
}

struct Shared {
    /// What every connection task watches.
    signals: StopSignals,
    accept_done: AtomicBool,
    active: AtomicUsize,
    changed: Event,
}

impl Shared {
    /// Waits until `cond` holds, re-checking after each change.
    async fn until(&self, cond: impl Fn(&Shared) -> bool) {
        loop {
            if cond(self) {
                return;
            }
            let l = self.changed.listen();
            if cond(self) {
                return;
            }
            l.await;
        }
    }
}

/// A running server: its address, and the graceful [`shutdown`](Self::shutdown).
///
/// Dropping the handle leaves the server running (like a dropped `Task`: detached).
///
/// # Examples
///
/// See [`Server`].
pub struct ServerHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl ServerHandle {
    /// The address served.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections open now.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let s = corio_http::Server::bind("127.0.0.1:0").await?
    ///     .serve(|_req| async { corio_http::server::text("") });
    /// assert_eq!(s.connections(), 0);
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn connections(&self) -> usize {
        self.shared.active.load(Ordering::SeqCst)
    }

    /// Graceful shutdown: stops accepting at once, asks every connection to finish (idle
    /// keep-alive connections close, in-flight requests complete, HTTP/2 sends GOAWAY),
    /// and waits up to `grace` (on corio's timer) for them. Connections still open then
    /// are closed. Returns how many were cut off that way (0: a clean shutdown).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future after it started leaves the server stopping; the connections
    /// finish on their own, none is cut off.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub async fn shutdown(self, grace: Duration) -> usize {
        let s = &self.shared;
        s.signals.raise(Signal::Stop);
        s.changed.notify(usize::MAX);
        let drained = s.until(|s| {
            s.accept_done.load(Ordering::SeqCst) && s.active.load(Ordering::SeqCst) == 0
        });
        if corio_timer::timeout(grace, drained).await.is_ok() {
            return 0;
        }
        let cut = s.active.load(Ordering::SeqCst);
        s.signals.raise(Signal::CutOff);
        s.changed.notify(usize::MAX);
        s.until(|s| s.active.load(Ordering::SeqCst) == 0).await;
        cut
    }
}

impl fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("connections", &self.connections())
            .field("stopping", &self.shared.signals.is_raised(Signal::Stop))
            .finish()
    }
}

/// Counts a connection as active while alive.
struct Active(Arc<Shared>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify(usize::MAX);
    }
}

async fn accept_loop<H, F, B>(server: Server, handler: Arc<H>, shared: Arc<Shared>)
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = http::Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let mut builder = auto::Builder::new(CorioExecutor::new());
    builder
        .http1()
        .timer(CorioTimer::new())
        .header_read_timeout(server.header_read_timeout);
    builder.http2().timer(CorioTimer::new());
    let builder = Arc::new(if server.http1_only {
        builder.http1_only()
    } else {
        builder
    });
    let tls = server.tls.clone().map(futures_rustls::TlsAcceptor::from);
    let max = server.max_connections;
    loop {
        // At the connection limit, wait for a connection to close before accepting.
        if max != 0 {
            shared
                .until(|s| {
                    s.signals.is_raised(Signal::Stop) || s.active.load(Ordering::SeqCst) < max
                })
                .await;
        }
        if shared.signals.is_raised(Signal::Stop) {
            break;
        }
        let stop = shared.signals.watch(Signal::Stop);
        let accepted = match select(pin!(server.listener.accept()), pin!(stop)).await {
            Either::Left((r, _)) => r,
            Either::Right(_) => break,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                ) {
                    corio_timer::sleep(Duration::from_millis(10)).await;
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        shared.active.fetch_add(1, Ordering::SeqCst);
        let active = Active(shared.clone());
        let conn = serve_one(
            stream,
            tls.clone(),
            server.header_read_timeout,
            builder.clone(),
            handler.clone(),
            active,
        );
        if corio_core::context::spawn(Box::pin(conn)).is_err() {
            break; // the loop is shutting down
        }
    }
    drop(server);
    shared.accept_done.store(true, Ordering::SeqCst);
    shared.changed.notify(usize::MAX);
}

async fn serve_one<H, F, B>(
    stream: TcpStream,
    tls: Option<futures_rustls::TlsAcceptor>,
    handshake_timeout: Option<Duration>,
    builder: Arc<auto::Builder<CorioExecutor>>,
    handler: Arc<H>,
    active: Active,
) where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = http::Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    match tls {
        None => drive(stream, builder, handler, &active.0).await,
        Some(acceptor) => {
            let handshake = acceptor.accept(stream);
            let tls_stream = match handshake_timeout {
                Some(d) => match corio_timer::timeout(d, handshake).await {
                    Ok(Ok(s)) => s,
                    _ => return,
                },
                None => match handshake.await {
                    Ok(s) => s,
                    Err(_) => return,
                },
            };
            drive(tls_stream, builder, handler, &active.0).await
        }
    }
    drop(active);
}

async fn drive<S, H, F, B>(
    io: S,
    builder: Arc<auto::Builder<CorioExecutor>>,
    handler: Arc<H>,
    shared: &Shared,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = http::Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let service = service_fn(move |req| {
        let fut = handler(req);
        async move { Ok::<_, Infallible>(fut.await) }
    });
    let mut conn = pin!(builder.serve_connection(CorioIo::new(io), service));
    let stopping = shared.signals.watch(Signal::Stop);
    match select(conn.as_mut(), pin!(stopping)).await {
        Either::Left(_) => return,
        Either::Right(_) => conn.as_mut().graceful_shutdown(),
    }
    let forced = shared.signals.watch(Signal::CutOff);
    let _ = select(conn, pin!(forced)).await;
}
