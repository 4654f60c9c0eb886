//! asyncio.TaskGroup: structured concurrency. Every child is joined before the group
//! returns; the first failure cancels the siblings; every failure is reported together.
//!
//! ```python
//! async with asyncio.TaskGroup() as tg:
//!     task1 = tg.create_task(some_coro(...))
//!     task2 = tg.create_task(another_coro(...))
//! print(f"Both tasks have completed now: {task1.result()}, {task2.result()}")
//! ```

use std::time::{Duration, Instant};

async fn work(name: &'static str, ms: u64) -> Result<&'static str, String> {
    corio::sleep(Duration::from_millis(ms)).await;
    Ok(name)
}

#[corio::main]
async fn main() {
    let start = Instant::now();
    let ms = || start.elapsed().as_secs_f64() * 1e3;

    println!("a group whose children all succeed:");
    let both = corio::task_group(|tg| async move {
        let t1 = tg.spawn(work("first", 20)).unwrap();
        let t2 = tg.spawn(work("second", 10)).unwrap();
        Ok::<_, String>((t1.await.unwrap(), t2.await.unwrap()))
    })
    .await
    .unwrap();
    println!(
        "  [{:>4.0} ms] both tasks have completed now: {both:?}",
        ms()
    );

    println!("a group where a child fails: the rest are cancelled, the error lists every failure:");
    let failed = corio::task_group(|tg| async move {
        tg.spawn(async {
            corio::sleep(Duration::from_millis(5)).await; // fails in the same turn as the next
            Err::<(), _>("the database is down".to_string())
        })
        .unwrap();
        tg.spawn(async {
            corio::sleep(Duration::from_millis(5)).await;
            Err::<(), _>("the cache is down too".to_string())
        })
        .unwrap();
        tg.spawn(async {
            corio::sleep(Duration::from_secs(3600)).await; // cancelled by the first failure
            println!("  this line never prints");
            Ok(())
        })
        .unwrap();
        Ok::<_, String>(())
    })
    .await;
    let err = failed.unwrap_err();
    println!("  [{:>4.0} ms] the group failed: {err}", ms());
    for f in err.failures() {
        println!("    - {f:?}");
    }
    assert!(
        ms() < 1000.0,
        "the hour-long sibling was cancelled, not awaited"
    );
}
