//! asyncio's TCP echo server: every line a client sends comes back.
//!
//! ```python
//! async def handle_echo(reader, writer):
//!     while line := await reader.readline():
//!         writer.write(line)
//!         await writer.drain()
//!     writer.close()
//!
//! server = await asyncio.start_server(handle_echo, '127.0.0.1', 8888)
//! ```
//!
//! `cargo run --example echo_server -- 127.0.0.1:8888` serves until Ctrl-C (try
//! `cargo run --example echo_client -- 127.0.0.1:8888`), then closes gracefully and exits
//! with status 130, as a program stopped by Ctrl-C does. Without an address it serves on
//! a free port for a short demo with a built-in client, then shuts down gracefully.

use std::process::ExitCode;
use std::time::{Duration, Instant};

#[corio::main]
async fn main() -> std::io::Result<ExitCode> {
    let addr = std::env::args().nth(1);
    let server = corio::start_server(
        addr.as_deref().unwrap_or("127.0.0.1:0"),
        |mut reader, mut writer| async move {
            let mut line = String::new();
            while reader.read_line(&mut line).await.unwrap_or(0) > 0 {
                writer.write(line.as_bytes());
                if writer.drain().await.is_err() {
                    break;
                }
                line.clear();
            }
            let _ = writer.close().await;
        },
    )
    .await?;
    let local = server.local_addr()?;
    // ANCHOR: ctrl_c
    // Listening to Ctrl-C starts here, before the address is announced.
    let ctrl_c = addr.is_some().then(corio::signal::ctrl_c);
    println!("serving on {local}");

    if let Some(ctrl_c) = ctrl_c {
        // Serve until Ctrl-C. Listening to it here means the program handles Ctrl-C
        // itself (asyncio: loop.add_signal_handler), instead of #[corio::main]
        // cancelling main: the server gets to close its connections.
        ctrl_c.await?;
        println!("Ctrl-C: closing the server");
        server.shutdown(Duration::from_secs(5)).await?;
        println!("server closed");
        return Ok(ExitCode::from(130));
    }
    // ANCHOR_END: ctrl_c

    // The demo: a client sends three lines and reads them back.
    let start = Instant::now();
    let (mut reader, mut writer) = corio::open_connection(local).await?;
    for text in ["hello", "from", "corio"] {
        writer.write_all(format!("{text}\n").as_bytes()).await?;
        let mut echoed = String::new();
        reader.read_line(&mut echoed).await?;
        println!(
            "[{:>5.2} ms] sent {text:?}, got back {:?}",
            start.elapsed().as_secs_f64() * 1e3,
            echoed.trim_end()
        );
        assert_eq!(echoed.trim_end(), text);
    }
    writer.close().await?;
    server.shutdown(Duration::from_secs(1)).await?;
    println!("server shut down gracefully");
    Ok(ExitCode::SUCCESS)
}
