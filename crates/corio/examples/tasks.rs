//! Tasks run concurrently: asyncio's "Coroutines and Tasks" tutorial program. Awaiting
//! two coroutines one after the other takes the sum of their times; starting them as
//! tasks first takes the longest of their times.
//!
//! ```python
//! async def say_after(delay, what):
//!     await asyncio.sleep(delay)
//!     print(what)
//!
//! async def main():
//!     await say_after(1, 'hello')            # sequential: 3 s in all
//!     await say_after(2, 'world')
//!     task1 = asyncio.create_task(say_after(1, 'hello'))
//!     task2 = asyncio.create_task(say_after(2, 'world'))
//!     await task1                            # concurrent: 2 s in all
//!     await task2
//! ```

use std::time::{Duration, Instant};

async fn say_after(delay: Duration, what: &'static str) -> &'static str {
    corio::sleep(delay).await;
    println!("  {what}");
    what
}

#[corio::main]
async fn main() {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let unit = Duration::from_millis(100);

    println!("sequential: await one coroutine, then the other");
    let start = Instant::now();
    say_after(unit, "hello").await;
    say_after(2 * unit, "world").await;
    let sequential = start.elapsed();
    println!("  took {:.0} ms (1 + 2 units)", ms(sequential));

    println!("concurrent: create both tasks, then await them");
    let start = Instant::now();
    let task1 = corio::create_task(say_after(unit, "hello"));
    let task2 = corio::create_task(say_after(2 * unit, "world"));
    let results = (task1.await.unwrap(), task2.await.unwrap());
    let concurrent = start.elapsed();
    println!(
        "  results {results:?}, took {:.0} ms (max of 1 and 2 units)",
        ms(concurrent)
    );

    assert!(sequential >= 3 * unit);
    assert!(concurrent < sequential);
}
