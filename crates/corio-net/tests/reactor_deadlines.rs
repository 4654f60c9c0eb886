//! Issue 21: the reactor's own deadlines (connect timeouts) must not pile up when the
//! connects they guard are cancelled long before them: 2 000 cancelled connects with a
//! one-hour timeout each leave the reactor's deadline heap bounded, not 2 000 entries
//! long.

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use corio_net::{IoDriver, TcpStream};
use socket2::{Domain, Socket, Type};

const HOUR: Duration = Duration::from_secs(3600);

/// A loopback listener that never accepts, with the smallest backlog: once its queue is
/// full the kernel drops further SYNs, so a connect to it stays pending (on loopback a
/// connect otherwise completes at once, before any deadline is registered).
fn full_listener() -> (Socket, SocketAddr) {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    s.bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    s.listen(0).unwrap();
    let addr = s.local_addr().unwrap().as_socket().unwrap();
    (s, addr)
}

/// Starts a connect to `addr` with `timeout` and polls it once. `None` when it is still
/// pending (its deadline is registered); the connected stream when the queue had room.
async fn start_connect(
    addr: SocketAddr,
    timeout: Duration,
) -> (
    Pin<Box<impl Future<Output = std::io::Result<TcpStream>>>>,
    Option<TcpStream>,
) {
    let mut fut = Box::pin(TcpStream::connect_timeout(addr, timeout));
    match futures::poll!(fut.as_mut()) {
        Poll::Ready(r) => (fut, Some(r.unwrap())),
        Poll::Pending => (fut, None),
    }
}

#[test]
fn cancelled_connect_timeouts_do_not_accumulate() {
    common::run(async {
        let (_listener, addr) = full_listener();
        let mut queued = Vec::new(); // connections that filled the accept queue
        let mut cancelled = 0;
        let mut most = 0;
        while cancelled < 2_000 {
            let (fut, done) = start_connect(addr, HOUR).await;
            match done {
                Some(s) => {
                    queued.push(s);
                    assert!(queued.len() < 64, "the listener's queue never filled");
                }
                None => {
                    drop(fut); // cancelled with its hour still to run
                    cancelled += 1;
                }
            }
            most = most.max(IoDriver::current_deadlines());
        }
        // At most about twice the live deadlines (none here) past a small floor.
        assert!(most <= 130, "the deadline heap grew to {most} entries");
    });
}

/// Live deadlines are never collected: a connect still waiting keeps its timeout while
/// thousands of others come and go, and it fires on time.
#[test]
fn a_live_connect_timeout_survives_compaction_and_fires() {
    common::run(async {
        let (_listener, addr) = full_listener();
        let mut queued = Vec::new();
        let started = Instant::now();
        let slow = loop {
            let (fut, done) = start_connect(addr, Duration::from_millis(300)).await;
            match done {
                Some(s) => queued.push(s),
                None => break fut,
            }
        };
        for _ in 0..2_000 {
            let (fut, _) = start_connect(addr, HOUR).await;
            drop(fut);
        }
        let err = slow.await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(300));
        let kept = IoDriver::current_deadlines();
        assert!(kept <= 130, "the deadline heap grew to {kept} entries");
    });
}
