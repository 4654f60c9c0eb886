//! Failures in tasks: an error returned by a task reaches whoever awaits it, and a task
//! that panics becomes a `JoinError::Panicked` while the loop and the other tasks carry on.
//!
//! ```python
//! async def fails():
//!     raise ValueError("bad input")
//!
//! async def main():
//!     task = asyncio.create_task(fails())
//!     try:
//!         await task
//!     except ValueError as e:
//!         print("caught:", e)
//! ```

use std::time::Instant;

#[derive(Debug)]
struct BadInput(&'static str);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad input: {}", self.0)
    }
}

async fn parse(text: &'static str) -> Result<u32, BadInput> {
    corio::yield_now().await;
    text.parse().map_err(|_| BadInput(text))
}

#[corio::main]
async fn main() {
    let start = Instant::now();

    // 1. An error is a value: the task completed, and its value is an Err.
    let task = corio::create_task(parse("forty-two"));
    match task.await {
        Ok(Ok(n)) => println!("parsed {n}"),
        Ok(Err(e)) => println!("caught the task's error: {e}"),
        Err(join) => println!("the task itself failed: {join}"),
    }

    // 2. A panic is caught; the other tasks keep running.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or("?");
        println!("  (panic hook) a task panicked: {msg}")
    }));
    let steady = corio::spawn(async {
        for i in 0..3 {
            println!("  steady task, step {i}");
            corio::yield_now().await;
        }
        "steady task finished"
    });
    let crashing = corio::task::Builder::new().name("crasher").spawn(async {
        corio::yield_now().await;
        panic!("division by zero");
    });
    match crashing.await {
        Err(e) if e.is_panic() => println!("caught the panic: {e}"),
        other => println!("unexpected: {other:?}"),
    }
    println!("{}", steady.await.unwrap());
    let _ = std::panic::take_hook();
    println!("done in {:?}", start.elapsed());
}
