//! A plain thread submits work to a running loop and waits for the answer: asyncio's
//! `run_coroutine_threadsafe` and `call_soon_threadsafe`.
//!
//! ```python
//! def worker(loop):
//!     future = asyncio.run_coroutine_threadsafe(compute(21), loop)
//!     print(future.result())
//! ```

use std::time::Instant;

async fn compute(x: u64) -> u64 {
    corio::yield_now().await; // pretend to wait for something
    x * 2
}

#[corio::main]
async fn main() {
    let start = Instant::now();
    let handle = corio::Handle::current();
    // asyncio's `loop.create_future()`, set from the callback below.
    let (done_tx, done_rx) = corio::oneshot::channel();

    // A plain OS thread, outside the loop.
    let worker = std::thread::spawn(move || {
        // run_coroutine_threadsafe: spawn onto the loop, block this thread for the result.
        let answer = handle.spawn(compute(21)).join_blocking().unwrap();
        println!(
            "[{:>6.2} ms] worker thread got {answer} from the loop",
            start.elapsed().as_secs_f64() * 1e3
        );
        // call_soon_threadsafe: a plain callback run on the loop's thread.
        handle
            .call_soon(move || {
                println!(
                    "[{:>6.2} ms] callback runs on the loop thread ({:?})",
                    start.elapsed().as_secs_f64() * 1e3,
                    std::thread::current().name()
                );
                let _ = done_tx.send(());
            })
            .unwrap();
    });

    // The loop is free while the thread works: `main` sleeps until the callback sets the
    // one-shot future (no polling), and the submitted task runs meanwhile.
    done_rx.await.expect("the callback ran");
    // Join the thread on the blocking pool, so the loop's thread never blocks on it.
    corio::to_thread(move || worker.join().unwrap())
        .await
        .unwrap();
    println!("[{:>6.2} ms] done", start.elapsed().as_secs_f64() * 1e3);
}
