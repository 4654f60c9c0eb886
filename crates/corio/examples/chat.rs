//! A chat server: every line a client sends reaches all the other clients (a broadcast
//! server, the classic asyncio example built with a set of writers).
//!
//! `cargo run --example chat -- 127.0.0.1:7000` serves until Ctrl-C (connect with
//! `nc 127.0.0.1 7000` from several terminals), then closes gracefully
//! and exits with status 130. Without an address it runs a demo with three built-in
//! clients on a free port.

use std::process::ExitCode;
use std::time::Duration;

#[corio::main]
async fn main() -> std::io::Result<ExitCode> {
    let addr = std::env::args().nth(1);
    // Every connection subscribes to one broadcast channel and publishes what it reads.
    let (hub, _keep) = corio::broadcast::channel::<(u64, String)>(256);
    let next_id = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let server = corio::start_server(
        addr.as_deref().unwrap_or("127.0.0.1:0"),
        move |mut reader, mut writer| {
            let hub = hub.clone();
            let id = next_id.get();
            next_id.set(id + 1);
            async move {
                let mut inbox = hub.subscribe();
                // Forward others' lines to this client while reading its own.
                let forward = corio::spawn(async move {
                    while let Ok((from, line)) = inbox.recv().await {
                        if from != id
                            && writer
                                .write_all(format!("[{from}] {line}").as_bytes())
                                .await
                                .is_err()
                        {
                            break;
                        }
                    }
                });
                let mut line = String::new();
                while reader.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let _ = hub.send((id, std::mem::take(&mut line)));
                }
                forward.abort();
            }
        },
    )
    .await?;
    let local = server.local_addr()?;
    // Listening to Ctrl-C starts here, before the address is announced.
    let ctrl_c = addr.is_some().then(corio::signal::ctrl_c);
    println!("chat server on {local}");
    if let Some(ctrl_c) = ctrl_c {
        // Until Ctrl-C, which the program handles itself (so #[corio::main] does not
        // cancel main): the server stops accepting, gives the connections a grace
        // period, and closes.
        ctrl_c.await?;
        println!("Ctrl-C: closing the chat");
        server.shutdown(Duration::from_secs(5)).await?;
        println!("chat closed");
        return Ok(ExitCode::from(130));
    }

    // The demo: three clients; each one's line reaches the two others.
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(corio::open_connection(local).await?);
        corio::sleep(Duration::from_millis(5)).await; // let the server subscribe it
    }
    for (i, (_, w)) in clients.iter_mut().enumerate() {
        w.write_all(format!("hello from client {i}\n").as_bytes())
            .await?;
    }
    for (i, (r, _)) in clients.iter_mut().enumerate() {
        for _ in 0..2 {
            let mut line = String::new();
            corio::timeout(Duration::from_secs(2), r.read_line(&mut line))
                .await
                .map_err(std::io::Error::from)??;
            println!("client {i} got: {}", line.trim_end());
            assert!(
                !line.contains(&format!("client {i}\n")),
                "no echo to the sender"
            );
        }
    }
    drop(clients);
    server.shutdown(Duration::from_secs(1)).await?;
    Ok(ExitCode::SUCCESS)
}
