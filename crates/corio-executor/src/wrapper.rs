//! The future async-task actually runs: the user's future wrapped so that panics are
//! caught, cancellation drops it at its await point from inside the loop, the task joins
//! its owner's registry at its first poll and leaves it at its end, and debug mode, hooks
//! and introspection see each poll.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use corio_core::{Cancelled, JoinError, coop, panic_message};
use pin_project_lite::pin_project;

use crate::config::{Config, TaskView};
use crate::context;
use crate::job;
use crate::meta::{TaskMeta, TaskStatus, now_nanos};
use crate::owner::{OwnerView, UNREGISTERED};
use crate::report::{Reporter, UnobservedFailure};

/// A finished task's result, as async-task stores it until the handle takes it.
///
/// If it holds a panic and is dropped without being taken (the handle was detached or
/// dropped), the failure is reported: asyncio's "Task exception was never retrieved".
/// A panic to report is boxed with its report, so that the common outcome is no larger
/// than the result itself: it shares the task's allocation with the future, and one word
/// more put small tasks in a larger malloc chunk.
pub(crate) struct Outcome<T>(Slot<T>);

enum Slot<T> {
    Result(Result<T, JoinError>),
    Unobserved(Box<Unobserved>),
    Taken,
}

struct Unobserved {
    payload: Box<dyn std::any::Any + Send>,
    failure: UnobservedFailure,
    reporter: Arc<Reporter>,
}

impl<T> Outcome<T> {
    pub(crate) fn take(mut self) -> Result<T, JoinError> {
        match std::mem::replace(&mut self.0, Slot::Taken) {
            Slot::Result(r) => r,
            Slot::Unobserved(u) => Err(JoinError::Panicked(u.payload)),
            Slot::Taken => unreachable!("an outcome is taken exactly once"),
        }
    }
}

impl<T> Drop for Outcome<T> {
    fn drop(&mut self) {
        if let Slot::Unobserved(u) = &self.0 {
            u.reporter.report(&u.failure);
        }
    }
}

pin_project! {
    /// The task's own metadata is not kept here: `poll` finds it through
    /// [`job::running_meta`], which saves a word in every task.
    pub(crate) struct TaskFuture<F> {
        // The task's slot in its owner's registry of live tasks, or UNREGISTERED.
        slot: usize,
        #[pin]
        future: Option<F>,
    }
}

impl<F: Future> TaskFuture<F> {
    pub(crate) fn new(future: F) -> Self {
        TaskFuture {
            slot: UNREGISTERED,
            future: Some(future),
        }
    }

    /// A task its owner registered at spawn, in `slot`.
    pub(crate) fn registered(future: F, slot: usize) -> Self {
        TaskFuture {
            slot,
            future: Some(future),
        }
    }
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = Outcome<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // First, before anything that could run another task on this thread.
        let meta: &TaskMeta = job::running_meta();
        let mut this = self.project();
        let _current = context::enter_task(meta);
        #[cfg(feature = "tracing")]
        let _span = tracing::trace_span!(
            "corio.task",
            id = meta.id.as_u64(),
            name = meta.name().unwrap_or(""),
            spawned_at = %meta.location,
        )
        .entered();

        context::with_owner(|owner| {
            let shutting_down = owner.is_some_and(|o| o.shutting_down());
            let config = owner.map(|o| o.config());
            if let Some(o) = owner {
                o.count_poll();
                // A task cancelled before its first poll never joins the registry (it may
                // be an orphan run on a foreign thread, see `crate::job::orphan`).
                if *this.slot == UNREGISTERED && !meta.cancel_requested() && !shutting_down {
                    *this.slot = o.register(cx.waker(), meta);
                }
            }
            if meta.cancel_requested() || shutting_down {
                let reason = if meta.cancel_requested() {
                    meta.cancel_reason()
                } else {
                    Cancelled::with_reason("the event loop shut down")
                };
                // Destructors run here, inside the loop, like the `finally` blocks of a
                // cancelled asyncio task. A panicking destructor makes the task Panicked.
                let result = match catch_unwind(AssertUnwindSafe(|| this.future.set(None))) {
                    Ok(()) => Err(JoinError::Cancelled(reason)),
                    Err(p) => Err(JoinError::Panicked(p)),
                };
                return Poll::Ready(finish(owner, config, meta, *this.slot, result));
            }

            let debug = config.and_then(|c| c.debug);
            let hooks = config.and_then(|c| c.hooks());
            let started = debug.map(|_| Instant::now());
            meta.poll_started(debug.map(|_| now_nanos()));
            if let Some(h) = hooks.and_then(|h| h.on_poll_start.as_ref()) {
                h(TaskView::new(meta));
            }
            let polled = coop::task_poll(|| {
                catch_unwind(AssertUnwindSafe(|| {
                    this.future
                        .as_mut()
                        .as_pin_mut()
                        .expect("a corio task was polled after it finished")
                        .poll(cx)
                }))
            });
            meta.poll_ended();
            if let Some(h) = hooks.and_then(|h| h.on_poll_end.as_ref()) {
                h(TaskView::new(meta));
            }
            if let (Some(threshold), Some(started)) = (debug, started) {
                let took = started.elapsed();
                if took > threshold {
                    crate::debug::report_slow_poll(meta, took, threshold);
                }
            }
            let result = match polled {
                Ok(Poll::Pending) => {
                    let chaos = config.map_or(0, |c| c.spurious_per_mille);
                    if chaos > 0 && crate::chaos::chaos_roll(chaos) {
                        cx.waker().wake_by_ref();
                    }
                    return Poll::Pending;
                }
                Ok(Poll::Ready(v)) => {
                    match catch_unwind(AssertUnwindSafe(|| this.future.set(None))) {
                        Ok(()) => Ok(v),
                        Err(p) => Err(JoinError::Panicked(p)),
                    }
                }
                Err(p) => {
                    // The first panic is the one reported; a second from the drop is dropped.
                    let _ = catch_unwind(AssertUnwindSafe(|| this.future.set(None)));
                    Err(JoinError::Panicked(p))
                }
            };
            Poll::Ready(finish(owner, config, meta, *this.slot, result))
        })
    }
}

fn finish<T>(
    owner: Option<OwnerView<'_>>,
    config: Option<&Config>,
    meta: &TaskMeta,
    slot: usize,
    result: Result<T, JoinError>,
) -> Outcome<T> {
    let status = match &result {
        Ok(_) => TaskStatus::Completed,
        Err(JoinError::Cancelled(_)) => TaskStatus::Cancelled,
        Err(_) => TaskStatus::Panicked,
    };
    let mut reporter = None;
    if let (Some(o), Some(config)) = (owner, config) {
        if slot != UNREGISTERED {
            o.finished(slot);
        }
        if let Some(h) = config.hooks().and_then(|h| h.on_complete.as_ref()) {
            if catch_unwind(AssertUnwindSafe(|| h(TaskView::new(meta), status))).is_err() {
                eprintln!("corio: the on_complete hook panicked for task {}", meta.id);
            }
        }
        // Only a failure needs the reporter; don't pay for the `Arc` clone otherwise.
        if status == TaskStatus::Panicked {
            reporter = Some(config.reporter.clone());
        }
    } else if status == TaskStatus::Panicked {
        reporter = Some(crate::report::global_reporter());
    }
    let slot = match (result, reporter) {
        (Err(JoinError::Panicked(payload)), Some(reporter)) => {
            let failure = UnobservedFailure {
                id: meta.id,
                name: meta.name_shared(),
                location: meta.location,
                message: panic_message(&*payload).map(str::to_owned),
            };
            Slot::Unobserved(Box::new(Unobserved {
                payload,
                failure,
                reporter,
            }))
        }
        (result, _) => Slot::Result(result),
    };
    // Callbacks may run arbitrary code; a panicking one must not lose the task's result.
    if catch_unwind(AssertUnwindSafe(|| meta.finish(status))).is_err() {
        eprintln!("corio: an on_done callback of task {} panicked", meta.id);
    }
    Outcome(slot)
}

#[cfg(test)]
mod size {
    use corio_core::JoinError;

    /// A panic's report is boxed: an outcome is no larger than the result it holds.
    #[test]
    fn an_outcome_is_no_larger_than_its_result() {
        use std::mem::size_of;
        assert_eq!(
            size_of::<super::Outcome<usize>>(),
            size_of::<Result<usize, JoinError>>()
        );
        assert_eq!(
            size_of::<super::Outcome<()>>(),
            size_of::<Result<(), JoinError>>()
        );
    }
}
