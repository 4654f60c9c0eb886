//! Debug mode: naming the task that blocked the loop.

use std::time::Duration;

use crate::meta::TaskMeta;

/// Prints the slow-poll warning: the task, its id, where it was spawned, and how long its
/// poll held the thread. This is how a `std::thread::sleep` (or any blocking call) hiding
/// in async code is found.
pub(crate) fn report_slow_poll(meta: &TaskMeta, took: Duration, threshold: Duration) {
    let name = meta.name().map(|n| format!(" '{n}'")).unwrap_or_default();
    eprintln!(
        "corio debug: task {}{name} (spawned at {}) held its thread for {:.1} ms in one poll \
         (threshold {:.0} ms): a blocking call in async code? Move it to corio::to_thread.",
        meta.id,
        meta.location,
        took.as_secs_f64() * 1e3,
        threshold.as_secs_f64() * 1e3,
    );
    crate::debug::SLOW_POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The same warning for the future given to `run` / `block_on`, which is not a task but
/// blocks the loop just the same (asyncio's debug mode reports it too: its main coroutine
/// is a task there).
pub(crate) fn report_slow_main_poll(
    location: &'static std::panic::Location<'static>,
    took: Duration,
    threshold: Duration,
) {
    eprintln!(
        "corio debug: the main future (given to run / block_on at {location}) held its thread \
         for {:.1} ms in one poll (threshold {:.0} ms): a blocking call in async code? Move it \
         to corio::to_thread.",
        took.as_secs_f64() * 1e3,
        threshold.as_secs_f64() * 1e3,
    );
    crate::debug::SLOW_POLLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// How many slow polls debug mode has reported in this process.
pub(crate) static SLOW_POLLS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// How many slow polls debug mode has reported in this process.
///
/// # Examples
///
/// ```
/// let before = corio_executor::slow_polls_reported();
/// corio_executor::Builder::new()
///     .debug(true)
///     .slow_poll_threshold(std::time::Duration::from_millis(1))
///     .run(async {
///         corio_executor::spawn(async {
///             std::thread::sleep(std::time::Duration::from_millis(5)); // blocks the loop
///         })
///         .await
///         .unwrap();
///     });
/// assert!(corio_executor::slow_polls_reported() > before);
/// ```
pub fn slow_polls_reported() -> usize {
    SLOW_POLLS.load(std::sync::atomic::Ordering::Relaxed)
}
