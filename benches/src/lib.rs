//! Shared settings for corio's benchmarks: every workload is one criterion group with
//! corio and its peers as functions of the same group, so the report shows them side by
//! side and their ratio comes from one process on one machine state.

use std::time::Duration;

use criterion::Criterion;

/// Criterion tuned for 2-core, noisy machines: short warm-up, enough samples for a
/// stable median, and a noise threshold that ignores a few percent of jitter.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .noise_threshold(0.05)
}

/// A tokio current-thread runtime as tokio users get it: with its timer and I/O drivers,
/// as `#[tokio::main(flavor = "current_thread")]` builds it (corio's loop has both too).
pub fn tokio_current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// corio's single-thread loop as users get it: the loop `corio::run` and `#[corio::main]`
/// build, with its timer and reactor (an epoll instance and an eventfd).
pub fn corio_loop() -> corio::LocalExecutor {
    corio::Builder::new().build_local()
}

pub mod latency;
