//! corio-http's client beside reqwest on tokio (current-thread runtime), the aiohttp
//! workload: GETs of a 1 KiB page, 100 in flight, over keep-alive connections, by HTTP and
//! by HTTPS (each client trusts the server's self-signed certificate; both speak HTTP/1.1
//! to it, so the pools open up to 100 connections).
//!
//! One server serves both clients: corio-http's, on its own thread (a one-worker
//! multi-thread executor), so the clients are compared against the same peer. Each
//! criterion iteration is 1 000 GETs; the loop and the client live across iterations, so
//! the connections stay open (keep-alive), as in a scraper.
//!
//! The Python twin is `benches/python/aiohttp_client.py`.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

const BATCH: usize = 1_000;
const IN_FLIGHT: usize = 100;
const PAGE: usize = 1024;

struct Site {
    http: String,
    https: String,
    cert_pem: String,
}

/// Starts the server thread; it lives as long as the bench process.
fn start_site() -> Site {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let (tx, rx) = std::sync::mpsc::channel();
    let key = key_pem.clone();
    let pem = cert_pem.clone();
    std::thread::spawn(move || {
        let ex = corio::Builder::multi_thread().workers(1).build();
        ex.block_on(async move {
            let page = bytes::Bytes::from(vec![b'x'; PAGE]);
            let handler = move |_req| {
                let page = page.clone();
                async move { corio::http::server::full(corio::http::StatusCode::OK, page) }
            };
            let plain = corio::http::Server::bind("127.0.0.1:0")
                .await
                .unwrap()
                .serve(handler.clone());
            let id = corio::http::Identity::from_pem(pem.as_bytes(), key.as_bytes()).unwrap();
            let tls = corio::http::Server::bind("127.0.0.1:0")
                .await
                .unwrap()
                .http1_only()
                .tls(id)
                .unwrap()
                .serve(handler);
            tx.send((plain.local_addr().port(), tls.local_addr().port()))
                .unwrap();
            std::future::pending::<()>().await;
        });
    });
    let (http, https) = rx.recv().unwrap();
    Site {
        http: format!("http://127.0.0.1:{http}/page"),
        https: format!("https://localhost:{https}/page"),
        cert_pem,
    }
}

fn bench(c: &mut Criterion) {
    let site = start_site();
    for (scheme, url) in [("http", &site.http), ("https", &site.https)] {
        // One group per scheme, corio and its peer as functions of it (the page compares
        // within a group).
        let mut group = c.benchmark_group(format!("http/client_get_1k_100_in_flight_{scheme}"));
        group.throughput(Throughput::Elements(BATCH as u64));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        // corio-http on corio's single-thread loop.
        let ex = corio::Builder::new().build_local();
        let client = corio::http::Client::builder()
            .add_root_certificate(
                corio::http::Certificate::from_pem(site.cert_pem.as_bytes()).unwrap(),
            )
            .build()
            .unwrap();
        group.bench_function("corio", |b| {
            b.iter_custom(|iters| {
                ex.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let n = futures::stream::iter(0..BATCH)
                            .map(|_| {
                                let client = &client;
                                async move {
                                    let body = client.get(url).send().await.unwrap();
                                    body.bytes().await.unwrap().len()
                                }
                            })
                            .buffer_unordered(IN_FLIGHT)
                            .fold(0, |a, n| async move { a + n })
                            .await;
                        assert_eq!(n, BATCH * PAGE);
                    }
                    start.elapsed()
                })
            })
        });

        // reqwest on tokio's current-thread runtime.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(site.cert_pem.as_bytes()).unwrap())
            .build()
            .unwrap();
        group.bench_function("reqwest_tokio", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let n = futures::stream::iter(0..BATCH)
                            .map(|_| {
                                let client = &client;
                                async move {
                                    let body = client.get(url.as_str()).send().await.unwrap();
                                    body.bytes().await.unwrap().len()
                                }
                            })
                            .buffer_unordered(IN_FLIGHT)
                            .fold(0, |a, n| async move { a + n })
                            .await;
                        assert_eq!(n, BATCH * PAGE);
                    }
                    start.elapsed()
                })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
