//! The server of the HTTP client benchmark, for the clients that run outside criterion
//! (the aiohttp twin, `benches/python/aiohttp_client.py`): corio-http's server answering
//! every request with a 1 KiB page, by HTTP and by HTTPS (HTTP/1.1, a self-signed
//! certificate for `localhost` made at start), on a one-worker executor.
//!
//! ```text
//! http_page_server CERT_PEM_PATH
//! ```
//!
//! It writes the certificate to CERT_PEM_PATH and prints `http <port>` and `https <port>`.

use std::time::Duration;

fn main() {
    let cert_path = std::env::args()
        .nth(1)
        .expect("usage: http_page_server CERT_PEM_PATH");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    std::fs::write(&cert_path, &cert_pem).expect("write the certificate");
    let ex = corio::Builder::multi_thread().workers(1).build();
    ex.block_on(async move {
        let page = bytes::Bytes::from(vec![b'x'; 1024]);
        let handler = move |_req| {
            let page = page.clone();
            async move { corio::http::server::full(corio::http::StatusCode::OK, page) }
        };
        let plain = corio::http::Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(handler.clone());
        let id = corio::http::Identity::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
        let tls = corio::http::Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .http1_only()
            .tls(id)
            .unwrap()
            .serve(handler);
        println!("http {}", plain.local_addr().port());
        println!("https {}", tls.local_addr().port());
        loop {
            corio::sleep(Duration::from_secs(3600)).await;
        }
    });
}
