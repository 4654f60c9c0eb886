//! HTTP/2 over TLS (ALPN): concurrent requests share one connection; the first burst
//! waits for the first connection instead of opening one each.

mod common;

use std::time::Duration;

use common::{run, self_signed};
use corio_http::{Certificate, Client, Identity, Server};

#[test]
fn concurrent_https_requests_share_one_h2_connection() {
    let (cert, key) = self_signed();
    run(async move {
        let id = Identity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .tls(id)
            .unwrap()
            .serve(|req| async move {
                corio_timer::sleep(Duration::from_millis(5)).await;
                corio_http::server::text(req.uri().path().to_string())
            });
        let client = Client::builder()
            .add_root_certificate(Certificate::from_pem(cert.as_bytes()).unwrap())
            .build()
            .unwrap();
        let base = format!("https://localhost:{}", server.local_addr().port());
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let (client, url) = (client.clone(), format!("{base}/{i}"));
                corio_executor::spawn(async move {
                    let r = client.get(url).send().await.unwrap();
                    assert_eq!(r.version(), http::Version::HTTP_2);
                    r.text().await.unwrap()
                })
            })
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            assert_eq!(t.await.unwrap(), format!("/{i}"));
        }
        assert_eq!(client.open_connections(), 1);
        assert_eq!(server.connections(), 1);
        drop(client);
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn http1_only_client_opens_connections_in_parallel() {
    let (cert, key) = self_signed();
    run(async move {
        let id = Identity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .tls(id)
            .unwrap()
            .serve(|_req| async move {
                corio_timer::sleep(Duration::from_millis(20)).await;
                corio_http::server::text("h1")
            });
        let client = Client::builder()
            .add_root_certificate(Certificate::from_pem(cert.as_bytes()).unwrap())
            .http1_only()
            .limit_per_host(4)
            .build()
            .unwrap();
        let url = format!("https://localhost:{}/", server.local_addr().port());
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (client, url) = (client.clone(), url.clone());
                corio_executor::spawn(async move {
                    let r = client.get(url).send().await.unwrap();
                    assert_eq!(r.version(), http::Version::HTTP_11);
                    r.text().await.unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "h1");
        }
        assert_eq!(client.open_connections(), 4);
        drop(client);
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}
