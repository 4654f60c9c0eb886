//! start_server: many connections, graceful shutdown.
mod common;

use std::cell::Cell;
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::{Duration, Instant};

use corio_net::{TcpStream, open_connection, start_server};
use futures::AsyncReadExt;

#[test]
fn two_hundred_concurrent_connections() {
    common::run(async {
        // How many handlers run at once, counted by the handlers themselves (sampling
        // `active_handlers()` between the clients' ends depends on the order the loop
        // runs them in, which chaos mode makes random).
        let (active, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let (a, p) = (active.clone(), peak.clone());
        let server = start_server("127.0.0.1:0", move |mut r, mut w| {
            let (active, peak) = (a.clone(), p.clone());
            async move {
                active.set(active.get() + 1);
                peak.set(peak.get().max(active.get()));
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap() > 0 {
                    w.write_all(line.as_bytes()).await.unwrap();
                    line.clear();
                }
                active.set(active.get() - 1);
            }
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let clients: Vec<_> = (0..200)
            .map(|i| {
                corio_executor::spawn(async move {
                    let (mut r, mut w) = open_connection(addr).await.unwrap();
                    for j in 0..3 {
                        let msg = format!("client {i} line {j}\n");
                        w.write_all(msg.as_bytes()).await.unwrap();
                        let mut back = String::new();
                        r.read_line(&mut back).await.unwrap();
                        assert_eq!(back, msg);
                    }
                    w.close().await.unwrap();
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        let peak = peak.get();
        assert!(
            peak > 1,
            "connections were served concurrently (peak {peak})"
        );
        server.shutdown(Duration::from_secs(2)).await.unwrap();
    });
}

#[test]
fn graceful_shutdown_waits_for_a_slow_handler() {
    common::run(async {
        let finished = Rc::new(Cell::new(false));
        let f = finished.clone();
        let server = start_server("127.0.0.1:0", move |mut r, mut w| {
            let f = f.clone();
            async move {
                // Slow: waits for the client's request, then answers after the client
                // finished sending (it closes its side).
                let mut req = String::new();
                r.read_line(&mut req).await.unwrap();
                let _ = r.read_to_end(&mut Vec::new()).await;
                w.write_all(b"done\n").await.unwrap();
                f.set(true);
            }
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let (mut r, mut w) = open_connection(addr).await.unwrap();
        w.write_all(b"work\n").await.unwrap();
        while server.active_handlers() == 0 {
            corio_executor::yield_now().await;
        }
        let client = corio_executor::spawn(async move {
            // Finishes the request a little later, while shutdown is waiting.
            for _ in 0..50 {
                corio_executor::yield_now().await;
            }
            w.close().await.unwrap();
            let mut reply = String::new();
            r.read_line(&mut reply).await.unwrap();
            reply
        });
        let start = Instant::now();
        server.shutdown(Duration::from_secs(5)).await.unwrap();
        assert!(finished.get(), "the handler ran to its end");
        assert!(start.elapsed() < Duration::from_secs(4));
        assert_eq!(client.await.unwrap(), "done\n");
        // No longer accepting:
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn shutdown_cancels_handlers_after_the_grace_period() {
    common::run(async {
        let dropped = Rc::new(Cell::new(0));
        let d = dropped.clone();
        struct Count(Rc<Cell<u32>>);
        impl Drop for Count {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let server = start_server("127.0.0.1:0", move |mut r, _w| {
            let guard = Count(d.clone());
            async move {
                let _guard = guard;
                let _ = r.read_to_end(&mut Vec::new()).await; // never ends by itself
            }
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(TcpStream::connect(addr).await.unwrap());
        }
        while server.active_handlers() < 3 {
            corio_executor::yield_now().await;
        }
        let start = Instant::now();
        let err = server
            .shutdown(Duration::from_millis(50))
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.to_string().contains("3 handler(s)"), "{err}");
        assert!(
            took >= Duration::from_millis(45) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert_eq!(dropped.get(), 3, "the cancelled handlers were dropped");
        // The clients see the connections closed.
        for mut c in clients {
            let mut buf = Vec::new();
            assert_eq!(c.read_to_end(&mut buf).await.unwrap(), 0);
        }
    });
}
