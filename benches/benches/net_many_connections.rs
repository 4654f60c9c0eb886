//! The connection counts a server meets, corio's reactor beside tokio::net (current-thread
//! runtime, all drivers, as `#[tokio::main(flavor = "current_thread")]` builds it) and
//! async-io's `Async<TcpStream>` (async-executor's `LocalExecutor` under
//! `async_io::block_on`, smol's single-thread set-up); every loop runs in a task spawned on
//! its runtime, as servers run:
//!
//! - `echo_100_active_10k_idle`: 10 000 idle connections (each with its server task parked
//!   in a read) and 100 active ones, each of which does 100 round trips of 64 bytes per
//!   iteration, all 100 at once: does a large registered set slow the busy connections?
//! - `echo_100_active_10k_idle_read_deadline`: the same with every server read wrapped in
//!   a 10 s timeout re-armed per read (each runtime's idiom: `corio::timeout`,
//!   `tokio::time::timeout`, smol's `read.or(Timer::after(d))`), so 10 100 timers are armed
//!   and re-armed among the I/O: timers and I/O mixed;
//! - `accept_storm_1000`: 1 000 connections in waves of 100 connects started at once (below
//!   the listen backlog of 128) against one listener, each accepted and closed.
//!
//! The idle connections' client ends live in a `python3` child process (one process may
//! not hold 20 000 descriptors under the 20 000 limit these machines set). The echo groups
//! also record each round trip's duration and print its p50 and p99
//! (`corio_benches::latency`).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio_benches::latency::Samples;
use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use futures_lite::FutureExt as _;

const IDLE: usize = 10_000;
const ACTIVE: usize = 100;
const ROUNDS: usize = 100;
const MSG: usize = 64;
const DEADLINE: Duration = Duration::from_secs(10);
const STORM: usize = 1_000;
/// Connects started at once: below the 128 of the listen backlog std and async-io use (a
/// wave larger than the backlog loses handshakes to accept-queue overflow, and their
/// retransmissions, seconds later, are what such a run measures).
const WAVE: usize = 100;
const LOCALHOST: &str = "127.0.0.1:0";

/// The number of idle connections: `IDLE`, or `CORIO_BENCH_IDLE` when set (to see, when
/// profiling, what the idle set costs; the group names keep saying 10k).
fn idle_count() -> usize {
    std::env::var("CORIO_BENCH_IDLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(IDLE)
}

fn addr0() -> SocketAddr {
    LOCALHOST.parse().unwrap()
}

/// The client ends of the idle connections, held by a child process until dropped.
struct IdleClients(Child);

impl IdleClients {
    fn start(addr: SocketAddr, n: usize) -> Self {
        let script = "import socket,sys\n\
                      h,p,n=sys.argv[1],int(sys.argv[2]),int(sys.argv[3])\n\
                      s=[socket.create_connection((h,p)) for _ in range(n)]\n\
                      sys.stdin.read()\n";
        let child = Command::new("python3")
            .args(["-c", script])
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .arg(n.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 for the idle clients");
        IdleClients(child)
    }
}

impl Drop for IdleClients {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn report(samples: &Samples, g: &str, f: &str) {
    samples.report(g, f);
}

/// Descriptors open in this process (to check that a runtime's teardown closed its
/// connections: the next runtime needs the room).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

// ------------------------------------------------------------------ corio

mod c {
    use super::*;

    pub(super) async fn echo(mut s: corio::TcpStream, deadline: bool) {
        let mut buf = [0u8; MSG];
        loop {
            let n = if deadline {
                match corio::timeout(DEADLINE, s.read(&mut buf)).await {
                    Ok(r) => r,
                    Err(_) => break,
                }
            } else {
                s.read(&mut buf).await
            };
            match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    }

    pub(super) async fn client(mut s: corio::TcpStream) -> (corio::TcpStream, Vec<Duration>) {
        let mut buf = [7u8; MSG];
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            s.write_all(&buf).await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
            times.push(t.elapsed());
        }
        (s, times)
    }

    pub(super) fn echo_group(g: &mut BenchmarkGroup<'_, WallTime>, deadline: bool) {
        let name = g_name(deadline);
        let ex = corio::Builder::new().build_local();
        let l = ex.block_on(corio::TcpListener::bind(LOCALHOST)).unwrap();
        let addr = l.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let server = ex.spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                s.set_nodelay(true).unwrap();
                count.fetch_add(1, Ordering::Relaxed);
                drop(corio::spawn(echo(s, deadline)));
            }
        });
        let idle = IdleClients::start(addr, idle_count());
        let mut clients = Some(ex.block_on(async {
            while accepted.load(Ordering::Relaxed) < idle_count() {
                corio::sleep(Duration::from_millis(1)).await;
            }
            let mut cs = Vec::new();
            for _ in 0..ACTIVE {
                let s = corio::TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                cs.push(s);
            }
            cs
        }));
        let samples = Samples::new();
        g.bench_function("corio", |b| {
            b.iter(|| {
                let cs = clients.take().unwrap();
                let out = ex
                    .block_on(ex.spawn(async move {
                        let ts: Vec<_> = cs.into_iter().map(|s| corio::spawn(client(s))).collect();
                        let mut out = Vec::with_capacity(ACTIVE);
                        for t in ts {
                            out.push(t.await.unwrap());
                        }
                        out
                    }))
                    .unwrap();
                let mut cs = Vec::with_capacity(ACTIVE);
                for (s, times) in out {
                    samples.extend(times);
                    cs.push(s);
                }
                clients = Some(cs);
            });
        });
        report(&samples, name, "corio");
        server.abort();
        let _ = ex.block_on(server);
        drop(idle);
        drop(clients);
        drop(ex);
        eprintln!("{name}: {} descriptors open after teardown", open_fds());
    }

    pub(super) fn storm(g: &mut BenchmarkGroup<'_, WallTime>) {
        let ex = corio::Builder::new().build_local();
        let l = Rc::new(ex.block_on(corio::TcpListener::bind(LOCALHOST)).unwrap());
        let addr = l.local_addr().unwrap();
        g.bench_function("corio", |b| {
            b.iter(|| {
                let l = l.clone();
                ex.block_on(ex.spawn(async move {
                    for _ in 0..STORM / WAVE {
                        let cs: Vec<_> = (0..WAVE)
                            .map(|_| corio::spawn(corio::TcpStream::connect(addr)))
                            .collect();
                        for _ in 0..WAVE {
                            drop(l.accept().await.unwrap());
                        }
                        for c in cs {
                            drop(c.await.unwrap().unwrap());
                        }
                    }
                }))
                .unwrap()
            })
        });
    }
}

// ------------------------------------------------------------------ tokio

mod t {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    }

    pub(super) async fn echo(mut s: TcpStream, deadline: bool) {
        let mut buf = [0u8; MSG];
        loop {
            let n = if deadline {
                match tokio::time::timeout(DEADLINE, s.read(&mut buf)).await {
                    Ok(r) => r,
                    Err(_) => break,
                }
            } else {
                s.read(&mut buf).await
            };
            match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    }

    pub(super) async fn client(mut s: TcpStream) -> (TcpStream, Vec<Duration>) {
        let mut buf = [7u8; MSG];
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            s.write_all(&buf).await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
            times.push(t.elapsed());
        }
        (s, times)
    }

    pub(super) fn echo_group(g: &mut BenchmarkGroup<'_, WallTime>, deadline: bool) {
        let name = g_name(deadline);
        let rt = rt();
        let l = rt.block_on(TcpListener::bind(LOCALHOST)).unwrap();
        let addr = l.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let server = rt.spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                s.set_nodelay(true).unwrap();
                count.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(echo(s, deadline));
            }
        });
        let idle = IdleClients::start(addr, idle_count());
        let mut clients = Some(rt.block_on(async {
            while accepted.load(Ordering::Relaxed) < idle_count() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let mut cs = Vec::new();
            for _ in 0..ACTIVE {
                let s = TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                cs.push(s);
            }
            cs
        }));
        let samples = Samples::new();
        g.bench_function("tokio", |b| {
            b.iter(|| {
                let cs = clients.take().unwrap();
                let out = rt
                    .block_on(rt.spawn(async move {
                        let ts: Vec<_> = cs.into_iter().map(|s| tokio::spawn(client(s))).collect();
                        let mut out = Vec::with_capacity(ACTIVE);
                        for t in ts {
                            out.push(t.await.unwrap());
                        }
                        out
                    }))
                    .unwrap();
                let mut cs = Vec::with_capacity(ACTIVE);
                for (s, times) in out {
                    samples.extend(times);
                    cs.push(s);
                }
                clients = Some(cs);
            });
        });
        report(&samples, name, "tokio");
        server.abort();
        let _ = rt.block_on(server);
        drop(idle);
        drop(clients);
        drop(rt);
        eprintln!("{name}: {} descriptors open after teardown", open_fds());
    }

    pub(super) fn storm(g: &mut BenchmarkGroup<'_, WallTime>) {
        let rt = rt();
        let l = Arc::new(rt.block_on(TcpListener::bind(LOCALHOST)).unwrap());
        let addr = l.local_addr().unwrap();
        g.bench_function("tokio", |b| {
            b.iter(|| {
                let l = l.clone();
                rt.block_on(rt.spawn(async move {
                    for _ in 0..STORM / WAVE {
                        let cs: Vec<_> = (0..WAVE)
                            .map(|_| tokio::spawn(TcpStream::connect(addr)))
                            .collect();
                        for _ in 0..WAVE {
                            drop(l.accept().await.unwrap());
                        }
                        for c in cs {
                            drop(c.await.unwrap().unwrap());
                        }
                    }
                }))
                .unwrap()
            })
        });
    }
}

// ------------------------------------------------------------------ async-io

mod s {
    use super::*;
    use async_executor::LocalExecutor;
    use async_io::{Async, Timer};

    pub(super) async fn echo(mut s: Async<StdStream>, deadline: bool) {
        let mut buf = [0u8; MSG];
        loop {
            let n = if deadline {
                s.read(&mut buf)
                    .or(async {
                        Timer::after(DEADLINE).await;
                        Err(std::io::ErrorKind::TimedOut.into())
                    })
                    .await
            } else {
                s.read(&mut buf).await
            };
            match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if s.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    }

    pub(super) async fn client(mut s: Async<StdStream>) -> (Async<StdStream>, Vec<Duration>) {
        let mut buf = [7u8; MSG];
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            s.write_all(&buf).await.unwrap();
            s.read_exact(&mut buf).await.unwrap();
            times.push(t.elapsed());
        }
        (s, times)
    }

    pub(super) fn echo_group(g: &mut BenchmarkGroup<'_, WallTime>, deadline: bool) {
        let name = g_name(deadline);
        let ex = Rc::new(LocalExecutor::new());
        let l = Async::<StdListener>::bind(addr0()).unwrap();
        let addr = l.get_ref().local_addr().unwrap();
        let accepted = Rc::new(AtomicUsize::new(0));
        let (count, inner) = (accepted.clone(), ex.clone());
        let server = ex.spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                s.get_ref().set_nodelay(true).unwrap();
                count.fetch_add(1, Ordering::Relaxed);
                inner.spawn(echo(s, deadline)).detach();
            }
        });
        let idle = IdleClients::start(addr, idle_count());
        let mut clients = Some(async_io::block_on(ex.run(async {
            while accepted.load(Ordering::Relaxed) < idle_count() {
                Timer::after(Duration::from_millis(1)).await;
            }
            let mut cs = Vec::new();
            for _ in 0..ACTIVE {
                let s = Async::<StdStream>::connect(addr).await.unwrap();
                s.get_ref().set_nodelay(true).unwrap();
                cs.push(s);
            }
            cs
        })));
        let samples = Samples::new();
        g.bench_function("async_io", |b| {
            b.iter(|| {
                let cs = clients.take().unwrap();
                let inner = ex.clone();
                let out = async_io::block_on(ex.run(ex.spawn(async move {
                    let ts: Vec<_> = cs.into_iter().map(|s| inner.spawn(client(s))).collect();
                    let mut out = Vec::with_capacity(ACTIVE);
                    for t in ts {
                        out.push(t.await);
                    }
                    out
                })));
                let mut cs = Vec::with_capacity(ACTIVE);
                for (s, times) in out {
                    samples.extend(times);
                    cs.push(s);
                }
                clients = Some(cs);
            });
        });
        report(&samples, name, "async_io");
        // Cancelled on the executor, so that the accept loop's future (which holds the
        // executor) is dropped now and the executor's drop closes the echo tasks.
        async_io::block_on(ex.run(server.cancel()));
        drop(idle);
        drop(clients);
        drop(ex);
        eprintln!("{name}: {} descriptors open after teardown", open_fds());
    }

    pub(super) fn storm(g: &mut BenchmarkGroup<'_, WallTime>) {
        let ex = Rc::new(LocalExecutor::new());
        let l = Rc::new(Async::<StdListener>::bind(addr0()).unwrap());
        let addr = l.get_ref().local_addr().unwrap();
        g.bench_function("async_io", |b| {
            b.iter(|| {
                let (l, inner) = (l.clone(), ex.clone());
                async_io::block_on(ex.run(ex.spawn(async move {
                    for _ in 0..STORM / WAVE {
                        let cs: Vec<_> = (0..WAVE)
                            .map(|_| inner.spawn(Async::<StdStream>::connect(addr)))
                            .collect();
                        for _ in 0..WAVE {
                            drop(l.accept().await.unwrap());
                        }
                        for c in cs {
                            drop(c.await.unwrap());
                        }
                    }
                })))
            })
        });
    }
}

fn g_name(deadline: bool) -> &'static str {
    if deadline {
        "net/echo_100_active_10k_idle_read_deadline"
    } else {
        "net/echo_100_active_10k_idle"
    }
}

fn echo(c: &mut Criterion) {
    for deadline in [false, true] {
        let mut g = c.benchmark_group(g_name(deadline));
        g.sample_size(10);
        c::echo_group(&mut g, deadline);
        t::echo_group(&mut g, deadline);
        s::echo_group(&mut g, deadline);
        g.finish();
    }
}

fn storm(c: &mut Criterion) {
    let mut g = c.benchmark_group("net/accept_storm_1000");
    g.sample_size(10);
    c::storm(&mut g);
    t::storm(&mut g);
    s::storm(&mut g);
    g.finish();
}

criterion_group! {
    name = benches;
    config = corio_benches::criterion();
    targets = echo, storm
}
criterion_main!(benches);
