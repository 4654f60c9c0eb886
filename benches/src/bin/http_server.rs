//! An HTTP/1 server answering every request with a fixed `hello`, on hyper 1 over corio
//! (`corio-hyper`'s adapters) or over tokio (`hyper-util`'s `TokioIo`), both on a
//! single-thread loop, for `wrk` to load (see `benches/wrk.sh`).
//!
//! ```text
//! http_server corio|tokio [addr]     # addr defaults to 127.0.0.1:8080
//! ```
//!
//! It prints `listening <addr>` once the socket is bound.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

async fn hello(_req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

fn serve_corio(addr: SocketAddr) {
    let ex = corio::Builder::new().build_local();
    ex.block_on(async {
        let listener = corio::TcpListener::bind(addr).await.expect("bind");
        println!("listening {}", listener.local_addr().unwrap());
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("accept: {e}");
                    continue;
                }
            };
            stream.set_nodelay(true).unwrap();
            corio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(corio_hyper::CorioTimer::new())
                    .serve_connection(corio_hyper::CorioIo::new(stream), service_fn(hello))
                    .await;
            })
            .detach();
        }
    })
}

fn serve_tokio(addr: SocketAddr) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        println!("listening {}", listener.local_addr().unwrap());
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("accept: {e}");
                    continue;
                }
            };
            stream.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service_fn(hello))
                    .await;
            });
        }
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runtime = args.next().unwrap_or_else(|| "corio".into());
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()
        .expect("address");
    match runtime.as_str() {
        "corio" => serve_corio(addr),
        "tokio" => serve_tokio(addr),
        other => {
            eprintln!("usage: http_server corio|tokio [addr] (got {other:?})");
            std::process::exit(2);
        }
    }
}
