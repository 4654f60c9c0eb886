//! asyncio's `loop.call_later` and `loop.call_at`: run a plain callback after a delay.

use std::fmt;
use std::time::{Duration, Instant};

use corio_core::{SpawnError, SpawnedTask};

use crate::sleep::sleep_until;

/// Runs `callback` on the current loop after `delay` (asyncio's `loop.call_later`).
///
/// The callback runs as a small task on the loop running on this thread (through the
/// [`Spawn`](corio_core::Spawn) hook, so on either corio executor), on its timer wheel.
/// The returned [`CallbackHandle`] cancels it; dropping the handle does not.
///
/// # Errors
///
/// [`SpawnError`] when no corio loop runs on this thread, or it is shutting down.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(corio_timer::TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let fired = Rc::new(Cell::new(0));
///     let f = fired.clone();
///     corio_timer::call_later(Duration::from_secs(5), move || f.set(f.get() + 1)).unwrap();
///     let g = fired.clone();
///     let cancelled = corio_timer::call_later(Duration::from_secs(5), move || g.set(100)).unwrap();
///     cancelled.cancel();
///     corio_timer::sleep(Duration::from_secs(6)).await;
///     assert_eq!(fired.get(), 1);
/// });
/// ```
pub fn call_later(
    delay: Duration,
    callback: impl FnOnce() + 'static,
) -> Result<CallbackHandle, SpawnError> {
    call_at(crate::clock::now().checked_add(delay), callback)
}

/// Runs `callback` on the current loop at `when` (asyncio's `loop.call_at`); `None`
/// means never (a deadline too far to represent). A time in the past runs it at the loop's
/// next turn.
///
/// # Errors
///
/// [`SpawnError`] when no corio loop runs on this thread, or it is shutting down.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     let at = std::time::Instant::now() + std::time::Duration::from_millis(5);
///     corio_timer::call_at(Some(at), move || tx.send(()).unwrap()).unwrap();
///     rx.await.unwrap();
/// });
/// ```
pub fn call_at(
    when: Option<Instant>,
    callback: impl FnOnce() + 'static,
) -> Result<CallbackHandle, SpawnError> {
    let task = corio_core::context::spawn_local(Box::pin(async move {
        match when {
            Some(at) => sleep_until(at).await,
            None => std::future::pending::<()>().await,
        }
        callback();
    }))?;
    Ok(CallbackHandle { task, when })
}

/// A scheduled callback (asyncio's `TimerHandle`): [`cancel`](Self::cancel) it before it
/// runs. Dropping the handle leaves the callback scheduled.
///
/// # Examples
///
/// See [`call_later`].
#[must_use = "dropping the handle leaves the callback scheduled; keep it to cancel it"]
pub struct CallbackHandle {
    task: SpawnedTask,
    when: Option<Instant>,
}

impl CallbackHandle {
    /// Cancels the callback if it has not run yet; does nothing otherwise.
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// Whether the callback has run or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// When the callback is due (`None`: never).
    pub fn when(&self) -> Option<Instant> {
        self.when
    }
}

impl fmt::Debug for CallbackHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackHandle")
            .field("when", &self.when)
            .field("finished", &self.is_finished())
            .finish()
    }
}
