//! Producers and consumers on a bounded Queue, with task_done and join: asyncio's queue
//! example.
//!
//! ```python
//! async def worker(name, queue):
//!     while True:
//!         delay = await queue.get()
//!         await asyncio.sleep(delay)
//!         queue.task_done()
//! queue = asyncio.Queue(maxsize=5)
//! for _ in range(20): await queue.put(...)
//! await queue.join()
//! ```

use std::rc::Rc;
use std::time::{Duration, Instant};

#[corio::main]
async fn main() {
    let start = Instant::now();
    let queue = Rc::new(corio::Queue::new(5));
    let workers: Vec<_> = (0..3)
        .map(|w| {
            let queue = queue.clone();
            corio::spawn(async move {
                let mut handled = 0;
                while let Ok(delay_ms) = queue.get().await {
                    corio::sleep(Duration::from_millis(delay_ms)).await;
                    handled += 1;
                    queue.task_done().unwrap();
                }
                println!("worker {w} stops after {handled} jobs (queue shut down)");
                handled
            })
        })
        .collect();

    for job in 0..20u64 {
        queue.put(5 + job % 3 * 5).await.unwrap(); // waits while 5 jobs are queued
    }
    println!(
        "[{:>4.0} ms] all 20 jobs queued; waiting for them to be done",
        start.elapsed().as_secs_f64() * 1e3
    );
    queue.join().await;
    println!(
        "[{:>4.0} ms] queue.join() returned",
        start.elapsed().as_secs_f64() * 1e3
    );
    queue.shutdown(false);
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    assert_eq!(total, 20);
}
