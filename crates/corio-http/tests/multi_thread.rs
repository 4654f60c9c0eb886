//! The client and the server on the multi-thread executor, and the auto traits every
//! public type promises.

mod common;

use std::time::Duration;

use corio_http::{Client, Server};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<Client>();
    assert_send_sync::<corio_http::ClientBuilder>();
    assert_send_sync::<corio_http::RequestBuilder>();
    assert_send_sync::<corio_http::Request>();
    assert_send_sync::<corio_http::Response>();
    assert_send_sync::<corio_http::BodyStream>();
    assert_send_sync::<corio_http::Error>();
    assert_send_sync::<corio_http::Certificate>();
    assert_send_sync::<corio_http::Identity>();
    assert_send_sync::<corio_http::ServerHandle>();
    assert_send_sync::<Server>();
    // The futures too: a request may be awaited on any worker.
    fn is_send<T: Send>(_: &T) {}
    let client = Client::new();
    let send = client.get("http://localhost/").send();
    is_send(&send);
    let bind = Server::bind("127.0.0.1:0");
    is_send(&bind);
}

#[test]
fn client_and_server_across_workers() {
    let ex = corio_executor::Builder::multi_thread()
        .workers(2)
        .driver(|_| {
            Box::new(corio_timer::TimerDriver::new(
                corio_net::IoDriver::new().unwrap(),
            ))
        })
        .build();
    ex.block_on(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|req| async move {
                corio_timer::sleep(Duration::from_millis(1)).await;
                corio_http::server::text(
                    format!("{:?}", std::thread::current().id()).replace(' ', "")
                        + req.uri().path(),
                )
            });
        let url = format!("http://{}", server.local_addr());
        let client = Client::builder().limit_per_host(8).build().unwrap();
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let (client, url) = (client.clone(), url.clone());
                corio_executor::spawn_send(async move {
                    let body = client
                        .get(format!("{url}/{i}"))
                        .send()
                        .await?
                        .text()
                        .await?;
                    assert!(body.ends_with(&format!("/{i}")), "{body}");
                    Ok::<_, corio_http::Error>(())
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert!(client.open_connections() <= 8);
        drop(client); // its idle connections close
        while server.connections() > 0 {
            corio_timer::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn dropping_a_client_closes_its_connections() {
    common::run(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|_req| async { corio_http::server::text("x") });
        let client = Client::new();
        let url = format!("http://{}/", server.local_addr());
        for _ in 0..3 {
            client
                .get(&url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
        assert_eq!(server.connections(), 1);
        drop(client);
        while server.connections() > 0 {
            corio_timer::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}
