//! UDP round trips and Unix stream sockets.
mod common;

use corio_net::{UdpSocket, UnixListener, UnixStream};
use futures::{AsyncReadExt, AsyncWriteExt};

#[test]
fn udp_round_trip() {
    common::run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let echo = corio_executor::spawn(async move {
            let mut buf = [0; 64];
            for _ in 0..3 {
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                b.send_to(&buf[..n], from).await.unwrap();
            }
        });
        for msg in [&b"one"[..], b"two", b"three"] {
            a.send_to(msg, b_addr).await.unwrap();
            let mut buf = [0; 64];
            let (n, from) = a.recv_from(&mut buf).await.unwrap();
            assert_eq!((&buf[..n], from), (msg, b_addr));
        }
        echo.await.unwrap();
    });
}

#[test]
fn udp_connected() {
    common::run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        let recv = corio_executor::spawn(async move {
            let mut buf = [0; 8];
            let n = b.recv(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        corio_executor::yield_now().await; // the receiver waits first
        a.send(b"ok").await.unwrap();
        assert_eq!(recv.await.unwrap(), b"ok");
    });
}

#[test]
fn unix_stream_round_trip() {
    let dir = common::temp_dir("unix");
    let path = dir.join("echo.sock");
    let p = path.clone();
    common::run(async move {
        let listener = UnixListener::bind(&p).unwrap();
        let server = corio_executor::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            let (mut r, mut w) = s.split();
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).await.unwrap();
            w.write_all(&buf).await.unwrap();
        });
        let mut c = UnixStream::connect(&p).await.unwrap();
        let data = vec![7u8; 300_000];
        c.write_all(&data).await.unwrap();
        c.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        c.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, data);
        server.await.unwrap();
    });
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unix_connect_error_names_the_path() {
    common::run(async {
        let err = UnixStream::connect("/nonexistent/dir/x.sock")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/dir/x.sock"), "{err}");
    });
}
