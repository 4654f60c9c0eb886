//! [`Response`] and its streamed body, [`BodyStream`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::{HeaderMap, StatusCode, Version};
use hyper::body::Incoming;
use url::Url;

use crate::error::{Error, ErrorKind, TimeoutKind, from_hyper};
use crate::pool::{Pool, Pooled};

/// The deadlines a body is read under.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BodyDeadlines {
    pub(crate) read: Option<Duration>,
    pub(crate) total: Option<(Instant, Duration)>,
}

/// A response: status and headers at once, the body when asked for.
///
/// The body is read by [`bytes`](Self::bytes), [`text`](Self::text),
/// [`json`](Self::json), [`chunk`](Self::chunk) or as a [`Stream`] of chunks
/// ([`bytes_stream`](Self::bytes_stream)). A body read to its end gives the connection back
/// to the pool for the next request (keep-alive); a response dropped before its end closes
/// its connection.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
/// #     .serve(|_req| async { corio_http::server::text("hello") });
/// # let url = format!("http://{}/", server.local_addr());
/// let resp = corio_http::Client::new().get(&url).send().await?;
/// assert_eq!(resp.status(), 200);
/// assert_eq!(resp.text().await?, "hello");
/// # server.shutdown(std::time::Duration::from_secs(1)).await;
/// # Ok::<_, corio_http::Error>(())
/// # }).unwrap();
/// ```
pub struct Response {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    url: Url,
    body: BodyStream,
}

impl Response {
    pub(crate) fn new(
        head: http::response::Parts,
        body: Incoming,
        url: Url,
        conn: Option<(Pool, Pooled)>,
        deadlines: BodyDeadlines,
    ) -> Response {
        Response {
            status: head.status,
            version: head.version,
            headers: head.headers,
            body: BodyStream {
                incoming: Some(body),
                conn,
                deadlines,
                timer: None,
                rearm: true,
                url: url.clone(),
            },
            url,
        }
    }

    /// The status code.
    ///
    /// # Examples
    ///
    /// See [`Response`].
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP version the server answered with (HTTP/2 when ALPN chose it).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let resp = corio_http::Client::new().get(&url).send().await?;
    /// assert_eq!(resp.version(), http::Version::HTTP_11);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn version(&self) -> Version {
        self.version
    }

    /// The response headers.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let resp = corio_http::Client::new().get(&url).send().await?;
    /// assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The URL this response came from: after redirects, the last one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let resp = corio_http::Client::new().get(&url).send().await?;
    /// assert_eq!(resp.url().as_str(), url);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The `Content-Length` header, when the server sent one.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let resp = corio_http::Client::new().get(&url).send().await?;
    /// assert_eq!(resp.content_length(), Some(5));
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.headers
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }

    /// aiohttp's `raise_for_status()`: the response itself for 1xx-3xx, an
    /// [`ErrorKind::Status`] error carrying the status and URL for 4xx and 5xx.
    ///
    /// # Errors
    ///
    /// As said; the body is dropped with the response.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap().serve(|_req| async {
    /// #     let mut r = corio_http::server::text("no");
    /// #     *r.status_mut() = http::StatusCode::NOT_FOUND;
    /// #     r
    /// # });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let err = corio_http::Client::new().get(&url).send().await?.error_for_status().unwrap_err();
    /// assert_eq!(err.kind(), corio_http::ErrorKind::Status);
    /// assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn error_for_status(self) -> Result<Response, Error> {
        if self.status.is_client_error() || self.status.is_server_error() {
            Err(Error::new(ErrorKind::Status, self.status.to_string())
                .with_url(&self.url)
                .with_status(self.status))
        } else {
            Ok(self)
        }
    }

    /// The next chunk of the body, `None` at its end (`await resp.content.readany()`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BodyClosed`] when the connection closes before the end,
    /// [`ErrorKind::Timeout`] when a read or the total deadline runs out.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped call loses no data (the chunk stays in the connection).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let mut resp = corio_http::Client::new().get(&url).send().await?;
    /// let mut n = 0;
    /// while let Some(chunk) = resp.chunk().await? {
    ///     n += chunk.len();
    /// }
    /// assert_eq!(n, 5);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        std::future::poll_fn(|cx| Pin::new(&mut self.body).poll_next(cx))
            .await
            .transpose()
    }

    /// The whole body.
    ///
    /// # Errors
    ///
    /// As [`chunk`](Self::chunk).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the response and closes its connection.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let body = corio_http::Client::new().get(&url).send().await?.bytes().await?;
    /// assert_eq!(&body[..], b"hello");
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let first = match self.chunk().await? {
            None => return Ok(Bytes::new()),
            Some(c) => c,
        };
        let Some(second) = self.chunk().await? else {
            return Ok(first);
        };
        let mut buf = BytesMut::with_capacity(
            self.content_length()
                .map_or(first.len() + second.len(), |n| n as usize),
        );
        buf.extend_from_slice(&first);
        buf.extend_from_slice(&second);
        while let Some(c) = self.chunk().await? {
            buf.extend_from_slice(&c);
        }
        Ok(buf.freeze())
    }

    /// The whole body as text (it must be UTF-8).
    ///
    /// # Errors
    ///
    /// As [`bytes`](Self::bytes); [`ErrorKind::Decode`] when the body is not UTF-8.
    ///
    /// # Cancel safety
    ///
    /// As [`bytes`](Self::bytes).
    ///
    /// # Examples
    ///
    /// See [`Response`].
    pub async fn text(self) -> Result<String, Error> {
        let url = self.url.clone();
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.into()).map_err(|e| {
            Error::new(ErrorKind::Decode, format!("the body is not UTF-8: {e}"))
                .with_url(&url)
                .with_source(e)
        })
    }

    /// The whole body, parsed as JSON (feature `json`).
    ///
    /// # Errors
    ///
    /// As [`bytes`](Self::bytes); [`ErrorKind::Decode`] when it is not JSON of type `T`.
    ///
    /// # Cancel safety
    ///
    /// As [`bytes`](Self::bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::json(&serde_json::json!({"n": 3})) });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let v: serde_json::Value = corio_http::Client::new().get(&url).send().await?.json().await?;
    /// assert_eq!(v["n"], 3);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    #[cfg(feature = "json")]
    pub async fn json<T: serde::de::DeserializeOwned>(self) -> Result<T, Error> {
        let url = self.url.clone();
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!("the body is not the JSON expected: {e}"),
            )
            .with_url(&url)
            .with_source(e)
        })
    }

    /// The body as a [`Stream`] of chunks (`async for chunk in resp.content`): a large
    /// download never sits in memory whole.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// # corio_executor::run(async {
    /// # let server = corio_http::Server::bind("127.0.0.1:0").await.unwrap()
    /// #     .serve(|_req| async { corio_http::server::text("hello") });
    /// # let url = format!("http://{}/", server.local_addr());
    /// let resp = corio_http::Client::new().get(&url).send().await?;
    /// let mut body = resp.bytes_stream();
    /// let mut n = 0;
    /// while let Some(chunk) = body.next().await {
    ///     n += chunk?.len();
    /// }
    /// assert_eq!(n, 5);
    /// # Ok::<_, corio_http::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn bytes_stream(self) -> BodyStream {
        self.body
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("url", &self.url.as_str())
            .field("status", &self.status)
            .field("version", &self.version)
            .field("headers", &self.headers)
            .finish()
    }
}

/// A response body as a [`Stream`] of `Result<Bytes, Error>` chunks, from
/// [`Response::bytes_stream`].
///
/// Each wait for a chunk is bounded by the client's read timeout and the request's total
/// deadline, on corio's timer. At the end of the body the connection goes back to the pool;
/// dropped early, the stream closes the connection.
///
/// # Examples
///
/// See [`Response::bytes_stream`].
#[must_use = "streams do nothing unless polled"]
pub struct BodyStream {
    incoming: Option<Incoming>,
    conn: Option<(Pool, Pooled)>,
    deadlines: BodyDeadlines,
    timer: Option<corio_timer::Sleep>,
    /// Whether a chunk arrived since the read timer was armed.
    rearm: bool,
    url: Url,
}

impl BodyStream {
    fn finish(&mut self) {
        self.incoming = None;
        if let Some((pool, pooled)) = self.conn.take() {
            pool.put_back(pooled);
        }
    }

    fn fail(&mut self, e: Error) -> Poll<Option<Result<Bytes, Error>>> {
        self.incoming = None;
        self.conn = None; // the connection is not reusable: closed on drop
        self.timer = None;
        Poll::Ready(Some(Err(e)))
    }

    /// The next deadline: the read timeout from now, or the total deadline if sooner.
    fn next_deadline(&self) -> Option<Instant> {
        let read = self.deadlines.read.map(|d| corio_timer::clock::now() + d);
        let total = self.deadlines.total.map(|(at, _)| at);
        match (read, total) {
            (Some(r), Some(t)) => Some(r.min(t)),
            (r, t) => r.or(t),
        }
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let Some(incoming) = this.incoming.as_mut() else {
                return Poll::Ready(None);
            };
            match hyper::body::Body::poll_frame(Pin::new(incoming), cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    this.rearm = true;
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                    // trailers or an empty frame: look again
                }
                Poll::Ready(Some(Err(e))) => {
                    let url = this.url.clone();
                    return this.fail(from_hyper(e, &url));
                }
                Poll::Ready(None) => {
                    this.finish();
                    return Poll::Ready(None);
                }
                Poll::Pending => break,
            }
        }
        // Waiting: arm (or re-arm) the read / total deadline.
        if this.rearm {
            this.rearm = false;
            match this.next_deadline() {
                None => this.timer = None,
                Some(at) => match this.timer.as_mut() {
                    Some(t) => t.reset(at),
                    None => this.timer = Some(corio_timer::sleep_until(at)),
                },
            }
        }
        if let Some(timer) = this.timer.as_mut() {
            if Pin::new(timer).poll(cx).is_ready() {
                let now = corio_timer::clock::now();
                let (kind, d) = match (this.deadlines.total, this.deadlines.read) {
                    (Some((at, d)), _) if now >= at => (TimeoutKind::Total, d),
                    (_, Some(d)) => (TimeoutKind::Read, d),
                    (Some((_, d)), None) => (TimeoutKind::Total, d),
                    (None, None) => (TimeoutKind::Read, Duration::ZERO),
                };
                let url = this.url.clone();
                let e = Error::timeout(kind, format!("no body data within {d:?}")).with_url(&url);
                return this.fail(e);
            }
        }
        Poll::Pending
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyStream")
            .field("url", &self.url.as_str())
            .field("done", &self.incoming.is_none())
            .finish_non_exhaustive()
    }
}
