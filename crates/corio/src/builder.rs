//! The loop builder of the facade: corio-executor's, with the timer wheel and the I/O
//! reactor installed by default.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use corio_core::{Driver, ThreadParker};
use corio_executor::{Executor, LocalExecutor, TaskStatus, TaskView, UnobservedFailure};
use corio_net::IoDriver;
use corio_timer::TimerDriver;

/// Builds an event loop: corio-executor's [`Builder`](corio_executor::Builder) with the
/// timer wheel and the I/O reactor installed, so `sleep`, timeouts and sockets are served
/// by the loop itself (no helper thread, no thread hop).
///
/// [`Builder::new`] makes the single-thread loop ([`build_local`](Self::build_local)),
/// [`Builder::multi_thread`] the work-stealing executor ([`build`](Self::build));
/// [`run`](Self::run) builds either, runs a future and shuts the loop down.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// // A test loop on virtual time: an hour of sleeps takes no time.
/// let slept = corio::Builder::new().start_paused(true).run(async {
///     let t0 = corio::clock::now();
///     corio::sleep(Duration::from_secs(3600)).await;
///     corio::clock::now() - t0
/// });
/// assert_eq!(slept, Duration::from_secs(3600));
///
/// let n = corio::Builder::multi_thread().workers(2).run(async {
///     corio::spawn_send(async { 21 * 2 }).await.unwrap()
/// });
/// assert_eq!(n, 42);
/// ```
#[must_use = "a Builder does nothing until it builds or runs"]
pub struct Builder {
    inner: corio_executor::Builder,
    custom_driver: bool,
    paused: bool,
    ctrl_c: bool,
}

macro_rules! forward {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub fn $name(self, $($arg: $ty),*) -> Self {
            Builder { inner: self.inner.$name($($arg),*), ..self }
        }
    };
}

impl Builder {
    /// A single-thread loop with timers and I/O (asyncio's model).
    pub fn new() -> Self {
        Builder {
            inner: corio_executor::Builder::new(),
            custom_driver: false,
            paused: false,
            ctrl_c: false,
        }
    }

    /// The same as [`Builder::new`].
    pub fn local() -> Self {
        Self::new()
    }

    /// A multi-thread work-stealing executor; each worker turns its own timer wheel and
    /// reactor.
    pub fn multi_thread() -> Self {
        Builder {
            inner: corio_executor::Builder::multi_thread(),
            custom_driver: false,
            paused: false,
            ctrl_c: false,
        }
    }

    /// Starts the loop's clock paused (virtual time for tests): when every task is
    /// waiting, the clock jumps to the next timer's deadline instead of sleeping. Use
    /// [`advance`](crate::advance) to move it by hand.
    pub fn start_paused(self, paused: bool) -> Self {
        Builder { paused, ..self }
    }

    /// asyncio.run's Ctrl-C rule for [`run`](Self::run) (off by default; on under
    /// [`#[corio::main]`](crate::main)): the first Ctrl-C (SIGINT) cancels the main
    /// future at its current await point (its destructors run), the loop's other tasks are
    /// cancelled and drained as at any shutdown, and the process exits with status 130; a
    /// second Ctrl-C while that cleanup runs ends the process at once.
    ///
    /// asyncio's rule is the same in effect: `asyncio.run` raises `KeyboardInterrupt` in
    /// `main`, cancels the remaining tasks, and Python exits with status 130. corio drops
    /// the main future rather than raising into it (cancellation is dropping). While the
    /// program listens to Ctrl-C itself ([`signal::ctrl_c`](crate::signal::ctrl_c), a
    /// [`Signals`](crate::signal::Signals) stream with SIGINT), the signal goes to the
    /// program instead, as after asyncio's `loop.add_signal_handler(SIGINT, ..)`: that is
    /// how a server shuts down gracefully.
    ///
    /// On platforms other than Unix the option has no effect yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = corio::Builder::new().ctrl_c_cancels_main(true).run(async { 42 });
    /// assert_eq!(out, 42); // no Ctrl-C: main's value, as without the option
    /// ```
    pub fn ctrl_c_cancels_main(self, on: bool) -> Self {
        Builder { ctrl_c: on, ..self }
    }

    /// Replaces the default driver stack (see
    /// [`corio_executor::Builder::driver`]); [`start_paused`](Self::start_paused) then
    /// has no effect.
    pub fn driver(
        self,
        make: impl Fn(ThreadParker) -> Box<dyn Driver> + Send + Sync + 'static,
    ) -> Self {
        Builder {
            inner: self.inner.driver(make),
            custom_driver: true,
            ..self
        }
    }

    forward!(
        /// Worker threads of a multi-thread executor. See [`corio_executor::Builder::workers`].
        workers(n: usize)
    );
    forward!(
        /// Worker thread names. See [`corio_executor::Builder::thread_name`].
        thread_name(name: String)
    );
    forward!(
        /// Worker stack size. See [`corio_executor::Builder::stack_size`].
        stack_size(bytes: usize)
    );
    forward!(
        /// Debug mode. See [`corio_executor::Builder::debug`].
        debug(on: bool)
    );
    forward!(
        /// The slow-poll threshold. See [`corio_executor::Builder::slow_poll_threshold`].
        slow_poll_threshold(threshold: Duration)
    );
    forward!(
        /// Eager task start. See [`corio_executor::Builder::eager_start`].
        eager_start(on: bool)
    );
    forward!(
        /// Seeded random task order. See [`corio_executor::Builder::seed`].
        seed(seed: u64)
    );
    forward!(
        /// Chaos mode's spurious wake-ups. See [`corio_executor::Builder::spurious_wakeups`].
        spurious_wakeups(per_mille: u32)
    );

    /// See [`corio_executor::Builder::on_unobserved_failure`].
    pub fn on_unobserved_failure(
        self,
        hook: impl Fn(&UnobservedFailure) + Send + Sync + 'static,
    ) -> Self {
        Builder {
            inner: self.inner.on_unobserved_failure(hook),
            ..self
        }
    }

    /// See [`corio_executor::Builder::on_spawn`].
    pub fn on_spawn(self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        Builder {
            inner: self.inner.on_spawn(hook),
            ..self
        }
    }

    /// See [`corio_executor::Builder::on_poll_start`].
    pub fn on_poll_start(self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        Builder {
            inner: self.inner.on_poll_start(hook),
            ..self
        }
    }

    /// See [`corio_executor::Builder::on_poll_end`].
    pub fn on_poll_end(self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        Builder {
            inner: self.inner.on_poll_end(hook),
            ..self
        }
    }

    /// See [`corio_executor::Builder::on_complete`].
    pub fn on_complete(
        self,
        hook: impl Fn(TaskView<'_>, TaskStatus) + Send + Sync + 'static,
    ) -> Self {
        Builder {
            inner: self.inner.on_complete(hook),
            ..self
        }
    }

    fn finish(self) -> corio_executor::Builder {
        if self.custom_driver {
            self.inner
        } else {
            let paused = self.paused;
            self.inner
                .driver(move |parker| default_stack(parker, paused))
        }
    }

    /// Builds the single-thread loop.
    ///
    /// # Panics
    ///
    /// When the builder was made by [`Builder::multi_thread`].
    pub fn build_local(self) -> LocalExecutor {
        self.finish().build_local()
    }

    /// Builds and starts the multi-thread executor.
    ///
    /// # Panics
    ///
    /// When the builder was made by [`Builder::new`].
    pub fn build(self) -> Executor {
        self.finish().build()
    }

    /// asyncio.run with options: builds the loop, runs `future`, shuts the loop down.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop; a panic of `future` propagates.
    #[track_caller]
    pub fn run<F: Future>(self, future: F) -> F::Output {
        #[cfg(unix)]
        if self.ctrl_c {
            return match self.finish().run(corio_signal::cancel_on_ctrl_c(future)) {
                Ok(out) => out,
                // The loop has cancelled and drained its tasks: asyncio.run's exit.
                Err(_) => std::process::exit(corio_signal::Interrupted::EXIT_STATUS),
            };
        }
        self.finish().run(future)
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("inner", &self.inner)
            .field("custom_driver", &self.custom_driver)
            .field("paused", &self.paused)
            .field("ctrl_c", &self.ctrl_c)
            .finish()
    }
}

/// The timer wheel over the I/O reactor. If the reactor cannot be created (out of file
/// descriptors, say), the wheel sits on the thread parker and sockets fall back to
/// corio-net's global reactor thread.
pub(crate) fn default_stack(parker: ThreadParker, paused: bool) -> Box<dyn Driver> {
    match IoDriver::new() {
        Ok(io) if paused => Box::new(TimerDriver::new_paused(io)),
        Ok(io) => Box::new(TimerDriver::new(io)),
        Err(e) => {
            eprintln!(
                "corio: no I/O reactor for this loop ({e}); sockets use the shared reactor thread"
            );
            if paused {
                Box::new(TimerDriver::new_paused(parker))
            } else {
                Box::new(TimerDriver::new(parker))
            }
        }
    }
}

/// The loop `corio::run` uses: single-thread, timers and I/O.
pub(crate) fn default_loop() -> LocalExecutor {
    corio_executor::Builder::new()
        .driver(|parker| default_stack(parker, false))
        .build_local()
}
