//! The loop itself: a FIFO ready queue on the loop's thread, the registry of live tasks,
//! and the driver it parks in when nothing is ready; spawning, and running until a
//! future completes or until nothing is ready.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use corio_core::{
    BoxFuture, Driver, LocalBoxFuture, Spawn, SpawnError, SpawnedTask, ThreadParker, Unparker, coop,
};
use slab::Slab;

use super::remote::{Remote, Shared};
use crate::config::{Config, TaskView};
use crate::context;
use crate::inbox::Inbox;
use crate::job::Job;
use crate::meta::{TaskMeta, now_nanos};
use crate::owner::Owner;
use crate::registry::Entry as Registered;
use crate::snapshot::{Metrics, TaskSnapshot};
use crate::task_handle::Task;
use crate::wrapper::{Outcome, TaskFuture};

/// How many queue entries the loop runs between two looks at the driver and the
/// cross-thread queue, so that timers, I/O and remote wake-ups are not starved by tasks
/// that are always ready. Prime, so it does not beat in step with task patterns.
const CHECK_INTERVAL: u32 = 61;

pub(super) enum Entry {
    Task(Job),
    /// The future given to `block_on`, which is not a task but takes its turn in the
    /// same FIFO so that ordering matches asyncio's, where main is a task too.
    Main,
}

pub(crate) struct Local {
    pub(super) shared: Arc<Shared>,
    pub(super) ready: RefCell<VecDeque<Entry>>,
    /// The tasks still alive (from their first poll), so shutdown can reach the ones
    /// nobody will wake, and `all_tasks` can list them.
    pub(super) active: RefCell<Slab<Registered>>,
    /// Seeded random order instead of FIFO (the deterministic test executor's chaos mode).
    pub(super) rng: Option<Cell<u64>>,
    pub(super) polls: Cell<u64>,
    pub(super) spawned: Cell<u64>,
    pub(super) shutting_down: AtomicBool,
    pub(super) closed: Cell<bool>,
    pub(super) remote_closed: Cell<bool>,
    pub(super) main_queued: Cell<bool>,
    pub(super) driver: RefCell<Box<dyn Driver>>,
}

impl Local {
    pub(crate) fn new(
        driver: Option<Box<dyn Driver>>,
        config: Config,
        seed: Option<u64>,
    ) -> Rc<Local> {
        let driver = driver.unwrap_or_else(|| Box::new(ThreadParker::new()));
        let shared = Arc::new(Shared {
            inbox: Inbox::new(Remote {
                queue: VecDeque::new(),
                main_woken: false,
                closed: false,
            }),
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
            shutting_down: AtomicBool::new(false),
            closed: Cell::new(false),
            remote_closed: Cell::new(false),
            main_queued: Cell::new(false),
            driver: RefCell::new(driver),
        })
    }

    #[inline]
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
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
    pub(super) fn pop_ready(&self) -> Option<Entry> {
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

    pub(super) fn queue_main(&self) {
        if !self.main_queued.replace(true) {
            self.ready.borrow_mut().push_back(Entry::Main);
        }
    }

    /// Moves wake-ups from other threads into the ready queue. True if any arrived.
    pub(super) fn drain_remote(&self) -> bool {
        if !self.shared.inbox.has_posts() {
            return false;
        }
        let (queue, main) = self.shared.inbox.take(|remote| {
            (
                std::mem::take(&mut remote.queue),
                std::mem::replace(&mut remote.main_woken, false),
            )
        });
        let any = main || !queue.is_empty();
        self.ready
            .borrow_mut()
            .extend(queue.into_iter().map(Entry::Task));
        if main {
            self.queue_main();
        }
        any
    }

    pub(super) fn park(&self, timeout: Option<Duration>) {
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
        // The registry entry made at spawn recorded the task's waker for the handle.
        self.spawn_then(future, name, location, Task::registered)
    }

    /// [`spawn`](Self::spawn), detached at once: no `Task` handle is built (the `Spawn`
    /// hook's detached spawns, one per TaskGroup child).
    pub(crate) fn spawn_detached<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + 'static,
    {
        self.spawn_then(future, None, location, |task| task.detach())
    }

    /// The body of `spawn`: `finish` gets the raw task, registered (so its waker is
    /// recorded in its metadata) and queued.
    #[inline(always)]
    fn spawn_then<F, R>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        finish: impl FnOnce(async_task::Task<Outcome<F::Output>, TaskMeta>) -> R,
    ) -> Result<R, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // Refused from the moment shutdown begins: a destructor that spawns (and whose
        // task's destructor spawns again) would otherwise keep the shutdown passes going
        // for ever.
        if self.closed.get() || self.is_shutting_down() {
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
        // - The future borrows nothing: `F` is `'static`, and the wrapper finds the
        //   task's metadata through `job::running_meta` when polled.
        // - The schedule function is `Send + Sync + 'static` (it holds an `Arc<Shared>`).
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |_: &TaskMeta| TaskFuture::registered(future, slot),
                move |r| shared.schedule(r),
            )
        };
        entry.insert(Registered::new(runnable.waker(), runnable.metadata()));
        drop(active);
        self.spawned.set(self.spawned.get() + 1);
        if let Some(h) = self.config().hooks().and_then(|h| h.on_spawn.as_ref()) {
            h(TaskView::new(runnable.metadata()));
        }
        let running_here = super::with_loop(|l| l.is_some_and(|l| std::ptr::eq(l, self)));
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
        Ok(finish(task))
    }

    /// Runs `future` to completion on this thread, running the loop's tasks meanwhile.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(self: &Rc<Self>, future: F) -> F::Output {
        if self.closed.get() {
            panic!("this LocalExecutor was shut down; build a new one to run more futures");
        }
        let _loop = context::enter_loop(self.clone(), "corio::run (or LocalExecutor::block_on)");
        let _spawner = corio_core::context::enter_spawner(self.clone());
        let caller = Location::caller();
        let entry = self.driver.borrow().entry();
        entry.scope(|| self.block_on_entered(future, caller))
    }

    /// The body of `block_on`, inside the loop's context and its driver's scope.
    fn block_on_entered<F: Future>(
        &self,
        future: F,
        caller: &'static Location<'static>,
    ) -> F::Output {
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
                    let poll = coop::task_poll(|| future.as_mut().poll(&mut cx));
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
                    crate::job::run(r);
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
        let entry = self.driver.borrow().entry();
        entry.scope(|| self.run_ready())
    }

    /// The body of `run_until_stalled`, for callers that already entered the loop.
    pub(super) fn run_ready(&self) -> usize {
        // What happened while the loop was not running goes first, in order.
        self.drain_remote();
        let mut ran = 0;
        let mut ticks: u32 = 0;
        loop {
            let next = self.pop_ready();
            match next {
                Some(Entry::Task(r)) => {
                    crate::job::run(r);
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
}

impl Spawn for Local {
    /// On the `block_on` thread of a multi-thread executor, `Send` futures go to its
    /// workers; otherwise to this loop.
    #[track_caller]
    fn spawn_boxed(&self, future: BoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
        context::with_send_target(|t| match t {
            Some(t) => t.spawn_send_boxed(future, Location::caller()),
            None => self
                .spawn(future, None, Location::caller())
                .map(SpawnedTask::new),
        })
    }

    #[track_caller]
    fn spawn_local_boxed(&self, future: LocalBoxFuture<()>) -> Result<SpawnedTask, SpawnError> {
        self.spawn(future, None, Location::caller())
            .map(SpawnedTask::new)
    }

    /// Detaches the task at once rather than boxing a `Task` into a `SpawnedTask`.
    #[track_caller]
    fn spawn_local_detached(&self, future: LocalBoxFuture<()>) -> Result<(), SpawnError> {
        self.spawn_detached(future, Location::caller())
    }

    /// The `SharedTask` goes into the task as it is, unboxed.
    #[track_caller]
    fn spawn_local_shared(&self, task: corio_core::SharedTask) -> Result<(), SpawnError> {
        self.spawn_detached(task, Location::caller())
    }
}

impl Owner for Local {
    fn shutting_down_flag(&self) -> &AtomicBool {
        &self.shutting_down
    }

    fn config(&self) -> &Config {
        Local::config(self)
    }

    fn poll_counter(&self) -> Option<&Cell<u64>> {
        Some(&self.polls)
    }

    fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize {
        Local::register(self, waker, meta)
    }

    fn finished(&self, slot: usize) {
        self.task_finished(slot);
    }

    fn snapshot(&self) -> Vec<TaskSnapshot> {
        Local::snapshot(self)
    }
}
