//! The server side of the HTTP server benchmark (`benches/wrk_http.sh`): the same
//! service — every request answered `200 OK` with the text `Hello, World!` — on
//! corio-http, or on hyper over tokio written the way hyper-util documents it, with one
//! worker or several, for `wrk` to load.
//!
//! ```text
//! http_bench_server corio|tokio WORKERS [ADDR]     # ADDR defaults to 127.0.0.1:0
//! ```
//!
//! With one worker, corio runs on its single-thread loop (`corio::run`, what
//! `#[corio::main]` gives) and tokio on a current-thread runtime; with more, corio runs on
//! its multi-thread executor and tokio on its multi-thread runtime, each with WORKERS
//! threads. Both serve connections with hyper-util's `auto` builder (HTTP/1.1 keep-alive
//! or h2c, sniffed), TCP_NODELAY, and the same 30 s header-read timeout.
//!
//! It prints `listening <addr>` once the socket is bound.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

const BODY: &str = "Hello, World!";
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

async fn serve_corio(addr: SocketAddr) {
    let handle = corio::http::Server::bind(addr)
        .await
        .expect("bind")
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve(|_req| async { corio::http::server::text(BODY) });
    println!("listening {}", handle.local_addr());
    std::future::pending::<()>().await;
}

async fn serve_tokio(addr: SocketAddr) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto;

    let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
    println!("listening {}", listener.local_addr().unwrap());
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    let builder = std::sync::Arc::new(builder);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_req| async {
                let mut r = hyper::Response::new(Full::new(Bytes::from_static(BODY.as_bytes())));
                r.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                Ok::<_, Infallible>(r)
            });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: http_bench_server corio|tokio WORKERS [ADDR]";
    let runtime = args.next().unwrap_or_else(|| panic!("{usage}"));
    let workers: usize = args
        .next()
        .and_then(|w| w.parse().ok())
        .filter(|&w| w > 0)
        .unwrap_or_else(|| panic!("{usage}: WORKERS must be a positive number"));
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .unwrap_or_else(|e| panic!("{usage}: bad ADDR: {e}"));
    match (runtime.as_str(), workers) {
        ("corio", 1) => corio::run(serve_corio(addr)),
        ("corio", n) => corio::Builder::multi_thread()
            .workers(n)
            .build()
            .block_on(serve_corio(addr)),
        ("tokio", 1) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(serve_tokio(addr)),
        ("tokio", n) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n)
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(serve_tokio(addr)),
        (other, _) => panic!("{usage} (got {other:?})"),
    }
}
