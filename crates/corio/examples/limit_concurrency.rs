//! Limiting concurrency with a Semaphore: the web-scraping pattern. Ten "downloads",
//! at most three at a time.
//!
//! ```python
//! sem = asyncio.Semaphore(3)
//! async def fetch(i):
//!     async with sem:
//!         await asyncio.sleep(0.05)
//! await asyncio.gather(*(fetch(i) for i in range(10)))
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[corio::main]
async fn main() {
    let start = Instant::now();
    let sem = Rc::new(corio::Semaphore::new(3));
    let active = Rc::new(Cell::new(0u32));
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let sem = sem.clone();
            let active = active.clone();
            corio::spawn(async move {
                let _permit = sem.acquire().await.unwrap(); // async with sem:
                active.set(active.get() + 1);
                println!(
                    "[{:>5.0} ms] fetching page {i} ({} in flight)",
                    start.elapsed().as_secs_f64() * 1e3,
                    active.get()
                );
                assert!(active.get() <= 3);
                corio::sleep(Duration::from_millis(50)).await; // the download
                active.set(active.get() - 1);
                i
            })
        })
        .collect();
    let mut pages = Vec::new();
    for t in tasks {
        pages.push(t.await.unwrap());
    }
    println!(
        "fetched {} pages in {:.0} ms (4 rounds of 50 ms, not 10)",
        pages.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
}
