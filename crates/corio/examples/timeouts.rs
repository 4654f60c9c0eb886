//! Timeouts: asyncio.timeout, wait_for, and a deadline that moves.
//!
//! ```python
//! try:
//!     async with asyncio.timeout(0.05):
//!         await long_running_task()
//! except TimeoutError:
//!     print("The long operation timed out")
//! ```

use std::time::{Duration, Instant};

async fn long_running_task() -> &'static str {
    corio::sleep(Duration::from_secs(3600)).await;
    "finished"
}

#[corio::main]
async fn main() {
    let start = Instant::now();
    let ms = || start.elapsed().as_secs_f64() * 1e3;

    match corio::timeout(Duration::from_millis(50), long_running_task()).await {
        Ok(v) => println!("[{:>4.0} ms] got {v}", ms()),
        Err(e) => println!("[{:>4.0} ms] the long operation timed out ({e})", ms()),
    }

    // wait_for: the inner future is dropped (cancelled) before the error returns.
    let quick = corio::wait_for(async { "quick" }, Some(Duration::from_millis(50))).await;
    println!("[{:>4.0} ms] wait_for of a quick future: {quick:?}", ms());

    // A deadline that moves: asyncio.timeout's reschedule().
    let mut guarded = std::pin::pin!(corio::timeout(Duration::from_millis(20), async {
        corio::sleep(Duration::from_millis(60)).await;
        "done after 60 ms"
    }));
    let later = corio::clock::now() + Duration::from_millis(100);
    guarded.as_mut().reschedule(Some(later)); // give it more time
    println!(
        "[{:>4.0} ms] rescheduled to +100 ms: {:?} (deadline {:?} from now)",
        ms(),
        guarded.as_mut().await,
        later.saturating_duration_since(corio::clock::now())
    );
}
