//! [`Client`] (aiohttp's `ClientSession`), [`ClientBuilder`] and [`RequestBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::connect::Connector;
use crate::error::{Error, ErrorKind};
use crate::pool::{Pool, PoolConfig};
use crate::request::{Request, check_url, parse_url};
use crate::response::Response;
use crate::send::Engine;
use crate::tls::{Certificate, client_config};

/// aiohttp's `ClientSession`: an HTTP(S) client with one shared connection pool.
///
/// Cheap to clone (clones share the pool) and `Send + Sync`: make one per application and
/// hand clones to tasks, on `corio::run`'s loop or on the multi-thread executor. Defaults
/// follow aiohttp: at most 100 connections in all (`limit`), no per-host limit, total
/// timeout 5 minutes, redirects followed up to 10, keep-alive connections reused for 15
/// seconds, Mozilla's root certificates trusted, HTTP/2 over TLS when the server offers it.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
/// #     .serve(|_req| async { corio_http::server::text("hello") });
/// # let url = format!("http://{}/", server.local_addr());
/// let client = corio_http::Client::new();
/// let body = client.get(&url).send().await?.error_for_status()?.text().await?;
/// assert_eq!(body, "hello");
/// # Ok::<_, corio_http::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
}

impl Client {
    /// A client with the default settings (see [`Client`]).
    ///
    /// # Panics
    ///
    /// Never with the defaults (building the TLS configuration cannot fail then); use
    /// [`Client::builder`] to handle a configuration error.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::new();
    /// let also = client.clone(); // the same pool
    /// # drop(also);
    /// ```
    pub fn new() -> Client {
        ClientBuilder::new()
            .build()
            .expect("the default client configuration is valid")
    }

    /// A builder to set limits, timeouts, certificates and headers.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = corio_http::Client::builder()
    ///     .limit_per_host(8)
    ///     .timeout(Duration::from_secs(30))
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A `GET` request.
    ///
    /// # Examples
    ///
    /// See [`Client`].
    pub fn get(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A `POST` request.
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new().post("http://localhost/").body("x").build().unwrap();
    /// assert_eq!(req.method(), http::Method::POST);
    /// ```
    pub fn post(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A `PUT` request.
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new().put("http://localhost/").build().unwrap();
    /// assert_eq!(req.method(), http::Method::PUT);
    /// ```
    pub fn put(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A `DELETE` request.
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new().delete("http://localhost/").build().unwrap();
    /// assert_eq!(req.method(), http::Method::DELETE);
    /// ```
    pub fn delete(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// A `HEAD` request.
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new().head("http://localhost/").build().unwrap();
    /// assert_eq!(req.method(), http::Method::HEAD);
    /// ```
    pub fn head(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// A request with any method. A URL that does not parse is reported by `send` (or
    /// `build`) as [`ErrorKind::InvalidUrl`].
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new()
    ///     .request(http::Method::PATCH, "http://localhost/x")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(req.method(), http::Method::PATCH);
    /// ```
    pub fn request(&self, method: Method, url: impl AsRef<str>) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            request: parse_url(url.as_ref()).map(|url| Request {
                method,
                url,
                headers: HeaderMap::new(),
                body: Bytes::new(),
                timeout: None,
            }),
        }
    }

    /// Sends a built [`Request`].
    ///
    /// # Errors
    ///
    /// As [`RequestBuilder::send`].
    ///
    /// # Cancel safety
    ///
    /// As [`RequestBuilder::send`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let client = corio_http::Client::new();
    /// let req = client.get(&url).build()?;
    /// assert_eq!(client.execute(req).await?.status(), 200);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn execute(&self, request: Request) -> Result<Response, Error> {
        self.engine.execute(request).await
    }

    /// Connections open now, idle ones included (for tests and monitoring).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_http::Client::new().open_connections(), 0);
    /// ```
    pub fn open_connections(&self) -> usize {
        self.engine.pool.stats().0
    }

    /// Idle keep-alive connections in the pool now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_http::Client::new().idle_connections(), 0);
    /// ```
    pub fn idle_connections(&self) -> usize {
        self.engine.pool.stats().1
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("pool", &self.engine.pool)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Client`]: aiohttp's `TCPConnector(limit=, limit_per_host=)`,
/// `ClientTimeout(total=, connect=, sock_read=)`, `ssl=` and `headers=`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let client = corio_http::Client::builder()
///     .limit(50)
///     .limit_per_host(10)
///     .connect_timeout(Duration::from_secs(5))
///     .read_timeout(Duration::from_secs(10))
///     .max_redirects(3)
///     .user_agent("my-scraper/1.0")
///     .build()
///     .unwrap();
/// # drop(client);
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    limit: usize,
    limit_per_host: usize,
    total_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    max_redirects: usize,
    roots: Vec<Certificate>,
    builtin_roots: bool,
    verify: bool,
    http2: bool,
    headers: HeaderMap,
    idle_timeout: Option<Duration>,
    max_idle_per_host: usize,
    nodelay: bool,
    error: Option<Error>,
}

impl ClientBuilder {
    /// The defaults (see [`Client`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::ClientBuilder::new().build().unwrap();
    /// # drop(client);
    /// ```
    pub fn new() -> ClientBuilder {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("corio-http/", env!("CARGO_PKG_VERSION"))),
        );
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        ClientBuilder {
            limit: 100,
            limit_per_host: 0,
            total_timeout: Some(Duration::from_secs(300)),
            connect_timeout: None,
            read_timeout: None,
            max_redirects: 10,
            roots: Vec::new(),
            builtin_roots: true,
            verify: true,
            http2: true,
            headers,
            idle_timeout: Some(Duration::from_secs(15)),
            max_idle_per_host: 0,
            nodelay: true,
            error: None,
        }
    }

    /// The most connections open at once, to all hosts (0: no limit). Default 100.
    /// A request that finds none free waits for one.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().limit(10).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn limit(mut self, n: usize) -> ClientBuilder {
        self.limit = n;
        self
    }

    /// The most connections open at once to one host (scheme, host and port; 0: no
    /// limit, the default).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().limit_per_host(2).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn limit_per_host(mut self, n: usize) -> ClientBuilder {
        self.limit_per_host = n;
        self
    }

    /// The total time a request may take, redirects and reading the body included
    /// (`ClientTimeout.total`; default 5 minutes). `None` for no limit.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = corio_http::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn timeout(mut self, total: impl Into<Option<Duration>>) -> ClientBuilder {
        self.total_timeout = total.into();
        self
    }

    /// The time to resolve, connect and finish the TLS handshake (`ClientTimeout.connect`;
    /// default: no limit beyond the total).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = corio_http::Client::builder().connect_timeout(Duration::from_secs(3)).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn connect_timeout(mut self, d: Duration) -> ClientBuilder {
        self.connect_timeout = Some(d);
        self
    }

    /// The longest wait for the response head or for the next chunk of the body
    /// (`ClientTimeout.sock_read`; default: no limit beyond the total).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = corio_http::Client::builder().read_timeout(Duration::from_secs(3)).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn read_timeout(mut self, d: Duration) -> ClientBuilder {
        self.read_timeout = Some(d);
        self
    }

    /// Redirects followed before giving up with [`ErrorKind::TooManyRedirects`]
    /// (default 10); 0 turns following off (the 3xx response is returned as is).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().max_redirects(0).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn max_redirects(mut self, n: usize) -> ClientBuilder {
        self.max_redirects = n;
        self
    }

    /// Trusts `cert` as a root, besides Mozilla's (for a self-signed test server).
    ///
    /// # Examples
    ///
    /// See [`Certificate`].
    pub fn add_root_certificate(mut self, cert: Certificate) -> ClientBuilder {
        self.roots.push(cert);
        self
    }

    /// Whether to trust Mozilla's roots (webpki-roots; default true). With `false`, only
    /// the certificates given to [`add_root_certificate`](Self::add_root_certificate) are.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().tls_built_in_root_certs(false).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn tls_built_in_root_certs(mut self, on: bool) -> ClientBuilder {
        self.builtin_roots = on;
        self
    }

    /// **Dangerous**: accept any server certificate, expired, self-signed or for another
    /// name (aiohttp's `ssl=False`). Anyone on the path can then read and change the
    /// traffic. For tests against a self-signed server, prefer
    /// [`add_root_certificate`](Self::add_root_certificate).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder()
    ///     .danger_accept_invalid_certs(true)
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> ClientBuilder {
        self.verify = !accept;
        self
    }

    /// Speak only HTTP/1.1, even to a server that offers HTTP/2 over TLS.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().http1_only().build().unwrap();
    /// # drop(client);
    /// ```
    pub fn http1_only(mut self) -> ClientBuilder {
        self.http2 = false;
        self
    }

    /// Headers sent with every request (a request's own header of the same name wins).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-api-key", "secret".parse().unwrap());
    /// let client = corio_http::Client::builder().default_headers(h).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn default_headers(mut self, headers: HeaderMap) -> ClientBuilder {
        for (k, v) in headers {
            if let Some(k) = k {
                self.headers.insert(k, v);
            }
        }
        self
    }

    /// The `User-Agent` header (default `corio-http/<version>`).
    ///
    /// # Examples
    ///
    /// See [`ClientBuilder`].
    pub fn user_agent(mut self, agent: impl AsRef<str>) -> ClientBuilder {
        match HeaderValue::from_str(agent.as_ref()) {
            Ok(v) => {
                self.headers.insert(header::USER_AGENT, v);
            }
            Err(e) => {
                self.error.get_or_insert(Error::new(
                    ErrorKind::Builder,
                    format!("invalid user agent: {e}"),
                ));
            }
        }
        self
    }

    /// How long an idle keep-alive connection is kept for reuse (default 15 s, aiohttp's
    /// `keepalive_timeout`); `None` keeps it until the server closes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let client = corio_http::Client::builder()
    ///     .pool_idle_timeout(Duration::from_secs(60))
    ///     .build()
    ///     .unwrap();
    /// # drop(client);
    /// ```
    pub fn pool_idle_timeout(mut self, d: impl Into<Option<Duration>>) -> ClientBuilder {
        self.idle_timeout = d.into();
        self
    }

    /// The most idle connections kept per host (0: as many as the limits allow, the
    /// default).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = corio_http::Client::builder().pool_max_idle_per_host(4).build().unwrap();
    /// # drop(client);
    /// ```
    pub fn pool_max_idle_per_host(mut self, n: usize) -> ClientBuilder {
        self.max_idle_per_host = n;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Builder`] for a bad header given earlier, [`ErrorKind::Tls`] for a
    /// root certificate rustls refuses.
    ///
    /// # Examples
    ///
    /// See [`ClientBuilder`].
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let tls = client_config(&self.roots, self.builtin_roots, self.verify, self.http2)?;
        let engine = Engine {
            pool: Pool::new(PoolConfig {
                limit: self.limit,
                limit_per_host: self.limit_per_host,
                idle_timeout: self.idle_timeout,
                max_idle_per_host: self.max_idle_per_host,
                http2: self.http2,
            }),
            connector: Connector {
                tls: Arc::new(tls),
                connect_timeout: self.connect_timeout,
                nodelay: self.nodelay,
            },
            default_headers: self.headers,
            total_timeout: self.total_timeout,
            read_timeout: self.read_timeout,
            max_redirects: self.max_redirects,
        };
        Ok(Client {
            engine: Arc::new(engine),
        })
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("limit", &self.limit)
            .field("limit_per_host", &self.limit_per_host)
            .field("timeout", &self.total_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_redirects", &self.max_redirects)
            .field("verify", &self.verify)
            .finish_non_exhaustive()
    }
}

/// A request being built: `client.get(url).header(..).query(..).send().await`.
///
/// Errors met while building (a bad URL, a bad header) are kept and returned by
/// [`send`](Self::send) or [`build`](Self::build), so the chain never panics.
///
/// # Examples
///
/// ```
/// let req = corio_http::Client::new()
///     .get("http://localhost/search")
///     .query(&[("q", "rust async"), ("page", "2")])
///     .header("x-trace", "1")
///     .build()
///     .unwrap();
/// assert_eq!(req.url().as_str(), "http://localhost/search?q=rust+async&page=2");
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    client: Client,
    request: Result<Request, Error>,
}

impl RequestBuilder {
    fn map(mut self, f: impl FnOnce(&mut Request) -> Result<(), Error>) -> RequestBuilder {
        if let Ok(req) = &mut self.request {
            if let Err(e) = f(req) {
                self.request = Err(e);
            }
        }
        self
    }

    /// Adds a header (appended: a name may repeat).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Client::new().get("http://localhost/").header("bad name", "v").build().unwrap_err();
    /// assert_eq!(err.kind(), corio_http::ErrorKind::Builder);
    /// ```
    pub fn header<K, V>(self, name: K, value: V) -> RequestBuilder
    where
        K: TryInto<HeaderName>,
        K::Error: fmt::Display,
        V: TryInto<HeaderValue>,
        V::Error: fmt::Display,
    {
        self.map(|req| {
            let name = name
                .try_into()
                .map_err(|e| Error::new(ErrorKind::Builder, format!("invalid header name: {e}")))?;
            let value = value.try_into().map_err(|e| {
                Error::new(ErrorKind::Builder, format!("invalid header value: {e}"))
            })?;
            req.headers.append(name, value);
            Ok(())
        })
    }

    /// Adds all of `headers`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-a", "1".parse().unwrap());
    /// let req = corio_http::Client::new().get("http://localhost/").headers(h).build().unwrap();
    /// assert_eq!(req.headers()["x-a"], "1");
    /// ```
    pub fn headers(self, headers: HeaderMap) -> RequestBuilder {
        self.map(|req| {
            for (k, v) in headers {
                if let Some(k) = k {
                    req.headers.append(k, v);
                }
            }
            Ok(())
        })
    }

    /// Appends `pairs` to the URL's query string, form-encoded (`params=` in aiohttp).
    ///
    /// # Examples
    ///
    /// See [`RequestBuilder`].
    pub fn query<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> RequestBuilder {
        self.map(|req| {
            let mut q = req.url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k.as_ref(), v.as_ref());
            }
            Ok(())
        })
    }

    /// The request body (`data=` in aiohttp).
    ///
    /// # Examples
    ///
    /// See [`Request`].
    pub fn body(self, body: impl Into<Bytes>) -> RequestBuilder {
        self.map(|req| {
            req.body = body.into();
            Ok(())
        })
    }

    /// A form body (`application/x-www-form-urlencoded`).
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new()
    ///     .post("http://localhost/login")
    ///     .form(&[("user", "ada"), ("pass", "a b")])
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(req.body(), "user=ada&pass=a+b");
    /// assert_eq!(req.headers()["content-type"], "application/x-www-form-urlencoded");
    /// ```
    pub fn form<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> RequestBuilder {
        self.map(|req| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                s.append_pair(k.as_ref(), v.as_ref());
            }
            req.body = Bytes::from(s.finish());
            req.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            Ok(())
        })
    }

    /// A JSON body (`json=` in aiohttp; feature `json`).
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new()
    ///     .post("http://localhost/items")
    ///     .json(&serde_json::json!({"name": "pen"}))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(req.body(), r#"{"name":"pen"}"#);
    /// ```
    #[cfg(feature = "json")]
    pub fn json<T: serde::Serialize + ?Sized>(self, value: &T) -> RequestBuilder {
        self.map(|req| {
            let body = serde_json::to_vec(value).map_err(|e| {
                Error::new(
                    ErrorKind::Builder,
                    format!("cannot serialize the JSON body: {e}"),
                )
                .with_source(e)
            })?;
            req.body = Bytes::from(body);
            req.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(())
        })
    }

    /// The total timeout of this request, overriding the client's.
    ///
    /// # Examples
    ///
    /// See [`Request::timeout`].
    pub fn timeout(self, total: Duration) -> RequestBuilder {
        self.map(|req| {
            req.timeout = Some(total);
            Ok(())
        })
    }

    /// The request, without sending it.
    ///
    /// # Errors
    ///
    /// The first error met while building: [`ErrorKind::InvalidUrl`],
    /// [`ErrorKind::Builder`].
    ///
    /// # Examples
    ///
    /// See [`Request`].
    pub fn build(self) -> Result<Request, Error> {
        let req = self.request?;
        check_url(req.url.clone())?;
        Ok(req)
    }

    /// Sends the request and waits for the response head; the body is read from the
    /// [`Response`].
    ///
    /// # Errors
    ///
    /// Every [`ErrorKind`] but `Status` and `Decode`: the URL, the name resolution, the
    /// connection, TLS, a timeout, the redirects, the protocol. A 4xx or 5xx status is not
    /// an error here: see [`Response::error_for_status`].
    ///
    /// # Cancel safety
    ///
    /// Dropping the future cancels the request: a connection in the middle of an exchange
    /// is closed, a slot of the pool waited for is given up; nothing leaks.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// // Nothing listens on a port just freed:
    /// let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// let err = corio_http::Client::new()
    ///     .get(format!("http://127.0.0.1:{port}/"))
    ///     .send()
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), corio_http::ErrorKind::ConnectRefused);
    /// # });
    /// ```
    pub async fn send(self) -> Result<Response, Error> {
        let client = self.client.clone();
        let req = self.build()?;
        client.execute(req).await
    }
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}
