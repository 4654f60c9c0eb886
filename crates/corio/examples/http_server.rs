//! A small JSON API with graceful shutdown: aiohttp.web's job on `corio::http::Server`.
//!
//! ```python
//! async def list_items(request):
//!     return web.json_response(items)
//! app = web.Application()
//! app.add_routes([web.get("/items", list_items), web.post("/items", add_item)])
//! web.run_app(app)
//! ```
//!
//! Run as is, it starts the server, calls it with `corio::http::Client` and shuts down
//! gracefully while a slow request is still in flight (which finishes). With `--serve
//! [ADDR]` it serves on ADDR (127.0.0.1:8080 by default) until Ctrl-C, then shuts down
//! gracefully (requests in flight finish) and exits with status 130, e.g. for
//! `curl -d '{"name":"pen"}' localhost:8080/items`.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::http::server::{Request, Response, full, json, read_json};
use corio::http::{Client, Method, Server, StatusCode};

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Item {
    name: String,
}

/// The application's state, shared by every request (any worker may serve one).
#[derive(Default)]
struct App {
    items: Mutex<Vec<Item>>,
    /// Set when a `/slow` request has begun (the demo shuts down then).
    slow_started: corio::Event,
}

async fn route(app: Arc<App>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    match (req.method().clone(), path.as_str()) {
        (Method::GET, "/items") => json(&*app.items.lock().unwrap()),
        (Method::POST, "/items") => match read_json::<Item>(req).await {
            Ok(item) => {
                app.items.lock().unwrap().push(item.clone());
                let mut r = json(&item);
                *r.status_mut() = StatusCode::CREATED;
                r
            }
            Err(e) => full(StatusCode::UNPROCESSABLE_ENTITY, format!("bad item: {e}")),
        },
        (Method::GET, "/slow") => {
            app.slow_started.set();
            corio::sleep(Duration::from_millis(200)).await;
            json(&Item {
                name: "slow, but finished".into(),
            })
        }
        _ => full(StatusCode::NOT_FOUND, "no such route"),
    }
}

#[corio::main]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let app = Arc::new(App::default());
    let args: Vec<String> = std::env::args().skip(1).collect();
    let serve_forever = args.first().is_some_and(|a| a == "--serve");
    let addr = match (serve_forever, args.get(1)) {
        (true, Some(addr)) => addr.as_str(),
        (true, None) => "127.0.0.1:8080",
        (false, _) => "127.0.0.1:0",
    };
    let server = Server::bind(addr)
        .await?
        .header_read_timeout(Duration::from_secs(10))
        .max_connections(10_000)
        .serve({
            let app = app.clone();
            move |req| route(app.clone(), req)
        });
    let base = format!("http://{}", server.local_addr());

    if serve_forever {
        // Listening to Ctrl-C here means the program handles it itself (asyncio's
        // loop.add_signal_handler) instead of #[corio::main] cancelling main: requests in
        // flight get to finish.
        let ctrl_c = corio::signal::ctrl_c();
        println!("serving a JSON API on {base}; Ctrl-C stops it");
        ctrl_c.await?;
        println!("Ctrl-C: shutting down, letting requests in flight finish");
        let cut = server.shutdown(Duration::from_secs(5)).await;
        println!("graceful shutdown: {cut} connection(s) cut off");
        return Ok(ExitCode::from(130));
    }
    println!("serving a JSON API on {base}");
    {
        let client = Client::new();
        for name in ["pen", "paper"] {
            let created = client
                .post(format!("{base}/items"))
                .json(&Item { name: name.into() })
                .send()
                .await?
                .error_for_status()?;
            println!("POST /items -> {}", created.status());
        }
        let items: Vec<Item> = client
            .get(format!("{base}/items"))
            .send()
            .await?
            .json()
            .await?;
        println!("GET /items -> {items:?}");
        let missing = client.get(format!("{base}/nope")).send().await?;
        println!("GET /nope -> {}", missing.status());

        // A slow request in flight while we shut down: it still finishes.
        let slow = corio::spawn({
            let (client, url) = (client.clone(), format!("{base}/slow"));
            async move { client.get(url).send().await?.text().await }
        });
        app.slow_started.wait().await; // the slow request is in its handler
        drop(client); // the idle keep-alive connections close
        let cut = server.shutdown(Duration::from_secs(5)).await;
        println!("GET /slow (during shutdown) -> {}", slow.await??);
        println!("graceful shutdown: {cut} connection(s) cut off");
    }
    Ok(ExitCode::SUCCESS)
}
