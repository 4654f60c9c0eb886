//! A hyper HTTP/1 server on corio, driven by hyper's own client on corio and by curl.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use corio_hyper::{CorioExecutor, CorioIo, CorioTimer};
use corio_net::{IoDriver, TcpListener, TcpStream};
use corio_timer::TimerDriver;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

fn executor() -> corio_executor::LocalExecutor {
    corio_executor::Builder::new()
        .driver(|_| Box::new(TimerDriver::new(IoDriver::new().unwrap())))
        .build_local()
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let text = format!("{path} {}", body.len());
    Ok(Response::new(Full::new(Bytes::from(text))))
}

/// Starts a server on the current loop: one task per connection.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let _server = corio_executor::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            let _conn = corio_executor::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(CorioTimer::new())
                    .header_read_timeout(Duration::from_secs(5))
                    .serve_connection(CorioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    addr
}

#[test]
fn hyper_server_and_client_on_corio() {
    executor().run(async {
        let addr = serve().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
            .handshake(CorioIo::new(stream))
            .await
            .unwrap();
        let _conn = corio_executor::spawn(conn);
        // Keep-alive: several requests on one connection.
        for i in 0..20 {
            let req = Request::post(format!("/echo/{i}"))
                .header("host", addr.to_string())
                .body(Full::new(Bytes::from(vec![b'x'; i * 100])))
                .unwrap();
            let res = sender.send_request(req).await.unwrap();
            assert_eq!(res.status(), 200);
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, format!("/echo/{i} {}", i * 100));
        }
    });
}

#[test]
fn many_hyper_clients_at_once() {
    executor().run(async {
        let addr = serve().await;
        let clients: Vec<_> = (0..50)
            .map(|i| {
                corio_executor::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (mut sender, conn) =
                        hyper::client::conn::http1::handshake(CorioIo::new(stream))
                            .await
                            .unwrap();
                    let _conn = corio_executor::spawn(conn);
                    let req = Request::get(format!("/c/{i}"))
                        .body(Full::new(Bytes::new()))
                        .unwrap();
                    let res = sender.send_request(req).await.unwrap();
                    let body = res.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body, format!("/c/{i} 0"));
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
    });
}

#[test]
fn curl_against_a_hyper_server_on_corio() {
    let curl = std::process::Command::new("curl").arg("--version").output();
    if !curl.is_ok_and(|o| o.status.success()) {
        println!("note: curl is not installed; skipping the curl part (CI installs it)");
        return;
    }
    executor().run(async {
        let addr = serve().await;
        let url = format!("http://{addr}/from-curl");
        let out = corio_executor::to_thread(move || {
            std::process::Command::new("curl")
                .args(["-sS", "--max-time", "10", "--data-binary", "hello", &url])
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "/from-curl 5");
    });
}

#[test]
fn executor_adapter_spawns_on_the_loop() {
    use hyper::rt::Executor;
    executor().run(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        CorioExecutor::new().execute(async move {
            tx.send(1).unwrap();
        });
        assert_eq!(rx.await.unwrap(), 1);
    });
}

#[test]
fn timer_adapter_resets() {
    use hyper::rt::Timer;
    executor().run(async {
        let timer = CorioTimer::new();
        let start = std::time::Instant::now();
        let mut sleep = timer.sleep(Duration::from_secs(60));
        timer.reset(
            &mut sleep,
            std::time::Instant::now() + Duration::from_millis(5),
        );
        sleep.await;
        assert!(start.elapsed() < Duration::from_secs(5));
    });
}
