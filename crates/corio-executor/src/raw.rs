//! The future async-task actually runs: the user's future wrapped so that panics are
//! caught, cancellation drops it at its await point from inside the loop, and the end of
//! the task is recorded (registry slot freed, status set, callbacks run).

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use corio_core::{Cancelled, JoinError, coop, panic_message};
use pin_project_lite::pin_project;

use crate::context;
use crate::meta::{TaskMeta, TaskStatus};
use crate::report::{Reporter, UnobservedFailure};

/// A finished task's result, as async-task stores it until the handle takes it.
///
/// If it holds a panic and is dropped without being taken (the handle was detached or
/// dropped), the failure is reported: asyncio's "Task exception was never retrieved".
pub(crate) struct Outcome<T> {
    result: Option<Result<T, JoinError>>,
    unobserved: Option<Box<(UnobservedFailure, Arc<Reporter>)>>,
}

impl<T> Outcome<T> {
    pub(crate) fn take(mut self) -> Result<T, JoinError> {
        self.unobserved = None;
        self.result
            .take()
            .expect("an outcome is taken exactly once")
    }
}

impl<T> Drop for Outcome<T> {
    fn drop(&mut self) {
        if let Some(report) = self.unobserved.take() {
            report.1.report(&report.0);
        }
    }
}

pin_project! {
    pub(crate) struct TaskFuture<'a, F> {
        meta: &'a TaskMeta,
        // The task's slot in its loop's registry of live tasks.
        slot: usize,
        #[pin]
        future: Option<F>,
    }
}

impl<'a, F: Future> TaskFuture<'a, F> {
    pub(crate) fn new(meta: &'a TaskMeta, slot: usize, future: F) -> Self {
        TaskFuture {
            meta,
            slot,
            future: Some(future),
        }
    }
}

impl<F: Future> Future for TaskFuture<'_, F> {
    type Output = Outcome<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let meta: &TaskMeta = this.meta;
        let _current = context::enter_task(meta);

        let shutting_down = context::with_loop(|l| l.is_some_and(|l| l.is_shutting_down()));
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
            return Poll::Ready(finish(meta, *this.slot, result));
        }

        let polled = coop::with_budget(coop::DEFAULT_BUDGET, || {
            catch_unwind(AssertUnwindSafe(|| {
                this.future
                    .as_mut()
                    .as_pin_mut()
                    .expect("a corio task was polled after it finished")
                    .poll(cx)
            }))
        });
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(v)) => match catch_unwind(AssertUnwindSafe(|| this.future.set(None))) {
                Ok(()) => Ok(v),
                Err(p) => Err(JoinError::Panicked(p)),
            },
            Err(p) => {
                // The first panic is the one reported; a second from the drop is dropped.
                let _ = catch_unwind(AssertUnwindSafe(|| this.future.set(None)));
                Err(JoinError::Panicked(p))
            }
        };
        Poll::Ready(finish(meta, *this.slot, result))
    }
}

fn finish<T>(meta: &TaskMeta, slot: usize, result: Result<T, JoinError>) -> Outcome<T> {
    let panicked = matches!(result, Err(JoinError::Panicked(_)));
    let reporter = context::with_loop(|l| {
        let l = l?;
        l.task_finished(slot);
        // Only a failure needs the reporter; don't pay for the `Arc` clone otherwise.
        panicked.then(|| l.reporter())
    });
    let status = match &result {
        Ok(_) => TaskStatus::Completed,
        Err(JoinError::Cancelled(_)) => TaskStatus::Cancelled,
        Err(_) => TaskStatus::Panicked,
    };
    let unobserved = match (&result, reporter) {
        (Err(JoinError::Panicked(p)), Some(reporter)) => Some(Box::new((
            UnobservedFailure {
                id: meta.id,
                name: meta.name.clone(),
                location: meta.location,
                message: panic_message(&**p).map(str::to_owned),
            },
            reporter,
        ))),
        _ => None,
    };
    // Callbacks may run arbitrary code; a panicking one must not lose the task's result.
    if catch_unwind(AssertUnwindSafe(|| meta.finish(status))).is_err() {
        eprintln!("corio: an on_done callback of task {} panicked", meta.id);
    }
    Outcome {
        result: Some(result),
        unobserved,
    }
}
