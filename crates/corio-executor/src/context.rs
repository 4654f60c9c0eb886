//! Thread-locals: which loop runs on this thread, and which task it is polling.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::local::Local;
use crate::meta::TaskMeta;

thread_local! {
    /// The loop running on this thread, if any.
    static LOOP: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    /// The task being polled right now: points into its allocation for the poll's duration.
    static TASK: Cell<*const TaskMeta> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with the loop running on this thread (None when there is none, or the thread
/// is tearing down its locals).
pub(crate) fn with_loop<R>(f: impl FnOnce(Option<&Rc<Local>>) -> R) -> R {
    let mut f = Some(f);
    match LOOP.try_with(|l| {
        let l = l.borrow();
        (f.take().expect("called once"))(l.as_ref())
    }) {
        Ok(r) => r,
        Err(_) => (f.take().expect("called once"))(None),
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
    LoopGuard { _priv: () }
}

pub(crate) struct LoopGuard {
    _priv: (),
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        let prev = LOOP.try_with(|l| l.borrow_mut().take()).ok().flatten();
        drop(prev);
    }
}

/// Marks `meta` as the task being polled until the guard drops.
pub(crate) fn enter_task(meta: &TaskMeta) -> TaskGuard {
    let prev = TASK.with(|t| t.replace(meta as *const TaskMeta));
    TaskGuard { prev }
}

pub(crate) struct TaskGuard {
    prev: *const TaskMeta,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = TASK.try_with(|t| t.set(prev));
    }
}

/// Runs `f` with the metadata of the task being polled on this thread.
pub(crate) fn with_current_task<R>(f: impl FnOnce(Option<&TaskMeta>) -> R) -> R {
    let ptr = TASK.try_with(|t| t.get()).unwrap_or(std::ptr::null());
    if ptr.is_null() {
        f(None)
    } else {
        // SAFETY: `TASK` is non-null only between `enter_task` and the drop of its guard,
        // which bracket one poll of that task's future. The metadata lives in the task's
        // allocation, which async-task keeps alive while the future is being polled, and
        // the reference handed to `f` cannot escape this call.
        f(Some(unsafe { &*ptr }))
    }
}

/// Takes the running loop (if any) out of this thread's context until the guard drops.
pub(crate) fn set_aside_loop() -> AsideGuard {
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
            let _ = LOOP.try_with(|l| *l.borrow_mut() = Some(prev));
        }
    }
}
