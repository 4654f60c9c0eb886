//! The single-thread event loop.
//!
//! - `remote`: the part other threads touch (their wake-ups and spawns).
//! - `event_loop`: the loop on its own thread: ready queue, registry, driver, spawning,
//!   running.
//! - `shutdown`: cancelling and draining every task, closing and reopening.
//! - `executor`: [`LocalExecutor`], the public face.
//!
//! Below it: the task layer and the thread-local context; above it: the multi-thread
//! executor (whose `block_on` runs one of these loops), handles and builders.

mod event_loop;
mod executor;
mod remote;
mod shutdown;

pub(crate) use event_loop::Local;
pub use executor::LocalExecutor;
pub(crate) use remote::Shared;

use crate::context;

/// Runs `f` with the loop running on this thread (None when there is none, or the thread
/// is tearing down its locals).
#[inline]
pub(crate) fn with_loop<R>(f: impl FnOnce(Option<&Local>) -> R) -> R {
    let ptr = context::loop_ptr();
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: only `Local`'s entry points (`block_on`, `run_until_stalled`,
        // `shutdown`) install a loop, each through `context::enter_loop` with an
        // `Rc<Local>`, so a non-null pointer is a `Local`. The context keeps that `Rc`
        // until it clears the pointer, and every entry point runs while its caller
        // borrows an `Rc<Local>`, so the loop outlives this call even if `f` sets the
        // thread's loop aside. Only shared references are made; `Local` mutates through
        // `Cell`/`RefCell`.
        f(Some(unsafe { &*ptr.cast::<Local>() }))
    }
}
