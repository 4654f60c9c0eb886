//! Thread-locals: which loop runs on this thread, and which task it is polling.
//!
//! The hot paths (a wake-up scheduling a task on its own loop, a task poll checking for
//! shutdown) read two raw pointers from a destructor-free thread-local instead of
//! borrowing a `RefCell<Option<Rc<..>>>`: measured with callgrind, that borrow was 15% of
//! the instructions of a `yield_now` round trip.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::local::Local;
use crate::meta::TaskMeta;

thread_local! {
    /// Keeps the running loop alive; `HOT.local` points at it.
    static LOOP: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    static HOT: Hot = const {
        Hot { local: Cell::new(std::ptr::null()), task: Cell::new(std::ptr::null()) }
    };
}

struct Hot {
    /// The loop running on this thread: null, or the `Local` held by `LOOP`.
    local: Cell<*const Local>,
    /// The task being polled: null, or its metadata for the poll's duration.
    task: Cell<*const TaskMeta>,
}

/// Runs `f` with the loop running on this thread (None when there is none, or the thread
/// is tearing down its locals).
#[inline]
pub(crate) fn with_loop<R>(f: impl FnOnce(Option<&Local>) -> R) -> R {
    let ptr = HOT.try_with(|h| h.local.get()).unwrap_or(std::ptr::null());
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: `HOT.local` is set and cleared together with `LOOP`, which holds an
        // `Rc` to the same `Local` (see `enter_loop`, `LoopGuard`, `set_aside_loop`), so
        // the pointee is alive here. Moreover every loop entry point runs while its caller
        // borrows an `Rc<Local>`, so the loop outlives this call even if `f` sets the
        // thread's loop aside. Only shared references are made; `Local` mutates through
        // `Cell`/`RefCell`.
        f(Some(unsafe { &*ptr }))
    }
}

pub(crate) fn loop_is_running() -> bool {
    with_loop(|l| l.is_some())
}

/// Installs `local` as this thread's running loop until the guard drops.
///
/// # Panics
///
/// When a loop already runs on this thread: a loop cannot be nested in another.
#[track_caller]
pub(crate) fn enter_loop(local: Rc<Local>, what: &str) -> LoopGuard {
    let ptr = Rc::as_ptr(&local);
    LOOP.with(|l| {
        let mut l = l.borrow_mut();
        if l.is_some() {
            panic!(
                "{what} was called from inside a running corio event loop; \
                 a loop cannot be nested in another (await the future, or spawn it, instead)"
            );
        }
        *l = Some(local);
    });
    HOT.with(|h| h.local.set(ptr));
    LoopGuard { _priv: () }
}

pub(crate) struct LoopGuard {
    _priv: (),
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        let _ = HOT.try_with(|h| h.local.set(std::ptr::null()));
        let prev = LOOP.try_with(|l| l.borrow_mut().take()).ok().flatten();
        drop(prev);
    }
}

/// Takes the running loop (if any) out of this thread's context until the guard drops.
pub(crate) fn set_aside_loop() -> AsideGuard {
    let _ = HOT.try_with(|h| h.local.set(std::ptr::null()));
    AsideGuard {
        prev: LOOP.try_with(|l| l.borrow_mut().take()).ok().flatten(),
    }
}

pub(crate) struct AsideGuard {
    prev: Option<Rc<Local>>,
}

impl Drop for AsideGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            let ptr = Rc::as_ptr(&prev);
            if LOOP.try_with(|l| *l.borrow_mut() = Some(prev)).is_ok() {
                let _ = HOT.try_with(|h| h.local.set(ptr));
            }
        }
    }
}

/// Marks `meta` as the task being polled until the guard drops.
#[inline]
pub(crate) fn enter_task(meta: &TaskMeta) -> TaskGuard {
    let prev = HOT.with(|h| h.task.replace(meta as *const TaskMeta));
    TaskGuard { prev }
}

pub(crate) struct TaskGuard {
    prev: *const TaskMeta,
}

impl Drop for TaskGuard {
    #[inline]
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = HOT.try_with(|h| h.task.set(prev));
    }
}

/// Runs `f` with the metadata of the task being polled on this thread.
pub(crate) fn with_current_task<R>(f: impl FnOnce(Option<&TaskMeta>) -> R) -> R {
    let ptr = HOT.try_with(|h| h.task.get()).unwrap_or(std::ptr::null());
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: `HOT.task` is non-null only between `enter_task` and the drop of its
        // guard, which bracket one poll of that task's future. The metadata lives in the
        // task's allocation, which async-task keeps alive while the future is being
        // polled, and the reference handed to `f` cannot escape this call.
        f(Some(unsafe { &*ptr }))
    }
}
