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

/// A tokio current-thread runtime, as tokio users build it.
pub fn tokio_current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

pub mod latency;
