//! Sockets on the multi-thread executor and outside corio: the fallback reactor.
use corio_net::{TcpListener, TcpStream, UdpSocket};
use futures::{AsyncReadExt, AsyncWriteExt};

#[test]
fn sockets_on_multi_thread_workers_use_the_fallback_reactor() {
    let ex = corio_executor::Builder::multi_thread().workers(2).build();
    ex.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = corio_executor::spawn_send(async move {
            assert!(!corio_net::IoDriver::is_entered());
            for _ in 0..20 {
                let (mut s, _) = listener.accept().await.unwrap();
                let _detached = corio_executor::spawn_send(async move {
                    let mut buf = [0; 64];
                    let n = s.read(&mut buf).await.unwrap();
                    s.write_all(&buf[..n]).await.unwrap();
                });
            }
        });
        let clients: Vec<_> = (0..20)
            .map(|i| {
                corio_executor::spawn_send(async move {
                    let mut c = TcpStream::connect(addr).await.unwrap();
                    let msg = format!("worker message {i}");
                    c.write_all(msg.as_bytes()).await.unwrap();
                    let mut buf = vec![0; msg.len()];
                    c.read_exact(&mut buf).await.unwrap();
                    assert_eq!(buf, msg.as_bytes());
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap();

        let udp = corio_executor::spawn_send(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            a.send_to(b"self", a.local_addr().unwrap()).await.unwrap();
            let mut buf = [0; 8];
            let (n, _) = a.recv_from(&mut buf).await.unwrap();
            n
        });
        assert_eq!(udp.await.unwrap(), 4);
    });
}

#[test]
fn sockets_under_another_executor() {
    // futures' block_on: no corio loop at all.
    futures::executor::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut c = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut s, _) = listener.accept().await.unwrap();
        c.write_all(b"x").await.unwrap();
        let mut b = [0; 1];
        s.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"x");
    });
}
