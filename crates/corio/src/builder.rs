//! The loop builder of the facade: corio-executor's, with the timer wheel and the I/O
//! reactor installed by default.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
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
    multi_thread: bool,
    custom_driver: bool,
    paused: bool,
    ctrl_c: bool,
    call_graph: bool,
    socket: Option<std::path::PathBuf>,
    hooks: Hooks,
}

type TaskHook = Arc<dyn Fn(TaskView<'_>) + Send + Sync>;
type DoneHook = Arc<dyn Fn(TaskView<'_>, TaskStatus) + Send + Sync>;

/// The user's task hooks, kept until the loop is built so that the call graph's can run
/// beside them.
#[derive(Clone, Default)]
struct Hooks {
    poll_start: Option<TaskHook>,
    poll_end: Option<TaskHook>,
    complete: Option<DoneHook>,
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
            multi_thread: false,
            custom_driver: false,
            paused: false,
            ctrl_c: false,
            call_graph: false,
            socket: None,
            hooks: Hooks::default(),
        }
    }

    /// The same as [`Builder::new`].
    pub fn local() -> Self {
        Self::new()
    }

    /// A multi-thread work-stealing executor. Each worker turns its own timer wheel; the
    /// workers share one I/O reactor, which whichever worker is idle waits in (a busy one
    /// looks at it every 61 tasks), so a socket accepted by one worker is served by all.
    /// A thread calling [`Executor::block_on`] leaves the reactor to the workers (see
    /// [`corio_net::IoDriver::share_passive`]).
    pub fn multi_thread() -> Self {
        Builder {
            inner: corio_executor::Builder::multi_thread(),
            multi_thread: true,
            custom_driver: false,
            paused: false,
            ctrl_c: false,
            call_graph: false,
            socket: None,
            hooks: Hooks::default(),
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
    /// Debug mode (see [`corio_executor::Builder::debug`]); it also records the task call
    /// graph ([`call_graph`](Self::call_graph)), as `CORIO_DEBUG=1` does.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::Builder::new().debug(true).run(async {
    ///     let t = corio::spawn(std::future::pending::<()>());
    ///     corio::yield_now().await;
    ///     assert!(corio::debug::call_graph().task(t.id().as_u64()).is_some());
    ///     t.abort();
    /// });
    /// ```
    pub fn debug(self, on: bool) -> Self {
        Builder {
            inner: self.inner.debug(on),
            call_graph: self.call_graph || on,
            ..self
        }
    }
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
    pub fn on_poll_start(mut self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.poll_start = Some(Arc::new(hook));
        self
    }

    /// See [`corio_executor::Builder::on_poll_end`].
    pub fn on_poll_end(mut self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.poll_end = Some(Arc::new(hook));
        self
    }

    /// See [`corio_executor::Builder::on_complete`].
    pub fn on_complete(
        mut self,
        hook: impl Fn(TaskView<'_>, TaskStatus) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.complete = Some(Arc::new(hook));
        self
    }

    /// Records the task call graph ([`corio::debug`](crate::debug)): what each task waits
    /// on, for [`call_graph`](crate::debug::call_graph). Off by default (then each wait
    /// costs one relaxed atomic load); on as well when [`debug::enable`](crate::debug::enable)
    /// was called or `CORIO_PS` is set. Turning it on turns it on for the whole process.
    ///
    /// # Examples
    ///
    /// ```
    /// corio::Builder::new().call_graph(true).run(async {
    ///     let t = corio::task::Builder::new().name("t").spawn(std::future::pending::<()>());
    ///     corio::yield_now().await;
    ///     assert!(corio::debug::call_graph().task(t.id().as_u64()).is_some());
    ///     t.abort();
    /// });
    /// ```
    pub fn call_graph(self, on: bool) -> Self {
        Builder {
            call_graph: on,
            ..self
        }
    }

    /// Records the call graph and serves snapshots of it on a Unix socket at `path`
    /// (permissions 0600), for `corio-ps ps|pstree <path>`: asyncio's `python -m asyncio
    /// ps PID`, opted into. The server is a thread of its own that answers while the loops
    /// run (or are stuck), and lives as long as the process. The same as `CORIO_PS=<path>`
    /// in the environment; `CORIO_PS=1` serves at
    /// [`debug::default_socket_path`](crate::debug::default_socket_path), where
    /// `corio-ps <pid>` looks.
    ///
    /// A failure to make the socket is reported on stderr and the loop runs without it.
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-builder-doc-{}.sock", std::process::id()));
    /// corio::Builder::new().call_graph_socket(&path).run(async {});
    /// assert!(path.exists());
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    #[cfg(unix)]
    pub fn call_graph_socket(self, path: impl AsRef<std::path::Path>) -> Self {
        Builder {
            call_graph: true,
            socket: Some(path.as_ref().to_owned()),
            ..self
        }
    }

    fn finish(self) -> corio_executor::Builder {
        #[cfg(unix)]
        if let Some(path) = &self.socket {
            crate::debug::serve_detached(path);
        }
        if self.call_graph {
            crate::debug::enable();
        }
        let record = crate::debug::wanted_by_env();
        let inner = with_hooks(self.inner, self.hooks, record);
        if self.custom_driver {
            inner
        } else if self.multi_thread {
            let paused = self.paused;
            let stack = move |io: IoDriver| -> Box<dyn Driver> {
                if paused {
                    Box::new(TimerDriver::new_paused(io))
                } else {
                    Box::new(TimerDriver::new(io))
                }
            };
            match IoDriver::new() {
                // The workers wait in the poller in turn; a thread calling `block_on`
                // leaves it to them (see `IoDriver::share_passive`).
                Ok(source) => {
                    let source = Arc::new(source);
                    let for_workers = source.clone();
                    inner
                        .driver(move |parker| stack(for_workers.share(parker)))
                        .block_on_driver(move |parker| stack(source.share_passive(parker)))
                }
                // Out of descriptors: each worker tries on its own (and falls back).
                Err(_) => inner.driver(move |parker| default_stack(parker, paused)),
            }
        } else {
            let paused = self.paused;
            inner.driver(move |parker| default_stack(parker, paused))
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
            .field("call_graph", &self.call_graph)
            .field("socket", &self.socket)
            .finish_non_exhaustive()
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

/// The loop `corio::run` uses: single-thread, timers and I/O (and the call graph's hooks
/// when it is on, or `CORIO_PS` asks for it).
pub(crate) fn default_loop() -> LocalExecutor {
    let inner = corio_executor::Builder::new();
    let inner = if crate::debug::wanted_by_env() {
        crate::debug::install(inner)
    } else {
        inner
    };
    inner
        .driver(|parker| default_stack(parker, false))
        .build_local()
}

/// Installs the user's hooks, run after (poll start) or before (poll end, completion) the
/// call graph's when it records.
fn with_hooks(
    inner: corio_executor::Builder,
    hooks: Hooks,
    record: bool,
) -> corio_executor::Builder {
    if record {
        use corio_core::callgraph;
        let Hooks {
            poll_start,
            poll_end,
            complete,
        } = hooks;
        return inner
            .on_poll_start(move |t| {
                callgraph::poll_started(t.id().as_u64(), t.name(), t.location());
                if let Some(h) = &poll_start {
                    h(t);
                }
            })
            .on_poll_end(move |t| {
                if let Some(h) = &poll_end {
                    h(t);
                }
                callgraph::poll_ended(t.id().as_u64());
            })
            .on_complete(move |t, status| {
                if let Some(h) = &complete {
                    h(t, status);
                }
                callgraph::task_ended(t.id().as_u64());
            });
    }
    let mut inner = inner;
    if let Some(h) = hooks.poll_start {
        inner = inner.on_poll_start(move |t| h(t));
    }
    if let Some(h) = hooks.poll_end {
        inner = inner.on_poll_end(move |t| h(t));
    }
    if let Some(h) = hooks.complete {
        inner = inner.on_complete(move |t, s| h(t, s));
    }
    inner
}
