//! aiohttp's job on corio: an HTTP(S) client with a connection pool, and a server with
//! graceful shutdown.
//!
//! # The client
//!
//! - [`Client`]: aiohttp's `ClientSession` (reqwest's ergonomics). One shared pool of
//!   keep-alive connections, `limit` and `limit_per_host`, HTTP/1.1 and HTTP/2 (by ALPN
//!   over TLS), `http://` and `https://`. `Send + Sync + Clone`: one per application, on the
//!   single-thread loop or the multi-thread executor.
//! - [`ClientBuilder`]: limits, timeouts (total, connect, read: aiohttp's
//!   `ClientTimeout`), redirects, extra root certificates ([`Certificate`]) and the loudly
//!   named [`danger_accept_invalid_certs`](ClientBuilder::danger_accept_invalid_certs),
//!   default headers, user agent.
//! - [`RequestBuilder`] / [`Request`]: `.header`, `.query`, `.body`, `.form`, `.json`,
//!   `.timeout`, `.send().await`.
//! - [`Response`]: `status`, `headers`, `text`, `bytes`, `json`,
//!   [`error_for_status`](Response::error_for_status) (`raise_for_status`), and the body
//!   as a [`BodyStream`] of chunks.
//! - [`Error`] with [`ErrorKind`] and [`TimeoutKind`]: one typed error that says which
//!   thing failed (invalid URL, DNS, refused with the address, TLS with the reason, which
//!   timeout, redirect loop with the URLs, closed mid-body).
//!
//! Every deadline is a corio-timer deadline, so a loop on a paused clock governs the
//! client's timeouts in tests (DESIGN, "One clock"): a read timeout on a server that never
//! answers fires at once in virtual time, while a whole exchange with a server on the same
//! paused loop runs without its timeouts firing (the clock jumps only when the loop is idle,
//! and bytes in flight between its tasks are not idleness).
//!
//! # The server
//!
//! [`Server`] (bind, options, [`serve`](Server::serve) → [`ServerHandle`] with a graceful
//! [`shutdown`](ServerHandle::shutdown)), [`serve`] for one line, [`Identity`] for HTTPS;
//! the handler is an `async fn(Request<Incoming>) -> Response<impl Body>`, see [`server`].
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! # corio_executor::run(async {
//! let server = corio_http::Server::bind("127.0.0.1:0")
//!     .await
//!     .unwrap()
//!     .serve(|_req| async { corio_http::server::text("hello") });
//! let url = format!("http://{}/", server.local_addr());
//!
//! let client = corio_http::Client::builder().limit_per_host(10).build()?;
//! let page = client.get(&url).send().await?.error_for_status()?.text().await?;
//! assert_eq!(page, "hello");
//! server.shutdown(Duration::from_secs(1)).await;
//! # Ok::<_, corio_http::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Features
//!
//! - `json`: [`RequestBuilder::json`], [`Response::json`] and [`server::json`], through
//!   serde and serde_json.
//!
//! # Why these libraries
//!
//! - **hyper 1** speaks HTTP/1.1 and HTTP/2 on both sides; it is the protocol engine
//!   under reqwest, axum and most of the Rust ecosystem, and takes its runtime as three
//!   small traits, which `corio-hyper` implements on corio's executor, timer and sockets.
//! - **hyper-util**'s `server::conn::auto` picks HTTP/1 or HTTP/2 from a connection's
//!   first bytes. Its legacy client pool is *not* used: it needs tokio's net and sync
//!   features and has no limit on open connections (only on idle ones); the pool here
//!   (one file, `pool.rs`) holds the `limit` / `limit_per_host` accounting aiohttp users
//!   expect. (hyper's HTTP/2 uses `h2`, which names tokio's I/O traits: tokio is compiled
//!   for them, but no tokio runtime runs.)
//! - **rustls** with the **ring** provider: a TLS stack in Rust whose crypto builds with a
//!   C compiler alone (no cmake, no Go, unlike aws-lc-rs); **futures-rustls** runs it over
//!   the `futures_io` traits corio's sockets already implement; **webpki-roots** is
//!   Mozilla's root store compiled in, so no system certificate files are read.
//! - **http**, **http-body-util** and **bytes**: the types hyper speaks; **url** parses
//!   and joins URLs (redirects) as browsers do, and form-encodes queries.
//!
//! # When not to use this crate
//!
//! For HTTP/3, cookies, proxies, compression or multipart bodies, use reqwest (on tokio);
//! this crate covers what an aiohttp scraper or small web service needs. The server
//! handler must be `Send` (it may run on any worker of the multi-thread executor).
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/http.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

mod client;
mod connect;
mod error;
mod pool;
mod request;
mod response;
mod send;
pub mod server;
mod stop;
mod tls;

pub use client::{Client, ClientBuilder, RequestBuilder};
pub use error::{Error, ErrorKind, TimeoutKind};
pub use request::Request;
pub use response::{BodyStream, Response};
pub use server::{Server, ServerHandle, serve};
pub use tls::{Certificate, Identity};

#[doc(no_inline)]
pub use http::{HeaderMap, Method, StatusCode, Version};
#[doc(no_inline)]
pub use url::Url;
