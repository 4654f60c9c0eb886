//! Peak resident memory per idle task and per pending timer, one runtime per process so
//! that no allocator state carries over between measurements:
//!
//! ```text
//! memory tasks|timers corio|tokio|smol
//! ```
//!
//! prints one line, `memory <what> <runtime> <bytes_per_item>`, where the figure is the
//! growth of VmHWM (peak resident set, `/proc/self/status`) from just before the items
//! are made to just after, divided by 1 000 000.
//!
//! - `tasks`: 1 000 000 spawned tasks, each awaiting the receiving half of a
//!   `futures::channel::oneshot` whose sender is kept alive, so every task is parked with
//!   its waker registered and never completes. The program keeps every join handle and
//!   sender, as a real one would to finish or cancel the tasks later; their share (two
//!   pointers and the channel's shared allocation, the same for every runtime) is part of
//!   the figure. The probe yields until a counter shows every task has been polled once.
//! - `timers`: 1 000 000 sleeps with deadlines 10 to 70 s away, each polled once so that
//!   it is registered with the runtime's timer; the handle the program keeps (boxed where
//!   the runtime's sleep is `!Unpin`) is part of the figure.
//!
//! corio runs on its `LocalExecutor` with its own timer wheel, tokio on its
//! current-thread runtime, smol as async-executor's `LocalExecutor` under
//! `async_io::block_on` with async-io's `Timer`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use futures::channel::oneshot;

const ITEMS: usize = 1_000_000;

fn vm_hwm_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kib| kib.parse::<usize>().ok())
        .expect("VmHWM in /proc/self/status")
        * 1024
}

/// Deadlines spread over 10 to 70 s (xorshift64), so that none fires during the probe.
fn delays() -> impl Iterator<Item = Duration> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..ITEMS).map(move |_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        Duration::from_secs(10) + Duration::from_micros(x % 60_000_000)
    })
}

/// The body of every idle task: count the first poll, then wait forever.
async fn idle(rx: oneshot::Receiver<()>, polled: Arc<AtomicUsize>) {
    polled.fetch_add(1, Ordering::Relaxed);
    let _ = rx.await;
}

/// Yields (with the runtime's own yield) until every task has been polled once.
async fn until_all_polled<Y: Future<Output = ()>>(polled: &AtomicUsize, yield_now: impl Fn() -> Y) {
    while polled.load(Ordering::Relaxed) < ITEMS {
        yield_now().await;
    }
}

/// Polls every timer once, so that each is registered, and checks none has fired.
async fn register<F: Future + Unpin>(timers: &mut [F]) {
    std::future::poll_fn(|cx| {
        for t in timers.iter_mut() {
            assert!(Pin::new(t).poll(cx).is_pending(), "a timer fired early");
        }
        Poll::Ready(())
    })
    .await
}

fn channels() -> (Vec<oneshot::Sender<()>>, Vec<oneshot::Receiver<()>>) {
    (0..ITEMS).map(|_| oneshot::channel()).unzip()
}

fn tasks(runtime: &str) -> Option<usize> {
    let polled = Arc::new(AtomicUsize::new(0));
    let grown = match runtime {
        "corio" => {
            let ex = corio::LocalExecutor::new();
            ex.block_on(async {
                let before = vm_hwm_bytes();
                let (senders, receivers) = channels();
                let handles: Vec<_> = receivers
                    .into_iter()
                    .map(|rx| corio::spawn(idle(rx, polled.clone())))
                    .collect();
                until_all_polled(&polled, corio::yield_now).await;
                let grown = vm_hwm_bytes() - before;
                drop((senders, handles));
                grown
            })
        }
        "tokio" => {
            let rt = corio_benches::tokio_current_thread();
            rt.block_on(async {
                let before = vm_hwm_bytes();
                let (senders, receivers) = channels();
                let handles: Vec<_> = receivers
                    .into_iter()
                    .map(|rx| tokio::spawn(idle(rx, polled.clone())))
                    .collect();
                until_all_polled(&polled, tokio::task::yield_now).await;
                let grown = vm_hwm_bytes() - before;
                drop((senders, handles));
                grown
            })
        }
        "smol" => {
            let ex = async_executor::LocalExecutor::new();
            async_io::block_on(ex.run(async {
                let before = vm_hwm_bytes();
                let (senders, receivers) = channels();
                let handles: Vec<_> = receivers
                    .into_iter()
                    .map(|rx| ex.spawn(idle(rx, polled.clone())))
                    .collect();
                until_all_polled(&polled, futures_lite::future::yield_now).await;
                let grown = vm_hwm_bytes() - before;
                drop((senders, handles));
                grown
            }))
        }
        _ => return None,
    };
    Some(grown)
}

fn timers(runtime: &str) -> Option<usize> {
    let grown = match runtime {
        "corio" => corio::Builder::new().build_local().block_on(async {
            let before = vm_hwm_bytes();
            let mut timers: Vec<_> = delays().map(corio::sleep).collect();
            register(&mut timers).await;
            vm_hwm_bytes() - before
        }),
        "tokio" => tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("tokio runtime")
            .block_on(async {
                let before = vm_hwm_bytes();
                let mut timers: Vec<_> =
                    delays().map(|d| Box::pin(tokio::time::sleep(d))).collect();
                register(&mut timers).await;
                vm_hwm_bytes() - before
            }),
        "smol" => async_io::block_on(async {
            let before = vm_hwm_bytes();
            let mut timers: Vec<_> = delays().map(async_io::Timer::after).collect();
            register(&mut timers).await;
            vm_hwm_bytes() - before
        }),
        _ => return None,
    };
    Some(grown)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (what, runtime) = match args.as_slice() {
        [what, runtime] => (what.as_str(), runtime.as_str()),
        _ => ("", ""),
    };
    let grown = match what {
        "tasks" => tasks(runtime),
        "timers" => timers(runtime),
        _ => None,
    };
    match grown {
        Some(bytes) => println!("memory {what} {runtime} {}", bytes / ITEMS),
        None => {
            eprintln!("usage: memory tasks|timers corio|tokio|smol (got {args:?})");
            std::process::exit(2);
        }
    }
}
