//! The code samples of the book (docs/), compiled and run as tests: each chapter includes
//! the region between its `ANCHOR` markers, so a sample cannot drift from the code.

use std::time::Duration;

// ANCHOR: intro
async fn fetch() -> &'static str {
    corio::sleep(Duration::from_millis(10)).await; // the network
    "page"
}

#[corio::test]
async fn intro() {
    let task = corio::create_task(fetch());
    corio::sleep(Duration::from_millis(1)).await;
    println!("{:?}", task.await);
}
// ANCHOR_END: intro

// ANCHOR: paused
#[corio::test(start_paused = true)]
async fn retries_back_off() {
    let t0 = corio::clock::now();
    corio::sleep(Duration::from_secs(3600)).await;
    assert_eq!(corio::clock::now() - t0, Duration::from_secs(3600));
}
// ANCHOR_END: paused

async fn download() -> Vec<u8> {
    corio::sleep(Duration::from_secs(60)).await;
    vec![1, 2, 3]
}

#[corio::test]
async fn cancel() {
    // ANCHOR: cancel
    let mut task = corio::spawn(download());
    corio::yield_now().await; // it starts, and waits on the network
    let cancelled = task.cancel_with("user pressed stop").await; // waits until unwound
    assert!(cancelled);
    let err = task.await.unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(err.to_string(), "task was cancelled: user pressed stop");
    // ANCHOR_END: cancel
}

fn crunch(chunk: Vec<u64>) -> u64 {
    chunk.iter().map(|x| x * x).sum()
}

#[test]
fn multi_thread() {
    let chunks: Vec<Vec<u64>> = (0..8).map(|i| (i * 100..(i + 1) * 100).collect()).collect();
    // ANCHOR: multi_thread
    let ex = corio::Builder::multi_thread().workers(4).build();
    let total = ex.block_on(async {
        let parts: Vec<_> = chunks
            .into_iter()
            .map(|c| corio::spawn_send(async move { crunch(c) }))
            .collect();
        let mut total = 0;
        for p in parts {
            total += p.await.unwrap();
        }
        total
    });
    // ANCHOR_END: multi_thread
    assert_eq!(total, (0..800u64).map(|x| x * x).sum::<u64>());
}

#[corio::test]
async fn networking() -> std::io::Result<()> {
    // ANCHOR: networking
    // asyncio's start_server: a handler per connection, with buffered reader and writer.
    let server = corio::start_server("127.0.0.1:0", |mut reader, mut writer| async move {
        let mut name = String::new();
        reader.read_line(&mut name).await.unwrap();
        writer
            .write_all(format!("hello, {name}").as_bytes())
            .await
            .unwrap();
    })
    .await?;

    // asyncio's open_connection.
    let (mut reader, mut writer) = corio::open_connection(server.local_addr()?).await?;
    writer.write_all(b"corio\n").await?;
    let mut reply = String::new();
    reader.read_line(&mut reply).await?;
    assert_eq!(reply, "hello, corio\n");
    server.shutdown(Duration::from_secs(1)).await?;
    // ANCHOR_END: networking
    Ok(())
}
