//! The task call graph's bookkeeping: which task waits on what (asyncio's
//! `capture_call_graph`), recorded by the primitives themselves.
//!
//! Why this lives in core: a semaphore (corio-sync), a sleep (corio-timer) and a task
//! group (corio-combinators) must each say "the current task waits on me" without naming
//! the executor, and the executor must say which task is current without naming them.
//!
//! - The executor (or a hook installed on it) calls [`poll_started`] / [`poll_ended`]
//!   around each poll of a task and [`task_ended`] when the task is gone.
//! - A future that returns `Pending` records what it waits on in its [`WaitSlot`]; the
//!   record lives until the future completes or is dropped. A combinator that polls other
//!   futures inside its own poll ([`WaitSlot::enter`]) becomes their parent, so a task's
//!   waits form a tree (a `gather` and the two semaphores its children wait on).
//! - [`snapshot`] copies every record out, for `corio::debug::call_graph()` to render.
//!
//! Off by default: then every hook is one relaxed load of a process-wide flag and a
//! branch. [`set_enabled`] turns it on (debug mode, `CORIO_PS`, or a builder option do).
//!
//! # Examples
//!
//! ```
//! use corio_core::callgraph::{self, WaitOn, WaitSlot};
//!
//! callgraph::set_enabled(true);
//! let task = 7;
//! callgraph::poll_started(task, Some("worker"), std::panic::Location::caller());
//! let mut slot = WaitSlot::new();
//! slot.pending(|| WaitOn::new("Event").detail("not set"));
//! callgraph::poll_ended(task);
//!
//! let all = callgraph::snapshot();
//! let me = all.iter().find(|t| t.id == task).unwrap();
//! assert_eq!(me.waits[0].on.kind(), "Event");
//! drop(slot); // the wait is over
//! assert!(callgraph::snapshot().iter().find(|t| t.id == task).unwrap().waits.is_empty());
//! callgraph::task_ended(task);
//! ```

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::num::NonZeroU64;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether call-graph bookkeeping is on in this process: the one check every hook makes.
///
/// # Examples
///
/// ```
/// let _ = corio_core::callgraph::enabled(); // off unless something turned it on
/// ```
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Turns the bookkeeping on or off for the whole process. Waits recorded while it was on
/// stay until their futures finish; nothing new is recorded while it is off.
///
/// # Examples
///
/// ```
/// corio_core::callgraph::set_enabled(true);
/// assert!(corio_core::callgraph::enabled());
/// ```
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// What a waiting future waits on, as it describes itself when it returns `Pending`.
///
/// The kind is a short name ("Semaphore", "Lock", "Queue.get", "sleep", "Task"), the
/// detail its state at that moment ("2 of 2 permits taken, this waiter 1st of 3"). Task
/// ids ([`on_task`](Self::on_task)) and a lock's holder ([`held_by`](Self::held_by)) are
/// the graph's edges; a deadline or a start time is rendered relative to when the graph
/// is captured, so it is live.
///
/// # Examples
///
/// ```
/// use corio_core::callgraph::WaitOn;
/// let w = WaitOn::new("Lock").held_by(Some(12)).detail("2 waiters");
/// assert_eq!((w.kind(), w.holder(), w.detail_text()), ("Lock", Some(12), "2 waiters"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitOn {
    kind: Cow<'static, str>,
    detail: String,
    tasks: Vec<u64>,
    holder: Option<u64>,
    object: usize,
    until: Option<Instant>,
    since: Option<Instant>,
    queued: bool,
}

impl WaitOn {
    /// A wait of the given kind, with no detail yet.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_core::callgraph::WaitOn::new("Event").kind(), "Event");
    /// ```
    pub fn new(kind: impl Into<Cow<'static, str>>) -> Self {
        WaitOn {
            kind: kind.into(),
            detail: String::new(),
            tasks: Vec::new(),
            holder: None,
            object: 0,
            until: None,
            since: None,
            queued: false,
        }
    }

    /// This wait holds a place in the [`object`](Self::object)'s FIFO queue: the graph
    /// numbers the recorded waits on one object in the order they were recorded ("this
    /// waiter 2nd of 3"), so the place is live, not as of the waiter's last poll.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_core::callgraph::WaitOn::new("Semaphore").queued().is_queued());
    /// ```
    pub fn queued(mut self) -> Self {
        self.queued = true;
        self
    }

    /// Whether [`queued`](Self::queued) was given.
    ///
    /// # Examples
    ///
    /// See [`queued`](Self::queued).
    pub fn is_queued(&self) -> bool {
        self.queued
    }

    /// The state of the thing waited on, in words.
    ///
    /// # Examples
    ///
    /// ```
    /// let w = corio_core::callgraph::WaitOn::new("Event").detail("not set");
    /// assert_eq!(w.detail_text(), "not set");
    /// ```
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Waits for the task with this id to end (its handle is being awaited).
    ///
    /// # Examples
    ///
    /// ```
    /// let w = corio_core::callgraph::WaitOn::new("Task").on_task(3).on_task(4);
    /// assert_eq!(w.tasks(), [3, 4]);
    /// ```
    pub fn on_task(mut self, id: u64) -> Self {
        self.tasks.push(id);
        self
    }

    /// The task that holds what is waited on (a lock's owner), if known.
    ///
    /// # Examples
    ///
    /// ```
    /// let w = corio_core::callgraph::WaitOn::new("Lock").held_by(Some(2));
    /// assert_eq!(w.holder(), Some(2));
    /// ```
    pub fn held_by(mut self, task: Option<u64>) -> Self {
        self.holder = task;
        self
    }

    /// Which object is waited on (its address), so that two waits on one lock are seen to
    /// be on the same lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = 5u8;
    /// let w = corio_core::callgraph::WaitOn::new("Lock").object(&lock);
    /// assert_eq!(w.object_id(), &lock as *const u8 as usize);
    /// ```
    pub fn object<T: ?Sized>(mut self, object: &T) -> Self {
        self.object = object as *const T as *const () as usize;
        self
    }

    /// The wait ends at this instant at the latest (a sleep, a timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// let at = std::time::Instant::now();
    /// assert_eq!(corio_core::callgraph::WaitOn::new("sleep").until(at).deadline(), Some(at));
    /// ```
    pub fn until(mut self, deadline: Instant) -> Self {
        self.until = Some(deadline);
        self
    }

    /// The thing waited on has been running since this instant (a `to_thread` job).
    ///
    /// # Examples
    ///
    /// ```
    /// let t0 = std::time::Instant::now();
    /// assert_eq!(corio_core::callgraph::WaitOn::new("to_thread").since(t0).started(), Some(t0));
    /// ```
    pub fn since(mut self, started: Instant) -> Self {
        self.since = Some(started);
        self
    }

    /// The kind given to [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The detail given to [`detail`](Self::detail) (empty if none).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn detail_text(&self) -> &str {
        &self.detail
    }

    /// The ids given to [`on_task`](Self::on_task).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn tasks(&self) -> &[u64] {
        &self.tasks
    }

    /// The id given to [`held_by`](Self::held_by).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn holder(&self) -> Option<u64> {
        self.holder
    }

    /// The address given to [`object`](Self::object) (0 if none).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn object_id(&self) -> usize {
        self.object
    }

    /// The instant given to [`until`](Self::until).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn deadline(&self) -> Option<Instant> {
        self.until
    }

    /// The instant given to [`since`](Self::since).
    ///
    /// # Examples
    ///
    /// See [`WaitOn`].
    pub fn started(&self) -> Option<Instant> {
        self.since
    }
}

/// One recorded wait of a task, as [`snapshot`] returns it.
///
/// # Examples
///
/// See the [module](self) example.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WaitRecord {
    /// The record's id, unique in the process.
    pub id: u64,
    /// The wait of a combinator that was polling this one when it was recorded.
    pub parent: Option<u64>,
    /// What is waited on.
    pub on: WaitOn,
    /// When the wait was first recorded.
    pub since: Instant,
}

/// One task as the bookkeeping knows it, as [`snapshot`] returns it.
///
/// # Examples
///
/// See the [module](self) example.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TaskRecord {
    /// The task's id (the executor's `TaskId` as a number).
    pub id: u64,
    /// The task's name, if it has one.
    pub name: Option<Arc<str>>,
    /// Where it was spawned.
    pub location: &'static Location<'static>,
    /// Being polled right now.
    pub running: bool,
    /// Polls so far.
    pub polls: u64,
    /// Time spent inside its polls so far.
    pub busy: Duration,
    /// When its last poll began.
    pub last_poll: Instant,
    /// When it was first polled.
    pub first_poll: Instant,
    /// The thread that polled it last.
    pub thread: Option<Arc<str>>,
    /// What it waits on now, parents before children.
    pub waits: Vec<WaitRecord>,
}

struct Task {
    name: Option<Arc<str>>,
    location: &'static Location<'static>,
    running_since: Option<Instant>,
    polls: u64,
    busy: Duration,
    last_poll: Instant,
    first_poll: Instant,
    thread: Option<Arc<str>>,
    waits: BTreeMap<u64, WaitRecord>,
}

/// Task ids are already well spread: one multiplication hashes them (SipHash showed in the
/// cost of every recorded poll).
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type TaskMap = HashMap<u64, Task, std::hash::BuildHasherDefault<IdHasher>>;

fn tasks() -> MutexGuard<'static, TaskMap> {
    static TASKS: OnceLock<Mutex<TaskMap>> = OnceLock::new();
    TASKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    /// The task being polled on this thread and the wait that is polling its children
    /// (0: none).
    static CURRENT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    static THREAD_NAME: OnceLock<Option<Arc<str>>> = const { OnceLock::new() };
}

fn thread_name() -> Option<Arc<str>> {
    THREAD_NAME
        .try_with(|n| {
            n.get_or_init(|| std::thread::current().name().map(Arc::from))
                .clone()
        })
        .ok()
        .flatten()
}

/// The executor's hook: task `id` is about to be polled on this thread. Records the
/// task on its first poll, counts the poll and makes the task current for the waits its
/// futures record. A no-op while the bookkeeping is off.
///
/// # Examples
///
/// ```
/// use corio_core::callgraph;
/// callgraph::set_enabled(true);
/// callgraph::poll_started(41, None, std::panic::Location::caller());
/// assert_eq!(callgraph::current_task(), Some(41));
/// callgraph::poll_ended(41);
/// assert_eq!(callgraph::current_task(), None);
/// callgraph::task_ended(41);
/// ```
pub fn poll_started(id: u64, name: Option<&str>, location: &'static Location<'static>) {
    if !enabled() || id == 0 {
        return;
    }
    let now = Instant::now();
    let thread = thread_name();
    {
        let mut all = tasks();
        let t = all.entry(id).or_insert_with(|| Task {
            name: name.map(Arc::from),
            location,
            running_since: None,
            polls: 0,
            busy: Duration::ZERO,
            last_poll: now,
            first_poll: now,
            thread: None,
            waits: BTreeMap::new(),
        });
        t.polls += 1;
        t.last_poll = now;
        t.running_since = Some(now);
        t.thread = thread;
    }
    let _ = CURRENT.try_with(|c| c.set((id, 0)));
}

/// The executor's hook: the poll of task `id` that [`poll_started`] announced is over.
///
/// # Examples
///
/// See [`poll_started`].
pub fn poll_ended(id: u64) {
    let _ = CURRENT.try_with(|c| {
        if c.get().0 == id {
            c.set((0, 0));
        }
    });
    if !enabled() {
        return;
    }
    if let Some(t) = tasks().get_mut(&id) {
        if let Some(since) = t.running_since.take() {
            t.busy += since.elapsed();
        }
    }
}

/// The executor's hook: task `id` has ended (completed, cancelled or dropped); its
/// records go.
///
/// # Examples
///
/// See [`poll_started`].
pub fn task_ended(id: u64) {
    if !enabled() {
        return;
    }
    tasks().remove(&id);
}

/// The id of the task being polled on this thread, when the bookkeeping is on and the
/// executor announced the poll (a lock records its holder with it).
///
/// # Examples
///
/// ```
/// assert_eq!(corio_core::callgraph::current_task(), None); // no task polled here
/// ```
#[inline]
pub fn current_task() -> Option<u64> {
    if !enabled() {
        return None;
    }
    CURRENT.try_with(|c| c.get().0).ok().filter(|&id| id != 0)
}

/// Every task seen by the bookkeeping and still alive, with what it waits on, in id
/// order.
///
/// # Examples
///
/// See the [module](self) example.
pub fn snapshot() -> Vec<TaskRecord> {
    let all = tasks();
    let mut out: Vec<TaskRecord> = all
        .iter()
        .map(|(&id, t)| TaskRecord {
            id,
            name: t.name.clone(),
            location: t.location,
            running: t.running_since.is_some(),
            polls: t.polls,
            busy: t.busy + t.running_since.map_or(Duration::ZERO, |s| s.elapsed()),
            last_poll: t.last_poll,
            first_poll: t.first_poll,
            thread: t.thread.clone(),
            waits: t.waits.values().cloned().collect(),
        })
        .collect();
    drop(all);
    out.sort_by_key(|t| t.id);
    out
}

fn next_wait_id() -> NonZeroU64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NonZeroU64::new(NEXT.fetch_add(1, Ordering::Relaxed)).expect("wait ids do not wrap")
}

/// Where a waiting future keeps its record: empty (and costing one branch per poll) while
/// the bookkeeping is off.
///
/// Call [`pending`](Self::pending) each time the future returns `Pending`, and
/// [`done`](Self::done) when it completes; dropping the slot removes the record too.
///
/// # Examples
///
/// ```
/// use corio_core::callgraph::{WaitOn, WaitSlot};
/// let mut slot = WaitSlot::new();
/// slot.pending(|| WaitOn::new("Event")); // outside any task: nothing is recorded
/// assert!(!slot.is_recorded());
/// ```
#[derive(Debug, Default)]
pub struct WaitSlot {
    key: Option<(u64, NonZeroU64)>,
}

impl WaitSlot {
    /// An empty slot.
    ///
    /// # Examples
    ///
    /// ```
    /// let slot = corio_core::callgraph::WaitSlot::new();
    /// assert!(!slot.is_recorded());
    /// ```
    pub const fn new() -> Self {
        WaitSlot { key: None }
    }

    /// Records (or updates) what the current task waits on here. `describe` runs only
    /// when the bookkeeping is on and a task is being polled.
    ///
    /// # Examples
    ///
    /// See the [module](self) example.
    #[inline]
    pub fn pending(&mut self, describe: impl FnOnce() -> WaitOn) {
        if enabled() {
            self.record(describe);
        }
    }

    /// [`pending`](Self::pending), then [`enter`](Self::enter): what a combinator does
    /// before polling the futures it owns, so that their waits nest under its record.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::callgraph::{WaitOn, WaitSlot};
    /// let mut slot = WaitSlot::new();
    /// let _frame = slot.frame(|| WaitOn::new("gather"));
    /// ```
    #[inline]
    pub fn frame(&mut self, describe: impl FnOnce() -> WaitOn) -> FrameGuard {
        if !enabled() {
            return FrameGuard { prev: None };
        }
        self.record(describe);
        self.enter()
    }

    /// The wait is over: removes the record, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut slot = corio_core::callgraph::WaitSlot::new();
    /// slot.done();
    /// assert!(!slot.is_recorded());
    /// ```
    #[inline]
    pub fn done(&mut self) {
        if self.key.is_some() {
            self.remove();
        }
    }

    /// Whether this slot holds a record now.
    ///
    /// # Examples
    ///
    /// See [`WaitSlot::new`].
    pub fn is_recorded(&self) -> bool {
        self.key.is_some()
    }

    /// The record's key, for [`add_task`] from elsewhere (a task group's child adds
    /// itself to the group's record when it first runs).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio_core::callgraph::WaitSlot::new().key().is_none());
    /// ```
    pub fn key(&self) -> Option<WaitKey> {
        self.key.map(|(task, wait)| WaitKey { task, wait })
    }

    /// Makes this slot's record the parent of the waits recorded until the guard is
    /// dropped: a combinator calls it around the polls of the futures it owns.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::callgraph::{self, WaitOn, WaitSlot};
    /// callgraph::set_enabled(true);
    /// callgraph::poll_started(51, None, std::panic::Location::caller());
    /// let mut gather = WaitSlot::new();
    /// gather.pending(|| WaitOn::new("gather"));
    /// let mut child = WaitSlot::new();
    /// {
    ///     let _frame = gather.enter();
    ///     child.pending(|| WaitOn::new("sleep"));
    /// }
    /// callgraph::poll_ended(51);
    /// let me = callgraph::snapshot().into_iter().find(|t| t.id == 51).unwrap();
    /// assert_eq!(me.waits[1].parent, Some(me.waits[0].id));
    /// # drop((child, gather));
    /// callgraph::task_ended(51);
    /// ```
    pub fn enter(&self) -> FrameGuard {
        let Some((task, wait)) = self.key else {
            return FrameGuard { prev: None };
        };
        let prev = CURRENT
            .try_with(|c| {
                let prev = c.get();
                if prev.0 == task {
                    c.set((task, wait.get()));
                    Some(prev)
                } else {
                    None
                }
            })
            .ok()
            .flatten();
        FrameGuard { prev }
    }

    /// Records what `describe` says, when a task is being polled on this thread (and
    /// only then describes: outside a recorded task it costs a thread-local read).
    #[cold]
    fn record(&mut self, describe: impl FnOnce() -> WaitOn) {
        let Ok((task, frame)) = CURRENT.try_with(Cell::get) else {
            return;
        };
        if task == 0 {
            return;
        }
        let on = describe();
        let mut all = tasks();
        if let Some((owner, wait)) = self.key {
            if owner == task {
                if let Some(r) = all
                    .get_mut(&task)
                    .and_then(|t| t.waits.get_mut(&wait.get()))
                {
                    r.on = on;
                    return;
                }
            } else if let Some(t) = all.get_mut(&owner) {
                t.waits.remove(&wait.get());
            }
        }
        let Some(t) = all.get_mut(&task) else {
            self.key = None;
            return;
        };
        let id = next_wait_id();
        let parent = (frame != 0 && frame != id.get()).then_some(frame);
        t.waits.insert(
            id.get(),
            WaitRecord {
                id: id.get(),
                parent,
                on,
                since: Instant::now(),
            },
        );
        self.key = Some((task, id));
    }

    #[cold]
    fn remove(&mut self) {
        if let Some((task, wait)) = self.key.take() {
            if let Some(t) = tasks().get_mut(&task) {
                t.waits.remove(&wait.get());
            }
        }
    }
}

impl Drop for WaitSlot {
    fn drop(&mut self) {
        self.done();
    }
}

/// Names one recorded wait; see [`WaitSlot::key`].
///
/// # Examples
///
/// See [`add_task`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitKey {
    task: u64,
    wait: NonZeroU64,
}

/// Adds the task `id` to the tasks the recorded wait `key` waits on (once), if the
/// record still exists.
///
/// # Examples
///
/// ```
/// use corio_core::callgraph::{self, WaitOn, WaitSlot};
/// callgraph::set_enabled(true);
/// callgraph::poll_started(61, None, std::panic::Location::caller());
/// let mut group = WaitSlot::new();
/// group.pending(|| WaitOn::new("TaskGroup"));
/// callgraph::poll_ended(61);
/// callgraph::add_task(group.key().unwrap(), 62);
/// let me = callgraph::snapshot().into_iter().find(|t| t.id == 61).unwrap();
/// assert_eq!(me.waits[0].on.tasks(), [62]);
/// # drop(group);
/// callgraph::task_ended(61);
/// ```
pub fn add_task(key: WaitKey, id: u64) {
    if let Some(r) = tasks()
        .get_mut(&key.task)
        .and_then(|t| t.waits.get_mut(&key.wait.get()))
    {
        if !r.on.tasks.contains(&id) {
            r.on.tasks.push(id);
        }
    }
}

/// Restores the previous parent wait when dropped; see [`WaitSlot::enter`].
#[must_use = "the frame ends when the guard is dropped"]
pub struct FrameGuard {
    prev: Option<(u64, u64)>,
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.prev {
            let _ = CURRENT.try_with(|c| c.set(prev));
        }
    }
}

impl fmt::Debug for FrameGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameGuard").finish_non_exhaustive()
    }
}

/// "1st", "2nd", "3rd", "4th": a waiter's place in a queue, for descriptions.
///
/// # Examples
///
/// ```
/// use corio_core::callgraph::ordinal;
/// assert_eq!([ordinal(1), ordinal(2), ordinal(3), ordinal(11), ordinal(22)], ["1st", "2nd", "3rd", "11th", "22nd"]);
/// ```
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
