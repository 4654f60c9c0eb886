//! `Executor`: the multi-thread executor's public face: starting the workers, spawning
//! from outside, `block_on`, and shutdown with its report.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use corio_core::{Driver, SpawnError, ThreadParker, Unparker};
use slab::Slab;

use super::ShutdownReport;
use super::shared::{SHARDS, Shared, WorkerSlot};
use super::worker::WorkerCtx;
use crate::config::{Config, MakeDriver};
use crate::context;
use crate::gate::Gate;
use crate::local::LocalExecutor;
use crate::queues::{Injector, LocalQueue};
use crate::sleepers::Sleepers;
use crate::snapshot::{Metrics, TaskSnapshot};
use crate::task_handle::Task;

/// A multi-thread work-stealing executor for `Send` futures.
///
/// Workers (by default one per available core) each run tasks from their own queue and
/// steal from the others when idle. [`spawn`](Self::spawn) (and
/// [`spawn_send`](crate::spawn_send) from inside) may run the task on any worker.
/// Inside a worker, [`spawn`](crate::spawn) keeps a `!Send` task on that worker.
///
/// [`block_on`](Self::block_on) runs a future on the calling thread, on a local loop of
/// its own, while the workers run the tasks.
///
/// Dropping the executor shuts it down: see [`shutdown`](Self::shutdown).
///
/// # Examples
///
/// ```
/// let ex = corio_executor::Builder::multi_thread().workers(2).build();
/// let sum = ex.block_on(async {
///     let tasks: Vec<_> = (0..100u64)
///         .map(|i| corio_executor::spawn_send(async move { i * 2 }))
///         .collect();
///     let mut sum = 0;
///     for t in tasks {
///         sum += t.await.unwrap();
///     }
///     sum
/// });
/// assert_eq!(sum, 9900);
/// ```
pub struct Executor {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Builds the loop a thread calling `block_on` runs: given by the builder, with the
    /// workers' driver stack and debug settings.
    make_loop: MakeLoop,
}

/// Builds a single-thread loop for a thread calling [`Executor::block_on`].
pub(crate) type MakeLoop = Arc<dyn Fn() -> LocalExecutor + Send + Sync>;

pub(crate) struct MultiOptions {
    pub(crate) workers: usize,
    pub(crate) thread_name: String,
    pub(crate) stack_size: Option<usize>,
    pub(crate) driver: Option<MakeDriver>,
    pub(crate) make_loop: MakeLoop,
    /// Chaos mode's seed: each worker derives its own generator from it.
    pub(crate) seed: Option<u64>,
}

impl Executor {
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(crate) fn start(options: MultiOptions, config: Config) -> Executor {
        let n = options.workers.max(1);
        // Each worker builds its driver stack on its own thread (a driver need not be
        // `Send`), reports its unparker, then waits for the shared state, which needs every
        // worker's unparker.
        let (unparker_tx, unparker_rx) = std::sync::mpsc::channel::<(usize, Unparker)>();
        let mut shared_txs = Vec::with_capacity(n);
        let mut threads = Vec::with_capacity(n);
        for index in 0..n {
            let (shared_tx, shared_rx) = std::sync::mpsc::channel::<Arc<Shared>>();
            shared_txs.push(shared_tx);
            let unparker_tx = unparker_tx.clone();
            let make_driver = options.driver.clone();
            let chaos_seed = options.seed.map(|s| {
                crate::chaos::splitmix64(s ^ (index as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407))
            });
            let mut b =
                std::thread::Builder::new().name(format!("{}-{index}", options.thread_name));
            if let Some(size) = options.stack_size {
                b = b.stack_size(size);
            }
            let handle = b
                .spawn(move || {
                    let parker = ThreadParker::new();
                    let driver: Box<dyn Driver> = match make_driver {
                        Some(make) => make(parker),
                        None => Box::new(parker),
                    };
                    if unparker_tx.send((index, driver.unparker())).is_err() {
                        return; // the executor failed to start
                    }
                    drop(unparker_tx);
                    let Ok(shared) = shared_rx.recv() else { return };
                    if let Some(seed) = chaos_seed {
                        // Spurious wake-ups on this worker follow the seed too.
                        crate::chaos::seed_chaos_roll(seed);
                    }
                    let ctx = WorkerCtx {
                        shared,
                        index,
                        lifo: Cell::new(None),
                        pinned_local: RefCell::new(VecDeque::new()),
                        driver: RefCell::new(driver),
                        rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1)),
                        chaos: chaos_seed.map(|s| Cell::new(s | 1)),
                    };
                    ctx.run();
                })
                .expect("failed to spawn a corio worker thread");
            threads.push(handle);
        }
        drop(unparker_tx);
        let mut unparkers: Vec<Option<Unparker>> = (0..n).map(|_| None).collect();
        for (index, u) in unparker_rx.iter().take(n) {
            unparkers[index] = Some(u);
        }
        let slots: Box<[WorkerSlot]> = unparkers
            .into_iter()
            .map(|u| WorkerSlot {
                unparker: u.expect("a corio worker thread failed to build its driver"),
                pinned: Mutex::new(VecDeque::new()),
                pinned_pending: AtomicBool::new(false),
                polls: AtomicU64::new(0),
                steals: AtomicU64::new(0),
                spawned: AtomicU64::new(0),
            })
            .collect();
        let shared = Arc::new_cyclic(|me| Shared {
            injector: Injector::new(),
            queues: (0..n).map(|_| LocalQueue::new()).collect(),
            slots,
            sleepers: Sleepers::new(n),
            registry: (0..SHARDS).map(|_| Mutex::new(Slab::new())).collect(),
            shutting_down: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            gate: Gate::new(),
            spawned: AtomicU64::new(0),
            config,
            me: me.clone(),
        });
        for tx in shared_txs {
            let _ = tx.send(shared.clone());
        }
        Executor {
            shared,
            threads: Mutex::new(threads),
            make_loop: options.make_loop,
        }
    }

    /// Spawns a `Send` task that may run on any worker.
    ///
    /// # Panics
    ///
    /// When the executor is shutting down; [`try_spawn`](Self::try_spawn) gives an error
    /// instead.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(2).build();
    /// let t = ex.spawn(async { std::thread::current().name().map(str::to_owned) });
    /// let name = t.join_blocking().unwrap().unwrap();
    /// assert!(name.starts_with("corio-worker"));
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.try_spawn(future) {
            Ok(t) => t,
            Err(e) => panic!("Executor::spawn: {e}"),
        }
    }

    /// Like [`spawn`](Self::spawn), with an error instead of a panic.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the executor is shutting down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(1).build();
    /// ex.shutdown(std::time::Duration::from_secs(1));
    /// assert!(ex.try_spawn(async {}).unwrap_err().is_shutdown());
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(&self, future: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn_send(future, None, Location::caller())
    }

    /// Runs `future` on the calling thread until it completes, while the workers run the
    /// tasks. Inside it, [`spawn_send`](crate::spawn_send) spawns onto the workers and
    /// [`spawn`](crate::spawn) onto the calling thread's own loop (for `!Send` futures).
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop or worker.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(2).build();
    /// assert_eq!(ex.block_on(async { 7 }), 7);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _multi = context::enter_send_target(self.shared.clone());
        thread_local! {
            // The calling thread's loop for this executor, kept between calls: building
            // one (and its driver stack: an epoll instance and an eventfd with the
            // facade's drivers) cost about 8 us per call. Keyed by the executor's shared
            // state through a `Weak`, which keeps that allocation's address from being
            // reused while the key exists, so a loop never serves another executor.
            static LOOP: RefCell<Option<(std::sync::Weak<Shared>, LocalExecutor)>> =
                const { RefCell::new(None) };
        }
        let me = Arc::downgrade(&self.shared);
        let cached = LOOP
            .try_with(|l| match l.borrow_mut().take() {
                Some((key, ex)) if key.ptr_eq(&me) && ex.reopen() => Some(ex),
                _ => None,
            })
            .ok()
            .flatten();
        let ex = cached.unwrap_or_else(|| (self.make_loop)());
        let out = ex.run(future);
        if ex.is_clean() {
            let _ = LOOP.try_with(|l| *l.borrow_mut() = Some((me, ex)));
        }
        out
    }

    /// Cancels every task, waits up to `timeout` for them to unwind, stops the workers,
    /// and reports what did not finish. Idempotent; dropping the executor does the same
    /// with a timeout of one second.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let ex = corio_executor::Builder::multi_thread().workers(2).build();
    /// ex.spawn(std::future::pending::<()>()).detach();
    /// let report = ex.shutdown(Duration::from_secs(1));
    /// assert!(report.is_clean(), "{report}");
    /// ```
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        let first = !self.shared.shutting_down.swap(true, Ordering::AcqRel);
        if first {
            for w in self.shared.wakers() {
                w.wake();
            }
            self.shared.notify_all();
        }
        // Wait for the cancelled tasks to unwind (a task blocked inside a poll cannot be
        // interrupted: it is reported).
        while self.shared.live_tasks() > 0 && Instant::now() < deadline {
            for w in self.shared.wakers() {
                w.wake();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let unfinished = self.shared.snapshot();
        self.shared.stopped.store(true, Ordering::Release);
        // From here on a push from outside cancels its task itself; the pushes already
        // past the gate land before the drain below.
        self.shared.gate.close();
        self.shared.notify_all();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let mut stuck_workers = 0;
        for t in threads {
            let now = Instant::now();
            if now >= deadline && !t.is_finished() {
                // A worker stuck in a blocking poll: leave it, say so.
                stuck_workers += 1;
                continue;
            }
            let _ = t.join();
        }
        // Leftover stealable tasks in the injector are `Send`: cancel and run them here.
        while let Some(job) = self.shared.injector.pop() {
            crate::job::orphan(job, "the executor shut down");
        }
        // And what a stuck worker's queue still holds (stealable tasks are `Send`).
        for q in self.shared.queues.iter() {
            while let Some(job) = q.pop() {
                crate::job::orphan(job, "the executor shut down");
            }
        }
        ShutdownReport {
            unfinished,
            stuck_workers,
        }
    }

    /// All live tasks, with what they are doing; callable from any thread, even while
    /// the workers are busy.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(1).build();
    /// let t = ex.spawn(std::future::pending::<()>());
    /// while ex.all_tasks().is_empty() { std::thread::yield_now(); }
    /// assert_eq!(ex.all_tasks()[0].id(), t.id());
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskSnapshot> {
        self.shared.snapshot()
    }

    /// Counters: tasks alive and spawned, polls, steals.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::multi_thread().workers(2).build();
    /// ex.spawn(async {}).join_blocking().unwrap();
    /// let m = ex.metrics();
    /// assert_eq!(m.workers, 2);
    /// assert_eq!(m.tasks_spawned, 1);
    /// ```
    pub fn metrics(&self) -> Metrics {
        self.shared.metrics()
    }

    /// How many task failures nobody observed have been reported.
    pub fn unobserved_failures(&self) -> usize {
        self.shared.config.reporter.count()
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        let report = self.shutdown(Duration::from_secs(1));
        if !report.is_clean() {
            eprintln!("corio: {report}");
        }
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("workers", &self.shared.slots.len())
            .field("metrics", &self.shared.metrics())
            .finish()
    }
}
