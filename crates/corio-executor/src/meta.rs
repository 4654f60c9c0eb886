//! What every task carries beside its future: identity, spawn site, cancellation request,
//! completion state and done-callbacks. Stored as async-task metadata, inside the task's
//! single allocation.

#[cfg(corio_loom)]
use loom::sync::Mutex;
#[cfg(corio_loom)]
use loom::sync::atomic::AtomicU8;
use std::cell::Cell;
use std::fmt;
use std::mem::ManuallyDrop;
use std::num::NonZeroU64;
use std::panic::Location;
use std::ptr;
#[cfg(not(corio_loom))]
use std::sync::Mutex;
#[cfg(not(corio_loom))]
use std::sync::atomic::AtomicU8;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{RawWaker, RawWakerVTable, Waker};

use once_cell::race::OnceBox;
use std::time::Instant;

use corio_core::Cancelled;

/// A task's identity, unique within the process. Ids grow over time on each thread, but
/// are not ordered across threads.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::spawn(async { corio_executor::current_task().unwrap().id() });
///     let id = t.id();
///     assert_eq!(t.await.unwrap(), id);
///     assert_eq!(id.to_string(), format!("#{}", id.as_u64()));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    /// Ids are handed out to each thread in blocks, so spawning touches no shared
    /// counter except once per block.
    #[inline]
    pub(crate) fn next() -> TaskId {
        const BLOCK: u64 = 1024;
        static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);
        thread_local! {
            static RANGE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        }
        let id = RANGE
            .try_with(|r| {
                let (mut next, mut end) = r.get();
                if next == end {
                    next = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                    end = next + BLOCK;
                }
                r.set((next + 1, end));
                next
            })
            .unwrap_or_else(|_| NEXT_BLOCK.fetch_add(1, Ordering::Relaxed));
        TaskId(NonZeroU64::new(id).expect("task id counter wrapped around"))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// How a task ended, as `on_done` callbacks see it.
///
/// # Examples
///
/// ```
/// use corio_executor::TaskStatus;
/// assert_ne!(TaskStatus::Completed, TaskStatus::Cancelled);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskStatus {
    /// The future returned its value.
    Completed,
    /// The task was cancelled; its future was dropped unfinished.
    Cancelled,
    /// The future panicked (while running, or while being dropped on cancellation).
    Panicked,
}

/// What a live task is doing, as [`all_tasks`](crate::all_tasks) reports it.
///
/// # Examples
///
/// ```
/// use corio_executor::TaskState;
/// assert_ne!(TaskState::Idle, TaskState::Running);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting to be woken, or queued to run.
    Idle,
    /// Being polled right now.
    Running,
    /// Cancellation was requested; the task has not yet been dropped.
    Cancelling,
}

/// Nanoseconds since the first call in this process: a cheap timestamp that fits an atomic.
pub(crate) fn now_nanos() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    // +1 so that 0 can mean "never".
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1
}

pub(crate) type DoneCallback = Box<dyn FnOnce(TaskStatus) + Send + 'static>;

const CANCEL_REQUESTED: u8 = 1 << 0;
const HAS_CALLBACKS: u8 = 1 << 1;
const DONE: u8 = 1 << 2;
const STATUS_SHIFT: u8 = 3; // two bits of TaskStatus above the flags
/// The future is `Send`: its runnable may be run on any thread.
const SEND: u8 = 1 << 5;

pub(crate) struct TaskMeta {
    pub(crate) id: TaskId,
    pub(crate) location: &'static Location<'static>,
    /// What few tasks have (a name, a cancellation reason, done-callbacks), in one
    /// allocation made on first use: inline, they tripled the size of every task's
    /// metadata, and idle tasks are what a loop holds most of. A `OnceBox` is one word
    /// (a `OnceLock<Box<_>>` is two). Every word counts: with async-task's header, a task
    /// around a small future is 120 bytes, one 128-byte chunk of glibc's malloc.
    extras: OnceBox<Extras>,
    state: AtomicU8,
    // Written only by the thread polling the task (one at a time), read by dumps: plain
    // loads and stores, no read-modify-write on the hot path.
    running: AtomicBool,
    polls: AtomicU32,
    /// The data and vtable of one of the task's own wakers, uncounted (see
    /// [`wake`](Self::wake)): recorded at spawn for a task that gets a [`Task`] handle, so
    /// that the handle is one pointer and still wakes the task to cancel it. Null until
    /// then.
    ///
    /// [`Task`]: crate::Task
    waker_data: AtomicPtr<()>,
    waker_vtable: AtomicPtr<RawWakerVTable>,
}

#[derive(Default)]
struct Extras {
    name: Option<Arc<str>>,
    reason: OnceLock<Cancelled>,
    callbacks: Mutex<Vec<DoneCallback>>,
    /// When the task was last polled (`now_nanos`), 0 for never: recorded in debug mode
    /// only, so it lives here rather than in every task.
    last_poll: AtomicU64,
    /// The call graph's record while a task awaits this one through its handle (used only
    /// while the call graph is on, and only by the one handle).
    handle_wait: std::sync::Mutex<corio_core::callgraph::WaitSlot>,
}

impl TaskMeta {
    pub(crate) fn new(name: Option<Arc<str>>, location: &'static Location<'static>) -> Self {
        Self::with_send(name, location, false)
    }

    /// `send`: the future is `Send`, so its runnable may be run on any thread.
    pub(crate) fn with_send(
        name: Option<Arc<str>>,
        location: &'static Location<'static>,
        send: bool,
    ) -> Self {
        let extras = OnceBox::new();
        if name.is_some() {
            let _ = extras.set(Box::new(Extras {
                name,
                ..Extras::default()
            }));
        }
        TaskMeta {
            id: TaskId::next(),
            location,
            extras,
            state: AtomicU8::new(if send { SEND } else { 0 }),
            running: AtomicBool::new(false),
            polls: AtomicU32::new(0),
            waker_data: AtomicPtr::new(ptr::null_mut()),
            waker_vtable: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The task's name, if it was spawned with one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.extras.get().and_then(|e| e.name.as_deref())
    }

    /// The name as the shared string snapshots and reports keep.
    pub(crate) fn name_shared(&self) -> Option<Arc<str>> {
        self.extras.get().and_then(|e| e.name.clone())
    }

    fn extras(&self) -> &Extras {
        self.extras.get_or_init(Box::default)
    }

    #[inline]
    pub(crate) fn poll_started(&self, timestamp: Option<u64>) {
        self.running.store(true, Ordering::Relaxed);
        let n = self.polls.load(Ordering::Relaxed);
        self.polls.store(n.wrapping_add(1), Ordering::Relaxed);
        if let Some(t) = timestamp {
            self.extras().last_poll.store(t, Ordering::Relaxed);
        }
    }

    #[inline]
    pub(crate) fn poll_ended(&self) {
        self.running.store(false, Ordering::Relaxed);
    }

    pub(crate) fn polls(&self) -> u32 {
        self.polls.load(Ordering::Relaxed)
    }

    pub(crate) fn last_poll_nanos(&self) -> Option<u64> {
        match self.extras.get()?.last_poll.load(Ordering::Relaxed) {
            0 => None,
            t => Some(t),
        }
    }

    pub(crate) fn state(&self) -> TaskState {
        if self.running.load(Ordering::Relaxed) {
            TaskState::Running
        } else if self.cancel_requested() {
            TaskState::Cancelling
        } else {
            TaskState::Idle
        }
    }

    /// Records `waker`, a waker of this task, for [`wake`](Self::wake): at spawn for a
    /// task that gets a handle, and when the task joins its owner's registry. Every waker
    /// of a task has the same parts, so a second recording changes nothing a reader could
    /// see; the vtable is stored last (release) and read first (acquire), so a reader that
    /// finds it finds the data pointer too.
    pub(crate) fn set_waker(&self, waker: &Waker) {
        self.waker_data
            .store(waker.data().cast_mut(), Ordering::Relaxed);
        let vtable: *const RawWakerVTable = waker.vtable();
        self.waker_vtable
            .store(vtable.cast_mut(), Ordering::Release);
    }

    /// The recorded waker, uncounted: it must only be woken by reference or cloned,
    /// never dropped.
    fn recorded_waker(&self) -> Option<ManuallyDrop<Waker>> {
        let vtable = self.waker_vtable.load(Ordering::Acquire);
        if vtable.is_null() {
            return None;
        }
        let data = self.waker_data.load(Ordering::Relaxed);
        // SAFETY: `data` and `vtable` are those of a waker of this task (`set_waker`,
        // whose stores reached this thread with the handle or the task that calls this).
        // The waker rebuilt from them is that waker without a count of its own, so it is
        // kept in a `ManuallyDrop` and only woken by reference or cloned (a clone takes a
        // count of its own), which async-task's wakers allow while the task's allocation
        // lives: it does as long as `&self`, which points into it.
        Some(ManuallyDrop::new(unsafe {
            Waker::from_raw(RawWaker::new(data, &*vtable))
        }))
    }

    /// Wakes the task (to let it see a cancellation request) through the waker recorded
    /// at spawn; does nothing for a task without one.
    pub(crate) fn wake(&self) {
        if let Some(w) = self.recorded_waker() {
            w.wake_by_ref();
        }
    }

    /// Drops a waker of the task rebuilt from the recorded parts: gives back the count
    /// of a waker whose parts [`set_waker`](Self::set_waker) recorded and which was then
    /// forgotten.
    ///
    /// # Safety
    ///
    /// The caller owns such a count, gives it back once, and does not touch `self` after
    /// this returns (the task may have been freed).
    pub(crate) unsafe fn release_waker(&self) {
        let waker = self
            .recorded_waker()
            .expect("a waker count given back before any was recorded");
        // SAFETY: the rebuilt waker has the parts of a waker of this task whose count the
        // caller owns (see above): dropping it releases exactly that count.
        drop(ManuallyDrop::into_inner(waker));
    }

    /// A counted waker of the task, from the one recorded at spawn.
    pub(crate) fn waker(&self) -> Option<Waker> {
        self.recorded_waker().map(|w| Waker::clone(&w))
    }

    /// Runs `f` on the call graph's record of a wait on this task through its handle.
    pub(crate) fn with_handle_wait<R>(
        &self,
        f: impl FnOnce(&mut corio_core::callgraph::WaitSlot) -> R,
    ) -> R {
        let mut slot = self
            .extras()
            .handle_wait
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        f(&mut slot)
    }

    /// [`with_handle_wait`](Self::with_handle_wait)'s `done`, without making the extras
    /// when there are none (so no record either).
    pub(crate) fn handle_wait_done(&self) {
        if let Some(e) = self.extras.get() {
            e.handle_wait
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .done();
        }
    }

    /// Records a cancellation request; the first reason given wins.
    pub(crate) fn request_cancel(&self, reason: Cancelled) {
        let _ = self.extras().reason.set(reason);
        self.state.fetch_or(CANCEL_REQUESTED, Ordering::AcqRel);
    }

    #[inline]
    pub(crate) fn cancel_requested(&self) -> bool {
        self.state.load(Ordering::Acquire) & CANCEL_REQUESTED != 0
    }

    pub(crate) fn mark_send(&self) {
        self.state.fetch_or(SEND, Ordering::Relaxed);
    }

    pub(crate) fn is_send(&self) -> bool {
        self.state.load(Ordering::Relaxed) & SEND != 0
    }

    pub(crate) fn cancel_reason(&self) -> Cancelled {
        self.extras
            .get()
            .and_then(|e| e.reason.get().cloned())
            .unwrap_or_default()
    }

    pub(crate) fn status(&self) -> Option<TaskStatus> {
        let s = self.state.load(Ordering::Acquire);
        (s & DONE != 0).then(|| decode(s >> STATUS_SHIFT))
    }

    /// Marks the task done and runs the callbacks registered so far.
    pub(crate) fn finish(&self, status: TaskStatus) {
        let bits = DONE | (encode(status) << STATUS_SHIFT);
        let prev = self.state.fetch_or(bits, Ordering::AcqRel);
        if prev & HAS_CALLBACKS != 0 {
            // `on_done` made the extras, then set HAS_CALLBACKS and pushed under this lock,
            // so once we hold it every callback registered before our DONE is in the list.
            let callbacks = std::mem::take(
                &mut *self
                    .extras()
                    .callbacks
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()),
            );
            for cb in callbacks {
                cb(status);
            }
        }
    }

    pub(crate) fn on_done(&self, cb: DoneCallback) {
        #[cfg(corio_loom)]
        if crate::mutation::active(crate::mutation::Mutation::MetaUnlockedRegistration) {
            // The bug: check DONE, then lock and push, in two steps.
            let prev = self.state.load(Ordering::Acquire);
            if prev & DONE != 0 {
                cb(decode(prev >> STATUS_SHIFT));
            } else {
                let mut list = self
                    .extras()
                    .callbacks
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                list.push(cb);
                self.state.fetch_or(HAS_CALLBACKS, Ordering::AcqRel);
            }
            return;
        }
        let mut list = self
            .extras()
            .callbacks
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let prev = self.state.fetch_or(HAS_CALLBACKS, Ordering::AcqRel);
        if prev & DONE != 0 {
            drop(list);
            cb(decode(prev >> STATUS_SHIFT));
        } else {
            list.push(cb);
        }
    }
}

fn encode(s: TaskStatus) -> u8 {
    match s {
        TaskStatus::Completed => 0,
        TaskStatus::Cancelled => 1,
        TaskStatus::Panicked => 2,
    }
}

fn decode(bits: u8) -> TaskStatus {
    match bits & 0b11 {
        0 => TaskStatus::Completed,
        1 => TaskStatus::Cancelled,
        _ => TaskStatus::Panicked,
    }
}

impl fmt::Debug for TaskMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskMeta")
            .field("id", &self.id)
            .field("name", &self.name())
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, corio_loom))]
mod tests {
    use super::*;
    use loom::sync::Arc;
    use loom::sync::atomic::AtomicUsize;

    use crate::mutation::{Mutation, with};

    /// A task finishing on one thread while another registers a done-callback: the
    /// callback runs exactly once, whichever comes first.
    fn model() {
        loom::model(|| {
            let meta = Arc::new(TaskMeta::new(None, std::panic::Location::caller()));
            let runs = Arc::new(AtomicUsize::new(0));
            let (m, r) = (meta.clone(), runs.clone());
            let registrar = loom::thread::spawn(move || {
                m.on_done(Box::new(move |status| {
                    assert_eq!(status, TaskStatus::Cancelled);
                    r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }));
            });
            meta.request_cancel(Cancelled::new());
            meta.finish(TaskStatus::Cancelled);
            registrar.join().unwrap();
            assert_eq!(
                runs.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "callback lost"
            );
        });
    }

    #[test]
    fn loom_meta_a_done_callback_runs_exactly_once() {
        model();
    }

    /// The mutation twin: the same model with the shipped `on_done` checking DONE and then
    /// pushing, not one step under the lock. A `finish` in between never sees the
    /// callback; loom must find it.
    #[test]
    #[should_panic(expected = "callback lost")]
    fn loom_meta_mutation_twin_unlocked_registration_loses_a_callback() {
        with(Mutation::MetaUnlockedRegistration, model);
    }
}

#[cfg(all(test, not(corio_loom)))]
mod size {
    /// Six words: with async-task's header and a small future, a task fits one
    /// 128-byte malloc chunk (see `TaskMeta::extras`).
    #[test]
    fn task_metadata_is_six_words() {
        assert_eq!(
            std::mem::size_of::<super::TaskMeta>(),
            6 * std::mem::size_of::<usize>()
        );
    }
}
