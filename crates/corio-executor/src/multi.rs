//! The multi-thread work-stealing executor.
//!
//! Each worker has a local FIFO run queue (a bounded `concurrent-queue`, which the others
//! can steal half of at a time), a LIFO slot for the task it just woke (message-passing
//! latency: the receiver runs next, while its data is hot in cache), and an inbox of tasks
//! pinned to it (`!Send` tasks spawned on that worker). New work from outside the workers
//! goes to a global injector. An idle worker parks on its own parker; work that appears
//! wakes one parked worker, never all of them.
//!
//! A busy worker still turns its driver (timers and I/O) every `DRIVER_CHECK_INTERVAL`
//! tasks, with a zero wait: otherwise a worker that always has work would never fire a
//! timer or notice a readable socket (a sleep of 20 ms under two spinning tasks once took
//! until the spinners stopped).
//!
//! # Stopping without losing a spawn
//!
//! A task scheduled from outside the workers is pushed to the injector through a gate
//! (`gate.rs`): one atomic word holding a "stopped" bit and a count of pushes in flight.
//! `shutdown` closes the gate, waits for the pushes already past it, and only then drains
//! the injector; a push that finds the gate closed cancels the task on the spot. So every
//! spawn is either run, cancelled (its handle says so), or refused, never left in a queue
//! nobody drains.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::queues::{Injector, Job, LocalQueue};
use async_task::{ScheduleInfo, WithInfo};
use corio_core::{Driver, SpawnError, ThreadParker, Unparker};
use slab::Slab;

use crate::config::{Config, TaskView};
use crate::context;
use crate::gate::Gate;
use crate::meta::{TaskMeta, now_nanos};
use crate::raw::TaskFuture;
use crate::registry::Entry as Registered;
use crate::sleepers::Sleepers;
use crate::task::Task;
use crate::{Metrics, TaskSnapshot};

/// Look at the injector and the pinned inbox first every this many tasks, so that work
/// from outside is not starved by a worker's own queue.
const GLOBAL_CHECK_INTERVAL: u32 = 61;
/// After this many tasks in a row from the LIFO slot, take the next from the queue, so
/// two tasks ping-ponging through the slot cannot starve the rest.
const MAX_LIFO_RUNS: u32 = 3;
/// Turn the driver (zero wait) every this many tasks, so timers and I/O are served
/// however busy the worker is. Prime, like the other intervals, so it does not beat in
/// step with task patterns.
const DRIVER_CHECK_INTERVAL: u32 = 61;
/// Rounds of a short spin before an idle worker parks.
const SPIN_ROUNDS: u32 = 4;
/// Registry shards: spawns and completions on different workers rarely share a lock.
const SHARDS: usize = 16;

pub(crate) struct Shared {
    injector: Injector,
    /// Each worker's own queue, by index: pushed and popped by its worker, stolen from by
    /// the others.
    queues: Box<[LocalQueue]>,
    slots: Box<[WorkerSlot]>,
    sleepers: Sleepers,
    registry: Box<[Mutex<Slab<Registered>>]>,
    shutting_down: AtomicBool,
    stopped: AtomicBool,
    /// Pushes from outside the workers pass through it; closed once, by `shutdown`.
    gate: Gate,
    spawned: AtomicU64,
    config: Config,
    /// Itself, for spawning through a `&Shared` (the schedule functions need an `Arc`).
    me: std::sync::Weak<Shared>,
}

struct WorkerSlot {
    unparker: Unparker,
    pinned: Mutex<VecDeque<Job>>,
    pinned_pending: AtomicBool,
    polls: AtomicU64,
    steals: AtomicU64,
    spawned: AtomicU64,
}

/// A worker thread's own state, on its stack while it runs.
pub(crate) struct WorkerCtx {
    shared: Arc<Shared>,
    index: usize,
    lifo: Cell<Option<Job>>,
    pinned_local: RefCell<VecDeque<Job>>,
    driver: RefCell<Box<dyn Driver>>,
    rng: Cell<u64>,
    /// Chaos mode ([`Builder::seed`](crate::Builder::seed)): a generator seeded per
    /// worker that randomises where a woken task is queued, when the worker turns its
    /// driver and looks at the injector, and whom it steals from.
    chaos: Option<Cell<u64>>,
}

impl WorkerCtx {
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn shared_arc(&self) -> &Arc<Shared> {
        &self.shared
    }

    fn local(&self) -> &LocalQueue {
        &self.shared.queues[self.index]
    }

    fn push_local(&self, job: Job) {
        self.local().push_or_inject(job, &self.shared.injector);
    }
}

impl Shared {
    #[inline]
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    #[inline]
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize {
        // Spread by task id (handed out per thread in blocks): no shared counter to bump.
        let shard = (meta.id.as_u64() as usize) % SHARDS;
        let idx = self.registry[shard]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(Registered::new(waker.clone(), meta));
        idx * SHARDS + shard
    }

    pub(crate) fn task_finished(&self, slot: usize) {
        let (idx, shard) = (slot / SHARDS, slot % SHARDS);
        let entry = self.registry[shard]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .try_remove(idx);
        drop(entry); // outside the lock: dropping a waker may drop a task
    }

    fn live_tasks(&self) -> usize {
        self.registry
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    fn wakers(&self) -> Vec<Waker> {
        let mut all = Vec::new();
        for shard in self.registry.iter() {
            let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(shard.iter().map(|(_, e)| e.waker().clone()));
        }
        all
    }

    pub(crate) fn snapshot(&self) -> Vec<TaskSnapshot> {
        let now = self.config.debug.map(|_| now_nanos());
        let mut all = Vec::new();
        for shard in self.registry.iter() {
            let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(shard.iter().map(|(_, e)| e.snapshot(now)));
        }
        all.sort_by_key(|s| s.id);
        all
    }

    pub(crate) fn metrics(&self) -> Metrics {
        Metrics {
            workers: self.slots.len(),
            tasks_alive: self.live_tasks(),
            tasks_spawned: self.spawned.load(Ordering::Relaxed)
                + self
                    .slots
                    .iter()
                    .map(|s| s.spawned.load(Ordering::Relaxed))
                    .sum::<u64>(),
            polls: self
                .slots
                .iter()
                .map(|s| s.polls.load(Ordering::Relaxed))
                .sum(),
            steals: self
                .slots
                .iter()
                .map(|s| s.steals.load(Ordering::Relaxed))
                .sum(),
        }
    }

    /// Runs `f` with this thread's worker state if this thread is one of *this*
    /// executor's workers.
    #[inline]
    fn with_own_worker<R>(&self, f: impl FnOnce(&WorkerCtx) -> R) -> Option<R> {
        context::with_worker(|w| match w {
            Some(w) if std::ptr::eq(Arc::as_ptr(&w.shared), self) => Some(f(w)),
            _ => None,
        })
    }

    /// Queues a stealable task.
    fn schedule(self: &Arc<Self>, job: Job, info: ScheduleInfo) {
        let mut job = Some(job);
        self.with_own_worker(|w| {
            let job = job.take().expect("once");
            if let Some(rng) = &w.chaos {
                // Any of the three places a real schedule can put it, at random.
                match crate::chaos::xorshift(rng) % 3 {
                    0 => {
                        if let Some(prev) = w.lifo.replace(Some(job)) {
                            w.push_local(prev);
                        }
                    }
                    1 => w.push_local(job),
                    _ => self.injector.push(job),
                }
                self.notify_one();
            } else if info.woken_while_running {
                // It woke itself (yield_now): back of the queue, behind everything else.
                w.push_local(job);
            } else if let Some(prev) = w.lifo.replace(Some(job)) {
                w.push_local(prev);
            }
            // There is work others could steal; make sure someone is looking.
            if !w.local().is_empty() {
                self.notify_one();
            }
        });
        if let Some(job) = job {
            match self.gate.enter() {
                Some(_pass) => {
                    self.injector.push(job);
                    self.notify_one();
                }
                None => crate::orphan(job, "the executor has stopped"),
            }
        }
    }

    /// Queues a task pinned to worker `index`.
    fn schedule_pinned(self: &Arc<Self>, index: usize, job: Job) {
        let mut job = Some(job);
        self.with_own_worker(|w| {
            if w.index == index {
                w.pinned_local
                    .borrow_mut()
                    .push_back(job.take().expect("once"));
            }
        });
        if let Some(job) = job {
            let slot = &self.slots[index];
            let mut inbox = slot.pinned.lock().unwrap_or_else(|e| e.into_inner());
            if self.stopped.load(Ordering::Acquire) {
                drop(inbox);
                crate::orphan(job, "the executor has stopped");
                return;
            }
            inbox.push_back(job);
            slot.pinned_pending.store(true, Ordering::Release);
            drop(inbox);
            slot.unparker.unpark();
        }
    }

    /// Wakes one parked worker, if any is parked.
    fn notify_one(&self) {
        if let Some(i) = self.sleepers.notify_one() {
            self.slots[i].unparker.unpark();
        }
    }

    fn notify_all(&self) {
        for s in self.slots.iter() {
            s.unparker.unpark();
        }
    }

    fn spawn_with<F>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        pinned_to: Option<usize>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        if self.is_shutting_down() {
            return Err(SpawnError::shutdown());
        }
        let meta = TaskMeta::with_send(name, location, pinned_to.is_none());
        // The schedule function owns a reference to the executor.
        let Some(shared) = self.me.upgrade() else {
            return Err(SpawnError::shutdown());
        };
        let (runnable, task) = match pinned_to {
            None => {
                // SAFETY: the conditions of `spawn_unchecked`: callers of this arm
                // (`spawn_send`) only pass `Send` futures, so the runnable may be run and
                // dropped on any thread; the future borrows only its own task's metadata,
                // which async-task keeps alive as long as the future; the schedule function
                // is `Send + Sync + 'static`.
                unsafe {
                    async_task::Builder::new().metadata(meta).spawn_unchecked(
                        move |meta: &TaskMeta| TaskFuture::new(meta, future),
                        WithInfo(move |r, info| shared.schedule(r, info)),
                    )
                }
            }
            Some(index) => {
                // SAFETY: as above, except the future may be `!Send`: its runnable is
                // only ever run by worker `index` (`schedule_pinned` queues it in that
                // worker's own queue or inbox, which only it drains), and once the workers
                // have stopped, runnables that reach an inbox are leaked, never run or
                // dropped on a foreign thread; inboxes are drained by their own worker.
                unsafe {
                    async_task::Builder::new().metadata(meta).spawn_unchecked(
                        move |meta: &TaskMeta| TaskFuture::new(meta, future),
                        move |r| shared.schedule_pinned(index, r),
                    )
                }
            }
        };
        self.count_spawn();
        if let Some(h) = self.config.hooks().and_then(|h| h.on_spawn.as_ref()) {
            h(TaskView::new(runnable.metadata()));
        }
        let waker = runnable.waker();
        let on_own_worker = self.with_own_worker(|_| ()).is_some();
        if self.config.eager && on_own_worker {
            if let Some(runnable) = crate::eager::run_inline(runnable) {
                runnable.schedule();
            }
        } else {
            runnable.schedule();
        }
        Ok(Task::new(task, waker))
    }

    /// Counts a spawn: on the spawning worker's own counter when there is one, so that
    /// workers spawning at once do not share a cache line.
    fn count_spawn(&self) {
        let counted = self.with_own_worker(|w| {
            let slot = &self.slots[w.index];
            let n = slot.spawned.load(Ordering::Relaxed);
            slot.spawned.store(n + 1, Ordering::Relaxed);
        });
        if counted.is_none() {
            self.spawned.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn spawn_send<F>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, name, location, None)
    }

    /// Spawns a `!Send` future pinned to the current worker.
    pub(crate) fn spawn_pinned<F>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match self.with_own_worker(|w| w.index) {
            Some(i) => self.spawn_with(future, name, location, Some(i)),
            None => Err(SpawnError::not_local()),
        }
    }
}

impl WorkerCtx {
    fn run(&self) {
        let _guard = context::enter_worker(self);
        let _spawner =
            corio_core::context::enter_spawner(std::rc::Rc::new(Spawner(self.shared.clone())));
        let _driver = self.driver.borrow().enter();
        let mut ticks: u32 = 0;
        let mut lifo_runs: u32 = 0;
        loop {
            if self.shared.stopped.load(Ordering::Acquire) {
                break;
            }
            ticks = ticks.wrapping_add(1);
            let (turn_driver, look_outside) = match &self.chaos {
                None => (
                    ticks % DRIVER_CHECK_INTERVAL == 0,
                    ticks % GLOBAL_CHECK_INTERVAL == 0,
                ),
                Some(rng) => {
                    let r = crate::chaos::xorshift(rng);
                    (r % 7 == 0, (r >> 8) % 5 == 0)
                }
            };
            if turn_driver {
                self.driver.borrow_mut().park(Some(Duration::ZERO));
            }
            let job = if look_outside {
                self.drain_inbox();
                match self.take_from_injector() {
                    Some(job) => {
                        // The slot's task is not stealable: while the outside task runs
                        // (and it may block this thread), the slot's task waits in the
                        // queue, where an idle worker or shutdown can reach it.
                        if let Some(prev) = self.lifo.take() {
                            self.push_local(prev);
                        }
                        Some(job)
                    }
                    None => self.next_local(&mut lifo_runs),
                }
            } else {
                self.next_local(&mut lifo_runs)
                    .or_else(|| {
                        self.drain_inbox();
                        self.pinned_local.borrow_mut().pop_front()
                    })
                    .or_else(|| self.take_from_injector())
                    .or_else(|| self.steal())
            };
            match job {
                Some(job) => {
                    let slot = &self.shared.slots[self.index];
                    let n = slot.polls.load(Ordering::Relaxed);
                    slot.polls.store(n + 1, Ordering::Relaxed);
                    job.run();
                }
                None => self.park(),
            }
        }
        // Stopped: whatever is still queued here is cancelled and run on this thread
        // (pinned tasks may be `!Send`), so every handle gets `Cancelled`. A destructor
        // run here may wake another task into the LIFO slot or a queue: loop until all
        // of them are empty.
        const WHY: &str = "the executor shut down";
        loop {
            let job = self.lifo.take().or_else(|| self.local().pop()).or_else(|| {
                self.drain_inbox_unconditionally();
                self.pinned_local.borrow_mut().pop_front()
            });
            match job {
                Some(job) => crate::cancel_and_run(job, WHY),
                None => break,
            }
        }
    }

    fn drain_inbox_unconditionally(&self) {
        let slot = &self.shared.slots[self.index];
        let jobs = std::mem::take(&mut *slot.pinned.lock().unwrap_or_else(|e| e.into_inner()));
        self.pinned_local.borrow_mut().extend(jobs);
    }

    fn next_local(&self, lifo_runs: &mut u32) -> Option<Job> {
        if *lifo_runs < MAX_LIFO_RUNS {
            if let Some(job) = self.lifo.take() {
                *lifo_runs += 1;
                return Some(job);
            }
        } else if let Some(job) = self.lifo.take() {
            // Give the queue a turn; the slot's task goes behind it.
            self.push_local(job);
        }
        *lifo_runs = 0;
        self.pinned_local
            .borrow_mut()
            .pop_front()
            .or_else(|| self.local().pop())
    }

    fn drain_inbox(&self) {
        let slot = &self.shared.slots[self.index];
        if slot.pinned_pending.load(Ordering::Acquire) {
            let jobs = {
                let mut inbox = slot.pinned.lock().unwrap_or_else(|e| e.into_inner());
                slot.pinned_pending.store(false, Ordering::Relaxed);
                std::mem::take(&mut *inbox)
            };
            self.pinned_local.borrow_mut().extend(jobs);
        }
    }

    fn take_from_injector(&self) -> Option<Job> {
        // One at a time: the injector is lock-free, and moving batches into the local
        // queue cost a second push and pop per task (measured with callgrind).
        self.shared.injector.pop()
    }

    fn steal(&self) -> Option<Job> {
        let n = self.shared.queues.len();
        if n <= 1 {
            return None;
        }
        let rng = self.chaos.as_ref().unwrap_or(&self.rng);
        let start = (crate::chaos::xorshift(rng) % n as u64) as usize;
        for k in 0..n {
            let i = (start + k) % n;
            if i == self.index {
                continue;
            }
            if let Some(job) = self.shared.queues[i].steal_into(self.local(), &self.shared.injector)
            {
                let slot = &self.shared.slots[self.index];
                let s = slot.steals.load(Ordering::Relaxed);
                slot.steals.store(s + 1, Ordering::Relaxed);
                return Some(job);
            }
        }
        None
    }

    fn has_work(&self) -> bool {
        !self.shared.injector.is_empty()
            || self.shared.slots[self.index]
                .pinned_pending
                .load(Ordering::Acquire)
            || self.shared.queues.iter().any(|q| !q.is_empty())
            || self.shared.stopped.load(Ordering::Acquire)
    }

    fn park(&self) {
        // A short spin first: work often arrives within microseconds (a burst of spawns,
        // a reply), and a park/unpark round trip costs tens of them.
        for _ in 0..SPIN_ROUNDS {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
            if self.has_work() {
                return;
            }
        }
        self.shared.sleepers.begin_park(self.index);
        if !self.has_work() {
            self.driver.borrow_mut().park(None);
        }
        self.shared.sleepers.end_park(self.index);
    }
}

/// What leaf crates spawn through (`corio_core::Spawn`) on a worker thread.
struct Spawner(Arc<Shared>);

impl corio_core::Spawn for Spawner {
    #[track_caller]
    fn spawn_boxed(
        &self,
        future: corio_core::BoxFuture<()>,
    ) -> Result<corio_core::SpawnedTask, SpawnError> {
        self.0
            .spawn_send(future, None, Location::caller())
            .map(corio_core::SpawnedTask::new)
    }

    #[track_caller]
    fn spawn_local_boxed(
        &self,
        future: corio_core::LocalBoxFuture<()>,
    ) -> Result<corio_core::SpawnedTask, SpawnError> {
        self.0
            .spawn_pinned(future, None, Location::caller())
            .map(corio_core::SpawnedTask::new)
    }
}

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
    /// The driver stack for `block_on`'s thread, as the workers have.
    driver: Option<crate::builder::MakeDriver>,
}

pub(crate) struct MultiOptions {
    pub(crate) workers: usize,
    pub(crate) thread_name: String,
    pub(crate) stack_size: Option<usize>,
    pub(crate) driver: Option<crate::builder::MakeDriver>,
    /// Chaos mode's seed: each worker derives its own generator from it.
    pub(crate) seed: Option<u64>,
}

impl Executor {
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
            driver: options.driver,
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
        let _multi = context::enter_multi(self.shared.clone());
        thread_local! {
            // The calling thread's loop for this executor, kept between calls: building
            // one (and its driver stack: an epoll instance and an eventfd with the
            // facade's drivers) cost about 8 us per call. Keyed by the executor's shared
            // state through a `Weak`, which keeps that allocation's address from being
            // reused while the key exists, so a loop never serves another executor.
            static LOOP: RefCell<Option<(std::sync::Weak<Shared>, crate::LocalExecutor)>> =
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
        let ex = cached.unwrap_or_else(|| self.calling_thread_loop());
        let out = ex.run(future);
        if ex.is_clean() {
            let _ = LOOP.try_with(|l| *l.borrow_mut() = Some((me, ex)));
        }
        out
    }

    /// A loop for a thread calling `block_on`: the workers' driver stack, this executor's
    /// debug settings.
    fn calling_thread_loop(&self) -> crate::LocalExecutor {
        // It reports slow polls as the workers do: the future given to `block_on` blocks
        // that thread just as a task would block a worker.
        let mut builder = crate::Builder::new().debug(self.shared.config.debug.is_some());
        if let Some(threshold) = self.shared.config.debug {
            builder = builder.slow_poll_threshold(threshold);
        }
        if let Some(make) = &self.driver {
            let make = make.clone();
            builder = builder.driver(move |p| make(p));
        }
        builder.build_local()
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
            crate::orphan(job, "the executor shut down");
        }
        // And what a stuck worker's queue still holds (stealable tasks are `Send`).
        for q in self.shared.queues.iter() {
            while let Some(job) = q.pop() {
                crate::orphan(job, "the executor shut down");
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
    pub fn handle(&self) -> crate::Handle {
        crate::Handle::multi(self.shared.clone())
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

/// What [`Executor::shutdown`] could not finish within its timeout.
///
/// # Examples
///
/// ```
/// let ex = corio_executor::Builder::multi_thread().workers(1).build();
/// let r = ex.shutdown(std::time::Duration::from_millis(100));
/// assert!(r.is_clean());
/// assert_eq!(r.to_string(), "shutdown complete: every task finished");
/// ```
#[derive(Debug)]
pub struct ShutdownReport {
    unfinished: Vec<TaskSnapshot>,
    stuck_workers: usize,
}

impl ShutdownReport {
    /// Whether every task finished and every worker stopped.
    pub fn is_clean(&self) -> bool {
        self.unfinished.is_empty() && self.stuck_workers == 0
    }

    /// The tasks still alive at the deadline (typically blocked inside a poll).
    pub fn unfinished(&self) -> &[TaskSnapshot] {
        &self.unfinished
    }

    /// Workers that did not stop by the deadline (left running, detached).
    pub fn stuck_workers(&self) -> usize {
        self.stuck_workers
    }
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("shutdown complete: every task finished");
        }
        write!(
            f,
            "shutdown timed out: {} task(s) unfinished, {} worker(s) still busy",
            self.unfinished.len(),
            self.stuck_workers
        )?;
        for t in &self.unfinished {
            write!(f, "\n  {t}")?;
        }
        Ok(())
    }
}
