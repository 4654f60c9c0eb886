//! Configuring an event loop: the single-thread `LocalExecutor` or the multi-thread
//! `Executor`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use corio_core::{Driver, ThreadParker};

use crate::config::{Config, DEFAULT_SLOW_POLL, DoneHook, Hooks, MakeDriver, TaskHook, TaskView};
use crate::local::{Local, LocalExecutor};
use crate::meta::TaskStatus;
use crate::multi::{Executor, MakeLoop, MultiOptions};
use crate::report::{Hook, Reporter, UnobservedFailure};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flavor {
    Local,
    MultiThread,
}

/// Builds an event loop with options.
///
/// [`Builder::new`] (or [`Builder::local`]) makes a single-thread
/// [`LocalExecutor`] with [`build_local`](Self::build_local);
/// [`Builder::multi_thread`] makes a work-stealing [`Executor`] with
/// [`build`](Self::build). [`run`](Self::run) builds either, runs a future on it and shuts
/// it down: asyncio.run with options.
///
/// Debug mode is on when `CORIO_DEBUG=1` is set, or with [`debug`](Self::debug).
///
/// # Examples
///
/// ```
/// use corio_executor::Builder;
/// use std::time::Duration;
///
/// let ex = Builder::new()
///     .debug(true)
///     .slow_poll_threshold(Duration::from_millis(50))
///     .on_unobserved_failure(|f| eprintln!("lost failure: {f}"))
///     .build_local();
/// assert_eq!(ex.block_on(async { 3 }), 3);
///
/// let answer = Builder::multi_thread().workers(2).run(async {
///     corio_executor::spawn_send(async { 40 + 2 }).await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[must_use = "a Builder does nothing until it builds or runs"]
pub struct Builder {
    flavor: Flavor,
    driver: Option<MakeDriver>,
    block_on_driver: Option<MakeDriver>,
    hook: Option<Hook>,
    debug: bool,
    slow_poll: Duration,
    eager: bool,
    seed: Option<u64>,
    spurious_per_mille: u32,
    hooks: Hooks,
    workers: Option<usize>,
    thread_name: String,
    stack_size: Option<usize>,
}

impl Builder {
    /// A single-thread loop with the defaults: a thread parker as the driver, failures
    /// reported on stderr, debug mode from `CORIO_DEBUG`, and chaos mode from
    /// `CORIO_CHAOS=<seed>` (see [`seed`](Self::seed)).
    pub fn new() -> Self {
        let chaos = crate::config::chaos_from_env();
        Builder {
            flavor: Flavor::Local,
            driver: None,
            block_on_driver: None,
            hook: None,
            debug: crate::config::debug_from_env(),
            slow_poll: DEFAULT_SLOW_POLL,
            eager: false,
            seed: chaos.map(|(seed, _)| seed),
            spurious_per_mille: chaos.map_or(0, |(_, rate)| rate),
            hooks: Hooks::default(),
            workers: None,
            thread_name: "corio-worker".to_owned(),
            stack_size: None,
        }
    }

    /// The same as [`Builder::new`]: a single-thread loop.
    pub fn local() -> Self {
        Self::new()
    }

    /// A multi-thread work-stealing executor, one worker per available core unless
    /// [`workers`](Self::workers) says otherwise.
    pub fn multi_thread() -> Self {
        Builder {
            flavor: Flavor::MultiThread,
            ..Self::new()
        }
    }

    /// The number of worker threads of a multi-thread executor (at least 1).
    ///
    /// # Panics
    ///
    /// When `n` is 0.
    pub fn workers(mut self, n: usize) -> Self {
        assert!(
            n > 0,
            "Builder::workers: an executor needs at least one worker"
        );
        self.workers = Some(n);
        self
    }

    /// Worker thread names: `{name}-{index}`. Default `corio-worker`.
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }

    /// Worker thread stack size in bytes (default: the platform's).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Debug mode (asyncio's `loop.set_debug(True)`): a poll that holds its thread longer
    /// than the [slow-poll threshold](Self::slow_poll_threshold) is reported on stderr with
    /// the task's name, id and spawn site, and [`all_tasks`](crate::all_tasks) reports the
    /// time since each task's last poll.
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = on;
        self
    }

    /// The slow-poll threshold of debug mode (default 100 ms, asyncio's
    /// `slow_callback_duration`).
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Self {
        self.slow_poll = threshold;
        self
    }

    /// Eager start (asyncio 3.12's `eager_task_factory`): a task spawned from inside the
    /// loop runs at once, inline, until its first suspension, instead of at the loop's
    /// next turn. It pays when many tasks finish without ever waiting (cache hits, say).
    pub fn eager_start(mut self, on: bool) -> Self {
        self.eager = on;
        self
    }

    /// The deterministic test executor's chaos mode: the single-thread loop picks the
    /// next ready task at random from a generator seeded with `seed`, instead of in FIFO
    /// order. The same seed gives the same order; a test that passes under many seeds does
    /// not depend on scheduling order.
    ///
    /// A whole test suite can be run in chaos mode without touching its code: with
    /// `CORIO_CHAOS=<seed>` in the environment, every loop built by [`Builder::new`] (and
    /// so [`LocalExecutor::new`](crate::LocalExecutor::new) and [`run`](crate::run)) starts
    /// in chaos mode, each loop with its own seed derived from that one, with spurious
    /// wake-ups at `CORIO_CHAOS_SPURIOUS` per mille (default 50). The project's
    /// `scripts/chaos.py` runs the acceptance tests that way under many seeds.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().seed(42).build_local();
    /// let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    /// for i in 0..3 {
    ///     let order = order.clone();
    ///     ex.spawn(async move { order.borrow_mut().push(i) }).detach();
    /// }
    /// ex.run_until_stalled();
    /// let mut seen = order.borrow().clone();
    /// seen.sort();
    /// assert_eq!(seen, [0, 1, 2]); // all ran; in an order the seed picked
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Chaos mode's other half (with [`seed`](Self::seed)): out of 1 000 task polls that
    /// return `Pending`, `per_mille` also wake the task at once, a spurious wake-up. Correct
    /// futures tolerate them; a future that assumes "woken means ready" breaks.
    ///
    /// # Panics
    ///
    /// When `per_mille` is above 1 000.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().seed(7).spurious_wakeups(200).build_local();
    /// let v = ex.run(async {
    ///     let t = corio_executor::spawn(async { corio_executor::yield_now().await; 3 });
    ///     t.await.unwrap()
    /// });
    /// assert_eq!(v, 3);
    /// ```
    pub fn spurious_wakeups(mut self, per_mille: u32) -> Self {
        assert!(
            per_mille <= 1000,
            "Builder::spurious_wakeups takes a rate out of 1 000, got {per_mille}"
        );
        self.spurious_per_mille = per_mille;
        self
    }

    /// Installs a driver stack, built on top of the thread parker it is given: the timer
    /// wheel and the I/O reactor are installed this way, by the `corio` facade. `make` is
    /// called once for the single-thread loop, and once on each worker thread of a
    /// multi-thread executor (each worker turns its own stack when idle).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker, Unparker};
    /// use std::time::Duration;
    ///
    /// struct Logged(ThreadParker);
    /// impl Driver for Logged {
    ///     fn park(&mut self, t: Option<Duration>) { self.0.park(t) }
    ///     fn unparker(&self) -> Unparker { self.0.unparker() }
    /// }
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|parker| Box::new(Logged(parker)))
    ///     .build_local();
    /// assert_eq!(ex.block_on(async { 1 }), 1);
    /// ```
    pub fn driver(
        mut self,
        make: impl Fn(ThreadParker) -> Box<dyn Driver> + Send + Sync + 'static,
    ) -> Self {
        self.driver = Some(Arc::new(make));
        self
    }

    /// The driver stack of a thread calling a multi-thread executor's
    /// [`block_on`](crate::Executor::block_on); by default, the workers' stack from
    /// [`driver`](Self::driver). The `corio` facade uses it to keep that thread out of
    /// the poller its workers share (see `corio_net::IoDriver::share_passive`).
    ///
    /// # Panics
    ///
    /// [`build_local`](Self::build_local) panics when this was set: a single-thread
    /// loop has one thread and one driver, given by [`driver`](Self::driver).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    ///
    /// let ex = corio_executor::Builder::multi_thread()
    ///     .workers(1)
    ///     .block_on_driver(|parker| Box::new(parker))
    ///     .build();
    /// assert_eq!(ex.block_on(async { 5 }), 5);
    /// ```
    pub fn block_on_driver(
        mut self,
        make: impl Fn(ThreadParker) -> Box<dyn Driver> + Send + Sync + 'static,
    ) -> Self {
        self.block_on_driver = Some(Arc::new(make));
        self
    }

    /// Where failures nobody observed go (asyncio's "Task exception was never
    /// retrieved"); by default they are printed on stderr. See [`UnobservedFailure`].
    pub fn on_unobserved_failure(
        mut self,
        hook: impl Fn(&UnobservedFailure) + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Called on the spawning thread for each new task.
    pub fn on_spawn(mut self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.on_spawn = Some(Box::new(hook) as TaskHook);
        self
    }

    /// Called before each poll of a task, on the polling thread.
    pub fn on_poll_start(mut self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.on_poll_start = Some(Box::new(hook) as TaskHook);
        self
    }

    /// Called after each poll of a task, on the polling thread.
    pub fn on_poll_end(mut self, hook: impl Fn(TaskView<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.on_poll_end = Some(Box::new(hook) as TaskHook);
        self
    }

    /// Called when a task ends, with how it ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_executor::TaskStatus;
    /// use std::sync::{Arc, Mutex};
    /// let ends = Arc::new(Mutex::new(Vec::new()));
    /// let e = ends.clone();
    /// corio_executor::Builder::new()
    ///     .on_complete(move |_, status| e.lock().unwrap().push(status))
    ///     .run(async { corio_executor::spawn(async {}).await.unwrap() });
    /// assert_eq!(*ends.lock().unwrap(), [TaskStatus::Completed]);
    /// ```
    pub fn on_complete(
        mut self,
        hook: impl Fn(TaskView<'_>, TaskStatus) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.on_complete = Some(Box::new(hook) as DoneHook);
        self
    }

    fn config(&mut self) -> Config {
        let hooks = std::mem::take(&mut self.hooks);
        Config {
            reporter: Arc::new(Reporter::new(self.hook.take())),
            debug: self.debug.then_some(self.slow_poll),
            eager: self.eager,
            hooks: (!hooks.is_empty()).then_some(hooks),
            spurious_per_mille: self.spurious_per_mille,
        }
    }

    /// Builds a single-thread [`LocalExecutor`].
    ///
    /// # Panics
    ///
    /// When the builder was made by [`Builder::multi_thread`].
    pub fn build_local(mut self) -> LocalExecutor {
        assert!(
            self.flavor == Flavor::Local,
            "this Builder was made by Builder::multi_thread(): call .build() for an Executor"
        );
        assert!(
            self.block_on_driver.is_none(),
            "Builder::block_on_driver is for multi-thread executors: a single-thread loop has one driver, set with .driver()"
        );
        let config = self.config();
        let driver = self.driver.take().map(|make| make(ThreadParker::new()));
        LocalExecutor::from_local(Local::new(driver, config, self.seed))
    }

    /// Builds a multi-thread [`Executor`] and starts its workers.
    ///
    /// # Panics
    ///
    /// When the builder was made by [`Builder::new`] / [`Builder::local`] (call
    /// [`build_local`](Self::build_local)), or a worker thread cannot be started.
    pub fn build(mut self) -> Executor {
        assert!(
            self.flavor == Flavor::MultiThread,
            "this Builder makes a single-thread loop: call .build_local(), or start from Builder::multi_thread()"
        );
        let config = self.config();
        let workers = self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        // A thread calling `block_on` runs a loop with the workers' driver stack, and
        // reports slow polls as the workers do: the future given to `block_on` blocks that
        // thread just as a task would block a worker.
        let (debug, slow_poll) = (self.debug, self.slow_poll);
        let driver = self.block_on_driver.clone().or_else(|| self.driver.clone());
        let make_loop: MakeLoop = Arc::new(move || {
            let mut builder = Builder::new().debug(debug).slow_poll_threshold(slow_poll);
            if let Some(make) = &driver {
                let make = make.clone();
                builder = builder.driver(move |p| make(p));
            }
            builder.build_local()
        });
        Executor::start(
            MultiOptions {
                workers,
                thread_name: self.thread_name.clone(),
                stack_size: self.stack_size,
                driver: self.driver.clone(),
                make_loop,
                seed: self.seed,
            },
            config,
        )
    }

    /// asyncio.run with options: builds the loop, runs `future` to completion, shuts the
    /// loop down (cancelling the tasks still alive) and returns the output.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop; a panic of `future` propagates.
    #[track_caller]
    pub fn run<F: Future>(self, future: F) -> F::Output {
        match self.flavor {
            Flavor::Local => self.build_local().run(future),
            Flavor::MultiThread => {
                let ex = self.build();
                let out = ex.block_on(future);
                let report = ex.shutdown(Duration::from_secs(5));
                if !report.is_clean() {
                    eprintln!("corio: {report}");
                }
                out
            }
        }
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
            .field("flavor", &self.flavor)
            .field("workers", &self.workers)
            .field("debug", &self.debug)
            .field("slow_poll", &self.slow_poll)
            .field("eager", &self.eager)
            .field("seed", &self.seed)
            .field("custom_driver", &self.driver.is_some())
            .field("custom_block_on_driver", &self.block_on_driver.is_some())
            .field("failure_hook", &self.hook.is_some())
            .finish_non_exhaustive()
    }
}

// The default loop is the default builder's, so it is defined here, above both.
impl LocalExecutor {
    /// A loop with the default driver (a thread parker) and the default failure report
    /// (stderr). See [`Builder`](crate::Builder) for the options.
    pub fn new() -> Self {
        Builder::new().build_local()
    }
}

impl Default for LocalExecutor {
    fn default() -> Self {
        Self::new()
    }
}
