//! Workers that share one reactor (`IoDriver::share`): a socket accepted by one worker is
//! served by another while the first is blocked. With one reactor per worker, its
//! events waited until the accepting worker looked at its own reactor again.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use corio_net::{IoDriver, TcpListener};
use futures::{AsyncReadExt, AsyncWriteExt};

fn executor() -> corio_executor::Executor {
    let source = IoDriver::new().unwrap();
    corio_executor::Builder::multi_thread()
        .workers(2)
        .driver(move |parker| Box::new(source.share(parker)))
        .build()
}

/// Accepts one connection, starts an echo task for it, then blocks the accepting worker
/// for `block`; returns how long one echo round trip took meanwhile.
fn round_trip_while_the_acceptor_blocks(
    ex: &corio_executor::Executor,
    block: Duration,
) -> Duration {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let echo_started = Arc::new(AtomicBool::new(false));
    let started = echo_started.clone();
    let blocker_done = Arc::new(AtomicBool::new(false));
    let done = blocker_done.clone();
    ex.spawn(async move {
        let listener = TcpListener::from_std(std_listener).unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        let flag = started.clone();
        corio_executor::spawn_send(async move {
            flag.store(true, Ordering::SeqCst);
            let mut buf = [0; 64];
            loop {
                let n = stream.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                stream.write_all(&buf[..n]).await.unwrap();
            }
        })
        .detach();
        while !started.load(Ordering::SeqCst) {
            corio_executor::yield_now().await;
        }
        // Pinned to this worker, the one whose thread accepted (and registered) the socket.
        corio_executor::spawn(async move {
            std::thread::sleep(block);
            done.store(true, Ordering::SeqCst);
        })
        .detach();
    })
    .detach();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    while !echo_started.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(50)); // let the blocker start
    let t = Instant::now();
    client.write_all(b"ping").unwrap();
    let mut buf = [0; 4];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    let took = t.elapsed();
    // The next round needs both workers free again.
    while !blocker_done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    took
}

#[test]
fn a_socket_accepted_by_a_blocked_worker_is_served_by_the_other() {
    let ex = executor();
    for round in 0..3 {
        let took = round_trip_while_the_acceptor_blocks(&ex, Duration::from_millis(1000));
        assert!(
            took < Duration::from_millis(600),
            "round {round}: the echo waited {took:?} for the blocked worker"
        );
    }
}

#[test]
fn drivers_sharing_a_reactor_wake_each_other() {
    // Many short connections across both workers: nothing is lost between the worker in
    // the poller and the one on its parker.
    let ex = executor();
    let n = ex.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = corio_executor::spawn_send(async move {
            for _ in 0..200 {
                let (mut s, _) = listener.accept().await.unwrap();
                corio_executor::spawn_send(async move {
                    let mut b = [0; 1];
                    s.read_exact(&mut b).await.unwrap();
                    s.write_all(&b).await.unwrap();
                })
                .detach();
            }
        });
        let clients: Vec<_> = (0..200u32)
            .map(|i| {
                corio_executor::spawn_send(async move {
                    let mut c = corio_net::TcpStream::connect(addr).await.unwrap();
                    c.write_all(&[i as u8]).await.unwrap();
                    let mut b = [0; 1];
                    c.read_exact(&mut b).await.unwrap();
                    assert_eq!(b[0], i as u8);
                })
            })
            .collect();
        let mut done = 0;
        for c in clients {
            c.await.unwrap();
            done += 1;
        }
        server.await.unwrap();
        done
    });
    assert_eq!(n, 200);
}
