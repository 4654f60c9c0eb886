//! Reaching a loop from any thread: asyncio's `run_coroutine_threadsafe` and
//! `call_soon_threadsafe`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use corio_core::SpawnError;

use crate::task_handle::Task;
use crate::{local, multi};

#[derive(Clone)]
enum Inner {
    Local(Arc<local::Shared>),
    Multi(Arc<multi::Shared>),
}

/// A cloneable, `Send + Sync` handle to a loop: spawn onto it from any thread.
///
/// Get one with [`Handle::current`] inside a loop, or from
/// [`LocalExecutor::handle`](crate::LocalExecutor::handle) /
/// [`Executor::handle`](crate::Executor::handle). A plain thread waits for the result
/// with [`Task::join_blocking`].
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let handle = corio_executor::Handle::current();
///     // A plain thread submits work to this loop and waits for the answer.
///     let worker = std::thread::spawn(move || {
///         handle.spawn(async { 6 * 7 }).join_blocking().unwrap()
///     });
///     // Wait for the thread without blocking the loop, which runs the submitted task
///     // meanwhile: join the thread on the blocking pool (no polling loop).
///     let answer = corio_executor::to_thread(move || worker.join().unwrap())
///         .await
///         .unwrap();
///     assert_eq!(answer, 42);
/// });
/// ```
#[derive(Clone)]
pub struct Handle {
    inner: Inner,
}

impl Handle {
    pub(crate) fn local(shared: Arc<local::Shared>) -> Self {
        Handle {
            inner: Inner::Local(shared),
        }
    }

    pub(crate) fn multi(shared: Arc<multi::Shared>) -> Self {
        Handle {
            inner: Inner::Multi(shared),
        }
    }

    /// The handle of the loop running on this thread.
    ///
    /// # Panics
    ///
    /// Outside any corio loop; [`try_current`](Self::try_current) gives `None` instead.
    #[track_caller]
    pub fn current() -> Handle {
        Self::try_current().expect(
            "Handle::current called outside a corio loop (call it inside corio::run, or keep a handle from the executor)",
        )
    }

    /// The handle of the loop running on this thread, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_executor::Handle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Handle> {
        if let Some(h) = local::with_loop(|l| l.map(|l| Handle::local(l.shared().clone()))) {
            return Some(h);
        }
        multi::with_worker(|w| w.map(|w| Handle::multi(w.shared_arc().clone())))
    }

    /// Spawns `future` onto the loop from any thread (asyncio's
    /// `run_coroutine_threadsafe`). On a single-thread loop it runs on the loop's thread;
    /// on a multi-thread executor, on any worker.
    ///
    /// # Panics
    ///
    /// When the loop has been shut down; [`try_spawn`](Self::try_spawn) gives an error.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.try_spawn(future) {
            Ok(t) => t,
            Err(e) => panic!("Handle::spawn: {e}"),
        }
    }

    /// Like [`spawn`](Self::spawn), with an error instead of a panic.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the loop has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let h = ex.handle();
    /// ex.shutdown();
    /// assert!(h.try_spawn(async {}).unwrap_err().is_shutdown());
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(&self, future: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = Location::caller();
        match &self.inner {
            Inner::Local(s) => s.spawn_remote(future, None, location),
            Inner::Multi(s) => s.spawn_send(future, None, location),
        }
    }

    /// Runs `callback` on the loop soon, from any thread (asyncio's
    /// `call_soon_threadsafe`). It runs as a small task of its own.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the loop has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// let ex = corio_executor::LocalExecutor::new();
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let r = ran.clone();
    /// let h = ex.handle();
    /// std::thread::spawn(move || h.call_soon(move || r.store(true, Ordering::SeqCst)).unwrap())
    ///     .join()
    ///     .unwrap();
    /// ex.run_until_stalled();
    /// assert!(ran.load(Ordering::SeqCst));
    /// ```
    #[track_caller]
    pub fn call_soon(&self, callback: impl FnOnce() + Send + 'static) -> Result<(), SpawnError> {
        self.try_spawn(async move { callback() }).map(Task::detach)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.inner {
            Inner::Local(_) => "Handle(local)",
            Inner::Multi(_) => "Handle(multi_thread)",
        })
    }
}

impl crate::local::LocalExecutor {
    /// A handle for spawning onto this loop from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let h = ex.handle();
    /// let t = std::thread::spawn(move || h.spawn(async { 1 })).join().unwrap();
    /// assert_eq!(ex.block_on(t).unwrap(), 1);
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::local(self.local().shared().clone())
    }
}

impl crate::multi::Executor {
    /// A handle for spawning onto this executor from any thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(1).build();
    /// let h = ex.handle();
    /// let t = std::thread::spawn(move || h.spawn(async { 3 }).join_blocking().unwrap());
    /// assert_eq!(t.join().unwrap(), 3);
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::multi(self.shared().clone())
    }
}
