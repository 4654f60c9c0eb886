//! The current thread's reactor: the one an [`IoDriver`](crate::IoDriver)'s entry
//! installed, else the global fallback reactor, turned by a thread of its own.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use crate::reactor::Reactor;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Reactor>>> = const { RefCell::new(None) };
}

/// The reactor of the current thread's loop, or the global fallback one.
pub(crate) fn current() -> Arc<Reactor> {
    CURRENT
        .try_with(|c| c.borrow().clone())
        .ok()
        .flatten()
        .unwrap_or_else(|| fallback().clone())
}

/// Makes `reactor` current on this thread; returns the previous one.
pub(crate) fn set_current(reactor: Option<Arc<Reactor>>) -> Option<Arc<Reactor>> {
    CURRENT.try_with(|c| c.replace(reactor)).ok().flatten()
}

/// Whether a reactor other than the fallback one is current on this thread.
pub(crate) fn has_current() -> bool {
    CURRENT.try_with(|c| c.borrow().is_some()).unwrap_or(false)
}

/// The global fallback reactor, turned by its own thread, for sockets used where no
/// `IoDriver` is installed (the multi-thread executor's workers, other runtimes).
pub(crate) fn fallback() -> &'static Arc<Reactor> {
    static FALLBACK: OnceLock<Arc<Reactor>> = OnceLock::new();
    FALLBACK.get_or_init(|| {
        let reactor = Arc::new(Reactor::new().expect("corio-net: could not create a poller"));
        let r = reactor.clone();
        std::thread::Builder::new()
            .name("corio-net".into())
            .spawn(move || {
                loop {
                    r.poll(None);
                }
            })
            .expect("corio-net: could not start the fallback reactor thread");
        reactor
    })
}
