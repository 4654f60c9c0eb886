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
use crate::multi;
use crate::owner::Owner;

thread_local! {
    /// Keeps the running loop alive; `HOT.local` points at it.
    static LOOP: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    static HOT: Hot = const {
        Hot {
            local: Cell::new(std::ptr::null()),
            worker: Cell::new(std::ptr::null()),
            multi: Cell::new(std::ptr::null()),
            task: Cell::new(std::ptr::null()),
        }
    };
}

struct Hot {
    /// The loop running on this thread: null, or the `Local` held by `LOOP`.
    local: Cell<*const Local>,
    /// On a worker thread of a multi-thread executor: that worker's state, which lives on
    /// the worker thread's stack for as long as the thread runs its loop.
    worker: Cell<*const multi::WorkerCtx>,
    /// The multi-thread executor reachable from this thread (its workers, and threads in
    /// its `block_on`), for `spawn_send`; kept alive by an `Arc` in the installing guard.
    multi: Cell<*const multi::Shared>,
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
    if HOT.with(|h| !h.worker.get().is_null()) {
        panic!(
            "{what} was called on a worker thread of a corio multi-thread executor; \
             a loop cannot be nested in another (await the future, or spawn it, instead)"
        );
    }
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

/// Runs `f` with the executor that owns the tasks polled on this thread: the loop
/// running here, or the multi-thread executor whose worker this thread is.
#[inline]
pub(crate) fn with_owner<R>(f: impl FnOnce(Option<Owner<'_>>) -> R) -> R {
    let (local, worker) = HOT
        .try_with(|h| (h.local.get(), h.worker.get()))
        .unwrap_or((std::ptr::null(), std::ptr::null()));
    if !local.is_null() {
        // SAFETY: as in `with_loop`.
        f(Some(Owner::Local(unsafe { &*local })))
    } else if !worker.is_null() {
        // SAFETY: as in `with_worker`.
        let w = unsafe { &*worker };
        f(Some(Owner::Multi(w.shared())))
    } else {
        f(None)
    }
}

/// Runs `f` with this thread's worker state, if it is a worker of a multi-thread executor.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&multi::WorkerCtx>) -> R) -> R {
    let ptr = HOT.try_with(|h| h.worker.get()).unwrap_or(std::ptr::null());
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: `HOT.worker` is set by `enter_worker` to a `WorkerCtx` that the worker
        // thread keeps on its stack until the returned guard (dropped before the context)
        // resets the pointer; only this thread reads it, and only shared references are
        // made (the context mutates through cells and thread-safe queues).
        f(Some(unsafe { &*ptr }))
    }
}

/// Marks this thread as worker `ctx` until the guard drops.
pub(crate) fn enter_worker(ctx: &multi::WorkerCtx) -> WorkerGuard {
    HOT.with(|h| {
        h.worker.set(ctx as *const multi::WorkerCtx);
        h.multi.set(ctx.shared() as *const multi::Shared);
    });
    WorkerGuard { _priv: () }
}

pub(crate) struct WorkerGuard {
    _priv: (),
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        let _ = HOT.try_with(|h| {
            h.worker.set(std::ptr::null());
            h.multi.set(std::ptr::null());
        });
    }
}

/// Makes `shared` reachable for `spawn_send` from this (non-worker) thread until the guard
/// drops; the guard holds an `Arc` so the pointer stays valid.
pub(crate) fn enter_multi(shared: std::sync::Arc<multi::Shared>) -> MultiGuard {
    let prev = HOT.with(|h| h.multi.replace(std::sync::Arc::as_ptr(&shared)));
    MultiGuard {
        prev,
        _keep: shared,
    }
}

pub(crate) struct MultiGuard {
    prev: *const multi::Shared,
    _keep: std::sync::Arc<multi::Shared>,
}

impl Drop for MultiGuard {
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = HOT.try_with(|h| h.multi.set(prev));
    }
}

/// Runs `f` with the multi-thread executor reachable from this thread, if any.
#[inline]
pub(crate) fn with_multi<R>(f: impl FnOnce(Option<&multi::Shared>) -> R) -> R {
    let ptr = HOT.try_with(|h| h.multi.get()).unwrap_or(std::ptr::null());
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: `HOT.multi` is set either by `enter_worker` (the worker's context holds
        // an `Arc<Shared>` for the thread's whole run) or by `enter_multi` (the guard holds
        // an `Arc<Shared>`), and reset when those end; only shared references are made.
        f(Some(unsafe { &*ptr }))
    }
}
