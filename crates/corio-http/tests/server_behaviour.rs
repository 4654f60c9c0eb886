//! The server under load and abuse: 1 000 concurrent keep-alive clients, a slowloris
//! cut off by the header-read timeout while others are served, malformed requests,
//! the connection limit, graceful shutdown (in-flight requests finish; a grace period that
//! runs out cuts off).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::run;
use corio_http::{Client, ErrorKind, Server};
use corio_net::TcpStream;
use futures::{AsyncReadExt, AsyncWriteExt};

/// The soft limit on open files, from /proc (Linux); `None` elsewhere.
fn fd_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn thousand_concurrent_keep_alive_clients() {
    // Each client holds two descriptors (its end and the server's).
    let mut clients = 1000;
    if let Some(limit) = fd_limit() {
        if limit < 2 * clients + 200 {
            clients = (limit.saturating_sub(200)) / 2;
            eprintln!(
                "\n*** NOTE: open-file limit {limit}: {clients} clients instead of 1000 ***\n"
            );
        }
    }
    run(async move {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|req| async move { corio_http::server::text(req.uri().path().to_string()) });
        let base = format!("http://{}", server.local_addr());
        let gate = Arc::new(corio_sync_gate::Gate::new(clients));
        let tasks: Vec<_> = (0..clients)
            .map(|i| {
                let (base, gate) = (base.clone(), gate.clone());
                corio_executor::spawn(async move {
                    let client = Client::new(); // its own pool: its own connection
                    for round in 0..3 {
                        let path = format!("/{i}/{round}");
                        let body = client.get(format!("{base}{path}")).send().await.unwrap();
                        assert_eq!(body.text().await.unwrap(), path);
                        if round == 0 {
                            // Every client connected before any goes on: 1000 at once.
                            gate.arrive_and_wait().await;
                        }
                    }
                    client.open_connections()
                })
            })
            .collect();
        let peak_seen = gate.peak_connections(&server).await;
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1, "one kept-alive connection per client");
        }
        assert_eq!(peak_seen, clients);
        assert_eq!(server.shutdown(Duration::from_secs(10)).await, 0);
    });
}

/// A one-shot barrier for this test (corio-sync is not a dependency of this crate).
mod corio_sync_gate {
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub(crate) struct Gate {
        n: usize,
        arrived: AtomicUsize,
        event: event_listener::Event,
    }

    impl Gate {
        pub(crate) fn new(n: usize) -> Gate {
            Gate {
                n,
                arrived: AtomicUsize::new(0),
                event: event_listener::Event::new(),
            }
        }

        pub(crate) async fn arrive_and_wait(&self) {
            if self.arrived.fetch_add(1, Ordering::SeqCst) + 1 == self.n {
                self.event.notify(usize::MAX);
            }
            self.all_arrived().await;
        }

        async fn all_arrived(&self) {
            loop {
                if self.arrived.load(Ordering::SeqCst) >= self.n {
                    return;
                }
                let l = self.event.listen();
                if self.arrived.load(Ordering::SeqCst) >= self.n {
                    return;
                }
                l.await;
            }
        }

        /// The server's connection count once everyone arrived.
        pub(crate) async fn peak_connections(&self, server: &corio_http::ServerHandle) -> usize {
            self.all_arrived().await;
            server.connections()
        }
    }
}

#[test]
fn slowloris_is_cut_off_while_others_are_served() {
    run(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .header_read_timeout(Duration::from_millis(300))
            .serve(|_req| async { corio_http::server::text("ok") });
        let addr = server.local_addr();
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        // Others are served meanwhile.
        let client = Client::new();
        for _ in 0..5 {
            let r = client.get(format!("http://{addr}/")).send().await.unwrap();
            assert_eq!(r.text().await.unwrap(), "ok");
        }
        // The slow client is cut off: EOF (or a reset), never a response to its request.
        let mut rest = Vec::new();
        let read = corio_timer::timeout(Duration::from_secs(60), slow.read_to_end(&mut rest))
            .await
            .expect("the header-read timeout closes the connection");
        match read {
            Ok(_) => assert!(!rest.starts_with(b"HTTP/1.1 200"), "{rest:?}"),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        }
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn malformed_requests_get_400_and_the_server_stays_up() {
    run(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|_req| async { corio_http::server::text("ok") });
        let addr = server.local_addr();
        for garbage in [
            &b"GARBAGE\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
            b"\x00\x01\x02\x03\r\n\r\n",
        ] {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(garbage).await.unwrap();
            let mut resp = Vec::new();
            let _ = s.read_to_end(&mut resp).await;
            assert!(
                resp.starts_with(b"HTTP/1.1 400"),
                "{garbage:?}: {:?}",
                String::from_utf8_lossy(&resp)
            );
        }
        let r = Client::new()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "ok");
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn max_connections_holds_the_rest_in_the_backlog() {
    run(async {
        let inside = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (inside2, peak2) = (inside.clone(), peak.clone());
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .max_connections(2)
            .serve(move |_req| {
                let (inside, peak) = (inside2.clone(), peak2.clone());
                async move {
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    corio_timer::sleep(Duration::from_millis(20)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    corio_http::server::text("ok")
                }
            });
        let url = format!("http://{}/", server.local_addr());
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                corio_executor::spawn(async move {
                    // A fresh client each: its own connection, closed after the response.
                    let r = Client::new().get(url).send().await.unwrap();
                    r.text().await.unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "ok");
        }
        assert!(
            peak.load(Ordering::SeqCst) <= 2,
            "peak {}",
            peak.load(Ordering::SeqCst)
        );
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn graceful_shutdown_lets_in_flight_requests_finish() {
    run(async {
        let started = Arc::new(event_listener::Event::new());
        let count = Arc::new(AtomicUsize::new(0));
        let (started2, count2) = (started.clone(), count.clone());
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(move |_req| {
                let (started, count) = (started2.clone(), count2.clone());
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    started.notify(usize::MAX);
                    corio_timer::sleep(Duration::from_millis(100)).await;
                    corio_http::server::text("finished")
                }
            });
        let addr = server.local_addr();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                corio_executor::spawn(async move {
                    let r = Client::new().get(format!("http://{addr}/")).send().await?;
                    r.text().await
                })
            })
            .collect();
        while count.load(Ordering::SeqCst) < 5 {
            let l = started.listen();
            if count.load(Ordering::SeqCst) < 5 {
                l.await;
            }
        }
        // All five are in their handlers: shut down now.
        assert_eq!(server.shutdown(Duration::from_secs(30)).await, 0);
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "finished");
        }
        // Not accepting any more.
        let err = Client::new()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectRefused, "{err}");
    });
}

#[test]
fn shutdown_grace_period_running_out_cuts_off() {
    run(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|_req| async {
                std::future::pending::<()>().await;
                corio_http::server::text("never")
            });
        let addr = server.local_addr();
        let req = corio_executor::spawn(async move {
            Client::new().get(format!("http://{addr}/")).send().await
        });
        while server.connections() == 0 {
            corio_timer::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(server.shutdown(Duration::from_millis(50)).await, 1);
        let err = req.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BodyClosed, "{err}");
    });
}

#[test]
fn serve_until_a_signal() {
    run(async {
        let server = Server::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr();
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let serving = corio_executor::spawn(server.serve_until(
            |_req| async { corio_http::server::text("up") },
            async {
                let _ = rx.await;
            },
            Duration::from_secs(5),
        ));
        let r = Client::new()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "up");
        tx.send(()).unwrap();
        assert_eq!(serving.await.unwrap(), 0);
    });
}

/// A connection closing must not wake the server's other connections: with 100 idle
/// keep-alive connections open, 50 connections opening and closing cost a handful of task
/// polls each. (The stop signal the connections watch was once the server's change event,
/// which every close notified: each close polled every idle connection, 5 000 polls here.)
#[test]
fn closing_connections_does_not_wake_the_idle_ones() {
    let ex = corio_executor::Builder::new()
        .driver(|_| {
            Box::new(corio_timer::TimerDriver::new(
                corio_net::IoDriver::new().unwrap(),
            ))
        })
        .build_local();
    ex.block_on(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|_req| async { corio_http::server::text("ok") });
        let addr = server.local_addr();
        let until_connections = |n: usize| {
            let server = &server;
            async move {
                for _ in 0..2000 {
                    if server.connections() == n {
                        return;
                    }
                    corio_timer::sleep(Duration::from_millis(1)).await;
                }
                panic!("{} connections, expected {n}", server.connections());
            }
        };
        let mut idle = Vec::new();
        for _ in 0..100 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        until_connections(100).await;
        let before = ex.metrics().polls;
        for _ in 0..50 {
            let s = TcpStream::connect(addr).await.unwrap();
            until_connections(101).await;
            drop(s);
            until_connections(100).await;
        }
        let polls = ex.metrics().polls - before;
        assert!(
            polls < 1500,
            "50 connections opening and closing beside 100 idle ones took {polls} task polls"
        );
        drop(idle);
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}
