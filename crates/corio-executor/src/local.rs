//! The single-thread event loop: a FIFO ready queue on the loop's thread, a locked queue
//! for wake-ups from other threads, a registry of live tasks for shutdown, and the driver
//! the loop parks in when nothing is ready.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use async_task::Runnable;
use corio_core::{
    BoxFuture, Driver, LocalBoxFuture, Spawn, SpawnError, SpawnedTask, ThreadParker, Unparker, coop,
};
use slab::Slab;

use crate::config::{Config, TaskView};
use crate::context;
use crate::meta::{TaskMeta, now_nanos};
use crate::raw::TaskFuture;
use crate::registry::Entry as Registered;
use crate::task::Task;
use crate::{Metrics, TaskSnapshot};

/// How many queue entries the loop runs between two looks at the driver and the
/// cross-thread queue, so that timers, I/O and remote wake-ups are not starved by tasks
/// that are always ready. Prime, so it does not beat in step with task patterns.
const CHECK_INTERVAL: u32 = 61;

/// The part of a loop other threads touch: the queue their wake-ups land in.
pub(crate) struct Shared {
    remote: Mutex<Remote>,
    remote_pending: AtomicBool,
    unparker: Unparker,
    config: Config,
    /// No more spawns from other threads are taken: set when shutdown begins (a spawn then
    /// is refused rather than queued behind the shutdown) and by the fast path, which
    /// closes nothing else; cleared by `reopen`. An atomic, so that closing a loop nobody
    /// else refers to costs no lock.
    spawns_refused: AtomicBool,
}

struct Remote {
    queue: VecDeque<Runnable<TaskMeta>>,
    main_woken: bool,
    /// No more wake-ups are taken: what arrives is cancelled (a `Send` task) or leaked.
    closed: bool,
}

enum Entry {
    Task(Runnable<TaskMeta>),
    /// The future given to `block_on`, which is not a task but takes its turn in the
    /// same FIFO so that ordering matches asyncio's, where main is a task too.
    Main,
}

pub(crate) struct Local {
    shared: Arc<Shared>,
    ready: RefCell<VecDeque<Entry>>,
    /// The tasks still alive (from their first poll), so shutdown can reach the ones
    /// nobody will wake, and `all_tasks` can list them.
    active: RefCell<Slab<Registered>>,
    /// Seeded random order instead of FIFO (the deterministic test executor's chaos mode).
    rng: Option<Cell<u64>>,
    polls: Cell<u64>,
    spawned: Cell<u64>,
    shutting_down: Cell<bool>,
    closed: Cell<bool>,
    remote_closed: Cell<bool>,
    main_queued: Cell<bool>,
    driver: RefCell<Box<dyn Driver>>,
}

impl Shared {
    /// Spawns a `Send` future from any thread; it joins the loop's registry at its first
    /// poll, on the loop's thread.
    pub(crate) fn spawn_remote<F>(
        self: &Arc<Self>,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if self.spawns_refused.load(Ordering::Acquire)
            || self.remote.lock().unwrap_or_else(|e| e.into_inner()).closed
        {
            return Err(SpawnError::shutdown());
        }
        let meta = TaskMeta::new(name, location);
        meta.mark_send();
        let shared = self.clone();
        // SAFETY: the conditions of `spawn_unchecked`: the future is `Send`, so its
        // runnable may be run or dropped on any thread; it borrows only its own task's
        // metadata, which async-task keeps alive as long as the future; the schedule
        // function is `Send + Sync + 'static`.
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |meta: &TaskMeta| TaskFuture::new(meta, future),
                move |r| shared.schedule(r),
            )
        };
        let waker = runnable.waker();
        runnable.schedule();
        Ok(Task::new(task, waker))
    }

    fn schedule(self: &Arc<Self>, runnable: Runnable<TaskMeta>) {
        let mut runnable = Some(runnable);
        context::with_loop(|l| {
            if let Some(l) = l {
                if Arc::ptr_eq(&l.shared, self) {
                    if let Some(r) = runnable.take() {
                        l.ready.borrow_mut().push_back(Entry::Task(r));
                    }
                }
            }
        });
        if let Some(r) = runnable {
            self.push_remote(r);
        }
    }

    fn push_remote(&self, runnable: Runnable<TaskMeta>) {
        let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
        if remote.closed {
            drop(remote);
            crate::orphan(runnable, "the event loop is closed");
            return;
        }
        remote.queue.push_back(runnable);
        self.remote_pending.store(true, Ordering::Release);
        drop(remote);
        self.unparker.unpark();
    }

    fn wake_main(self: &Arc<Self>) {
        let queued_locally = context::with_loop(|l| match l {
            Some(l) if Arc::ptr_eq(&l.shared, self) => {
                l.queue_main();
                true
            }
            _ => false,
        });
        if !queued_locally {
            let mut remote = self.remote.lock().unwrap_or_else(|e| e.into_inner());
            remote.main_woken = true;
            self.remote_pending.store(true, Ordering::Release);
            drop(remote);
            self.unparker.unpark();
        }
    }
}

/// The waker of the future given to `block_on`.
impl Wake for Shared {
    fn wake(self: Arc<Self>) {
        self.wake_main();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_main();
    }
}

impl Local {
    pub(crate) fn new(
        driver: Option<Box<dyn Driver>>,
        config: Config,
        seed: Option<u64>,
    ) -> Rc<Local> {
        let driver = driver.unwrap_or_else(|| Box::new(ThreadParker::new()));
        let shared = Arc::new(Shared {
            remote: Mutex::new(Remote {
                queue: VecDeque::new(),
                main_woken: false,
                closed: false,
            }),
            remote_pending: AtomicBool::new(false),
            unparker: driver.unparker(),
            config,
            spawns_refused: AtomicBool::new(false),
        });
        if let Some(s) = seed {
            crate::chaos::seed_chaos_roll(crate::chaos::splitmix64(s ^ 0x5EED));
        }
        Rc::new(Local {
            shared,
            ready: RefCell::new(VecDeque::with_capacity(64)),
            active: RefCell::new(Slab::with_capacity(64)),
            // splitmix64 spreads nearby seeds apart (and xorshift needs a non-zero state).
            rng: seed.map(|s| Cell::new(crate::chaos::splitmix64(s) | 1)),
            polls: Cell::new(0),
            spawned: Cell::new(0),
            shutting_down: Cell::new(false),
            closed: Cell::new(false),
            remote_closed: Cell::new(false),
            main_queued: Cell::new(false),
            driver: RefCell::new(driver),
        })
    }

    #[inline]
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.get()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    #[inline]
    pub(crate) fn config(&self) -> &Config {
        &self.shared.config
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(crate) fn unobserved_failures(&self) -> usize {
        self.shared.config.reporter.count()
    }

    #[inline]
    pub(crate) fn count_poll(&self) {
        self.polls.set(self.polls.get().wrapping_add(1));
    }

    pub(crate) fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize {
        self.active
            .borrow_mut()
            .insert(Registered::new(waker.clone(), meta))
    }

    pub(crate) fn metrics(&self) -> Metrics {
        Metrics {
            workers: 1,
            tasks_alive: self.active.borrow().len(),
            tasks_spawned: self.spawned.get(),
            polls: self.polls.get(),
            steals: 0,
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<TaskSnapshot> {
        let now = self.config().debug.map(|_| now_nanos());
        self.active
            .borrow()
            .iter()
            .map(|(_, e)| e.snapshot(now))
            .collect()
    }

    /// The next queue entry: FIFO, or a seeded random pick in chaos mode.
    #[inline]
    fn pop_ready(&self) -> Option<Entry> {
        let mut ready = self.ready.borrow_mut();
        match &self.rng {
            None => ready.pop_front(),
            Some(rng) if ready.len() > 1 => {
                let i = (crate::chaos::xorshift(rng) % ready.len() as u64) as usize;
                ready.swap_remove_back(i)
            }
            Some(_) => ready.pop_front(),
        }
    }

    pub(crate) fn live_tasks(&self) -> usize {
        self.active.borrow().len()
    }

    pub(crate) fn unparker(&self) -> Unparker {
        self.shared.unparker.clone()
    }

    pub(crate) fn task_finished(&self, slot: usize) {
        let waker = self.active.borrow_mut().try_remove(slot);
        drop(waker);
    }

    fn queue_main(&self) {
        if !self.main_queued.replace(true) {
            self.ready.borrow_mut().push_back(Entry::Main);
        }
    }

    /// Moves wake-ups from other threads into the ready queue. True if any arrived.
    fn drain_remote(&self) -> bool {
        if !self.shared.remote_pending.load(Ordering::Acquire) {
            return false;
        }
        let (queue, main) = {
            let mut remote = self.shared.remote.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.remote_pending.store(false, Ordering::Relaxed);
            (
                std::mem::take(&mut remote.queue),
                std::mem::replace(&mut remote.main_woken, false),
            )
        };
        let any = main || !queue.is_empty();
        self.ready
            .borrow_mut()
            .extend(queue.into_iter().map(Entry::Task));
        if main {
            self.queue_main();
        }
        any
    }

    fn park(&self, timeout: Option<Duration>) {
        self.driver.borrow_mut().park(timeout);
    }

    /// Spawns a task on this loop.
    ///
    /// # Panics
    ///
    /// When the loop has been shut down for good (see [`LocalExecutor::shutdown`]).
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // Refused from the moment shutdown begins: a destructor that spawns (and whose
        // task's destructor spawns again) would otherwise keep the shutdown passes going
        // for ever.
        if self.closed.get() || self.shutting_down.get() {
            return Err(SpawnError::shutdown());
        }
        let meta = TaskMeta::new(name, location);
        let shared = self.shared.clone();
        // Registered now, not at the first poll, so that `live_tasks` counts it at once.
        let mut active = self.active.borrow_mut();
        let entry = active.vacant_entry();
        let slot = entry.key();
        // SAFETY: the conditions of `spawn_unchecked`:
        // - The future may be `!Send`. Its `Runnable` is only ever run by this loop, on
        //   this thread: `Shared::schedule` queues it locally, or in the remote queue that
        //   only this thread drains; once the loop is closed, runnables reaching the
        //   remote queue are leaked, never run or dropped on a foreign thread, and the
        //   queues are emptied on this thread when the loop closes.
        // - The future borrows only the task's own metadata (`&'a TaskMeta`), which
        //   async-task keeps alive for as long as the future exists; `F` is `'static`.
        // - The schedule function is `Send + Sync + 'static` (it holds an `Arc<Shared>`).
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |meta: &TaskMeta| TaskFuture::registered(meta, future, slot),
                move |r| shared.schedule(r),
            )
        };
        entry.insert(Registered::new(runnable.waker(), runnable.metadata()));
        drop(active);
        self.spawned.set(self.spawned.get() + 1);
        if let Some(h) = self.config().hooks().and_then(|h| h.on_spawn.as_ref()) {
            h(TaskView::new(runnable.metadata()));
        }
        let waker = runnable.waker();
        let running_here = context::with_loop(|l| l.is_some_and(|l| std::ptr::eq(l, self)));
        if self.config().eager && running_here {
            // Eager start (asyncio's eager_task_factory): run until the first suspension
            // now; a wake-up from then on queues it as usual. Past the depth limit, it
            // queues like a lazy start.
            if let Some(runnable) = crate::eager::run_inline(runnable) {
                self.ready.borrow_mut().push_back(Entry::Task(runnable));
            }
        } else if running_here {
            self.ready.borrow_mut().push_back(Entry::Task(runnable));
        } else {
            // Outside a turn, wake-ups made on this thread land in the remote queue;
            // spawns go there too, so that the loop sees both in the order they happened.
            self.shared.push_remote(runnable);
        }
        Ok(Task::new(task, waker))
    }

    /// Runs `future` to completion on this thread, running the loop's tasks meanwhile.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(self: &Rc<Self>, future: F) -> F::Output {
        if self.closed.get() {
            panic!("this LocalExecutor was shut down; build a new one to run more futures");
        }
        let _loop = context::enter_loop(self.clone(), "corio::run (or LocalExecutor::block_on)");
        let _spawner = corio_core::context::enter_spawner(self.clone());
        let _driver = self.driver.borrow().enter();
        let caller = Location::caller();
        let debug = self.config().debug;
        let waker = Waker::from(self.shared.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        // Wake-ups that arrived while the loop was not running go first.
        self.drain_remote();
        self.queue_main();
        let mut ticks: u32 = 0;
        loop {
            let next = self.pop_ready();
            match next {
                Some(Entry::Main) => {
                    self.main_queued.set(false);
                    let started = debug.map(|_| std::time::Instant::now());
                    let poll =
                        coop::with_budget(coop::DEFAULT_BUDGET, || future.as_mut().poll(&mut cx));
                    if let (Some(threshold), Some(started)) = (debug, started) {
                        let took = started.elapsed();
                        if took > threshold {
                            crate::debug::report_slow_main_poll(caller, took, threshold);
                        }
                    }
                    if let Poll::Ready(v) = poll {
                        return v;
                    }
                }
                Some(Entry::Task(r)) => {
                    r.run();
                }
                None => {
                    if !self.drain_remote() {
                        self.park(None);
                        self.drain_remote();
                    }
                    continue;
                }
            }
            ticks = ticks.wrapping_add(1);
            if ticks % CHECK_INTERVAL == 0 {
                self.park(Some(Duration::ZERO));
                self.drain_remote();
            }
        }
    }

    /// Runs ready tasks until none is ready and no wake-up is pending; never sleeps.
    pub(crate) fn run_until_stalled(self: &Rc<Self>) -> usize {
        let _loop = context::enter_loop(self.clone(), "LocalExecutor::run_until_stalled");
        let _spawner = corio_core::context::enter_spawner(self.clone());
        let _driver = self.driver.borrow().enter();
        self.run_ready()
    }

    /// The body of `run_until_stalled`, for callers that already entered the loop.
    fn run_ready(&self) -> usize {
        // What happened while the loop was not running goes first, in order.
        self.drain_remote();
        let mut ran = 0;
        let mut ticks: u32 = 0;
        loop {
            let next = self.pop_ready();
            match next {
                Some(Entry::Task(r)) => {
                    r.run();
                    ran += 1;
                }
                // No `block_on` is running: a stale main wake-up means nothing.
                Some(Entry::Main) => self.main_queued.set(false),
                None => {
                    if self.drain_remote() {
                        continue;
                    }
                    // Let due timers and ready I/O wake their tasks before calling it a stall.
                    self.park(Some(Duration::ZERO));
                    if !self.drain_remote() && self.ready.borrow().is_empty() {
                        return ran;
                    }
                    continue;
                }
            }
            ticks = ticks.wrapping_add(1);
            if ticks % CHECK_INTERVAL == 0 {
                self.park(Some(Duration::ZERO));
                self.drain_remote();
            }
        }
    }

    /// Makes a shut-down loop usable again, if it is fully drained and nothing outside
    /// refers to it (no task handle, waker or unparker from its earlier life).
    pub(crate) fn is_clean(&self) -> bool {
        self.closed.get()
            && Arc::strong_count(&self.shared) == 1
            && self.ready.borrow().is_empty()
            && self.active.borrow().is_empty()
    }

    pub(crate) fn reopen(&self) -> bool {
        let clean = self.is_clean();
        if clean {
            // Both shutdown paths closed the remote queue.
            if self.remote_closed.replace(false) {
                let mut remote = self.shared.remote.lock().unwrap_or_else(|e| e.into_inner());
                remote.closed = false;
                remote.main_woken = false;
            }
            self.shared.spawns_refused.store(false, Ordering::Release);
            self.shared.remote_pending.store(false, Ordering::Relaxed);
            self.main_queued.set(false);
            self.shutting_down.set(false);
            self.closed.set(false);
        }
        clean
    }

    /// Cancels every live task, runs them until their futures are dropped, and closes the
    /// loop for good. Idempotent.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        if self.closed.get() {
            return;
        }
        // Fast path: nothing alive, nothing queued, and no task, waker or unparker left
        // that could queue anything from another thread (the `Arc<Shared>` is ours
        // alone), so there is nothing to cancel and the remote queue needs no closing.
        if self.active.borrow().is_empty()
            && self.ready.borrow().is_empty()
            && Arc::strong_count(&self.shared) == 1
            && !self.shared.remote_pending.load(Ordering::Acquire)
        {
            self.shutting_down.set(true);
            self.closed.set(true);
            // A `Handle` made after this point must be refused: spawns are its only way in
            // (nothing else holds the `Arc<Shared>`, so no waker can wake anything here).
            self.shared.spawns_refused.store(true, Ordering::Release);
            return;
        }
        // A loop may be dropped inside a task of another loop on this thread: set that
        // one aside while this one winds down.
        let _aside = context::set_aside_loop();
        let _loop = context::enter_loop(self.clone(), "LocalExecutor::shutdown");
        let _spawner = corio_core::context::enter_spawner(self.clone());
        let _driver = self.driver.borrow().enter();
        self.shutting_down.set(true);
        self.shared.spawns_refused.store(true, Ordering::Release);
        // Each pass wakes every live task; a woken task sees the shutdown flag at its
        // next poll and drops its future. Spawns are refused from here on (a destructor
        // that spawns gets `SpawnError::Shutdown`), so the passes end.
        let mut quiet_passes = 0;
        loop {
            let busy = !self.active.borrow().is_empty()
                || !self.ready.borrow().is_empty()
                || self.shared.remote_pending.load(Ordering::Acquire);
            if !busy || quiet_passes >= 3 {
                break;
            }
            let wakers: Vec<Waker> = self
                .active
                .borrow()
                .iter()
                .map(|(_, e)| e.waker().clone())
                .collect();
            for w in wakers {
                w.wake();
            }
            if self.run_ready() == 0 {
                quiet_passes += 1;
            }
        }
        self.closed.set(true);
        self.remote_closed.set(true);
        let leftover = {
            let mut remote = self.shared.remote.lock().unwrap_or_else(|e| e.into_inner());
            remote.closed = true;
            std::mem::take(&mut remote.queue)
        };
        // Whatever is still queued is cancelled and run here, on the loop's own thread as
        // `!Send` futures require, so that every handle gets `Cancelled` rather than a
        // task that silently vanished. The queues keep their capacity for a reopened
        // loop; entries are moved out first, since a destructor may touch the loop.
        for r in leftover {
            crate::cancel_and_run(r, "the event loop shut down");
        }
        let ready: Vec<Entry> = self.ready.borrow_mut().drain(..).collect();
        for e in ready {
            if let Entry::Task(r) = e {
                crate::cancel_and_run(r, "the event loop shut down");
            }
        }
        let active: Vec<Registered> = self.active.borrow_mut().drain().collect();
        drop(active);
    }
}

impl Spawn for Local {
    /// On the `block_on` thread of a multi-thread executor, `Send` futures go to its
    /// workers; otherwise to this loop.
    #[track_caller]
    fn spawn_boxed(&self, future: BoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
        crate::spawn_send_at(future, None, Location::caller()).map(SpawnedTask::new)
    }

    #[track_caller]
    fn spawn_local_boxed(&self, future: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
        self.spawn(future, None, Location::caller())
            .map(SpawnedTask::new)
    }
}

/// A single-threaded event loop: asyncio's model, and corio's fastest path.
///
/// Tasks run one at a time on the thread that drives the loop, in FIFO order of their
/// wake-ups, so `!Send` futures (holding `Rc`, `RefCell`, ...) are welcome. Wake-ups from
/// other threads are accepted and take their turn.
///
/// - [`block_on`](Self::block_on) runs a future to completion, running the loop's tasks
///   meanwhile; tasks still alive afterwards stay alive for the next call.
/// - [`run`](Self::run) is `block_on` followed by [`shutdown`](Self::shutdown): what
///   [`corio_executor::run`](crate::run) does.
/// - [`run_until_stalled`](Self::run_until_stalled) runs until no task is ready, for tests.
///
/// Dropping a `LocalExecutor` shuts it down: every live task is cancelled and its future
/// dropped, on this thread.
///
/// # Examples
///
/// ```
/// use corio_executor::LocalExecutor;
/// use std::rc::Rc;
/// use std::cell::Cell;
///
/// let ex = LocalExecutor::new();
/// let hits = Rc::new(Cell::new(0)); // !Send state is fine here
/// let h = hits.clone();
/// let task = ex.spawn(async move { h.set(h.get() + 1); 42 });
/// assert_eq!(ex.block_on(task).unwrap(), 42);
/// assert_eq!(hits.get(), 1);
/// ```
pub struct LocalExecutor {
    local: Rc<Local>,
}

impl LocalExecutor {
    /// A loop with the default driver (a thread parker) and the default failure report
    /// (stderr). See [`Builder`](crate::Builder) for the options.
    pub fn new() -> Self {
        crate::Builder::new().build_local()
    }

    pub(crate) fn from_local(local: Rc<Local>) -> Self {
        LocalExecutor { local }
    }

    /// Spawns a task on this loop; it starts at the loop's next turn.
    ///
    /// May be called from outside the loop (the task runs once the loop is driven) or
    /// from inside one of its tasks.
    ///
    /// # Panics
    ///
    /// When the executor has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(async { "done" });
    /// assert_eq!(ex.block_on(t).unwrap(), "done");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        match self.local.spawn(future, None, Location::caller()) {
            Ok(t) => t,
            Err(e) => panic!("LocalExecutor::spawn failed: {e}"),
        }
    }

    /// Like [`spawn`](Self::spawn), but gives an error instead of panicking.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] when the executor has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// ex.shutdown();
    /// assert!(ex.try_spawn(async {}).unwrap_err().is_shutdown());
    /// ```
    #[track_caller]
    pub fn try_spawn<F>(&self, future: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.local.spawn(future, None, Location::caller())
    }

    pub(crate) fn local(&self) -> &Rc<Local> {
        &self.local
    }

    /// Runs `future` to completion on this thread, running the loop's tasks meanwhile.
    /// Tasks still alive when it returns stay alive for the next call.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop (loops do not nest: await the future
    /// instead), or after [`shutdown`](Self::shutdown). A panic of `future` itself
    /// propagates to the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// assert_eq!(ex.block_on(async { 1 + 1 }), 2);
    /// assert_eq!(ex.block_on(async { 2 + 2 }), 4); // the same loop, run again
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.local.block_on(future)
    }

    /// asyncio.run on this loop: [`block_on`](Self::block_on), then
    /// [`shutdown`](Self::shutdown) (cancel and drain every task still alive).
    ///
    /// # Panics
    ///
    /// As [`block_on`](Self::block_on).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let out = ex.run(async {
    ///     corio_executor::spawn(std::future::pending::<()>()).detach(); // never finishes
    ///     "main's value"
    /// });
    /// assert_eq!(out, "main's value"); // the pending task was cancelled and dropped
    /// assert_eq!(ex.live_tasks(), 0);
    /// ```
    #[track_caller]
    pub fn run<F: Future>(&self, future: F) -> F::Output {
        let out = self.block_on(future);
        self.shutdown();
        out
    }

    /// Runs ready tasks until none is ready, without sleeping; returns how many task polls
    /// ran. Due timers and ready I/O are processed before it declares a stall. For tests.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let ex = corio_executor::LocalExecutor::new();
    /// let step = Rc::new(Cell::new(0));
    /// let s = step.clone();
    /// let _t = ex.spawn(async move {
    ///     s.set(1);
    ///     corio_executor::yield_now().await;
    ///     s.set(2);
    ///     std::future::pending::<()>().await;
    /// });
    /// ex.run_until_stalled();
    /// assert_eq!(step.get(), 2); // ran through the yield, now waits forever
    /// ```
    #[track_caller]
    pub fn run_until_stalled(&self) -> usize {
        self.local.run_until_stalled()
    }

    /// The deterministic test executor's name for [`run_until_stalled`](Self::run_until_stalled):
    /// runs until every task waits on something outside the loop.
    ///
    /// # Panics
    ///
    /// When called from inside a running corio loop.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().seed(42).build_local();
    /// let t = ex.spawn(async { 1 });
    /// ex.run_until_idle();
    /// assert!(t.is_finished());
    /// ```
    #[track_caller]
    pub fn run_until_idle(&self) -> usize {
        self.local.run_until_stalled()
    }

    /// Cancels every live task, runs each until its future is dropped (destructors run
    /// on this thread), and closes the loop: later spawns fail and `block_on` panics.
    /// Idempotent; dropping the executor does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(std::future::pending::<()>());
    /// ex.shutdown();
    /// ex.shutdown(); // twice is fine
    /// assert!(t.is_finished());
    /// ```
    pub fn shutdown(&self) {
        self.local.shutdown()
    }

    /// Makes a loop that was [shut down](Self::shutdown) usable again, if it was fully
    /// drained and nothing from its earlier life refers to it any more (no `Task` handle,
    /// waker or [`Unparker`] of it alive). Returns whether it did; when it did not, the
    /// loop stays shut down.
    ///
    /// This is how [`run`](crate::run) reuses one loop per thread instead of building a
    /// new one each call.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// assert_eq!(ex.run(async { 1 }), 1);
    /// assert!(ex.is_shut_down());
    /// assert!(ex.reopen());
    /// assert_eq!(ex.run(async { 2 }), 2);
    ///
    /// assert!(ex.reopen());
    /// let t = ex.spawn(async {});
    /// ex.shutdown();
    /// assert!(!ex.reopen()); // the handle `t` still refers to the old loop
    /// # drop(t);
    /// ```
    pub fn reopen(&self) -> bool {
        self.local.reopen()
    }

    pub(crate) fn is_clean(&self) -> bool {
        self.local.is_clean()
    }

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
    pub fn handle(&self) -> crate::Handle {
        crate::Handle::local(self.local.shared().clone())
    }

    /// The live tasks of this loop (from their first poll until they end).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let _t = ex.spawn(std::future::pending::<()>());
    /// ex.run_until_stalled();
    /// assert_eq!(ex.all_tasks().len(), 1);
    /// ```
    pub fn all_tasks(&self) -> Vec<crate::TaskSnapshot> {
        self.local.snapshot()
    }

    /// Counters: tasks alive and spawned, polls.
    pub fn metrics(&self) -> crate::Metrics {
        self.local.metrics()
    }

    /// Whether [`shutdown`](Self::shutdown) has run.
    pub fn is_shut_down(&self) -> bool {
        self.local.is_closed()
    }

    /// How many tasks are alive (spawned and not yet finished).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// let t = ex.spawn(async {});
    /// assert_eq!(ex.live_tasks(), 1);
    /// ex.block_on(t).unwrap();
    /// assert_eq!(ex.live_tasks(), 0);
    /// ```
    pub fn live_tasks(&self) -> usize {
        self.local.live_tasks()
    }

    /// How many task failures nobody observed have been reported (see
    /// [`UnobservedFailure`](crate::UnobservedFailure)).
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::Builder::new().on_unobserved_failure(|_| {}).build_local();
    /// ex.run(async { corio_executor::spawn(async { panic!("lost") }).detach(); corio_executor::yield_now().await });
    /// assert_eq!(ex.unobserved_failures(), 1);
    /// ```
    pub fn unobserved_failures(&self) -> usize {
        self.local.unobserved_failures()
    }

    /// A thread-safe handle that wakes this loop if it is parked.
    ///
    /// # Examples
    ///
    /// ```
    /// let ex = corio_executor::LocalExecutor::new();
    /// ex.unparker().unpark(); // harmless when the loop is not parked
    /// ```
    pub fn unparker(&self) -> Unparker {
        self.local.unparker()
    }
}

impl Default for LocalExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for LocalExecutor {
    fn drop(&mut self) {
        self.local.shutdown();
        // Tasks that outlive the loop (kept alive by a handle or a waker) keep an
        // `Arc<Shared>`: break the reference from the shared part to the driver stack's
        // unparker only; nothing else refers back to the loop.
    }
}

impl fmt::Debug for LocalExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalExecutor")
            .field("live_tasks", &self.local.live_tasks())
            .field("ready", &self.local.ready.borrow().len())
            .field("shut_down", &self.local.is_closed())
            .finish()
    }
}
