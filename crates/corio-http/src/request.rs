//! [`Request`]: a request ready to send (what a `RequestBuilder` builds).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use url::Url;

use crate::error::{Error, ErrorKind};

/// A request ready to send: method, URL, headers, body, and an optional total timeout.
///
/// Built by [`RequestBuilder::build`](crate::RequestBuilder::build), sent with
/// [`Client::execute`](crate::Client::execute) (or directly with
/// [`RequestBuilder::send`](crate::RequestBuilder::send)).
///
/// # Examples
///
/// ```
/// let req = corio_http::Client::new()
///     .post("http://localhost:8080/items")
///     .body("hello")
///     .build()
///     .unwrap();
/// assert_eq!(req.method(), http::Method::POST);
/// assert_eq!(req.url().path(), "/items");
/// assert_eq!(req.body(), "hello");
/// ```
#[derive(Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) timeout: Option<Duration>,
}

impl Request {
    /// The method.
    ///
    /// # Examples
    ///
    /// See [`Request`].
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL (the query included).
    ///
    /// # Examples
    ///
    /// See [`Request`].
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The headers set on this request (the client's defaults are added when sent).
    ///
    /// # Examples
    ///
    /// ```
    /// let req = corio_http::Client::new().get("http://localhost/").header("x-a", "1").build().unwrap();
    /// assert_eq!(req.headers()["x-a"], "1");
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body (empty when none was set).
    ///
    /// # Examples
    ///
    /// See [`Request`].
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The total timeout set on this request, overriding the client's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let req = corio_http::Client::new()
    ///     .get("http://localhost/")
    ///     .timeout(Duration::from_secs(3))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(req.timeout(), Some(Duration::from_secs(3)));
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Parses and checks a URL: `http` or `https`, with a host.
pub(crate) fn parse_url(s: &str) -> Result<Url, Error> {
    let url = Url::parse(s)
        .map_err(|e| Error::new(ErrorKind::InvalidUrl, format!("{s:?}: {e}")).with_source(e))?;
    check_url(url)
}

pub(crate) fn check_url(url: Url) -> Result<Url, Error> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::new(
                ErrorKind::InvalidUrl,
                format!("unsupported scheme {other:?} (only http and https)"),
            )
            .with_url(&url));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::new(ErrorKind::InvalidUrl, "the URL has no host").with_url(&url));
    }
    Ok(url)
}
