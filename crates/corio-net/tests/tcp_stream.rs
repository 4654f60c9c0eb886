//! TCP: echo, large transfers, errors that name the address, shutdown, cancellation.
mod common;

use std::io::ErrorKind;
use std::net::Shutdown;

use corio_net::{TcpListener, TcpStream};
use futures::{AsyncReadExt, AsyncWriteExt, FutureExt};

async fn echo_round_trip() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = corio_executor::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (mut r, mut w) = stream.split();
        let mut buf = vec![0; 4096];
        loop {
            let n = r.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            w.write_all(&buf[..n]).await.unwrap();
        }
    });
    let client = TcpStream::connect(addr).await.unwrap();
    client.set_nodelay(true).unwrap();
    let (mut r, mut w) = client.split();
    // 1 MiB, pseudo-random, verified byte for byte; writer and reader run concurrently.
    let data: Vec<u8> = (0..1 << 20)
        .map(|i: u32| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let expected = data.clone();
    let writer = corio_executor::spawn(async move {
        w.write_all(&data).await.unwrap();
        w.close().await.unwrap();
    });
    let mut got = Vec::new();
    r.read_to_end(&mut got).await.unwrap();
    assert!(got == expected, "echoed bytes differ");
    writer.await.unwrap();
    server.await.unwrap();
}

#[test]
fn echo_large_transfer() {
    common::run(echo_round_trip());
}

#[test]
fn echo_on_fallback_reactor() {
    // corio_executor::run installs no IoDriver: the global fallback reactor serves.
    corio_executor::run(async {
        assert!(!corio_net::IoDriver::is_entered());
        echo_round_trip().await;
    });
}

#[test]
fn refused_names_the_address() {
    let port = common::free_port();
    common::run(async move {
        let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
    });
}

#[test]
fn eof_after_peer_close_and_errors_after_shutdown() {
    common::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        drop(server);
        let mut buf = [0; 8];
        assert_eq!(
            client.read(&mut buf).await.unwrap(),
            0,
            "EOF after the peer closed"
        );

        client.shutdown(Shutdown::Both).unwrap();
        let err = client.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        let err = client.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConnected);
        assert!(err.to_string().contains("shutdown"), "{err}");
        // Twice is fine.
        client.shutdown(Shutdown::Both).unwrap();
    });
}

#[test]
fn write_to_a_reset_peer_errors_with_the_address() {
    common::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // Unread data at close makes the kernel send a reset.
        client.write_all(b"unread").await.unwrap();
        corio_executor::yield_now().await;
        drop(server);
        let chunk = vec![0u8; 64 * 1024];
        let mut err = None;
        for _ in 0..100 {
            if let Err(e) = client.write_all(&chunk).await {
                err = Some(e);
                break;
            }
        }
        let err = err.expect("writes to a reset connection fail");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&addr.to_string()), "{err}");
    });
}

#[test]
fn cancelled_read_and_accept_lose_nothing() {
    common::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // An accept polled once, then dropped:
        assert!(listener.accept().now_or_never().is_none());
        let client = TcpStream::connect(addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let mut buf = [0; 5];
        // A read in flight, then dropped:
        assert!(server.read(&mut buf).now_or_never().is_none());
        (&client).write_all(b"hello").await.unwrap();
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
    });
}

#[test]
fn connect_timeout_connects() {
    common::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = TcpStream::connect_timeout(addr, std::time::Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(s.peer_addr().unwrap(), addr);
    });
}

#[test]
fn many_connections_on_one_listener() {
    common::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let n = 1000;
        let server = corio_executor::spawn(async move {
            for _ in 0..n {
                let (mut s, _) = listener.accept().await.unwrap();
                let _detached = corio_executor::spawn(async move {
                    let mut b = [0; 4];
                    s.read_exact(&mut b).await.unwrap();
                    s.write_all(&b).await.unwrap();
                });
            }
        });
        let clients: Vec<_> = (0..n as u32)
            .map(|i| {
                corio_executor::spawn(async move {
                    let mut c = TcpStream::connect(addr).await.unwrap();
                    c.write_all(&i.to_le_bytes()).await.unwrap();
                    let mut b = [0; 4];
                    c.read_exact(&mut b).await.unwrap();
                    assert_eq!(u32::from_le_bytes(b), i);
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync + Unpin>() {}
    send_sync::<TcpStream>();
    send_sync::<TcpListener>();
    send_sync::<corio_net::TcpReadHalf>();
    send_sync::<corio_net::TcpWriteHalf>();
    send_sync::<corio_net::UdpSocket>();
    send_sync::<corio_net::UnixStream>();
    send_sync::<corio_net::UnixListener>();
    send_sync::<corio_net::IoDriver>();
    send_sync::<corio_net::StreamReader>();
    send_sync::<corio_net::StreamWriter>();
}

/// A short read remembers that the socket was drained, so the next read waits for an
/// event instead of trying: the end of file whose event arrived *before* that short read
/// must still be reported. The peer writes a little and closes at once, so its FIN is
/// often already queued when the data is read. Each round fails by hanging, so each is
/// bounded by a timeout.
async fn data_then_eof_rounds(rounds: usize) {
    for round in 0..rounds {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            use std::io::Write;
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(&[7; 100]).unwrap();
        });
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0; 4096];
        let read_all = async {
            loop {
                let n = stream.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
        };
        let done = futures::future::select(
            Box::pin(read_all),
            Box::pin(corio_timer::sleep(std::time::Duration::from_secs(5))),
        )
        .await;
        assert!(
            matches!(done, futures::future::Either::Left(_)),
            "round {round}: the end of file after a short read was never reported"
        );
        assert_eq!(got, vec![7; 100], "round {round}");
        peer.join().unwrap();
    }
}

#[test]
fn end_of_file_right_after_a_short_read_is_reported() {
    common::run(data_then_eof_rounds(300));
}

#[test]
fn end_of_file_right_after_a_short_read_is_reported_on_the_fallback_reactor() {
    corio_executor::run(data_then_eof_rounds(300));
}

/// The write side's twin: after a short write the next write waits for an event; a peer
/// that closes must still turn that wait into an error, not a hang.
#[test]
fn a_peer_that_closes_fails_a_write_after_a_short_write() {
    common::run(async {
        for round in 0..20 {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let peer = std::thread::spawn(move || {
                use std::io::Read;
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                let mut buf = [0; 1000];
                let _ = s.read(&mut buf);
                // Closing with unread data sends a reset.
            });
            let (mut stream, _) = listener.accept().await.unwrap();
            let chunk = vec![1u8; 1 << 20];
            let write = async {
                loop {
                    if let Err(e) = stream.write_all(&chunk).await {
                        return e;
                    }
                }
            };
            let done = futures::future::select(
                Box::pin(write),
                Box::pin(corio_timer::sleep(std::time::Duration::from_secs(5))),
            )
            .await;
            match done {
                futures::future::Either::Left((e, _)) => assert!(
                    matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
                    "round {round}: {e}"
                ),
                futures::future::Either::Right(_) => {
                    panic!("round {round}: a write to a closed peer hung after a short write")
                }
            }
            peer.join().unwrap();
        }
    });
}
