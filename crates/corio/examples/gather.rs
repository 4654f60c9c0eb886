//! asyncio.gather: run coroutines concurrently and collect their results in order, with
//! and without `return_exceptions=True`.
//!
//! ```python
//! async def factorial(name, number):
//!     f = 1
//!     for i in range(2, number + 1):
//!         await asyncio.sleep(0.01)
//!         f *= i
//!     return f
//!
//! results = await asyncio.gather(factorial("A", 2), factorial("B", 3), factorial("C", 4))
//! ```

use std::time::{Duration, Instant};

async fn factorial(name: &'static str, number: u64) -> u64 {
    let mut f = 1;
    for i in 2..=number {
        println!("  task {name}: compute factorial({number}), currently i={i}...");
        corio::sleep(Duration::from_millis(10)).await;
        f *= i;
    }
    println!("  task {name}: factorial({number}) = {f}");
    f
}

async fn parse(text: &'static str) -> Result<i64, String> {
    corio::sleep(Duration::from_millis(5)).await;
    text.parse().map_err(|e| format!("{text:?}: {e}"))
}

#[corio::main]
async fn main() {
    let start = Instant::now();

    println!("gather! of three different futures, results as a tuple:");
    let (a, b, c) = corio::gather!(factorial("A", 2), factorial("B", 3), factorial("C", 4)).await;
    println!(
        "  -> ({a}, {b}, {c}) in {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!((a, b, c), (2, 6, 24));

    println!("gather over many of one type, results in input order:");
    let squares = corio::gather((1..=5u64).map(|n| async move {
        corio::sleep(Duration::from_millis(10 * (6 - n))).await; // the last finishes first
        n * n
    }))
    .await;
    println!("  -> {squares:?}");
    assert_eq!(squares, [1, 4, 9, 16, 25]);

    println!("gather_settled (return_exceptions=True): every outcome, failures included:");
    let settled = corio::gather_settled(["1", "two", "3"].map(parse)).await;
    println!("  -> {settled:?}");
    assert!(settled[1].is_err());

    println!("try_gather: the first error returns at once, the rest are dropped:");
    let first_error = corio::try_gather(["1", "two", "3"].map(parse)).await;
    println!("  -> {first_error:?}");
    assert!(first_error.is_err());
}
