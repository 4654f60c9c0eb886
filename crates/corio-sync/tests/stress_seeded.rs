//! Seeded, replayable stress with random cancellation, on corio's own executors.
//!
//! Every run is driven by one seed (`SEED=`, decimal or `0x` hex; a fixed default
//! otherwise). On the single-thread loop the seed also picks the ready-queue order
//! (`Builder::seed`), so a failing seed replays exactly; on the multi-thread executor it
//! fixes every task's script, the OS picks the interleaving.
//!
//! Cancellation comes two ways, both at random moments: a wait raced against a deadline of
//! a few polls and dropped when it loses (`maybe_cancel`), and a "monkey" in the main task
//! that aborts a random worker task (`Task::abort`) and starts a replacement.
//!
//! Operation counts (every attempted acquire / lock / get / put / wait / notify counts):
//! `STRESS_OPS` if set, else 10^7 in all with `LONG=1` and 10^6 otherwise (about 5 s in a
//! debug build, 1 s in release), shared out over the twelve runs below.
//!
//! A watchdog aborts the process (with the seed) if a test hangs: a lost wake-up.
#![allow(missing_docs)]

mod reliability;

use corio_combinators::task_group;
use corio_executor::{Builder, Task, spawn_send, yield_now};
use corio_sync::{Condition, Event, Lock, Queue, QueueShutDown, Semaphore};
use reliability::{Rng, maybe_cancel, random_yields, replayable};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

const RUNS: u64 = 12;

fn ops_per_run() -> u64 {
    let total = reliability::env_u64(
        "STRESS_OPS",
        if reliability::long() {
            10_000_000
        } else if cfg!(miri) {
            2_000
        } else {
            1_000_000
        },
    );
    (total / RUNS).max(100)
}

/// A shared operation budget: workers take one unit per attempted operation.
struct Budget {
    next: AtomicU64,
    total: u64,
}

impl Budget {
    fn new(total: u64) -> Arc<Self> {
        Arc::new(Budget {
            next: AtomicU64::new(0),
            total,
        })
    }
    /// The index of the next operation, or `None` once the budget is spent.
    fn take(&self) -> Option<u64> {
        let n = self.next.fetch_add(1, SeqCst);
        (n < self.total).then_some(n)
    }
    fn spent(&self) -> bool {
        self.next.load(SeqCst) >= self.total
    }
}

type Make = Box<dyn Fn(usize, Rng) -> Task<()>>;

/// Worker tasks, and the ones aborted so far (awaited at the end so that every one has
/// unwound before the accounting).
struct Crew {
    live: Vec<Task<()>>,
    dead: Vec<Task<()>>,
    make: Make,
}

impl Crew {
    fn start(n: usize, rng: &mut Rng, make: Make) -> Self {
        let live = (0..n).map(|i| make(i, Rng::new(rng.next()))).collect();
        Crew {
            live,
            dead: Vec::new(),
            make,
        }
    }

    /// The monkey: until `stop()`, now and then aborts a random worker of `range` and
    /// starts a replacement with a fresh script.
    async fn monkey(
        &mut self,
        rng: &mut Rng,
        range: std::ops::Range<usize>,
        stop: impl Fn() -> bool,
    ) {
        while !stop() {
            random_yields(rng, 6).await;
            if rng.one_in(3) {
                let i = range.start + rng.below((range.end - range.start) as u64) as usize;
                let fresh = (self.make)(i, Rng::new(rng.next()));
                let old = std::mem::replace(&mut self.live[i], fresh);
                old.abort();
                self.dead.push(old);
            }
        }
    }

    async fn join_dead(&mut self) {
        for t in self.dead.drain(..) {
            settle(t).await;
        }
    }
}

/// Awaits a task that may have been aborted; any other failure fails the test.
async fn settle(t: Task<()>) {
    match t.await {
        Ok(()) => {}
        Err(e) if e.is_cancelled() => {}
        Err(e) => panic!("a worker task failed: {e}"),
    }
}

fn on_local<F: Future>(seed: u64, f: F) -> F::Output {
    Builder::new()
        .seed(reliability::loop_seed(seed))
        .build_local()
        .run(f)
}

fn on_multi<F: Future>(f: F) -> F::Output {
    let ex = Builder::multi_thread().workers(2).build();
    let out = ex.block_on(f);
    let report = ex.shutdown(Duration::from_secs(10));
    assert!(report.is_clean(), "{report}");
    out
}

// ---------------------------------------------------------------------------------------
// Queue: unique item ids; every item put is received exactly once, every item dropped
// exactly once, whatever is cancelled.

struct Ledger {
    sent: Vec<AtomicU8>,
    received: Vec<AtomicU8>,
    dropped: Vec<AtomicU8>,
}

impl Ledger {
    fn new(n: u64) -> Arc<Self> {
        let v = || (0..n).map(|_| AtomicU8::new(0)).collect();
        Arc::new(Ledger {
            sent: v(),
            received: v(),
            dropped: v(),
        })
    }
}

/// An item whose every end is recorded.
struct Item {
    id: usize,
    ledger: Arc<Ledger>,
}

impl Item {
    fn receive(self) {
        self.ledger.received[self.id].fetch_add(1, SeqCst);
    }
}

impl Drop for Item {
    fn drop(&mut self) {
        self.ledger.dropped[self.id].fetch_add(1, SeqCst);
    }
}

async fn queue_run(seed: u64, ops: u64) {
    const PRODUCERS: usize = 4;
    const CONSUMERS: usize = 4;
    let mut rng = Rng::new(seed);
    let q = Arc::new(Queue::new(1 + rng.below(4) as usize));
    let budget = Budget::new(ops);
    let ledger = Ledger::new(ops);
    let make: Make = {
        let (q, budget, ledger) = (q.clone(), budget.clone(), ledger.clone());
        Box::new(move |i, mut rng| {
            let (q, budget, ledger) = (q.clone(), budget.clone(), ledger.clone());
            if i < PRODUCERS {
                spawn_send(async move {
                    while let Some(id) = budget.take() {
                        let id = id as usize;
                        let item = Item {
                            id,
                            ledger: ledger.clone(),
                        };
                        if let Some(r) = maybe_cancel(&mut rng, q.put(item)).await {
                            r.unwrap_or_else(|_| panic!("put after shutdown"));
                            // Recorded in the same poll in which `put` returned.
                            ledger.sent[id].fetch_add(1, SeqCst);
                        }
                        random_yields(&mut rng, 1).await;
                    }
                })
            } else {
                spawn_send(async move {
                    loop {
                        match maybe_cancel(&mut rng, q.get()).await {
                            Some(Ok(item)) => item.receive(),
                            Some(Err(QueueShutDown(()))) => break,
                            None => {}
                        }
                        random_yields(&mut rng, 1).await;
                    }
                })
            }
        })
    };
    let mut crew = Crew::start(PRODUCERS + CONSUMERS, &mut rng, make);
    crew.monkey(&mut rng, 0..PRODUCERS + CONSUMERS, || budget.spent())
        .await;
    // Producers first, then shut down so that the consumers drain and stop.
    for t in crew.live.drain(..PRODUCERS).collect::<Vec<_>>() {
        settle(t).await;
    }
    crew.join_dead().await;
    q.shutdown(false);
    for t in crew.live.drain(..).collect::<Vec<_>>() {
        settle(t).await;
    }
    while let Ok(item) = q.get_nowait() {
        item.receive(); // left behind by consumers aborted at the very end
    }
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0, "a waiter entry was left behind");
    let (mut sent, mut lost) = (0, 0);
    for id in 0..ops as usize {
        let s = ledger.sent[id].load(SeqCst);
        let r = ledger.received[id].load(SeqCst);
        let d = ledger.dropped[id].load(SeqCst);
        assert_eq!(d, 1, "item {id} dropped {d} times (sent {s}, received {r})");
        assert!(s <= 1 && r <= 1, "item {id}: sent {s}, received {r}");
        assert_eq!(s, r, "item {id}: sent {s} times but received {r} times");
        sent += u64::from(s);
        lost += u64::from(1 - s);
    }
    assert!(sent > 0, "no item went through");
    eprintln!("queue: {ops} ops, {sent} items delivered, {lost} puts cancelled");
}

#[test]
fn queue_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::queue_local", seed, || {
        on_local(seed, queue_run(seed, ops_per_run()))
    });
}

#[test]
fn queue_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::queue_multi_thread", seed, || {
        on_multi(queue_run(seed, ops_per_run()))
    });
}

// ---------------------------------------------------------------------------------------
// Semaphore: never more permits in use than it has; all permits back at quiescence.

/// Counts the permits in use while alive; checks the bound on entry.
struct InUse<'a>(&'a AtomicUsize, usize);

impl<'a> InUse<'a> {
    fn enter(counter: &'a AtomicUsize, n: usize, max: usize) -> Self {
        let now = counter.fetch_add(n, SeqCst) + n;
        assert!(now <= max, "{now} permits in use, the semaphore has {max}");
        InUse(counter, n)
    }
}

impl Drop for InUse<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(self.1, SeqCst);
    }
}

async fn semaphore_run(seed: u64, ops: u64) {
    const WORKERS: usize = 8;
    let mut rng = Rng::new(seed);
    let permits = 1 + rng.below(3) as usize;
    let sem = Arc::new(Semaphore::new(permits));
    let in_use = Arc::new(AtomicUsize::new(0));
    let acquired = Arc::new(AtomicU64::new(0));
    let budget = Budget::new(ops);
    let make: Make = {
        let (sem, in_use, acquired, budget) = (
            sem.clone(),
            in_use.clone(),
            acquired.clone(),
            budget.clone(),
        );
        Box::new(move |_, mut rng| {
            let (sem, in_use, acquired, budget) = (
                sem.clone(),
                in_use.clone(),
                acquired.clone(),
                budget.clone(),
            );
            spawn_send(async move {
                while budget.take().is_some() {
                    let n = 1 + rng.below(permits.min(2) as u64) as usize;
                    let permit = if rng.one_in(8) {
                        sem.try_acquire_many(n).ok()
                    } else {
                        maybe_cancel(&mut rng, sem.acquire_many(n))
                            .await
                            .map(|p| p.expect("the semaphore is never closed"))
                    };
                    if let Some(p) = permit {
                        assert_eq!(p.num_permits(), n);
                        let _in_use = InUse::enter(&in_use, n, permits);
                        acquired.fetch_add(1, SeqCst);
                        random_yields(&mut rng, 2).await; // may be aborted while holding
                    }
                    random_yields(&mut rng, 1).await;
                }
            })
        })
    };
    let mut crew = Crew::start(WORKERS, &mut rng, make);
    crew.monkey(&mut rng, 0..WORKERS, || budget.spent()).await;
    for t in crew.live.drain(..).collect::<Vec<_>>() {
        settle(t).await;
    }
    crew.join_dead().await;
    assert_eq!(
        sem.available_permits(),
        permits,
        "permits lost or duplicated"
    );
    assert_eq!(sem.waiter_count(), 0, "a waiter entry was left behind");
    assert_eq!(in_use.load(SeqCst), 0);
    assert!(acquired.load(SeqCst) > 0);
}

#[test]
fn semaphore_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::semaphore_local", seed, || {
        on_local(seed, semaphore_run(seed, ops_per_run()))
    });
}

#[test]
fn semaphore_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::semaphore_multi_thread", seed, || {
        on_multi(semaphore_run(seed, ops_per_run()))
    });
}

// ---------------------------------------------------------------------------------------
// Lock: mutual exclusion (a flag that two holders would both see set), and a counter
// incremented across awaits that ends equal to the number of completed sections.

struct Exclusive<'a>(&'a AtomicBool);

impl<'a> Exclusive<'a> {
    fn enter(flag: &'a AtomicBool) -> Self {
        assert!(!flag.swap(true, SeqCst), "two holders of the lock at once");
        Exclusive(flag)
    }
}

impl Drop for Exclusive<'_> {
    fn drop(&mut self) {
        self.0.store(false, SeqCst);
    }
}

async fn lock_run(seed: u64, ops: u64) {
    const WORKERS: usize = 8;
    let mut rng = Rng::new(seed);
    let lock = Arc::new(Lock::new(0u64));
    let inside = Arc::new(AtomicBool::new(false));
    let sections = Arc::new(AtomicU64::new(0));
    let budget = Budget::new(ops);
    let make: Make = {
        let (lock, inside, sections, budget) = (
            lock.clone(),
            inside.clone(),
            sections.clone(),
            budget.clone(),
        );
        Box::new(move |_, mut rng| {
            let (lock, inside, sections, budget) = (
                lock.clone(),
                inside.clone(),
                sections.clone(),
                budget.clone(),
            );
            spawn_send(async move {
                while budget.take().is_some() {
                    let guard = if rng.one_in(8) {
                        lock.try_lock().ok()
                    } else {
                        maybe_cancel(&mut rng, lock.lock()).await
                    };
                    if let Some(mut g) = guard {
                        let _x = Exclusive::enter(&inside); // dropped before `g`
                        let seen = *g;
                        random_yields(&mut rng, 2).await; // may be aborted here
                        *g = seen + 1;
                        sections.fetch_add(1, SeqCst);
                    }
                    random_yields(&mut rng, 1).await;
                }
            })
        })
    };
    let mut crew = Crew::start(WORKERS, &mut rng, make);
    crew.monkey(&mut rng, 0..WORKERS, || budget.spent()).await;
    for t in crew.live.drain(..).collect::<Vec<_>>() {
        settle(t).await;
    }
    crew.join_dead().await;
    assert!(!lock.is_locked(), "the lock is still held at quiescence");
    assert_eq!(lock.waiter_count(), 0, "a waiter entry was left behind");
    assert_eq!(*lock.try_lock().unwrap(), sections.load(SeqCst));
    assert!(sections.load(SeqCst) > 0);
}

#[test]
fn lock_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::lock_local", seed, || {
        on_local(seed, lock_run(seed, ops_per_run()))
    });
}

#[test]
fn lock_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::lock_multi_thread", seed, || {
        on_multi(lock_run(seed, ops_per_run()))
    });
}

// ---------------------------------------------------------------------------------------
// Condition: tokens produced under the lock with `notify(1)` each; consumers wait for a
// token with random cancellation and aborts. A lost notification leaves a token unconsumed
// while every consumer sleeps: the run hangs and the watchdog fails it.

#[derive(Default)]
struct Tokens {
    available: u64,
    stop: bool,
}

async fn condition_run(seed: u64, ops: u64) {
    const PRODUCERS: usize = 3;
    const CONSUMERS: usize = 5;
    let mut rng = Rng::new(seed);
    let shared = Arc::new((Lock::new(Tokens::default()), Condition::new()));
    let produced = Arc::new(AtomicU64::new(0));
    let consumed = Arc::new(AtomicU64::new(0));
    let budget = Budget::new(ops);
    let make: Make = {
        let (shared, produced, consumed, budget) = (
            shared.clone(),
            produced.clone(),
            consumed.clone(),
            budget.clone(),
        );
        Box::new(move |i, mut rng| {
            let (shared, produced, consumed, budget) = (
                shared.clone(),
                produced.clone(),
                consumed.clone(),
                budget.clone(),
            );
            if i < PRODUCERS {
                spawn_send(async move {
                    let (lock, cond) = &*shared;
                    while budget.take().is_some() {
                        if let Some(mut g) = maybe_cancel(&mut rng, lock.lock()).await {
                            g.available += 1;
                            produced.fetch_add(1, SeqCst);
                            if rng.one_in(4) {
                                drop(g);
                                cond.notify(1); // notify without the lock: allowed too
                            } else {
                                cond.notify(1);
                            }
                        }
                        random_yields(&mut rng, 2).await;
                    }
                })
            } else {
                spawn_send(async move {
                    let (lock, cond) = &*shared;
                    loop {
                        let Some(g) = maybe_cancel(&mut rng, lock.lock()).await else {
                            continue;
                        };
                        let waited = cond.wait_for(g, |t| t.available > 0 || t.stop);
                        if let Some(mut g) = maybe_cancel(&mut rng, waited).await {
                            if g.available == 0 {
                                assert!(g.stop);
                                break;
                            }
                            g.available -= 1;
                            consumed.fetch_add(1, SeqCst);
                        }
                        random_yields(&mut rng, 1).await;
                    }
                })
            }
        })
    };
    let mut crew = Crew::start(PRODUCERS + CONSUMERS, &mut rng, make);
    crew.monkey(&mut rng, 0..PRODUCERS + CONSUMERS, || budget.spent())
        .await;
    for t in crew.live.drain(..PRODUCERS).collect::<Vec<_>>() {
        settle(t).await;
    }
    crew.join_dead().await;
    // Every token is consumed without further notifications: a lost wake-up hangs here.
    while consumed.load(SeqCst) < produced.load(SeqCst) {
        yield_now().await;
    }
    let (lock, cond) = &*shared;
    lock.lock().await.stop = true;
    cond.notify_all();
    for t in crew.live.drain(..).collect::<Vec<_>>() {
        settle(t).await;
    }
    assert_eq!(consumed.load(SeqCst), produced.load(SeqCst));
    assert_eq!(lock.lock().await.available, 0);
    assert_eq!(cond.waiter_count(), 0, "a condition waiter was left behind");
    assert_eq!(lock.waiter_count(), 0, "a lock waiter was left behind");
    assert!(!lock.is_locked());
    assert!(produced.load(SeqCst) > 0);
}

#[test]
fn condition_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::condition_local", seed, || {
        on_local(seed, condition_run(seed, ops_per_run()))
    });
}

#[test]
fn condition_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::condition_multi_thread", seed, || {
        on_multi(condition_run(seed, ops_per_run()))
    });
}

// ---------------------------------------------------------------------------------------
// Event: rounds of waiters; some rounds set the event and leave it set (waiters cancel and
// retry at random), others wait until every live waiter is queued, then `set(); clear()`
// at once: every waiter queued at `set` must still wake.

async fn event_run(seed: u64, ops: u64) {
    let mut rng = Rng::new(seed);
    let budget = Budget::new(ops);
    let mut rounds = 0u64;
    while !budget.spent() {
        rounds += 1;
        let ev = Arc::new(Event::new());
        let woken = Arc::new(AtomicU64::new(0));
        let waiters = 2 + rng.below(6) as usize;
        let set_then_clear = rng.one_in(2);
        let make: Make = {
            let (ev, woken, budget) = (ev.clone(), woken.clone(), budget.clone());
            Box::new(move |_, mut rng| {
                let (ev, woken, budget) = (ev.clone(), woken.clone(), budget.clone());
                spawn_send(async move {
                    if set_then_clear {
                        budget.take();
                        ev.wait().await;
                    } else {
                        loop {
                            budget.take();
                            if maybe_cancel(&mut rng, ev.wait()).await.is_some() {
                                break;
                            }
                        }
                    }
                    woken.fetch_add(1, SeqCst);
                })
            })
        };
        let mut crew = Crew::start(waiters, &mut rng, make);
        // A few aborts (each replaced) before the event is set.
        for _ in 0..rng.below(3) {
            random_yields(&mut rng, 3).await;
            let i = rng.below(waiters as u64) as usize;
            let fresh = (crew.make)(i, Rng::new(rng.next()));
            let old = std::mem::replace(&mut crew.live[i], fresh);
            old.abort();
            crew.dead.push(old);
        }
        if set_then_clear {
            crew.join_dead().await;
            while ev.waiter_count() < waiters {
                yield_now().await;
            }
            assert_eq!(ev.waiter_count(), waiters);
            ev.set();
            ev.clear();
        } else {
            random_yields(&mut rng, 4).await;
            ev.set();
        }
        for t in crew.live.drain(..).collect::<Vec<_>>() {
            t.await.expect("a live waiter must wake");
        }
        crew.join_dead().await;
        assert_eq!(ev.waiter_count(), 0, "an event waiter was left behind");
        assert!(woken.load(SeqCst) >= waiters as u64);
    }
    assert!(rounds > 0);
}

#[test]
fn event_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::event_local", seed, || {
        on_local(seed, event_run(seed, ops_per_run()))
    });
}

#[test]
fn event_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::event_multi_thread", seed, || {
        on_multi(event_run(seed, ops_per_run()))
    });
}

// ---------------------------------------------------------------------------------------
// Task groups: children that succeed, fail, never finish, or are aborted; bodies that
// fail; whole groups aborted from outside. Every child spawned is dropped exactly once,
// completes at most once, and a group's error lists exactly the failures that happened.
// A group's future is `!Send` (its children are tasks of the group's own thread), so on
// the multi-thread executor the groups are pinned tasks of the thread that spawns them,
// run and aborted through the multi-thread executor's machinery.

struct Child {
    dropped: AtomicU8,
    outcome: AtomicU8, // 0 none, 1 ok, 2 err
}

struct ChildToken(Arc<Child>);

impl Drop for ChildToken {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, SeqCst);
    }
}

async fn task_group_run(seed: u64, ops: u64, children: Arc<std::sync::Mutex<Vec<Arc<Child>>>>) {
    let mut rng = Rng::new(seed);
    let budget = Budget::new(ops);
    let mut groups = Vec::new();
    while !budget.spent() {
        let mut grng = Rng::new(rng.next());
        let (gbudget, gchildren) = (budget.clone(), children.clone());
        let group = async move {
            let (budget, children) = (gbudget, gchildren);
            let body_fails = grng.one_in(6);
            let mut mine: Vec<Arc<Child>> = Vec::new();
            // Set when the body returns its error (a failing child may drop it first).
            let body_failed = AtomicBool::new(false);
            let r = task_group(|tg| {
                let (mine, body_failed) = (&mut mine, &body_failed);
                async move {
                    let mut handles = Vec::new();
                    for _ in 0..1 + grng.below(6) {
                        let child = Arc::new(Child {
                            dropped: AtomicU8::new(0),
                            outcome: AtomicU8::new(0),
                        });
                        let kind = grng.below(10);
                        let mut crng = Rng::new(grng.next());
                        let (token, cbudget) = (ChildToken(child.clone()), budget.clone());
                        let spawned = tg.spawn(async move {
                            let (_token, budget) = (token, cbudget);
                            for _ in 0..crng.below(4) {
                                budget.take();
                                yield_now().await;
                            }
                            match kind {
                                0 => std::future::pending().await,
                                1 => {
                                    _token.0.outcome.store(2, SeqCst);
                                    Err(())
                                }
                                _ => {
                                    _token.0.outcome.store(1, SeqCst);
                                    Ok(())
                                }
                            }
                        });
                        match spawned {
                            Ok(h) => {
                                children.lock().unwrap().push(child.clone());
                                mine.push(child);
                                handles.push((h, kind));
                            }
                            // Refused once a failure started the cancelling: dropped unrun.
                            Err(_) => assert_eq!(child.dropped.load(SeqCst), 1),
                        }
                        budget.take();
                        random_yields(&mut grng, 1).await;
                    }
                    // Never-ending children must be aborted, or the group never ends.
                    for (h, kind) in &handles {
                        if *kind == 0 || grng.one_in(8) {
                            h.abort();
                        }
                    }
                    random_yields(&mut grng, 2).await;
                    if body_fails {
                        body_failed.store(true, SeqCst);
                        Err(())
                    } else {
                        Ok(())
                    }
                }
            })
            .await;
            // Once the group has returned every child has ended: completed or dropped.
            for c in &mine {
                assert_eq!(c.dropped.load(SeqCst), 1, "a child outlived its group");
            }
            let child_errors = mine.iter().filter(|c| c.outcome.load(SeqCst) == 2).count();
            match r {
                Ok(()) => {
                    assert!(!body_fails);
                    assert_eq!(child_errors, 0, "a child failure was not reported");
                }
                Err(e) => {
                    let expected = child_errors + usize::from(body_failed.load(SeqCst));
                    assert_eq!(e.len(), expected, "failures reported vs happened");
                }
            }
        };
        groups.push(corio_executor::spawn(group));
        budget.take();
        random_yields(&mut rng, 3).await;
        if rng.one_in(4) {
            let i = rng.below(groups.len() as u64) as usize;
            groups[i].abort(); // drops the group's future: its children are aborted
        }
    }
    for g in groups {
        settle(g).await;
    }
}

fn task_group_check(children: &std::sync::Mutex<Vec<Arc<Child>>>) {
    // After the executor's shutdown every child of every group, aborted ones included,
    // has been dropped exactly once, and completed at most once.
    let children = children.lock().unwrap();
    assert!(!children.is_empty());
    for (i, c) in children.iter().enumerate() {
        let d = c.dropped.load(SeqCst);
        assert_eq!(d, 1, "child {i} dropped {d} times");
    }
}

#[test]
fn task_group_local() {
    let seed = reliability::seed();
    replayable("stress_seeded::task_group_local", seed, || {
        let children = Arc::new(std::sync::Mutex::new(Vec::new()));
        on_local(seed, task_group_run(seed, ops_per_run(), children.clone()));
        task_group_check(&children);
    });
}

#[test]
fn task_group_multi_thread() {
    let seed = reliability::seed();
    replayable("stress_seeded::task_group_multi_thread", seed, || {
        let children = Arc::new(std::sync::Mutex::new(Vec::new()));
        on_multi(task_group_run(seed, ops_per_run(), children.clone()));
        task_group_check(&children);
    });
}
