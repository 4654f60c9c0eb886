//! One clock (DESIGN): every deadline in corio obeys the loop's timer, the paused virtual
//! clock included, so tests of long timeouts run in milliseconds. Before corio-net's
//! deadlines went through corio-core's clock hook, a one-hour connect timeout or shutdown
//! grace period under a paused clock took an hour of real time.

use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);
/// Far below an hour, far above any loaded machine's run of these tests.
const REAL_LIMIT: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread; fails (instead of hanging for the hour) if it takes longer
/// than `REAL_LIMIT` of real time.
fn within_real_limit<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(REAL_LIMIT).unwrap_or_else(|_| {
        panic!("{what} still running after {REAL_LIMIT:?} of real time: not on the paused clock")
    })
}

/// A loopback listener that never accepts, its accept queue filled, so that one more
/// connect to it stays pending. Returns the address and the connections that fill it.
fn full_listener() -> (
    std::net::TcpListener,
    std::net::SocketAddr,
    Vec<std::net::TcpStream>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fill = Vec::new();
    // The kernel completes connects until the backlog (at most somaxconn) is full; then a
    // connect waits, and a non-blocking one reports "in progress".
    loop {
        let s = socket_nonblocking_connect(addr);
        match s {
            Some(s) => fill.push(s),
            None => break,
        }
        assert!(
            fill.len() < 70_000,
            "the listener's accept queue never filled"
        );
    }
    (listener, addr, fill)
}

/// A connect that completes at once (`Some`), or `None` when it would have to wait.
fn socket_nonblocking_connect(addr: std::net::SocketAddr) -> Option<std::net::TcpStream> {
    match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => None,
        Err(e) => panic!("connect to the filling listener: {e}"),
    }
}

#[test]
fn a_one_hour_connect_timeout_elapses_at_once_on_a_paused_clock() {
    let (_listener, addr, _fill) = full_listener();
    let started = Instant::now();
    let (err, virtual_elapsed) = within_real_limit("a one-hour connect timeout", move || {
        corio::Builder::new().start_paused(true).run(async move {
            let start = corio::clock::now();
            let err = corio::TcpStream::connect_timeout(addr, HOUR)
                .await
                .expect_err("a connect to a full accept queue completed");
            (err, corio::clock::now() - start)
        })
    });
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert!(
        virtual_elapsed >= HOUR,
        "virtual time passed: {virtual_elapsed:?}"
    );
    assert!(
        started.elapsed() < REAL_LIMIT,
        "a one-hour connect timeout took {:?} of real time: not on the paused clock",
        started.elapsed()
    );
}

#[test]
fn a_one_hour_shutdown_grace_elapses_at_once_on_a_paused_clock() {
    let started = Instant::now();
    let (err, virtual_elapsed) = within_real_limit("a one-hour shutdown grace", || {
        corio::Builder::new().start_paused(true).run(async {
            let server = corio::start_server("127.0.0.1:0", |_r, _w| async {
                std::future::pending::<()>().await; // a handler that never finishes
            })
            .await
            .unwrap();
            let _client = corio::TcpStream::connect(server.local_addr().unwrap())
                .await
                .unwrap();
            while server.active_handlers() == 0 {
                corio::yield_now().await;
            }
            let start = corio::clock::now();
            let err = server
                .shutdown(HOUR)
                .await
                .expect_err("the handler never ends");
            (err, corio::clock::now() - start)
        })
    });
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert!(
        virtual_elapsed >= HOUR,
        "virtual time passed: {virtual_elapsed:?}"
    );
    assert!(
        started.elapsed() < REAL_LIMIT,
        "a one-hour shutdown grace took {:?} of real time",
        started.elapsed()
    );
}

/// A paused clock jumps only when the loop is idle: I/O that the reactor has just made
/// ready is work waiting to run, not idleness. A client exchanging ten lines with a server
/// on the same loop, under a one-hour timeout, finishes with no virtual time passed. (The
/// clock used to jump to the hour as soon as a reply was in flight, and the exchange failed
/// with `Elapsed` at its first round trip.)
#[test]
fn io_in_flight_is_not_idleness_on_a_paused_clock() {
    let (result, virtual_elapsed) = within_real_limit("a paused-clock echo exchange", || {
        corio::Builder::new().start_paused(true).run(async {
            let server = corio::start_server("127.0.0.1:0", |mut r, mut w| async move {
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    w.write(line.as_bytes());
                    if w.drain().await.is_err() {
                        break;
                    }
                    line.clear();
                }
            })
            .await
            .unwrap();
            let addr = server.local_addr().unwrap();
            let start = corio::clock::now();
            let result = corio::timeout(HOUR, async move {
                let (mut r, mut w) = corio::open_connection(addr).await?;
                for i in 0..10 {
                    w.write(format!("line {i}\n").as_bytes());
                    w.drain().await?;
                    let mut echo = String::new();
                    r.read_line(&mut echo).await?;
                    assert_eq!(echo, format!("line {i}\n"));
                }
                Ok::<_, std::io::Error>(())
            })
            .await;
            (result, corio::clock::now() - start)
        })
    });
    assert!(
        matches!(result, Ok(Ok(()))),
        "the exchange failed: {result:?} (virtual time passed: {virtual_elapsed:?})"
    );
    assert!(
        virtual_elapsed < Duration::from_secs(1),
        "{virtual_elapsed:?}"
    );
}
