//! start_server: many connections, graceful shutdown.
mod common;

use std::cell::Cell;
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::{Duration, Instant};

use corio_net::{ServerOptions, TcpStream, open_connection, start_server, start_server_with};
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

/// An echo server with an idle timeout: the silent client is disconnected once the timeout
/// has passed (not before), while a client that keeps talking is served throughout; once
/// it falls silent too, it is disconnected in turn, and no handler is left running.
#[test]
fn idle_timeout_disconnects_the_silent_client_and_serves_the_active_one() {
    const IDLE: Duration = Duration::from_millis(200);
    common::run(async {
        let options = ServerOptions::new().idle_timeout(IDLE);
        let server = start_server_with("127.0.0.1:0", options, |mut r, mut w| async move {
            let mut line = String::new();
            while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                if w.write_all(line.as_bytes()).await.is_err() {
                    return;
                }
                line.clear();
            }
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let start = Instant::now();
        let silent = corio_executor::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            let mut rest = Vec::new();
            // End-of-file: the server closed the connection.
            let n = corio_timer::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
                .await
                .expect("the silent client was never disconnected");
            assert_eq!(n.unwrap(), 0);
            start.elapsed()
        });
        let active = corio_executor::spawn(async move {
            let (mut r, mut w) = open_connection(addr).await.unwrap();
            // A line every 50 ms for 3 idle periods: never idle for 200 ms.
            for i in 0..13 {
                if i > 0 {
                    sleep_ms(50).await;
                }
                let msg = format!("line {i}\n");
                w.write_all(msg.as_bytes()).await.unwrap();
                let mut back = String::new();
                r.read_line(&mut back).await.unwrap();
                assert_eq!(back, msg);
            }
            // The last byte moved (the echo) just before this.
            let served = start.elapsed();
            // Now silent: disconnected in turn.
            let mut back = String::new();
            let n = corio_timer::timeout(Duration::from_secs(5), r.read_line(&mut back))
                .await
                .expect("the client fallen silent was never disconnected");
            assert_eq!(n.unwrap(), 0);
            (served, start.elapsed() - served)
        });
        let silent_for = silent.await.unwrap();
        let (served, then_silent_for) = active.await.unwrap();
        assert!(
            silent_for >= IDLE,
            "closed after {silent_for:?}, before {IDLE:?}"
        );
        assert!(
            served >= 3 * IDLE,
            "the active client was served for {served:?}"
        );
        assert!(
            then_silent_for >= IDLE,
            "closed {then_silent_for:?} after its last line"
        );
        assert_eq!(server.active_handlers(), 0);
        server.shutdown(Duration::from_secs(1)).await.unwrap();
    });
}

/// Writing counts as activity: a handler streaming to a client that sends nothing runs to
/// its end, well past the idle timeout.
#[test]
fn idle_timeout_spares_a_handler_that_keeps_writing() {
    const IDLE: Duration = Duration::from_millis(150);
    common::run(async {
        let finished = Rc::new(Cell::new(false));
        let f = finished.clone();
        let options = ServerOptions::new().idle_timeout(IDLE);
        let server = start_server_with("127.0.0.1:0", options, move |_r, mut w| {
            let finished = f.clone();
            async move {
                for i in 0..10 {
                    w.write_all(format!("chunk {i}\n").as_bytes())
                        .await
                        .unwrap();
                    sleep_ms(50).await;
                }
                finished.set(true);
            }
        })
        .await
        .unwrap();
        let (mut r, _w) = open_connection(server.local_addr().unwrap()).await.unwrap();
        let mut got = Vec::new();
        r.read_to_end(&mut got).await.unwrap();
        assert_eq!(got.iter().filter(|&&b| b == b'\n').count(), 10);
        assert!(finished.get());
        server.shutdown(Duration::from_secs(1)).await.unwrap();
    });
}

/// Off by default: a client silent for longer than any timeout above keeps its handler.
#[test]
fn no_idle_timeout_by_default() {
    common::run(async {
        let mut server = start_server_with(
            "127.0.0.1:0",
            ServerOptions::default(),
            |mut r, w| async move {
                let _w = w;
                let _ = r.read_to_end(&mut Vec::new()).await;
            },
        )
        .await
        .unwrap();
        let _client = TcpStream::connect(server.local_addr().unwrap())
            .await
            .unwrap();
        sleep_ms(400).await;
        assert_eq!(server.active_handlers(), 1);
        server.close();
    });
}

/// The clients' and handlers' pauses (corio-timer is a dev-dependency; outside a loop with
/// a timer driver it uses its fallback thread).
async fn sleep_ms(ms: u64) {
    corio_timer::sleep(Duration::from_millis(ms)).await;
}
