//! Sending a request: the pool checkout or a new connection, the exchange under the read
//! timeout, one retry on a stale keep-alive connection, redirects, and the total deadline.

use std::time::{Duration, Instant};

use bytes::Bytes;
use corio_hyper::{CorioExecutor, CorioIo, CorioTimer};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, StatusCode};
use http_body_util::Full;
use hyper::client::conn::{http1, http2};
use url::Url;

use crate::connect::{Connected, Connector, Target};
use crate::error::{Error, ErrorKind, TimeoutKind, from_hyper};
use crate::pool::{Checkout, Pool, Pooled, Sender};
use crate::request::{Request, check_url};
use crate::response::{BodyDeadlines, Response};

/// Everything a `Client` shares between its clones.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) pool: Pool,
    pub(crate) connector: Connector,
    pub(crate) default_headers: HeaderMap,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_redirects: usize,
}

impl Engine {
    pub(crate) async fn execute(&self, req: Request) -> Result<Response, Error> {
        let total = req.timeout.or(self.total_timeout);
        match total {
            None => self.follow(req, None).await,
            Some(d) => {
                let at = corio_timer::clock::now() + d;
                let url = req.url.clone();
                match corio_timer::timeout_at(at, self.follow(req, Some((at, d)))).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::timeout(
                        TimeoutKind::Total,
                        format!("no response within {d:?}"),
                    )
                    .with_url(&url)),
                }
            }
        }
    }

    /// Sends, following redirects.
    async fn follow(
        &self,
        mut req: Request,
        total: Option<(Instant, Duration)>,
    ) -> Result<Response, Error> {
        let mut chain = vec![req.url.clone()];
        loop {
            let resp = self.send_once(&req, total).await?;
            if self.max_redirects == 0 || !is_redirect(resp.status()) {
                return Ok(resp);
            }
            let Some(location) = resp.headers().get(header::LOCATION) else {
                return Ok(resp);
            };
            let next = location
                .to_str()
                .ok()
                .and_then(|l| req.url.join(l).ok())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidUrl,
                        format!("bad Location header in a redirect: {location:?}"),
                    )
                    .with_url(&req.url)
                })?;
            let next = check_url(next)?;
            if chain.contains(&next) {
                chain.push(next);
                return Err(Error::new(ErrorKind::RedirectLoop, show_chain(&chain))
                    .with_url(&chain[0])
                    .with_redirects(chain));
            }
            chain.push(next.clone());
            if chain.len() - 1 > self.max_redirects {
                return Err(Error::new(
                    ErrorKind::TooManyRedirects,
                    format!(
                        "more than {} redirects: {}",
                        self.max_redirects,
                        show_chain(&chain)
                    ),
                )
                .with_url(&chain[0])
                .with_redirects(chain));
            }
            let status = resp.status();
            drop(resp); // an unread redirect body: its connection closes
            if status == StatusCode::SEE_OTHER
                || ((status == StatusCode::MOVED_PERMANENTLY || status == StatusCode::FOUND)
                    && req.method == Method::POST)
            {
                if req.method != Method::HEAD {
                    req.method = Method::GET;
                }
                req.body = Bytes::new();
                req.headers.remove(header::CONTENT_TYPE);
                req.headers.remove(header::CONTENT_LENGTH);
            }
            if next.host_str() != req.url.host_str()
                || next.port_or_known_default() != req.url.port_or_known_default()
            {
                req.headers.remove(header::AUTHORIZATION);
                req.headers.remove(header::COOKIE);
            }
            req.url = next;
        }
    }

    /// One exchange; retried once on a fresh connection when a pooled one turns out to
    /// have been closed by the server (the keep-alive race).
    async fn send_once(
        &self,
        req: &Request,
        total: Option<(Instant, Duration)>,
    ) -> Result<Response, Error> {
        let target = target_of(&req.url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut pooled = match self.pool.checkout(&target).await {
                Checkout::Ready(p) => p,
                Checkout::Connect(slot) => {
                    let connected = self
                        .connector
                        .connect(&target)
                        .await
                        .map_err(|e| e.with_url(&req.url))?;
                    let sender = handshake(connected)
                        .await
                        .map_err(|e| e.with_url(&req.url))?;
                    self.pool.connected(sender, slot)
                }
            };
            let reused = pooled.reused;
            let hreq = self.hyper_request(req, pooled.is_h2())?;
            let fut = send(&mut pooled, hreq);
            let result = match self.read_timeout {
                None => fut.await,
                Some(d) => match corio_timer::timeout(d, fut).await {
                    Ok(r) => r,
                    Err(_) => {
                        return Err(Error::timeout(
                            TimeoutKind::Read,
                            format!("no response head within {d:?}"),
                        )
                        .with_url(&req.url));
                    }
                },
            };
            match result {
                Ok(resp) => {
                    let (parts, body) = resp.into_parts();
                    let deadlines = BodyDeadlines {
                        read: self.read_timeout,
                        total,
                    };
                    return Ok(Response::new(
                        parts,
                        body,
                        req.url.clone(),
                        Some((self.pool.clone(), pooled)),
                        deadlines,
                    ));
                }
                Err(SendError::Hyper(e))
                    if reused && attempt == 1 && retryable(&e, &req.method) =>
                {
                    drop(pooled);
                    continue;
                }
                Err(SendError::Hyper(e)) => return Err(from_hyper(e, &req.url)),
                Err(SendError::Closed) if reused && attempt == 1 => continue,
                Err(SendError::Closed) => {
                    return Err(Error::new(
                        ErrorKind::BodyClosed,
                        "the connection closed before the request was sent",
                    )
                    .with_url(&req.url));
                }
            }
        }
    }

    fn hyper_request(&self, req: &Request, h2: bool) -> Result<http::Request<Full<Bytes>>, Error> {
        let url = &req.url;
        let uri = if h2 {
            url.as_str().to_string()
        } else {
            let mut s = url.path().to_string();
            if let Some(q) = url.query() {
                s.push('?');
                s.push_str(q);
            }
            s
        };
        let mut builder = http::Request::builder().method(req.method.clone()).uri(uri);
        if h2 {
            builder = builder.version(http::Version::HTTP_2);
        }
        let mut hreq = builder
            .body(Full::new(req.body.clone()))
            .map_err(|e| Error::new(ErrorKind::Builder, e.to_string()).with_url(url))?;
        let headers = hreq.headers_mut();
        for (k, v) in &self.default_headers {
            if !req.headers.contains_key(k) {
                headers.append(k, v.clone());
            }
        }
        for (k, v) in &req.headers {
            headers.append(k, v.clone());
        }
        if !h2 && !headers.contains_key(header::HOST) {
            let host = url.host_str().unwrap_or_default();
            let value = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            let v = HeaderValue::from_str(&value)
                .map_err(|e| Error::new(ErrorKind::InvalidUrl, e.to_string()).with_url(url))?;
            headers.insert(header::HOST, v);
        }
        if !req.body.is_empty() || matches!(req.method, Method::POST | Method::PUT | Method::PATCH)
        {
            headers
                .entry(header::CONTENT_LENGTH)
                .or_insert_with(|| HeaderValue::from(req.body.len()));
        }
        Ok(hreq)
    }
}

fn is_redirect(s: StatusCode) -> bool {
    matches!(s.as_u16(), 301 | 302 | 303 | 307 | 308)
}

fn show_chain(chain: &[Url]) -> String {
    chain
        .iter()
        .map(Url::as_str)
        .collect::<Vec<_>>()
        .join(" -> ")
}

pub(crate) fn target_of(url: &Url) -> Target {
    Target {
        https: url.scheme() == "https",
        host: url.host_str().unwrap_or_default().to_string(),
        port: url.port_or_known_default().unwrap_or(80),
    }
}

enum SendError {
    Hyper(hyper::Error),
    /// The connection closed before it could take the request.
    Closed,
}

async fn send(
    pooled: &mut Pooled,
    req: http::Request<Full<Bytes>>,
) -> Result<http::Response<hyper::body::Incoming>, SendError> {
    match &mut pooled.sender {
        Sender::H1(s) => {
            s.ready().await.map_err(|_| SendError::Closed)?;
            s.send_request(req).await.map_err(SendError::Hyper)
        }
        Sender::H2(s) => {
            s.ready().await.map_err(|_| SendError::Closed)?;
            s.send_request(req).await.map_err(SendError::Hyper)
        }
    }
}

/// Whether a failure on a reused connection means "the server had closed it" (the
/// keep-alive race), so that the request can be sent again on a new connection: always
/// when hyper says it was never sent; for an idempotent method also when the connection
/// closed before any answer (the server may have seen it: a POST is not sent twice).
fn retryable(e: &hyper::Error, method: &Method) -> bool {
    e.is_canceled()
        || (method.is_idempotent()
            && (e.is_incomplete_message() || crate::error::from_hyper_is_eof(e)))
}

/// The HTTP/1 or HTTP/2 handshake on a new connection; its driver runs as a corio task.
async fn handshake(c: Connected) -> Result<Sender, Error> {
    let io = CorioIo::new(c.stream);
    let spawn_err = |e: corio_core::SpawnError| {
        Error::new(
            ErrorKind::Runtime,
            format!("cannot spawn the connection task: {e}"),
        )
    };
    if c.h2 {
        let (sender, conn) = http2::Builder::new(CorioExecutor::new())
            .timer(CorioTimer::new())
            .handshake(io)
            .await
            .map_err(|e| {
                Error::new(ErrorKind::Protocol, format!("HTTP/2 handshake: {e}")).with_source(e)
            })?;
        let task = corio_core::context::spawn(Box::pin(async move {
            let _ = conn.await;
        }))
        .map_err(spawn_err)?;
        drop(task); // detached: the connection lives as long as its senders
        Ok(Sender::H2(sender))
    } else {
        let (sender, conn) = http1::Builder::new().handshake(io).await.map_err(|e| {
            Error::new(ErrorKind::Protocol, format!("HTTP/1 handshake: {e}")).with_source(e)
        })?;
        let task = corio_core::context::spawn(Box::pin(async move {
            let _ = conn.await;
        }))
        .map_err(spawn_err)?;
        drop(task); // detached: the connection lives as long as its senders
        Ok(Sender::H1(sender))
    }
}
