//! The facade's driver stack: corio-timer's wheel on top of the I/O driver, sharing one wait.

use std::time::{Duration, Instant};

use corio_net::{IoDriver, TcpListener, TcpStream};
use corio_timer::{TimerDriver, sleep, timeout};
use futures::{AsyncReadExt, AsyncWriteExt};

fn run<F: std::future::Future>(f: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|_| Box::new(TimerDriver::new(IoDriver::new().unwrap())))
        .build_local()
        .run(f)
}

#[test]
fn timers_and_sockets_share_one_wait() {
    run(async {
        assert!(IoDriver::is_entered());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let start = Instant::now();
        let _client = corio_executor::spawn(async move {
            sleep(Duration::from_millis(30)).await;
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"after the timer").await.unwrap();
        });
        let (mut s, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"after the timer");
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(30) && took < Duration::from_secs(2),
            "{took:?}"
        );
    });
}

#[test]
fn a_timed_out_read_is_cancelled_cleanly() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut c = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0; 4];
        // Nothing to read: the timeout fires while the read waits in the poller.
        assert!(
            timeout(Duration::from_millis(10), s.read(&mut buf))
                .await
                .is_err()
        );
        c.write_all(b"data").await.unwrap();
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"data");
    });
}

#[test]
fn connect_timeout_times_out_with_the_address() {
    // A listener whose backlog is full: further connects hang in SYN-sent (Linux drops the
    // SYNs), which is what connect_timeout is for. Not every kernel behaves so; then the
    // connect succeeds and the test checks nothing more.
    run(async {
        let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std.local_addr().unwrap();
        let socket = socket2::Socket::from(std);
        socket.listen(0).unwrap();
        let mut held = Vec::new();
        for _ in 0..8 {
            match TcpStream::connect_timeout(addr, Duration::from_millis(100)).await {
                Ok(s) => held.push(s),
                Err(e) => {
                    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
                    assert!(e.to_string().contains(&addr.to_string()), "{e}");
                    return;
                }
            }
        }
    });
}
