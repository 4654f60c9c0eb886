//! The state every worker and every spawner share: the run queues, each worker's
//! mailbox and counters, the registry of live tasks, the gate and the flags of a
//! shutdown; spawning and scheduling.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use async_task::{ScheduleInfo, WithInfo};
use corio_core::{SpawnError, Unparker};
use slab::Slab;

use super::worker::WorkerCtx;
use crate::config::{Config, TaskView};
use crate::context::SendTarget;
use crate::gate::Gate;
use crate::job::Job;
use crate::meta::{TaskMeta, now_nanos};
use crate::owner::Owner;
use crate::queues::{Injector, LocalQueue};
use crate::registry::Entry as Registered;
use crate::sleepers::Sleepers;
use crate::snapshot::{Metrics, TaskSnapshot};
use crate::task_handle::Task;
use crate::wrapper::{Outcome, TaskFuture};

/// Registry shards: spawns and completions on different workers rarely share a lock.
pub(super) const SHARDS: usize = 16;

pub(crate) struct Shared {
    pub(super) injector: Injector,
    /// Each worker's own queue, by index: pushed and popped by its worker, stolen from by
    /// the others.
    pub(super) queues: Box<[LocalQueue]>,
    pub(super) slots: Box<[WorkerSlot]>,
    pub(super) sleepers: Sleepers,
    pub(super) registry: Box<[Mutex<Slab<Registered>>]>,
    pub(super) shutting_down: AtomicBool,
    pub(super) stopped: AtomicBool,
    /// Pushes from outside the workers pass through it; closed once, by `shutdown`.
    pub(super) gate: Gate,
    pub(super) spawned: AtomicU64,
    pub(super) config: Config,
    /// Itself, for spawning through a `&Shared` (the schedule functions need an `Arc`).
    pub(super) me: std::sync::Weak<Shared>,
}

pub(super) struct WorkerSlot {
    pub(super) unparker: Unparker,
    pub(super) pinned: Mutex<VecDeque<Job>>,
    pub(super) pinned_pending: AtomicBool,
    pub(super) polls: AtomicU64,
    pub(super) steals: AtomicU64,
    pub(super) spawned: AtomicU64,
}

impl Shared {
    #[inline]
    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
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

    pub(super) fn live_tasks(&self) -> usize {
        self.registry
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    pub(super) fn wakers(&self) -> Vec<Waker> {
        let mut all = Vec::new();
        for shard in self.registry.iter() {
            let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(shard.iter().map(|(_, e)| e.waker()));
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
    pub(super) fn with_own_worker<R>(&self, f: impl FnOnce(&WorkerCtx) -> R) -> Option<R> {
        super::with_worker(|w| match w {
            Some(w) if std::ptr::eq(Arc::as_ptr(&w.shared), self) => Some(f(w)),
            _ => None,
        })
    }

    /// Queues a stealable task.
    pub(super) fn schedule(self: &Arc<Self>, job: Job, info: ScheduleInfo) {
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
                None => crate::job::orphan(job, "the executor has stopped"),
            }
        }
    }

    /// Queues a task pinned to worker `index`.
    pub(super) fn schedule_pinned(self: &Arc<Self>, index: usize, job: Job) {
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
                crate::job::orphan(job, "the executor has stopped");
                return;
            }
            inbox.push_back(job);
            slot.pinned_pending.store(true, Ordering::Release);
            drop(inbox);
            slot.unparker.unpark();
        }
    }

    /// Wakes one parked worker, if any is parked.
    pub(super) fn notify_one(&self) {
        if let Some(i) = self.sleepers.notify_one() {
            self.slots[i].unparker.unpark();
        }
    }

    pub(super) fn notify_all(&self) {
        for s in self.slots.iter() {
            s.unparker.unpark();
        }
    }

    pub(super) fn spawn_with<F>(
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
        self.spawn_then::<F, _, true>(future, name, location, pinned_to, Task::registered)
    }

    /// The body of `spawn_with`: `finish` gets the raw task. When `HANDLE`, the task's
    /// metadata records its waker first, for the handle's `abort` before the task's first
    /// poll registers it (a const, so that a detached spawn neither clones the waker nor
    /// builds a handle only to drop it).
    #[inline(always)]
    fn spawn_then<F, R, const HANDLE: bool>(
        &self,
        future: F,
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        pinned_to: Option<usize>,
        finish: impl FnOnce(async_task::Task<Outcome<F::Output>, TaskMeta>) -> R,
    ) -> Result<R, SpawnError>
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
                // dropped on any thread; the future is `'static` and borrows nothing; the
                // schedule function is `Send + Sync + 'static`.
                unsafe {
                    async_task::Builder::new().metadata(meta).spawn_unchecked(
                        move |_: &TaskMeta| TaskFuture::new(future),
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
                        move |_: &TaskMeta| TaskFuture::new(future),
                        move |r| shared.schedule_pinned(index, r),
                    )
                }
            }
        };
        self.count_spawn();
        if let Some(h) = self.config.hooks().and_then(|h| h.on_spawn.as_ref()) {
            h(TaskView::new(runnable.metadata()));
        }
        if HANDLE {
            runnable.metadata().set_waker(&runnable.waker());
        }
        let on_own_worker = self.with_own_worker(|_| ()).is_some();
        if self.config.eager && on_own_worker {
            if let Some(runnable) = crate::eager::run_inline(runnable) {
                runnable.schedule();
            }
        } else {
            runnable.schedule();
        }
        Ok(finish(task))
    }

    /// Counts a spawn: on the spawning worker's own counter when there is one, so that
    /// workers spawning at once do not share a cache line.
    pub(super) fn count_spawn(&self) {
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

    /// [`spawn_pinned`](Self::spawn_pinned), detached at once: no `Task` handle is built
    /// (the `Spawn` hook's detached spawns, one per TaskGroup child on a worker).
    fn spawn_pinned_detached<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + 'static,
    {
        match self.with_own_worker(|w| w.index) {
            Some(i) => {
                self.spawn_then::<F, _, false>(future, None, location, Some(i), |t| t.detach())
            }
            None => Err(SpawnError::not_local()),
        }
    }
}

/// What leaf crates spawn through (`corio_core::Spawn`) on a worker thread.
pub(super) struct Spawner(pub(super) Arc<Shared>);

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

    /// Detaches the task at once rather than boxing a `Task` into a `SpawnedTask`.
    #[track_caller]
    fn spawn_local_detached(
        &self,
        future: corio_core::LocalBoxFuture<()>,
    ) -> Result<(), SpawnError> {
        self.0.spawn_pinned_detached(future, Location::caller())
    }

    /// The `SharedTask` goes into the task as it is, unboxed.
    #[track_caller]
    fn spawn_local_shared(&self, task: corio_core::SharedTask) -> Result<(), SpawnError> {
        self.0.spawn_pinned_detached(task, Location::caller())
    }
}

impl Owner for Shared {
    fn shutting_down_flag(&self) -> &AtomicBool {
        &self.shutting_down
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn poll_counter(&self) -> Option<&std::cell::Cell<u64>> {
        None // counted per worker by the worker loop
    }

    fn register(&self, waker: &Waker, meta: &TaskMeta) -> usize {
        Shared::register(self, waker, meta)
    }

    fn finished(&self, slot: usize) {
        self.task_finished(slot);
    }

    fn snapshot(&self) -> Vec<TaskSnapshot> {
        Shared::snapshot(self)
    }
}

/// `Send` spawns made on this executor's `block_on` thread (or a worker) come here.
impl SendTarget for Shared {
    fn spawn_send_boxed(
        &self,
        future: corio_core::BoxFuture<()>,
        location: &'static Location<'static>,
    ) -> Result<corio_core::SpawnedTask, SpawnError> {
        self.spawn_send(future, None, location)
            .map(corio_core::SpawnedTask::new)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
