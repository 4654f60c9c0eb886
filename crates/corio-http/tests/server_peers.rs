//! The server driven by clients that are not corio: curl (HTTP/1.1, h2c prior knowledge,
//! HTTPS with h2 and with HTTP/1.1) and Python's http.client. Without the tool, each test
//! prints a loud SKIPPED notice and passes.

mod common;

use std::time::Duration;

use common::{curl, python, run, self_signed};
use corio_http::{Identity, Server, ServerHandle};
use http_body_util::BodyExt;

/// Answers with the HTTP version and path; POST bodies are echoed after them.
fn start(server: Server) -> ServerHandle {
    server.serve(|req| async move {
        let head = format!("{:?} {} {}", req.version(), req.method(), req.uri().path());
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        corio_http::server::text(format!("{head} {}", String::from_utf8_lossy(&body)))
    })
}

async fn output(cmd: &'static str, args: Vec<String>) -> String {
    corio_executor::spawn_blocking(move || {
        let out = std::process::Command::new(cmd)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    })
    .await
    .unwrap()
}

#[test]
fn curl_http1_and_h2c_prior_knowledge() {
    let Some(curl) = curl("curl_http1_and_h2c_prior_knowledge") else {
        return;
    };
    run(async {
        let server = start(Server::bind("127.0.0.1:0").await.unwrap());
        let url = format!("http://{}/x", server.local_addr());
        let out = output(curl, vec!["-sS".into(), url.clone()]).await;
        assert_eq!(out, "HTTP/1.1 GET /x ");
        let out = output(
            curl,
            vec!["-sS".into(), "--http2-prior-knowledge".into(), url.clone()],
        )
        .await;
        assert_eq!(out, "HTTP/2.0 GET /x ");
        let out = output(
            curl,
            vec!["-sS".into(), "-d".into(), "posted".into(), url.clone()],
        )
        .await;
        assert_eq!(out, "HTTP/1.1 POST /x posted");
        // Two URLs on one command line: curl reuses the connection (keep-alive).
        let out = output(
            curl,
            vec![
                "-sS".into(),
                "-w".into(),
                "|%{num_connects}\\n".into(),
                url.clone(),
                url,
            ],
        )
        .await;
        assert_eq!(out, "HTTP/1.1 GET /x |1\nHTTP/1.1 GET /x |0\n");
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn curl_https_h2_and_http1() {
    let Some(curl) = curl("curl_https_h2_and_http1") else {
        return;
    };
    let (cert, key) = self_signed();
    run(async {
        let id = Identity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        let server = start(Server::bind("127.0.0.1:0").await.unwrap().tls(id).unwrap());
        let url = format!("https://localhost:{}/s", server.local_addr().port());
        let out = output(curl, vec!["-sSk".into(), "--http2".into(), url.clone()]).await;
        assert_eq!(out, "HTTP/2.0 GET /s ");
        let out = output(curl, vec!["-sSk".into(), "--http1.1".into(), url.clone()]).await;
        assert_eq!(out, "HTTP/1.1 GET /s ");
        // Without -k, curl refuses the self-signed certificate (exit status 60).
        let status = corio_executor::spawn_blocking(move || {
            std::process::Command::new(curl)
                .args(["-sS", &url])
                .output()
                .unwrap()
                .status
        })
        .await
        .unwrap();
        assert_eq!(status.code(), Some(60));
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}

#[test]
fn python_http_client_keep_alive() {
    let Some(py) = python("python_http_client_keep_alive") else {
        return;
    };
    run(async {
        let server = start(Server::bind("127.0.0.1:0").await.unwrap());
        let port = server.local_addr().port();
        let script = format!(
            "import http.client\n\
             c = http.client.HTTPConnection('127.0.0.1', {port})\n\
             for i in range(3):\n\
             \x20   c.request('GET', f'/get/{{i}}')\n\
             \x20   r = c.getresponse(); print(r.status, r.read().decode())\n\
             c.request('POST', '/post', body=b'from python', headers={{'Content-Type': 'text/plain'}})\n\
             r = c.getresponse(); print(r.status, r.read().decode())\n\
             print('socket reused:', c.sock is not None)\n"
        );
        let out = output(py, vec!["-c".into(), script]).await;
        assert_eq!(
            out,
            "200 HTTP/1.1 GET /get/0 \n200 HTTP/1.1 GET /get/1 \n200 HTTP/1.1 GET /get/2 \n\
             200 HTTP/1.1 POST /post from python\nsocket reused: True\n"
        );
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}
