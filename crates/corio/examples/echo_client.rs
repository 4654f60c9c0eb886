//! asyncio's TCP echo client: send lines, print what comes back.
//!
//! ```python
//! reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
//! writer.write(message.encode()); await writer.drain()
//! data = await reader.readline()
//! ```
//!
//! `cargo run --example echo_client -- 127.0.0.1:8888 some words` talks to a running
//! `echo_server`. Without an address it starts a small echo server of its own first.

use std::time::Duration;

#[corio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (addr, server) = match args.next() {
        Some(addr) => (addr, None),
        None => {
            let server = corio::start_server("127.0.0.1:0", |mut r, mut w| async move {
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let _ = w.write_all(line.as_bytes()).await;
                    line.clear();
                }
            })
            .await?;
            (server.local_addr()?.to_string(), Some(server))
        }
    };
    let words: Vec<String> = {
        let rest: Vec<String> = args.collect();
        if rest.is_empty() {
            vec!["ping".into(), "pong".into()]
        } else {
            rest
        }
    };

    let (mut reader, mut writer) = match corio::open_connection(addr.as_str()).await {
        Ok(pair) => pair,
        Err(e) => {
            // e.g. "connection refused (127.0.0.1:8888)": the address is in the message.
            eprintln!("cannot connect: {e}");
            return Err(e);
        }
    };
    for w in &words {
        writer.write(format!("{w}\n").as_bytes());
        writer.drain().await?;
        let mut line = String::new();
        reader.read_line(&mut line).await?;
        println!("{addr} echoed {:?}", line.trim_end());
    }
    writer.close().await?;
    if let Some(server) = server {
        server.shutdown(Duration::from_secs(1)).await?;
    }
    Ok(())
}
