//! The reactor: one poller, the sources registered in it, and the few deadlines it keeps
//! for [`Delay`](crate::delay::Delay)s off a corio loop. Which reactor is current on a
//! thread (and the global fallback one) is `context`'s job.
//!
//! # Readiness model
//!
//! The poller is mio's (epoll on Linux, kqueue on the BSDs and macOS). Every source is
//! registered once, for both directions, **edge-triggered**: no system call re-arms
//! interest on each wait, and a source nobody waits on costs nothing but the occasional
//! event. Edge triggering is sound here because an operation is always *tried first*; a
//! task only waits after the operation itself said `WouldBlock`, and each direction keeps
//! an event counter (`tick`) so that an event delivered between the failed attempt and the
//! registration of the waker is noticed (the attempt is retried instead of sleeping).
//!
//! Why mio and not the `polling` crate (the first version used `polling`): measured with
//! `strace -c` on the TCP ping-pong benchmark, `polling` made four extra system calls per
//! wait (re-arming its timer descriptor and its one-shot notification descriptor), which
//! made corio 60% slower than tokio there. mio passes the timeout to `epoll_wait` and
//! keeps its wake-up descriptor registered edge-triggered: one system call per wait.
//!
//! Each direction of each source keeps its own list of wakers: a readable event wakes the
//! tasks waiting to read that socket and nobody else.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Registry, Token};
use slab::Slab;

/// Below this many entries the deadline heap is never compacted (not worth a pass).
const COMPACT_FLOOR: usize = 64;

/// The token of the reactor's own wake-up descriptor.
const WAKE: Token = Token(usize::MAX);

/// Locks a mutex, ignoring poisoning: the reactor's state stays consistent across a
/// panicking waker because every critical section is a few plain assignments.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which way a task waits on a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read = 0,
    Write = 1,
}

/// The poller and everything registered in it.
pub(crate) struct Reactor {
    /// Held by the one thread that waits in the poller.
    poll: Mutex<(mio::Poll, Events)>,
    /// A handle to the same poller for (de)registering from any thread meanwhile.
    registry: Registry,
    waker: mio::Waker,
    sources: Mutex<Slab<Arc<Source>>>,
    pub(crate) timers: Mutex<Timers>,
}

/// One registered file descriptor.
pub(crate) struct Source {
    key: usize,
    /// Events seen per direction; read before an attempt, compared before sleeping.
    ticks: [AtomicU64; 2],
    /// Per direction: a hang-up or an error has been seen. From then on an attempt
    /// reports it (end of file, a reset) however few bytes the last transfer moved, so
    /// it is never skipped (see `Registered::poll_transfer`). Set before the tick moves.
    ended: [AtomicBool; 2],
    state: Mutex<SourceState>,
}

#[derive(Default)]
struct SourceState {
    wakers: [Vec<Waker>; 2],
    closed: bool,
}

/// Deadlines kept by the reactor itself, for `connect_timeout` and `Server::shutdown` where
/// no corio timer runs on the thread (see `Delay`): a heap of (deadline, id) and the waker of each
/// live id. A cancelled entry stays in the heap until it reaches the top or the heap is
/// compacted: that happens once cancelled entries outnumber live ones, so the heap holds
/// at most about twice the live deadlines (a connect timeout of an hour under connection
/// churn grew it without bound before).
#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    pub(crate) wakers: HashMap<u64, Option<Waker>>,
    next_id: u64,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        let poll = mio::Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = mio::Waker::new(poll.registry(), WAKE)?;
        Ok(Reactor {
            poll: Mutex::new((poll, Events::with_capacity(1024))),
            registry,
            waker,
            sources: Mutex::new(Slab::new()),
            timers: Mutex::new(Timers::default()),
        })
    }

    /// Registers `io` (already non-blocking) for both directions.
    pub(crate) fn register(&self, io: &impl AsFd) -> io::Result<Arc<Source>> {
        let mut sources = lock(&self.sources);
        let entry = sources.vacant_entry();
        let source = Arc::new(Source {
            key: entry.key(),
            ticks: [AtomicU64::new(0), AtomicU64::new(0)],
            ended: [AtomicBool::new(false), AtomicBool::new(false)],
            state: Mutex::new(SourceState::default()),
        });
        let fd = io.as_fd().as_raw_fd();
        // The descriptor stays open until `deregister`: every caller keeps `io` inside a
        // `Registered`, whose `Drop` deregisters it before the descriptor is closed.
        self.registry.register(
            &mut SourceFd(&fd),
            Token(source.key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        entry.insert(source.clone());
        Ok(source)
    }

    /// Removes a source; must be called before its descriptor is closed.
    pub(crate) fn deregister(&self, source: &Source, io: &impl AsFd) {
        let stale = {
            let mut st = lock(&source.state);
            st.closed = true;
            let _ = self
                .registry
                .deregister(&mut SourceFd(&io.as_fd().as_raw_fd()));
            std::mem::take(&mut st.wakers)
        };
        lock(&self.sources).try_remove(source.key);
        // Tasks still waiting (through a shared reference) re-poll and see the error.
        for w in stale.into_iter().flatten() {
            w.wake();
        }
    }

    /// The event count of `dir`, to read before an attempt.
    pub(crate) fn tick(source: &Source, dir: Direction) -> u64 {
        source.ticks[dir as usize].load(Ordering::Acquire)
    }

    /// Whether a hang-up or an error has been seen on `dir` (sticky).
    pub(crate) fn ended(source: &Source, dir: Direction) -> bool {
        source.ended[dir as usize].load(Ordering::Acquire)
    }

    /// Registers `cx`'s waker on `dir` unless an event arrived since `tick` was read.
    /// Returns `false` when the caller should retry its operation instead of sleeping.
    pub(crate) fn wait(
        &self,
        source: &Source,
        _io: &impl AsFd,
        dir: Direction,
        tick: u64,
        cx: &Context<'_>,
    ) -> io::Result<bool> {
        let mut st = lock(&source.state);
        if st.closed {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the socket was deregistered from its reactor",
            ));
        }
        if source.ticks[dir as usize].load(Ordering::Acquire) != tick {
            return Ok(false);
        }
        let list = &mut st.wakers[dir as usize];
        if !list.iter().any(|w| w.will_wake(cx.waker())) {
            list.push(cx.waker().clone());
        }
        Ok(true)
    }

    /// Waits for events (or `timeout`, or a notification), then wakes the tasks they
    /// concern and the expired deadlines'. Returns whether it woke any.
    pub(crate) fn poll(&self, timeout: Option<Duration>) -> bool {
        self.poll_locked(lock(&self.poll), timeout)
    }

    /// [`poll`](Self::poll) if no other thread is polling this reactor now: `Some(woke)`,
    /// after `ready()` said to go on (it runs with the poller held, and a `false` from it
    /// gives the poller back at once: `Some(false)`); `None` when another thread polls.
    /// The drivers that share one reactor (a multi-thread executor's workers) park this
    /// way: one of them waits in the poller, the others on their own parkers.
    pub(crate) fn try_poll(
        &self,
        timeout: Option<Duration>,
        ready: impl FnOnce() -> bool,
    ) -> Option<bool> {
        let guard = match self.poll.try_lock() {
            Ok(g) => g,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        if !ready() {
            return Some(false);
        }
        Some(self.poll_locked(guard, timeout))
    }

    fn poll_locked(
        &self,
        mut guard: MutexGuard<'_, (mio::Poll, Events)>,
        timeout: Option<Duration>,
    ) -> bool {
        let (poll, events) = &mut *guard;
        let now = Instant::now();
        let timeout = match self.next_deadline() {
            Some(d) => {
                let left = d.saturating_duration_since(now);
                Some(timeout.map_or(left, |t| t.min(left)))
            }
            None => timeout,
        };
        loop {
            match poll.poll(events, timeout) {
                Ok(()) => break,
                // A signal: the wait is cut short, which is allowed; just look again.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // Anything else means the poller itself is broken, and a loop that cannot
                // wait cannot go on.
                Err(e) => panic!("corio-net: waiting in the poller failed: {e}"),
            }
        }
        let mut wake = WAKE_BUFFER.take();
        if !events.is_empty() {
            let sources = lock(&self.sources);
            for ev in events.iter() {
                if ev.token() == WAKE {
                    continue;
                }
                if let Some(source) = sources.get(ev.token().0) {
                    // Errors and hang-ups wake both directions: the operation will report
                    // them.
                    let failed = ev.is_error();
                    if ev.is_read_closed() || failed {
                        source.ended[0].store(true, Ordering::Release);
                    }
                    if ev.is_write_closed() || failed {
                        source.ended[1].store(true, Ordering::Release);
                    }
                    let r = ev.is_readable() || ev.is_read_closed() || failed;
                    let w = ev.is_writable() || ev.is_write_closed() || failed;
                    Self::dispatch(source, r, w, &mut wake);
                }
            }
        }
        drop(guard);
        self.expire(Instant::now(), &mut wake);
        let woke = !wake.is_empty();
        for w in wake.drain(..) {
            w.wake();
        }
        if wake.capacity() <= WAKE_BUFFER_KEPT {
            WAKE_BUFFER.set(wake);
        }
        woke
    }

    fn dispatch(source: &Source, r: bool, w: bool, wake: &mut Vec<Waker>) {
        let mut st = lock(&source.state);
        if r {
            source.ticks[0].fetch_add(1, Ordering::AcqRel);
            wake.append(&mut st.wakers[0]);
        }
        if w {
            source.ticks[1].fetch_add(1, Ordering::AcqRel);
            wake.append(&mut st.wakers[1]);
        }
    }

    /// Wakes the current or next `poll`.
    pub(crate) fn notify(&self) {
        let _ = self.waker.wake();
    }

    fn next_deadline(&self) -> Option<Instant> {
        let mut t = lock(&self.timers);
        // Drop cancelled entries from the top so they do not cut waits short.
        while let Some(&Reverse((when, id))) = t.heap.peek() {
            if t.wakers.contains_key(&id) {
                return Some(when);
            }
            t.heap.pop();
        }
        None
    }

    fn expire(&self, now: Instant, wake: &mut Vec<Waker>) {
        let mut t = lock(&self.timers);
        while let Some(&Reverse((when, id))) = t.heap.peek() {
            if when > now {
                break;
            }
            t.heap.pop();
            // Fired: the Delay finds its id gone and completes.
            if let Some(Some(w)) = t.wakers.remove(&id) {
                wake.push(w);
            }
        }
    }

    pub(crate) fn add_timer(&self, when: Instant) -> u64 {
        let mut t = lock(&self.timers);
        let id = t.next_id;
        t.next_id += 1;
        let earliest = t.heap.peek().is_none_or(|Reverse((w, _))| when < *w);
        t.heap.push(Reverse((when, id)));
        t.wakers.insert(id, None);
        drop(t);
        if earliest {
            self.notify();
        }
        id
    }

    pub(crate) fn remove_timer(&self, id: u64) {
        let mut t = lock(&self.timers);
        t.wakers.remove(&id);
        // Compact only past a floor and once the dead are the majority: each compaction
        // then removes at least as many entries as it keeps, so its cost is amortised over
        // the cancellations that made it due.
        if t.heap.len() > COMPACT_FLOOR && t.heap.len() > 2 * t.wakers.len() {
            let Timers { heap, wakers, .. } = &mut *t;
            heap.retain(|Reverse((_, id))| wakers.contains_key(id));
        }
    }

    /// How many entries the deadline heap holds, live or cancelled.
    pub(crate) fn kept_deadlines(&self) -> usize {
        lock(&self.timers).heap.len()
    }

    pub(crate) fn live_sources(&self) -> usize {
        lock(&self.sources).len()
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("sources", &self.live_sources())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source").field("key", &self.key).finish()
    }
}

thread_local! {
    /// The wakers one poll collects, kept between polls: a fresh vector grew (and copied
    /// itself) on every poll that woke many tasks (a third of a loaded server's `memmove`).
    static WAKE_BUFFER: Cell<Vec<Waker>> = const { Cell::new(Vec::new()) };
}

/// A wake buffer that grew past this many wakers (a rare burst) is not kept.
const WAKE_BUFFER_KEPT: usize = 4096;
