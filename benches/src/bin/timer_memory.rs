//! Memory per pending timer: creates 1 000 000 sleeps on one runtime (`corio`, `tokio` or
//! `async-io`, the first argument), polls each once so that it is registered with its
//! timer, and prints the growth of the peak resident set (VmHWM in /proc/self/status)
//! divided by the number of timers:
//!
//! ```text
//! timer_memory <runtime> <bytes_per_timer>
//! ```
//!
//! The figure counts what a program holding that many timers pays: the handle the user
//! keeps (boxed where the runtime's sleep is `!Unpin`, as one must to store it) plus the
//! entry in the runtime's timer structure. Deadlines are 10 to 70 s away so none fires.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

const TIMERS: usize = 1_000_000;

fn vm_hwm_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmHWM value");
    kib * 1024
}

fn delays() -> impl Iterator<Item = Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..TIMERS).map(move |_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Duration::from_secs(10) + Duration::from_micros(x % 60_000_000)
    })
}

/// Polls every future once (registering its timer) and returns the VmHWM growth.
async fn register_all<F: Future + Unpin>(timers: &mut [F], before: usize) -> usize {
    std::future::poll_fn(|cx| {
        for t in timers.iter_mut() {
            assert!(Pin::new(t).poll(cx).is_pending(), "a timer fired early");
        }
        Poll::Ready(())
    })
    .await;
    vm_hwm_bytes() - before
}

fn main() {
    let runtime = std::env::args().nth(1).unwrap_or_else(|| "corio".into());
    let grown = match runtime.as_str() {
        "corio" => {
            let ex = corio::Builder::new().build_local();
            ex.block_on(async {
                let before = vm_hwm_bytes();
                let mut timers = Vec::with_capacity(TIMERS);
                timers.extend(delays().map(corio::sleep));
                let grown = register_all(&mut timers, before).await;
                eprintln!("size_of::<corio::Sleep>() = {}", size_of::<corio::Sleep>());
                grown
            })
        }
        "tokio" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("tokio runtime");
            rt.block_on(async {
                let before = vm_hwm_bytes();
                let mut timers = Vec::with_capacity(TIMERS);
                timers.extend(delays().map(|d| Box::pin(tokio::time::sleep(d))));
                let grown = register_all(&mut timers, before).await;
                eprintln!(
                    "size_of::<tokio::time::Sleep>() = {} (boxed)",
                    size_of::<tokio::time::Sleep>()
                );
                grown
            })
        }
        "async-io" => async_io::block_on(async {
            let before = vm_hwm_bytes();
            let mut timers = Vec::with_capacity(TIMERS);
            timers.extend(delays().map(async_io::Timer::after));
            let grown = register_all(&mut timers, before).await;
            eprintln!(
                "size_of::<async_io::Timer>() = {}",
                size_of::<async_io::Timer>()
            );
            grown
        }),
        other => {
            eprintln!("usage: timer_memory corio|tokio|async-io (got {other:?})");
            std::process::exit(2);
        }
    };
    println!("timer_memory {runtime} {}", grown / TIMERS);
}
