//! Thread-locals: which executor runs on this thread, and which task it is polling.
//!
//! This module sits below both executors and knows neither: it holds the running loop
//! and worker as untyped pointers, which `local` and `multi` (the only modules that store
//! them) turn back into their own types, and the executor the running tasks belong to as
//! an [`Owner`] trait object, which the task layer uses.
//!
//! The hot paths (a wake-up scheduling a task on its own loop, a task poll checking for
//! shutdown) read raw pointers from a destructor-free thread-local instead of borrowing a
//! `RefCell<Option<Rc<..>>>`: measured with callgrind, that borrow was 15% of the
//! instructions of a `yield_now` round trip.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::rc::Rc;

use crate::meta::TaskMeta;
use crate::owner::{Owner, OwnerRef, OwnerView};

/// What the block_on thread of a multi-thread executor reaches it through: `Send` spawns
/// made on that thread's loop go to the executor's workers.
pub(crate) trait SendTarget {
    /// Spawns a `Send` future that any worker may run.
    fn spawn_send_boxed(
        &self,
        future: corio_core::BoxFuture<()>,
        location: &'static std::panic::Location<'static>,
    ) -> Result<corio_core::SpawnedTask, corio_core::SpawnError>;
    /// Itself, so that the executor that stored it can get its own type back.
    fn as_any(&self) -> &dyn Any;
}

thread_local! {
    /// Keeps the running loop alive; `HOT.local` points at it.
    static LOOP: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    static HOT: Hot = const {
        Hot {
            local: Cell::new(std::ptr::null()),
            worker: Cell::new(std::ptr::null()),
            owner: Cell::new(None),
            send_target: Cell::new(None),
            task: Cell::new(std::ptr::null()),
        }
    };
}

struct Hot {
    /// The loop running on this thread: null, or the loop held by `LOOP`.
    local: Cell<*const ()>,
    /// On a worker thread of a multi-thread executor: that worker's state, which lives on
    /// the worker thread's stack for as long as the thread runs its loop.
    worker: Cell<*const ()>,
    /// The executor owning the tasks polled here: the loop if one runs, else the
    /// worker's executor. Set and cleared together with `local` and `worker`.
    owner: Cell<Option<OwnerRef>>,
    /// The multi-thread executor reachable from this thread (its workers, and threads in
    /// its `block_on`), for `spawn_send`; kept alive by whoever installed it.
    send_target: Cell<Option<NonNull<dyn SendTarget>>>,
    /// The task being polled: null, or its metadata for the poll's duration.
    task: Cell<*const TaskMeta>,
}

/// The loop running on this thread, as the untyped pointer `enter_loop` stored: null when
/// there is none (or the thread is tearing down its locals). Only `local` stores loops,
/// so only it may cast this back, to its own type.
#[inline]
pub(crate) fn loop_ptr() -> *const () {
    HOT.try_with(|h| h.local.get()).unwrap_or(std::ptr::null())
}

/// Whether a corio loop is running on this thread.
pub(crate) fn loop_is_running() -> bool {
    !loop_ptr().is_null()
}

/// Whether this thread runs a corio loop or is a worker of a multi-thread executor:
/// blocking it would stall tasks.
pub(crate) fn runs_tasks() -> bool {
    HOT.try_with(|h| !h.local.get().is_null() || !h.worker.get().is_null())
        .unwrap_or(false)
}

/// Installs `local` as this thread's running loop, and as the owner of the tasks polled
/// here, until the guard drops.
///
/// # Panics
///
/// When a loop already runs on this thread, or it is a worker thread: a loop cannot be
/// nested in another.
#[track_caller]
pub(crate) fn enter_loop<L: Owner + 'static>(local: Rc<L>, what: &str) -> LoopGuard {
    let ptr: *const L = Rc::as_ptr(&local);
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
    // SAFETY: `ptr` comes from the `Rc` now held by `LOOP`, so it is valid; the
    // reference only exists to build the owner's pointers.
    let owner = OwnerRef::new(unsafe { &*ptr } as &(dyn Owner + 'static));
    let prev_owner = HOT.with(|h| {
        h.local.set(ptr.cast());
        h.owner.replace(Some(owner))
    });
    LoopGuard { prev_owner }
}

pub(crate) struct LoopGuard {
    prev_owner: Option<OwnerRef>,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        let prev = self.prev_owner;
        let _ = HOT.try_with(|h| {
            h.local.set(std::ptr::null());
            h.owner.set(prev);
        });
        let loop_rc = LOOP.try_with(|l| l.borrow_mut().take()).ok().flatten();
        drop(loop_rc);
    }
}

/// Takes the running loop (if any) out of this thread's context until the guard drops.
pub(crate) fn set_aside_loop() -> AsideGuard {
    let prev = HOT
        .try_with(|h| {
            let local = h.local.replace(std::ptr::null());
            let owner = if local.is_null() {
                None
            } else {
                // The worker's executor (if this is a worker) owns what runs now.
                h.owner.replace(None)
            };
            (local, owner)
        })
        .unwrap_or((std::ptr::null(), None));
    AsideGuard {
        prev_loop: LOOP.try_with(|l| l.borrow_mut().take()).ok().flatten(),
        prev_local: prev.0,
        prev_owner: prev.1,
    }
}

pub(crate) struct AsideGuard {
    prev_loop: Option<Rc<dyn Any>>,
    prev_local: *const (),
    prev_owner: Option<OwnerRef>,
}

impl Drop for AsideGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.prev_loop.take() {
            if LOOP.try_with(|l| *l.borrow_mut() = Some(prev)).is_ok() {
                let (local, owner) = (self.prev_local, self.prev_owner);
                let _ = HOT.try_with(|h| {
                    h.local.set(local);
                    h.owner.set(owner);
                });
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
pub(crate) fn with_owner<R>(f: impl FnOnce(Option<OwnerView<'_>>) -> R) -> R {
    match HOT.try_with(|h| h.owner.get()).ok().flatten() {
        // SAFETY: `HOT.owner` is set by `enter_loop` (to the loop `LOOP` keeps alive) or
        // by `enter_worker` (to the executor the worker's state holds an `Arc` to), and
        // reset before those are released; the view cannot escape this call.
        Some(owner) => f(Some(unsafe { owner.borrow() })),
        None => f(None),
    }
}

/// The worker state `enter_worker` stored for this thread: null unless this is a worker
/// thread of a multi-thread executor. Only `multi` stores workers, so only it may cast
/// this back, to its own type.
#[inline]
pub(crate) fn worker_ptr() -> *const () {
    HOT.try_with(|h| h.worker.get()).unwrap_or(std::ptr::null())
}

/// Marks this thread as a worker until the guard drops: `worker` is its state, `owner`
/// and `target` its executor.
///
/// # Safety
///
/// The three must stay valid until the returned guard drops (the worker's state lives on
/// its thread's stack and holds an `Arc` to its executor for the whole run).
pub(crate) unsafe fn enter_worker<O: Owner + 'static, T: SendTarget + 'static>(
    worker: *const (),
    owner: &O,
    target: &T,
) -> WorkerGuard {
    let owner = OwnerRef::new(owner as &(dyn Owner + 'static));
    let target: NonNull<dyn SendTarget> = NonNull::from(target as &(dyn SendTarget + 'static));
    HOT.with(|h| {
        h.worker.set(worker);
        h.owner.set(Some(owner));
        h.send_target.set(Some(target));
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
            h.owner.set(None);
            h.send_target.set(None);
        });
    }
}

/// Makes `target` reachable for `spawn_send` from this (non-worker) thread until the
/// guard drops; the guard keeps `target` alive, so the pointer stays valid.
pub(crate) fn enter_send_target(
    target: std::sync::Arc<dyn SendTarget + Send + Sync>,
) -> SendTargetGuard {
    let ptr: NonNull<dyn SendTarget> = NonNull::from(&*target as &(dyn SendTarget + 'static));
    let prev = HOT.with(|h| h.send_target.replace(Some(ptr)));
    SendTargetGuard {
        prev,
        _keep: target,
    }
}

pub(crate) struct SendTargetGuard {
    prev: Option<NonNull<dyn SendTarget>>,
    _keep: std::sync::Arc<dyn SendTarget + Send + Sync>,
}

impl Drop for SendTargetGuard {
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = HOT.try_with(|h| h.send_target.set(prev));
    }
}

/// Runs `f` with the multi-thread executor reachable from this thread, if any.
#[inline]
pub(crate) fn with_send_target<R>(f: impl FnOnce(Option<&dyn SendTarget>) -> R) -> R {
    match HOT.try_with(|h| h.send_target.get()).ok().flatten() {
        // SAFETY: `HOT.send_target` is set either by `enter_worker` (whose caller keeps
        // the executor alive for the thread's whole run) or by `enter_send_target` (the
        // guard holds an `Arc`), and reset when those end; only shared references are made.
        Some(t) => f(Some(unsafe { t.as_ref() })),
        None => f(None),
    }
}
