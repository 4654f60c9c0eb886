//! The web-scraping pattern, for real: fetch 1 000 pages over HTTPS with
//! `corio::http::Client`, at most 50 in flight, with a progress line and the total time.
//!
//! ```python
//! sem = asyncio.Semaphore(50)
//! async def fetch(session, url):
//!     async with sem:
//!         async with session.get(url) as resp:
//!             return await resp.text()
//! async with aiohttp.ClientSession() as session:
//!     pages = await asyncio.gather(*(fetch(session, u) for u in urls))
//! ```
//!
//! The HTTPS server is started by the example itself, with a self-signed certificate
//! generated at run time, which the client trusts through `add_root_certificate`: the
//! example runs on one machine with nothing installed and no network.

use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use corio::http::{Certificate, Client, Identity, Server};

const PAGES: usize = 1_000;
const IN_FLIGHT: usize = 50;

/// The "web site": `GET /page/N` answers a small HTML page after a little server time.
async fn page(req: corio::http::server::Request) -> corio::http::server::Response {
    corio::sleep(Duration::from_millis(2)).await; // the server "works"
    corio::http::server::text(format!("<html><body>{}</body></html>", req.uri().path()))
}

#[corio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A certificate for "localhost", made now; the server presents it, the client trusts it.
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    let identity = Identity::from_pem(cert_pem.as_bytes(), key_pem.as_bytes())?;
    let server = Server::bind("127.0.0.1:0")
        .await?
        .tls(identity)?
        .serve(page);
    let base = format!("https://localhost:{}", server.local_addr().port());
    println!("HTTPS server on {base}; fetching {PAGES} pages, at most {IN_FLIGHT} at once");

    // ANCHOR: client
    let client = Client::builder()
        .add_root_certificate(Certificate::from_pem(cert_pem.as_bytes())?)
        .build()?;
    let sem = Rc::new(corio::Semaphore::new(IN_FLIGHT));
    let done = Rc::new(std::cell::Cell::new(0usize));
    let start = Instant::now();
    let pages = corio::gather((0..PAGES).map(|i| {
        let (client, sem, done, url) = (
            client.clone(),
            sem.clone(),
            done.clone(),
            format!("{base}/page/{i}"),
        );
        async move {
            let _permit = sem.acquire().await.expect("the semaphore is never closed");
            let page = client
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .text()
                .await;
            done.set(done.get() + 1);
            if done.get() % 50 == 0 {
                print!(
                    "\r[{:>7.1} ms] {:>4}/{PAGES} pages",
                    start.elapsed().as_secs_f64() * 1e3,
                    done.get()
                );
                let _ = std::io::stdout().flush();
            }
            page
        }
    }))
    .await;
    // ANCHOR_END: client
    let elapsed = start.elapsed();
    println!();
    let ok = pages.iter().filter(|p| p.is_ok()).count();
    println!(
        "fetched {ok}/{PAGES} pages in {:.0} ms ({:.0} pages/s) over {} connection(s)",
        elapsed.as_secs_f64() * 1e3,
        PAGES as f64 / elapsed.as_secs_f64(),
        client.open_connections(),
    );
    if let Some(Err(e)) = pages.iter().find(|p| p.is_err()) {
        return Err(format!("a page failed: {e}").into());
    }
    assert_eq!(
        pages[42].as_deref().ok(),
        Some("<html><body>/page/42</body></html>")
    );
    drop(client);
    server.shutdown(Duration::from_secs(1)).await;
    Ok(())
}
