//! The global fallback timer: a wheel turned on a thread of its own, started on first use,
//! for timers polled outside any corio loop.

use std::sync::OnceLock;

use corio_core::ThreadParker;

use crate::shared::Shared;
use crate::sync::Arc;
use crate::turn::Turn;

/// The fallback timer's wheel, once started.
static FALLBACK: OnceLock<Arc<Shared>> = OnceLock::new();

/// The fallback timer's wheel: a real-clock wheel over a [`ThreadParker`], turned by the
/// thread `corio-timer`, which this starts on first use.
pub(crate) fn fallback() -> &'static Arc<Shared> {
    FALLBACK.get_or_init(|| {
        let mut turn = Turn::new(ThreadParker::new(), false);
        let shared = turn.shared.clone();
        std::thread::Builder::new()
            .name("corio-timer".into())
            .spawn(move || {
                loop {
                    turn.park(None);
                }
            })
            .expect("corio-timer: could not start the fallback timer thread");
        shared
    })
}

/// Whether `shared` is the fallback timer's wheel (without starting it).
pub(crate) fn is_fallback(shared: &Arc<Shared>) -> bool {
    FALLBACK.get().is_some_and(|f| Arc::ptr_eq(f, shared))
}
