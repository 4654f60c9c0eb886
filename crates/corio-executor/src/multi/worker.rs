//! A worker thread: its own state, and the loop it runs (next task from its LIFO slot,
//! its queue, its inbox, the injector, or another worker's queue; the driver turned every
//! so often; a park when there is nothing to do).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use corio_core::Driver;

use super::shared::{Shared, Spawner};
use crate::context;
use crate::job::Job;
use crate::queues::{INJECTOR_BATCH, LocalQueue};

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
/// A worker thread's own state, on its stack while it runs.
pub(crate) struct WorkerCtx {
    pub(super) shared: Arc<Shared>,
    pub(super) index: usize,
    pub(super) lifo: Cell<Option<Job>>,
    pub(super) pinned_local: RefCell<VecDeque<Job>>,
    pub(super) driver: RefCell<Box<dyn Driver>>,
    pub(super) rng: Cell<u64>,
    /// Chaos mode ([`Builder::seed`](crate::Builder::seed)): a generator seeded per
    /// worker that randomises where a woken task is queued, when the worker turns its
    /// driver and looks at the injector, and whom it steals from.
    pub(super) chaos: Option<Cell<u64>>,
}

impl WorkerCtx {
    pub(crate) fn shared_arc(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(super) fn local(&self) -> &LocalQueue {
        &self.shared.queues[self.index]
    }

    pub(super) fn push_local(&self, job: Job) {
        self.local().push_or_inject(job, &self.shared.injector);
    }
}

impl WorkerCtx {
    pub(super) fn run(&self) {
        // SAFETY: `self` lives on this thread's stack for the whole run, and holds the
        // `Arc<Shared>` passed as owner and target; the guard, dropped before `self`,
        // clears the pointers.
        let _guard = unsafe {
            context::enter_worker(
                (self as *const WorkerCtx).cast(),
                &*self.shared,
                &*self.shared,
            )
        };
        let _spawner =
            corio_core::context::enter_spawner(std::rc::Rc::new(Spawner(self.shared.clone())));
        let entry = self.driver.borrow().entry();
        entry.scope(|| self.run_entered());
    }

    /// The body of `run`, inside the worker's context and its driver's scope.
    fn run_entered(&self) {
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
                match self.take_batch_from_injector() {
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
                    crate::job::run(job);
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
                Some(job) => crate::job::cancel_and_run(job, WHY),
                None => break,
            }
        }
    }

    pub(super) fn drain_inbox_unconditionally(&self) {
        let slot = &self.shared.slots[self.index];
        let jobs = std::mem::take(&mut *slot.pinned.lock().unwrap_or_else(|e| e.into_inner()));
        self.pinned_local.borrow_mut().extend(jobs);
    }

    pub(super) fn next_local(&self, lifo_runs: &mut u32) -> Option<Job> {
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

    pub(super) fn drain_inbox(&self) {
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

    /// The periodic look at the injector of a worker that has work of its own: one task
    /// to run now, and a batch behind its queue. Taking one task per look (every 61
    /// tasks) left the tasks a full queue overflowed into the injector waiting for
    /// hundreds of looks while the worker's own queue kept refilling.
    pub(super) fn take_batch_from_injector(&self) -> Option<Job> {
        let job = self.shared.injector.pop()?;
        self.local()
            .refill_from(&self.shared.injector, INJECTOR_BATCH);
        Some(job)
    }

    pub(super) fn take_from_injector(&self) -> Option<Job> {
        // One at a time: the injector is lock-free, and moving batches into the local
        // queue cost a second push and pop per task (measured with callgrind).
        self.shared.injector.pop()
    }

    pub(super) fn steal(&self) -> Option<Job> {
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

    pub(super) fn has_work(&self) -> bool {
        !self.shared.injector.is_empty()
            || self.shared.slots[self.index]
                .pinned_pending
                .load(Ordering::Acquire)
            || self.shared.queues.iter().any(|q| !q.is_empty())
            || self.shared.stopped.load(Ordering::Acquire)
    }

    /// Parks at once, without spinning first. A spin of 4 x 64 `pause` before parking
    /// (meant to catch work arriving within microseconds) was 89% of this loop's time
    /// under wrk on two workers: 250 ns per request taken from the other worker and the
    /// clients on the same cores. Without it, in one interleaved run: the HTTP server at
    /// 64 connections went from 111 700 to 125 600 requests/s (hyper on tokio 110 100),
    /// and no multi-thread executor benchmark got slower against its peers.
    pub(super) fn park(&self) {
        self.shared.sleepers.begin_park(self.index);
        if !self.has_work() {
            self.driver.borrow_mut().park(None);
        }
        self.shared.sleepers.end_park(self.index);
    }
}
