//! The pool against a server that closes each connection after one response without
//! saying so (no `Connection: close`): the keep-alive race. Every request still succeeds:
//! a connection found closed is dropped at checkout, and an idempotent request that met a
//! connection closing under it is sent again on a new one.

mod common;

use common::run;
use corio_http::Client;
use corio_net::TcpListener;
use futures::{AsyncReadExt, AsyncWriteExt};

#[test]
fn silent_close_after_each_response_is_survived() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let _server = corio_executor::spawn(async move {
            let mut served = 0u32;
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                served += 1;
                let body = format!("reply {served}");
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
                drop(s); // closes, though HTTP/1.1 promised keep-alive
            }
        });
        let client = Client::new();
        let url = format!("http://127.0.0.1:{port}/");
        for _ in 0..20 {
            let r = client.get(&url).send().await.unwrap();
            assert!(r.text().await.unwrap().starts_with("reply "));
        }
    });
}
