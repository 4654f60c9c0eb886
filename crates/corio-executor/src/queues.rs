//! The multi-thread executor's run queues: a bounded FIFO per worker that the others can
//! steal half of, and an unbounded injector for work from outside the workers.
//!
//! Built on `concurrent-queue` (smol-rs's lock-free queues, checked under miri with
//! strict provenance by its authors). crossbeam-deque was the first choice, but its
//! epoch-based reclamation fails miri's strict-provenance and Stacked Borrows checks,
//! which would leave the multi-thread executor's tests unverifiable under miri.

use async_task::Runnable;
use concurrent_queue::ConcurrentQueue;

use crate::meta::TaskMeta;

pub(crate) type Job = Runnable<TaskMeta>;

/// A worker's own queue holds this many tasks; more overflow to the injector.
const LOCAL_CAPACITY: usize = 256;

pub(crate) struct Injector {
    q: ConcurrentQueue<Job>,
}

impl Injector {
    pub(crate) fn new() -> Self {
        Injector {
            q: ConcurrentQueue::unbounded(),
        }
    }

    pub(crate) fn push(&self, job: Job) {
        if let Err(e) = self.q.push(job) {
            // Unbounded and never closed: push cannot fail.
            unreachable!("the injector refused a task: {e}");
        }
    }

    pub(crate) fn pop(&self) -> Option<Job> {
        self.q.pop().ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }
}

/// At most this many tasks move from the injector to a busy worker's queue at each of its
/// periodic looks at the injector.
pub(crate) const INJECTOR_BATCH: usize = 32;

pub(crate) struct LocalQueue {
    q: ConcurrentQueue<Job>,
}

impl LocalQueue {
    pub(crate) fn new() -> Self {
        LocalQueue {
            q: ConcurrentQueue::bounded(LOCAL_CAPACITY),
        }
    }

    /// Pushes `job`; when the queue is full, it and half of the queue go to the injector.
    pub(crate) fn push_or_inject(&self, job: Job, injector: &Injector) {
        if let Err(e) = self.q.push(job) {
            let job = e.into_inner();
            for _ in 0..LOCAL_CAPACITY / 2 {
                match self.q.pop() {
                    Ok(j) => injector.push(j),
                    Err(_) => break,
                }
            }
            injector.push(job);
        }
    }

    pub(crate) fn pop(&self) -> Option<Job> {
        self.q.pop().ok()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Moves up to `max` tasks from the injector to the back of this queue, as far as it
    /// has room.
    pub(crate) fn refill_from(&self, injector: &Injector, max: usize) {
        let room = LOCAL_CAPACITY.saturating_sub(self.q.len()).min(max);
        for _ in 0..room {
            let Some(job) = injector.pop() else { break };
            if let Err(e) = self.q.push(job) {
                // A thief cannot add to this queue, so the room measured above is there;
                // should that ever change, the task goes back rather than getting lost.
                injector.push(e.into_inner());
                break;
            }
        }
    }

    /// Steals half of this queue into `dest` (the thief's own queue) and returns one task
    /// to run now.
    pub(crate) fn steal_into(&self, dest: &LocalQueue, injector: &Injector) -> Option<Job> {
        let first = self.q.pop().ok()?;
        let half = self.q.len() / 2;
        for _ in 0..half {
            match self.q.pop() {
                Ok(job) => dest.push_or_inject(job, injector),
                Err(_) => break,
            }
        }
        Some(first)
    }
}
