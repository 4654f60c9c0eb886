//! corio's TCP over its own reactor beside tokio::net (current-thread runtime, I/O
//! driver enabled) and async-io's `Async<TcpStream>` (async-executor's `LocalExecutor`
//! under `async_io::block_on`, smol's single-thread set-up), over loopback, with both
//! ends on the same thread:
//!
//! - ping-pong of 8-byte messages, 10 000 round trips on one connection (`TCP_NODELAY`):
//!   the latency of the readiness path, read → wake → write, that every RPC pays;
//! - a 64 MiB transfer in 64 KiB writes: the throughput of the read/write path when the
//!   socket buffers fill up and drain;
//! - 1 000 connections accepted and connected one after the other: the cost of setting
//!   up a socket and registering it with the reactor, the shape of short-lived HTTP/1.0
//!   clients.
//!
//! Each runtime is single-thread with its drivers, as its users build it: corio's loop from
//! `corio::Builder::new().build_local()`, which installs the reactor in the loop itself;
//! tokio's current-thread runtime with `enable_all()`, as `#[tokio::main(flavor =
//! "current_thread")]` builds it; async-executor's `LocalExecutor` under
//! `async_io::block_on` (smol's `block_on`, which drives async-io's reactor).
//!
//! On every runtime both ends run in spawned tasks, where users run them: the client loop
//! is a task spawned on the runtime (`ex.block_on(ex.spawn(..))`,
//! `rt.block_on(rt.spawn(..))`, `async_io::block_on(ex.run(ex.spawn(..)))`), and it
//! spawns the server as another task. In the `block_on` future, tokio's current-thread
//! runtime and async-io pay a driver round trip per wake-up that a task does not.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::rc::Rc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::io::{AsyncReadExt, AsyncWriteExt};

const ROUND_TRIPS: usize = 10_000;
const TRANSFER: usize = 64 << 20;
const CHUNK: usize = 64 << 10;
const CONNECTIONS: usize = 1_000;

fn corio_loop() -> corio::LocalExecutor {
    corio::Builder::new().build_local()
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

const LOCALHOST: &str = "127.0.0.1:0";

/// The futures-io side of each workload, shared by corio and async-io (both implement
/// `futures::io::AsyncRead + AsyncWrite`).
mod fio {
    use super::*;

    pub(super) async fn pong<S: futures::io::AsyncRead + futures::io::AsyncWrite + Unpin>(
        mut s: S,
    ) {
        let mut buf = [0u8; 8];
        while s.read_exact(&mut buf).await.is_ok() {
            s.write_all(&buf).await.unwrap();
        }
    }

    pub(super) async fn ping<S: futures::io::AsyncRead + futures::io::AsyncWrite + Unpin>(
        mut s: S,
    ) -> u64 {
        let mut buf = [0u8; 8];
        for i in 0..ROUND_TRIPS as u64 {
            s.write_all(&i.to_le_bytes()).await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
        }
        u64::from_le_bytes(buf)
    }

    pub(super) async fn sink<S: futures::io::AsyncRead + Unpin>(mut s: S) -> usize {
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0;
        loop {
            match s.read(&mut buf).await.unwrap() {
                0 => return total,
                n => total += n,
            }
        }
    }

    pub(super) async fn source<S: futures::io::AsyncWrite + Unpin>(mut s: S) {
        let buf = vec![7u8; CHUNK];
        for _ in 0..TRANSFER / CHUNK {
            s.write_all(&buf).await.unwrap();
        }
        s.close().await.unwrap();
    }
}

/// The tokio side of each workload.
mod tio {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    pub(super) async fn pong(mut s: TcpStream) {
        let mut buf = [0u8; 8];
        while s.read_exact(&mut buf).await.is_ok() {
            s.write_all(&buf).await.unwrap();
        }
    }

    pub(super) async fn ping(mut s: TcpStream) -> u64 {
        let mut buf = [0u8; 8];
        for i in 0..ROUND_TRIPS as u64 {
            s.write_all(&i.to_le_bytes()).await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
        }
        u64::from_le_bytes(buf)
    }

    pub(super) async fn sink(mut s: TcpStream) -> usize {
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0;
        loop {
            match s.read(&mut buf).await.unwrap() {
                0 => return total,
                n => total += n,
            }
        }
    }

    pub(super) async fn source(mut s: TcpStream) {
        let buf = vec![7u8; CHUNK];
        for _ in 0..TRANSFER / CHUNK {
            s.write_all(&buf).await.unwrap();
        }
        s.shutdown().await.unwrap();
    }
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("net/tcp_ping_pong_10k");
    g.sample_size(10);

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let l = corio::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = corio::spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    s.set_nodelay(true).unwrap();
                    fio::pong(s).await
                });
                let s = corio::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                let v = fio::ping(s).await;
                server.await.unwrap();
                v
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let l = tokio::net::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = tokio::spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    s.set_nodelay(true).unwrap();
                    tio::pong(s).await
                });
                let s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                let v = tio::ping(s).await;
                server.await.unwrap();
                v
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let l = async_io::Async::<StdListener>::bind(addr0()).unwrap();
                let addr = l.get_ref().local_addr().unwrap();
                let server = inner.spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    s.get_ref().set_nodelay(true).unwrap();
                    fio::pong(s).await
                });
                let s = async_io::Async::<StdStream>::connect(addr).await.unwrap();
                s.get_ref().set_nodelay(true).unwrap();
                let v = fio::ping(s).await;
                server.await;
                v
            })))
        })
    });

    g.finish();
}

fn addr0() -> SocketAddr {
    LOCALHOST.parse().unwrap()
}

fn transfer(c: &mut Criterion) {
    let mut g = c.benchmark_group("net/tcp_transfer_64mib");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(TRANSFER as u64));

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let l = corio::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = corio::spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    fio::sink(s).await
                });
                fio::source(corio::TcpStream::connect(addr).await.unwrap()).await;
                assert_eq!(server.await.unwrap(), TRANSFER);
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let l = tokio::net::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = tokio::spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    tio::sink(s).await
                });
                tio::source(tokio::net::TcpStream::connect(addr).await.unwrap()).await;
                assert_eq!(server.await.unwrap(), TRANSFER);
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let l = async_io::Async::<StdListener>::bind(addr0()).unwrap();
                let addr = l.get_ref().local_addr().unwrap();
                let server = inner.spawn(async move {
                    let (s, _) = l.accept().await.unwrap();
                    fio::sink(s).await
                });
                fio::source(async_io::Async::<StdStream>::connect(addr).await.unwrap()).await;
                assert_eq!(server.await, TRANSFER);
            })))
        })
    });

    g.finish();
}

fn accept_connect(c: &mut Criterion) {
    let mut g = c.benchmark_group("net/tcp_accept_connect_1000");
    g.sample_size(10);

    g.bench_function("corio", |b| {
        let ex = corio_loop();
        b.iter(|| {
            ex.block_on(ex.spawn(async {
                let l = corio::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = corio::spawn(async move {
                    for _ in 0..CONNECTIONS {
                        drop(l.accept().await.unwrap());
                    }
                });
                for _ in 0..CONNECTIONS {
                    drop(corio::TcpStream::connect(addr).await.unwrap());
                }
                server.await.unwrap();
            }))
            .unwrap()
        })
    });

    g.bench_function("tokio", |b| {
        let rt = tokio_rt();
        b.iter(|| {
            rt.block_on(rt.spawn(async {
                let l = tokio::net::TcpListener::bind(LOCALHOST).await.unwrap();
                let addr = l.local_addr().unwrap();
                let server = tokio::spawn(async move {
                    for _ in 0..CONNECTIONS {
                        drop(l.accept().await.unwrap());
                    }
                });
                for _ in 0..CONNECTIONS {
                    drop(tokio::net::TcpStream::connect(addr).await.unwrap());
                }
                server.await.unwrap();
            }))
            .unwrap()
        })
    });

    g.bench_function("async_io", |b| {
        let ex = Rc::new(async_executor::LocalExecutor::new());
        b.iter(|| {
            let inner = ex.clone();
            async_io::block_on(ex.run(ex.spawn(async move {
                let l = async_io::Async::<StdListener>::bind(addr0()).unwrap();
                let addr = l.get_ref().local_addr().unwrap();
                let server = inner.spawn(async move {
                    for _ in 0..CONNECTIONS {
                        drop(l.accept().await.unwrap());
                    }
                });
                for _ in 0..CONNECTIONS {
                    drop(async_io::Async::<StdStream>::connect(addr).await.unwrap());
                }
                server.await;
            })))
        })
    });

    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = ping_pong, transfer, accept_connect
}
criterion_main!(benches);
