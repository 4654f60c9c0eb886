//! A blocking call in async code, found by debug mode and fixed with `to_thread`:
//! asyncio's `time.sleep` versus `asyncio.sleep`.
//!
//! ```python
//! async def bad():
//!     time.sleep(0.2)            # blocks the whole loop
//! async def good():
//!     await asyncio.to_thread(time.sleep, 0.2)   # the loop stays free
//! asyncio.run(main(), debug=True)
//! ```
//!
//! Run it and read stderr: debug mode names the task, its id and where it was spawned.

use std::time::{Duration, Instant};

async fn heartbeat(beats: u32) -> u32 {
    let mut n = 0;
    for _ in 0..beats {
        corio::sleep(Duration::from_millis(20)).await;
        n += 1;
    }
    n
}

/// Debug mode: report polls that hold the loop longer than 50 ms.
fn run<F: std::future::Future>(main: F) -> F::Output {
    corio::Builder::new()
        .debug(true)
        .slow_poll_threshold(Duration::from_millis(50))
        .run(main)
}

fn main() {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;

    println!("1. std::thread::sleep inside a task blocks the loop:");
    let (beats, took) = run(async {
        let start = Instant::now();
        let beat = corio::spawn(heartbeat(10));
        let blocker = corio::task::Builder::new()
            .name("blocking-sleeper")
            .spawn(async {
                std::thread::sleep(Duration::from_millis(200)); // time.sleep: wrong in async code
            });
        blocker.await.unwrap();
        (beat.await.unwrap(), start.elapsed())
    });
    println!(
        "   heartbeat: {beats} beats in {:.0} ms (it stalled while the loop was blocked)",
        ms(took)
    );

    println!("2. the same work through to_thread keeps the loop free:");
    let (beats, took) = run(async {
        let start = Instant::now();
        let beat = corio::spawn(heartbeat(10));
        corio::to_thread(|| std::thread::sleep(Duration::from_millis(200)))
            .await
            .unwrap();
        (beat.await.unwrap(), start.elapsed())
    });
    println!(
        "   heartbeat: {beats} beats in {:.0} ms, no warning",
        ms(took)
    );
    println!(
        "slow polls reported by debug mode: {}",
        corio::executor::slow_polls_reported()
    );
}
