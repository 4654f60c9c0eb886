//! The web-scraping pattern: fetch 1 000 pages from a local HTTP server, at most 50 at
//! a time, printing progress and the total time.
//!
//! ```python
//! sem = asyncio.Semaphore(50)
//! async def fetch(session, url):
//!     async with sem:
//!         async with session.get(url) as resp:
//!             return await resp.text()
//! pages = await asyncio.gather(*(fetch(s, u) for u in urls))
//! ```
//!
//! The server is embedded (a few lines of HTTP/1.1 over `start_server`), so the example
//! runs on one machine with nothing installed.

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

const PAGES: usize = 1_000;
const IN_FLIGHT: usize = 50;

/// Answers `GET /page/N` with a small body, after a little "server time".
async fn serve_http(
    mut reader: corio::StreamReader<corio::net::TcpReadHalf>,
    mut writer: corio::StreamWriter<corio::net::TcpWriteHalf>,
) {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).await.unwrap_or(0) > 2 {
        header.clear(); // skip headers up to the blank line
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    corio::sleep(Duration::from_millis(2)).await; // the server "works"
    let body = format!("<html><body>{path}</body></html>");
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = writer.write_all(response.as_bytes()).await;
    let _ = writer.close().await;
}

/// A minimal HTTP/1.1 GET: status line, headers, then a `Content-Length` body.
async fn get(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let (mut reader, mut writer) = corio::open_connection(addr).await?;
    writer
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut status = String::new();
    reader.read_line(&mut status).await?;
    if !status.starts_with("HTTP/1.1 200") {
        return Err(std::io::Error::other(format!(
            "{path}: {}",
            status.trim_end()
        )));
    }
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await?;
        if header.trim_end().is_empty() {
            break;
        }
        if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

#[corio::main]
async fn main() -> std::io::Result<()> {
    let server = corio::start_server("127.0.0.1:0", serve_http).await?;
    let addr = server.local_addr()?;
    println!("embedded HTTP server on {addr}; fetching {PAGES} pages, at most {IN_FLIGHT} at once");

    let start = Instant::now();
    let sem = Rc::new(corio::Semaphore::new(IN_FLIGHT));
    let done = Rc::new(Cell::new(0usize));
    let in_flight = Rc::new(Cell::new(0usize));
    let peak = Rc::new(Cell::new(0usize));
    let pages = corio::gather((0..PAGES).map(|i| {
        let (sem, done, in_flight, peak) =
            (sem.clone(), done.clone(), in_flight.clone(), peak.clone());
        async move {
            let _permit = sem.acquire().await.expect("the semaphore is never closed");
            in_flight.set(in_flight.get() + 1);
            peak.set(peak.get().max(in_flight.get()));
            let page = get(addr, &format!("/page/{i}")).await;
            in_flight.set(in_flight.get() - 1);
            done.set(done.get() + 1);
            if done.get() % 200 == 0 {
                println!(
                    "[{:>6.1} ms] {} pages fetched",
                    start.elapsed().as_secs_f64() * 1e3,
                    done.get()
                );
            }
            page
        }
    }))
    .await;
    let ok = pages.iter().filter(|p| p.is_ok()).count();
    println!(
        "fetched {ok}/{PAGES} pages in {:.0} ms, never more than {} in flight",
        start.elapsed().as_secs_f64() * 1e3,
        peak.get()
    );
    assert_eq!(ok, PAGES);
    assert!(peak.get() <= IN_FLIGHT);
    assert_eq!(
        pages[42].as_deref().ok(),
        Some("<html><body>/page/42</body></html>")
    );
    server.shutdown(Duration::from_secs(1)).await?;
    Ok(())
}
