//! Differential check of corio-sync against CPython's asyncio itself.
//!
//! A seeded generator writes random scripts of queue / semaphore / lock operations with
//! cancellations. Each script runs here, on corio's single-thread loop
//! (`LocalExecutor`, a FIFO ready queue like asyncio's) with `corio_sync::{Queue,
//! Semaphore, Lock}`, and all of them run in ONE `python3 scripts/differential_asyncio.py
//! FILE` process under `asyncio.{Queue, Semaphore, Lock}`. Both sides print a trace of
//! what happened in what order; the traces must be equal line for line: which task got
//! which item and when, who acquired / locked when, who was cancelled at which await,
//! each task's outcome, and the final permits, lock state, queue contents and waiter count.
//!
//! Run: `cargo test -p corio-sync --test differential` (about 1 s). Knobs:
//! `DIFF_SCRIPTS=n` (default 300; 10 000 with `LONG=1`), `SEED=` (decimal or 0x-hex,
//! else a fixed default; script `k` is generated from `Rng::derive(seed, k)`),
//! `DIFF_FILE=path` (run the scripts of a file instead, e.g. the one a failure leaves
//! behind, trimmed by hand), `DIFF_SHOW=n` (how many differing scripts to print, shortest
//! first; default 3), `PYTHON=` (the interpreter; 3.11 or later),
//! `DIFF_RELAX=` (below).
//!
//! Python: the first of `$PYTHON`, `python3`, `python3.13`, `python3.12`, `python3.11`
//! that is 3.11 or later. When there is none, the tests pass after printing a loud
//! `SKIPPED: differential check against CPython asyncio` notice on stderr, so that
//! `./scripts/test.sh` passes on a machine without Python; `CORIO_REQUIRE_DIFFERENTIAL=1`
//! (which `.ci/run` sets, after installing python3) makes that a failure instead.
//! `CORIO_SKIP_DIFFERENTIAL=1` skips the check deliberately, with the same notice.
//!
//! # Script format (one text file, line based, `#` starts a comment)
//!
//! ```text
//! script 7                    # starts script number 7
//! queue 2                     # the Queue's maxsize (0 = unbounded; default 0)
//! semaphore 1                 # the Semaphore's initial permits (default 1)
//! relax cancel                # optional: rules switched off for this script (below)
//! task 0 put 1 yield 2 get    # task 0's operations, in order (tasks numbered 0, 1, ...)
//! task 1 lock acquire get release unlock
//! driver spawn 0 yield 1 spawn 1 cancel 0 cancel-woken 3
//! end
//! ```
//!
//! Task operations: `put V` (await `q.put(V)`), `get` (await `q.get()`), `acquire`
//! (await a semaphore permit), `release` (give back the permit taken last), `lock`,
//! `unlock`, `yield K` (K times `yield_now()` / `asyncio.sleep(0)`). What a task still
//! holds when it ends or is cancelled is released last-taken-first (`async with`).
//!
//! Driver operations (the driver is the main future / the main task): `spawn I`,
//! `yield K`, `cancel I` (`Task::cancel` and await its unwinding / `task.cancel()` and
//! await the task), `cancel-woken K` (`cancel` the first task that a primitive has woken,
//! with an item / permit / the lock reserved for it, and that has not run yet; if there
//! is none, yield and look again, at most K times). After its script the driver lets
//! everything settle and stops (cancels) the first task still waiting, again and again
//! until every task has ended.
//!
//! # Trace format
//!
//! `d spawn I`, `d cancel I`, `d cancel I -> cancelled|finished`,
//! `d cancel-woken -> I|none`, `d stop I`; `tI put V`, `tI put V done`, `tI get`,
//! `tI got V`, `tI acquire`, `tI acquired`, `tI release`, `tI lock`, `tI locked`,
//! `tI unlock`, `tI waits to get|put|acquire`, `tI end`,
//! `tI cancelled in get|put|acquire|lock|yield|wait` (a task cancelled before it first
//! ran logs nothing); then `task I done|cancelled`, `final permits N`,
//! `final locked yes|no`, `final queue [..]`, `final waiters N`.
//!
//! # What is compared, and the divergences kept out on purpose
//!
//! Everything in the trace is compared, exactly. Where asyncio and corio differ by design,
//! three rules keep both interpreters on the behaviour both promise. Both sides apply
//! them identically: their states are equal up to the first difference, so they take the
//! same decisions. A rule that delays an operation logs `tI waits to get|put|acquire`.
//! `DIFF_RELAX=queue-turn,semaphore-turn,cancel` (or a `relax RULE..` line in a script)
//! switches rules off; `excluded_divergences_are_real` below holds the smallest script
//! showing each divergence, and checks that it appears with its rule off.
//!
//! 1. `queue-turn`, **no barging on the queue.** asyncio's `Queue.put` wakes a getter
//!    without reserving the item for it: a task that calls `get()` before the woken getter
//!    runs takes the item, and the woken getter waits again, at the END of the line
//!    (likewise a woken putter's free slot). corio reserves the item / slot for the woken
//!    waiter (`Queue` docs, "Fairness": no barging). So a `get` waits while the woken,
//!    not yet run, getters are at least as many as the items in the queue, and a `put`
//!    waits while the queue is bounded and its items plus the woken putters fill it.
//! 2. `semaphore-turn`, **Python 3.11 and 3.12 only: one wake-up per event.** Their
//!    `Semaphore` wakes one waiter per release / cancellation and lets each woken waiter
//!    wake the next when it runs; corio, like 3.13's, wakes as many waiters as there are
//!    free permits, at once. It shows once a waiter queues behind a woken one while a
//!    permit is free (both queue it: FIFO) and a second permit comes back. So before
//!    3.13, an `acquire` waits while an acquirer is woken and a permit is free. (Both
//!    reserve the permit for the woken waiter: no barging there, nor at the lock, whose
//!    newcomers queue behind a woken waiter in both.)
//! 3. `cancel`, **cancelling a parked waiter.** asyncio's `Task.cancel()` cancels the
//!    waiter future at once: from then on the queue / semaphore skip that waiter, and
//!    `Lock.acquire` / `Semaphore.locked()` ignore it. corio cancels by dropping the future
//!    when the task next runs (DESIGN: "the future is dropped at its current await
//!    point"), so an item / permit / the lock released in between is handed to the
//!    cancelled waiter, which passes it on when dropped: the same next waiter gets it, but
//!    one step later, and a newcomer can take it at once in asyncio only. So `cancel I`
//!    of a task parked in a primitive (waiting, not woken) first yields until every task
//!    is parked or finished; then nothing runs between the cancel and the unwinding.
//!    Cancelling a task that is ready, even one woken with an item / permit / the lock
//!    reserved for it (the hardest case for cancel safety, which `cancel-woken` seeks
//!    out), happens at once: there both libraries agree step for step.
//!
//! Also outside the language: corio's cooperative budget (a task doing more than 128
//! ready operations in one poll yields in corio only; scripts stay far below), and
//! `get_nowait` / `put_nowait` / `try_acquire` (the barging question of rule 1 again).
//! What rule 2 hides under 3.11 / 3.12 (how corio wakes waiters queued behind a woken
//! one) is compared against Python 3.13: `PYTHON=python3.13`.
//!
//! # Proof that it can fail
//!
//! `differential_catches_a_lost_item` re-runs the scripts with a cancel-safety bug
//! injected into the corio side (a `get` cancelled after the queue woke it loses an item)
//! and requires the comparison to fail.
#![allow(missing_docs)]

mod reliability;

use corio_executor::{LocalExecutor, Task, yield_now};
use corio_sync::{Lock, OwnedLockGuard, OwnedSemaphorePermit, Queue, Semaphore};
use reliability::Rng;
use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::future::{Future, poll_fn};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::Command;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::task::{Context, Wake, Waker};
use std::time::Instant;

// ---------------------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Put(u32),
    Get,
    Acquire,
    Release,
    Lock,
    Unlock,
    Yield(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DriverOp {
    Spawn(usize),
    Yield(u32),
    Cancel(usize),
    /// Cancels the first task a primitive has woken and that has not run yet, yielding
    /// up to this many times until there is one.
    CancelWoken(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Script {
    index: usize,
    maxsize: usize,
    permits: usize,
    tasks: Vec<Vec<Op>>,
    driver: Vec<DriverOp>,
    /// Rules switched off for this script (`relax` line).
    relax: Vec<String>,
}

impl Script {
    fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "script {}", self.index);
        let _ = writeln!(s, "queue {}", self.maxsize);
        let _ = writeln!(s, "semaphore {}", self.permits);
        if !self.relax.is_empty() {
            let _ = writeln!(s, "relax {}", self.relax.join(" "));
        }
        for (i, ops) in self.tasks.iter().enumerate() {
            let _ = write!(s, "task {i}");
            for op in ops {
                let _ = match op {
                    Op::Put(v) => write!(s, " put {v}"),
                    Op::Get => write!(s, " get"),
                    Op::Acquire => write!(s, " acquire"),
                    Op::Release => write!(s, " release"),
                    Op::Lock => write!(s, " lock"),
                    Op::Unlock => write!(s, " unlock"),
                    Op::Yield(k) => write!(s, " yield {k}"),
                };
            }
            s.push('\n');
        }
        s.push_str("driver");
        for op in &self.driver {
            let _ = match op {
                DriverOp::Spawn(i) => write!(s, " spawn {i}"),
                DriverOp::Yield(k) => write!(s, " yield {k}"),
                DriverOp::Cancel(i) => write!(s, " cancel {i}"),
                DriverOp::CancelWoken(k) => write!(s, " cancel-woken {k}"),
            };
        }
        s.push_str("\nend\n");
        s
    }
}

fn parse_scripts(text: &str) -> Vec<Script> {
    fn num<T: std::str::FromStr>(w: Option<&str>, line: &str) -> T {
        w.and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("bad number in script line {line:?}"))
    }
    let mut scripts = Vec::new();
    let mut cur: Option<Script> = None;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let kind = words.next().unwrap_or("");
        if kind == "script" {
            cur = Some(Script {
                index: num(words.next(), raw),
                maxsize: 0,
                permits: 1,
                tasks: Vec::new(),
                driver: Vec::new(),
                relax: Vec::new(),
            });
            continue;
        }
        let s = cur
            .as_mut()
            .unwrap_or_else(|| panic!("line outside a script: {raw:?}"));
        match kind {
            "queue" => s.maxsize = num(words.next(), raw),
            "semaphore" => s.permits = num(words.next(), raw),
            "relax" => {
                for rule in words {
                    assert!(RULES.contains(&rule), "unknown rule {rule:?} in {raw:?}");
                    s.relax.push(rule.to_string());
                }
            }
            "task" => {
                let i: usize = num(words.next(), raw);
                assert_eq!(i, s.tasks.len(), "tasks must be numbered in order: {raw:?}");
                let mut ops = Vec::new();
                while let Some(w) = words.next() {
                    ops.push(match w {
                        "put" => Op::Put(num(words.next(), raw)),
                        "get" => Op::Get,
                        "acquire" => Op::Acquire,
                        "release" => Op::Release,
                        "lock" => Op::Lock,
                        "unlock" => Op::Unlock,
                        "yield" => Op::Yield(num(words.next(), raw)),
                        _ => panic!("unknown task operation {w:?} in {raw:?}"),
                    });
                }
                s.tasks.push(ops);
            }
            "driver" => {
                while let Some(w) = words.next() {
                    s.driver.push(match w {
                        "spawn" => DriverOp::Spawn(num(words.next(), raw)),
                        "yield" => DriverOp::Yield(num(words.next(), raw)),
                        "cancel" => DriverOp::Cancel(num(words.next(), raw)),
                        "cancel-woken" => DriverOp::CancelWoken(num(words.next(), raw)),
                        _ => panic!("unknown driver operation {w:?} in {raw:?}"),
                    });
                }
            }
            "end" => scripts.push(cur.take().expect("a script")),
            _ => panic!("unknown line {raw:?}"),
        }
    }
    scripts
}

/// A random script: 2..=7 tasks of 1..=10 operations each, a queue of maxsize 0..=3, a
/// semaphore of 0..=3 permits, and a driver that spawns every task in order, yields, and
/// cancels. Each script leans on one primitive (or none), and has its own cancel rate, so
/// that every primitive gets deep into its waiting states.
fn generate(index: usize, rng: &mut Rng) -> Script {
    let maxsize = rng.below(4) as usize;
    let permits = if rng.one_in(8) {
        0
    } else {
        1 + rng.below(3) as usize
    };
    let ntasks = 2 + rng.below(6) as usize;
    // Weights of put, get, acquire, release, lock, unlock, yield.
    let weights: [u64; 7] = match rng.below(4) {
        0 => [3, 3, 2, 2, 1, 2, 3],
        1 => [5, 5, 1, 1, 0, 1, 2],
        2 => [1, 1, 5, 4, 0, 1, 2],
        _ => [1, 1, 1, 1, 4, 4, 2],
    };
    let total: u64 = weights.iter().sum();
    let mut next_item = 1;
    let mut tasks = Vec::new();
    for _ in 0..ntasks {
        let nops = 1 + rng.below(10);
        let mut ops = Vec::new();
        let (mut permits_held, mut lock_held) = (0, false);
        while (ops.len() as u64) < nops {
            let mut r = rng.below(total);
            let mut kind = 0;
            while r >= weights[kind] {
                r -= weights[kind];
                kind += 1;
            }
            let op = match kind {
                0 => {
                    next_item += 1;
                    Op::Put(next_item - 1)
                }
                1 => Op::Get,
                2 if permits_held < 2 => {
                    permits_held += 1;
                    Op::Acquire
                }
                3 if permits_held > 0 => {
                    permits_held -= 1;
                    Op::Release
                }
                4 if !lock_held => {
                    lock_held = true;
                    Op::Lock
                }
                5 if lock_held => {
                    lock_held = false;
                    Op::Unlock
                }
                6 => Op::Yield(1 + rng.below(3) as u32),
                _ => continue,
            };
            ops.push(op);
        }
        tasks.push(ops);
    }
    let cancel_rate = [2, 3, 5][rng.below(3) as usize];
    let mut driver = Vec::new();
    let mut spawned = 0;
    let cancel = |rng: &mut Rng, driver: &mut Vec<DriverOp>, spawned: usize| {
        let yields = rng.below(4) as u32;
        if yields > 0 {
            driver.push(DriverOp::Yield(yields));
        }
        // Whoever was woken but has not run (the hardest case), or often the task
        // spawned last, else any.
        driver.push(match rng.below(4) {
            0 | 1 => DriverOp::CancelWoken(rng.below(12) as u32),
            2 => DriverOp::Cancel(spawned - 1),
            _ => DriverOp::Cancel(rng.below(spawned as u64) as usize),
        });
    };
    for i in 0..ntasks {
        if rng.one_in(2) {
            driver.push(DriverOp::Yield(1 + rng.below(3) as u32));
        }
        driver.push(DriverOp::Spawn(i));
        spawned += 1;
        if rng.one_in(cancel_rate) {
            cancel(rng, &mut driver, spawned);
        }
    }
    for _ in 0..rng.below(4) {
        if rng.one_in(2) {
            driver.push(DriverOp::Yield(1 + rng.below(4) as u32));
        } else {
            cancel(rng, &mut driver, spawned);
        }
    }
    Script {
        index,
        maxsize,
        permits,
        tasks,
        driver,
        relax: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// The corio interpreter
// ---------------------------------------------------------------------------------------

/// A fault injected into the interpreter, to prove the comparison can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutation {
    None,
    /// A `get` cancelled after the queue woke it loses an item (a cancel-safety bug).
    LoseItemOnCancel,
}

/// How a task waits in a primitive, seen through the waker the primitive was given.
#[derive(Debug, Default)]
struct Flags {
    /// Polled, pending, and not woken since: queued in the primitive.
    parked: AtomicBool,
    /// The primitive woke it (an item / slot / permit / the lock is reserved for it).
    woken: AtomicBool,
}

/// The waker handed to the primitive: records the wake, then wakes the task.
struct FlagWaker {
    flags: Arc<Flags>,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.flags.woken.store(true, SeqCst);
        self.flags.parked.store(false, SeqCst);
        self.inner.wake_by_ref();
    }
}

#[derive(Debug, Default)]
struct Slot {
    /// The primitive operation in progress.
    op: Option<&'static str>,
    flags: Arc<Flags>,
    cancel_requested: bool,
}

#[derive(Default, Debug, Clone, Copy)]
struct Coverage {
    /// Cancels that found the task woken by a primitive, not yet run.
    cancel_woken: u64,
    /// Cancels of a task parked in a primitive (made once everything was parked).
    cancel_parked: u64,
    /// Cancels of a task ready for another reason (yield, not started, waiting its turn).
    cancel_ready: u64,
    /// Cancels of a task already finished.
    cancel_finished: u64,
    /// Operations that waited their turn (rules 1 and 2).
    waited_turn: u64,
}

struct World {
    script: Script,
    q: Queue<u32>,
    sem: Arc<Semaphore>,
    lock: Arc<Lock<()>>,
    slots: RefCell<Vec<Slot>>,
    log: RefCell<Vec<String>>,
    coverage: Cell<Coverage>,
    mutation: Mutation,
    rules: Rules,
}

impl World {
    fn log(&self, line: String) {
        self.log.borrow_mut().push(line);
    }

    fn cover(&self, f: impl FnOnce(&mut Coverage)) {
        let mut c = self.coverage.get();
        f(&mut c);
        self.coverage.set(c);
    }

    /// Task `i` waits in a primitive, not woken, not cancelled.
    fn parked(&self, i: usize) -> bool {
        let s = &self.slots.borrow()[i];
        s.op.is_some() && s.flags.parked.load(SeqCst) && !s.cancel_requested
    }

    /// Task `i` waits in `op` and was woken by the primitive, and has not run since.
    fn woken(&self, i: usize, op: &str) -> bool {
        let s = &self.slots.borrow()[i];
        s.op == Some(op) && s.flags.woken.load(SeqCst)
    }

    fn woken_count(&self, op: &str) -> usize {
        (0..self.script.tasks.len())
            .filter(|&i| self.woken(i, op))
            .count()
    }

    /// Whether a new `op` must wait its turn (rules 1 and 2): woken getters (putters,
    /// acquirers) that have not run hold every item (slot) in the queue, so asyncio would
    /// let the newcomer take one and corio would not; or, before Python 3.13, a permit is
    /// free while an acquirer is woken, so asyncio would queue the newcomer behind it
    /// with a free permit, the state in which 3.11 and 3.12 wake one waiter per event.
    fn must_wait(&self, op: &str) -> bool {
        let woken = self.woken_count(op);
        if woken == 0 {
            return false;
        }
        let rules = self.rules;
        let qsize = self.q.qsize();
        match op {
            "get" => rules.queue_turn && qsize <= woken,
            "put" => {
                rules.queue_turn && self.script.maxsize > 0 && qsize + woken >= self.script.maxsize
            }
            _ => rules.semaphore_turn && self.sem.available_permits() > 0,
        }
    }

    /// Every spawned task has finished or is parked in a primitive.
    fn quiescent(&self, handles: &[Option<Task<()>>]) -> bool {
        handles.iter().enumerate().all(|(i, h)| match h {
            None => true,
            Some(h) => h.is_finished() || self.parked(i),
        })
    }
}

const SETTLE_LIMIT: u32 = 10_000;

/// Which of the rules of the header are on (both sides decide the same way).
#[derive(Clone, Copy, Debug)]
struct Rules {
    queue_turn: bool,
    semaphore_turn: bool,
    cancel_when_settled: bool,
}

/// The names of rules 1, 2 and 3, for `relax` lines and `DIFF_RELAX`.
const RULES: [&str; 3] = ["queue-turn", "semaphore-turn", "cancel"];

impl Rules {
    /// All three, but rule 2 only against a Python before 3.13; a script's `relax` line
    /// or `DIFF_RELAX=queue-turn,semaphore-turn,cancel` switches rules off, to watch the
    /// divergences they keep out (the check then fails).
    fn new(python: &str, script: &Script) -> Self {
        let mut v = python.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
        let (major, minor) = (v.next().unwrap_or(0), v.next().unwrap_or(0));
        let relax = std::env::var("DIFF_RELAX").unwrap_or_default();
        let on = |rule: &str| {
            !relax.split(',').any(|r| r.trim() == rule) && !script.relax.iter().any(|r| r == rule)
        };
        Rules {
            queue_turn: on("queue-turn"),
            semaphore_turn: on("semaphore-turn") && (major, minor) < (3, 13),
            cancel_when_settled: on("cancel"),
        }
    }
}

enum OpOut {
    Done,
    Got(u32),
    Permit(OwnedSemaphorePermit),
    Guard(OwnedLockGuard<()>),
}

enum Held {
    Permit(#[allow(dead_code)] OwnedSemaphorePermit),
    Lock(#[allow(dead_code)] OwnedLockGuard<()>),
}

type OpFuture = Pin<Box<dyn Future<Output = OpOut>>>;

/// A worker's state, dropped in a fixed order when the task is cancelled: the operation
/// in flight first (as asyncio runs the primitive's own `except` first), then what it
/// holds, last taken first, then the log line.
struct Ctx {
    world: Rc<World>,
    id: usize,
    op: Option<OpFuture>,
    held: Vec<Held>,
    at: &'static str,
    ended: bool,
}

impl Ctx {
    fn release_all(&mut self) {
        while let Some(h) = self.held.pop() {
            drop(h);
        }
    }

    /// Rules 1 and 2: waits while starting `op` now is where the libraries part ways.
    async fn wait_turn(&mut self, op: &'static str) {
        if !self.world.must_wait(op) {
            return;
        }
        self.world.cover(|c| c.waited_turn += 1);
        self.world.log(format!("t{} waits to {op}", self.id));
        self.at = "wait";
        let mut n = 0;
        while self.world.must_wait(op) {
            yield_now().await;
            n += 1;
            assert!(n < SETTLE_LIMIT, "t{} waited forever to {op}", self.id);
        }
    }

    /// Runs one primitive operation, watching how it waits.
    async fn run(&mut self, name: &'static str, fut: OpFuture) -> OpOut {
        self.at = name;
        let flags = {
            let mut slots = self.world.slots.borrow_mut();
            slots[self.id].op = Some(name);
            slots[self.id].flags.clone()
        };
        flags.parked.store(false, SeqCst);
        flags.woken.store(false, SeqCst);
        self.op = Some(fut);
        let mut wrapped: Option<(Waker, Waker)> = None;
        let op = &mut self.op;
        let out = poll_fn(|cx| {
            let waker = match &wrapped {
                Some((inner, w)) if inner.will_wake(cx.waker()) => w.clone(),
                _ => {
                    let w = Waker::from(Arc::new(FlagWaker {
                        flags: flags.clone(),
                        inner: cx.waker().clone(),
                    }));
                    wrapped = Some((cx.waker().clone(), w.clone()));
                    w
                }
            };
            flags.woken.store(false, SeqCst);
            let fut = op.as_mut().expect("an operation in flight");
            let r = fut.as_mut().poll(&mut Context::from_waker(&waker));
            if r.is_pending() && !flags.woken.load(SeqCst) {
                flags.parked.store(true, SeqCst);
            }
            r
        })
        .await;
        self.op = None;
        self.world.slots.borrow_mut()[self.id].op = None;
        flags.parked.store(false, SeqCst);
        flags.woken.store(false, SeqCst);
        out
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        let was_woken_get = self.op.is_some() && self.world.woken(self.id, "get");
        self.op = None;
        self.world.slots.borrow_mut()[self.id].op = None;
        if was_woken_get && self.world.mutation == Mutation::LoseItemOnCancel {
            let _ = self.world.q.get_nowait();
        }
        self.release_all();
        if !self.ended {
            self.world
                .log(format!("t{} cancelled in {}", self.id, self.at));
        }
    }
}

async fn worker(world: Rc<World>, id: usize) {
    let mut ctx = Ctx {
        world: world.clone(),
        id,
        op: None,
        held: Vec::new(),
        at: "start",
        ended: false,
    };
    let ops = world.script.tasks[id].clone();
    for op in ops {
        let w = world.clone();
        match op {
            Op::Yield(k) => {
                ctx.at = "yield";
                for _ in 0..k {
                    yield_now().await;
                }
            }
            Op::Put(v) => {
                ctx.wait_turn("put").await;
                world.log(format!("t{id} put {v}"));
                let fut = Box::pin(async move {
                    w.q.put(v).await.expect("the queue is never shut down");
                    OpOut::Done
                });
                ctx.run("put", fut).await;
                world.log(format!("t{id} put {v} done"));
            }
            Op::Get => {
                ctx.wait_turn("get").await;
                world.log(format!("t{id} get"));
                let fut = Box::pin(async move {
                    OpOut::Got(w.q.get().await.expect("the queue is never shut down"))
                });
                let OpOut::Got(v) = ctx.run("get", fut).await else {
                    unreachable!()
                };
                world.log(format!("t{id} got {v}"));
            }
            Op::Acquire => {
                ctx.wait_turn("acquire").await;
                world.log(format!("t{id} acquire"));
                let fut = Box::pin(async move {
                    OpOut::Permit(w.sem.clone().acquire_owned().await.expect("never closed"))
                });
                let OpOut::Permit(p) = ctx.run("acquire", fut).await else {
                    unreachable!()
                };
                ctx.held.push(Held::Permit(p));
                world.log(format!("t{id} acquired"));
            }
            Op::Release => {
                let j = ctx
                    .held
                    .iter()
                    .rposition(|h| matches!(h, Held::Permit(_)))
                    .expect("the script releases a permit it does not hold");
                drop(ctx.held.remove(j));
                world.log(format!("t{id} release"));
            }
            Op::Lock => {
                world.log(format!("t{id} lock"));
                let fut = Box::pin(async move { OpOut::Guard(w.lock.clone().lock_owned().await) });
                let OpOut::Guard(g) = ctx.run("lock", fut).await else {
                    unreachable!()
                };
                ctx.held.push(Held::Lock(g));
                world.log(format!("t{id} locked"));
            }
            Op::Unlock => {
                let j = ctx
                    .held
                    .iter()
                    .position(|h| matches!(h, Held::Lock(_)))
                    .expect("the script unlocks a lock it does not hold");
                drop(ctx.held.remove(j));
                world.log(format!("t{id} unlock"));
            }
        }
    }
    ctx.release_all();
    ctx.ended = true;
    world.log(format!("t{id} end"));
}

/// Yields until every task is parked or finished.
async fn settle(world: &World, handles: &[Option<Task<()>>]) {
    let mut n = 0;
    while !world.quiescent(handles) {
        yield_now().await;
        n += 1;
        assert!(n < SETTLE_LIMIT, "the tasks never settled");
    }
}

/// `cancel I`: rule 2, then `Task::cancel` and wait for the task to unwind.
async fn cancel(world: &World, handles: &mut [Option<Task<()>>], i: usize) {
    let mut n = 0;
    while world.rules.cancel_when_settled && world.parked(i) && !world.quiescent(handles) {
        yield_now().await;
        n += 1;
        assert!(n < SETTLE_LIMIT, "the tasks never settled");
    }
    let h = handles[i]
        .as_mut()
        .expect("the script cancels a task it never spawned");
    let woken = world.slots.borrow()[i]
        .op
        .is_some_and(|op| world.woken(i, op));
    let parked = world.parked(i);
    let finished = h.is_finished();
    world.cover(|c| {
        if finished {
            c.cancel_finished += 1;
        } else if parked {
            c.cancel_parked += 1;
        } else if woken {
            c.cancel_woken += 1;
        } else {
            c.cancel_ready += 1;
        }
    });
    world.slots.borrow_mut()[i].cancel_requested = true;
    let cancelling = h.cancel();
    world.log(format!("d cancel {i}"));
    let ended = if cancelling.await {
        "cancelled"
    } else {
        "finished"
    };
    world.log(format!("d cancel {i} -> {ended}"));
}

async fn drive(world: Rc<World>) {
    let n = world.script.tasks.len();
    let mut handles: Vec<Option<Task<()>>> = (0..n).map(|_| None).collect();
    for op in world.script.driver.clone() {
        match op {
            DriverOp::Spawn(i) => {
                handles[i] = Some(corio_executor::spawn(worker(world.clone(), i)));
                world.log(format!("d spawn {i}"));
            }
            DriverOp::Yield(k) => {
                for _ in 0..k {
                    yield_now().await;
                }
            }
            DriverOp::Cancel(i) => cancel(&world, &mut handles, i).await,
            DriverOp::CancelWoken(patience) => {
                let mut tries = 0;
                loop {
                    let woken = (0..n).find(|&i| {
                        handles[i].as_ref().is_some_and(|h| !h.is_finished())
                            && world.slots.borrow()[i]
                                .op
                                .is_some_and(|op| world.woken(i, op))
                    });
                    if let Some(i) = woken {
                        world.log(format!("d cancel-woken -> {i}"));
                        cancel(&world, &mut handles, i).await;
                        break;
                    }
                    if tries == patience {
                        world.log("d cancel-woken -> none".into());
                        break;
                    }
                    tries += 1;
                    yield_now().await;
                }
            }
        }
    }
    loop {
        settle(&world, &handles).await;
        let live = (0..n).find(|&i| handles[i].as_ref().is_some_and(|h| !h.is_finished()));
        let Some(i) = live else { break };
        world.log(format!("d stop {i}"));
        cancel(&world, &mut handles, i).await;
    }
    for (i, h) in handles.into_iter().enumerate() {
        let line = match h {
            None => format!("task {i} never spawned"),
            Some(h) => match h.await {
                Ok(()) => format!("task {i} done"),
                Err(e) if e.is_cancelled() => format!("task {i} cancelled"),
                Err(e) => format!("task {i} failed: {e}"),
            },
        };
        world.log(line);
    }
    world.log(format!("final permits {}", world.sem.available_permits()));
    let locked = if world.lock.is_locked() { "yes" } else { "no" };
    world.log(format!("final locked {locked}"));
    let mut items = Vec::new();
    while let Ok(v) = world.q.get_nowait() {
        items.push(v);
    }
    world.log(format!("final queue {items:?}"));
    let waiters = world.q.waiter_count() + world.sem.waiter_count() + world.lock.waiter_count();
    world.log(format!("final waiters {waiters}"));
}

/// Runs one script on a fresh corio loop; returns its trace and what it exercised.
fn run_corio(script: &Script, python: &str, mutation: Mutation) -> (Vec<String>, Coverage) {
    let world = Rc::new(World {
        script: script.clone(),
        q: Queue::new(script.maxsize),
        sem: Arc::new(Semaphore::new(script.permits)),
        lock: Arc::new(Lock::new(())),
        slots: RefCell::new((0..script.tasks.len()).map(|_| Slot::default()).collect()),
        log: RefCell::new(Vec::new()),
        coverage: Cell::new(Coverage::default()),
        mutation,
        rules: Rules::new(python, script),
    });
    LocalExecutor::new().run(drive(world.clone()));
    let log = world.log.take();
    (log, world.coverage.get())
}

// ---------------------------------------------------------------------------------------
// The asyncio side and the comparison
// ---------------------------------------------------------------------------------------

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `CORIO_SKIP_DIFFERENTIAL=1`: skip the check deliberately (a notice is still printed).
fn skip_requested() -> bool {
    std::env::var("CORIO_SKIP_DIFFERENTIAL").is_ok_and(|v| v == "1")
}

/// `CORIO_REQUIRE_DIFFERENTIAL=1` (set by `.ci/run`): a missing or too old Python is a
/// failure instead of a skip.
fn require_requested() -> bool {
    std::env::var("CORIO_REQUIRE_DIFFERENTIAL").is_ok_and(|v| v == "1")
}

/// Prints straight to the process's stderr: libtest captures `eprintln!` of a passing
/// test, and a skipped check must never be silent.
fn notice(msg: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "\n*** {msg} ***\n");
}

/// The interpreter to compare against: the first of `$PYTHON`, `python3`, `python3.13`,
/// `python3.12`, `python3.11` that runs and is 3.11 or later. `Err` lists what was tried.
fn find_python() -> &'static Result<String, String> {
    static FOUND: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    FOUND.get_or_init(|| {
        let mut candidates: Vec<String> = Vec::new();
        if let Ok(p) = std::env::var("PYTHON") {
            candidates.push(p);
        }
        for name in ["python3", "python3.13", "python3.12", "python3.11"] {
            candidates.push(name.to_string());
        }
        let mut tried = Vec::new();
        for python in candidates {
            let out = Command::new(&python)
                .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
                .output();
            let verdict = match out {
                Ok(out) if out.status.success() => {
                    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                    let mut v = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
                    if (v.next().unwrap_or(0), v.next().unwrap_or(0)) >= (3, 11) {
                        return Ok(python);
                    }
                    format!("Python {version}, older than 3.11")
                }
                Ok(out) => format!("exited with {}", out.status),
                Err(e) => e.to_string(),
            };
            tried.push(format!("{python}: {verdict}"));
        }
        Err(tried.join("; "))
    })
}

/// The Python to run, or `None` (after a loud notice) when the check is skipped: no
/// Python 3.11+ was found, or `CORIO_SKIP_DIFFERENTIAL=1`. Panics instead of skipping
/// under `CORIO_REQUIRE_DIFFERENTIAL=1`.
fn python_or_skip() -> Option<&'static str> {
    let require = require_requested();
    if skip_requested() && !require {
        notice("SKIPPED: differential check against CPython asyncio: CORIO_SKIP_DIFFERENTIAL=1");
        return None;
    }
    match find_python() {
        Ok(python) => Some(python),
        Err(tried) if require => panic!(
            "differential: CORIO_REQUIRE_DIFFERENTIAL=1 but no Python 3.11+ was found \
             (tried {tried}). Install python3 (3.11 or later) or set PYTHON=/path/to/python3."
        ),
        Err(tried) => {
            notice(&format!(
                "SKIPPED: differential check against CPython asyncio: no python3 >= 3.11 \
                 found (tried {tried}). Install Python 3.11+ or set PYTHON= to run it; \
                 CI runs it with CORIO_REQUIRE_DIFFERENTIAL=1"
            ));
            None
        }
    }
}

/// Runs every script under asyncio in one Python process; returns (python version,
/// trace per script index). `None` if skipped (see [`python_or_skip`]).
/// Each script's index and trace.
type Traces = Vec<(usize, Vec<String>)>;

fn run_asyncio(file: &std::path::Path) -> Option<(String, Traces)> {
    let python = python_or_skip()?;
    let interp = repo_root().join("scripts/differential_asyncio.py");
    let out = Command::new(python)
        .arg(&interp)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("differential: cannot run `{python}`: {e}"));
    assert!(
        out.status.success(),
        "differential: `{python} {}` failed ({}):\n{}",
        interp.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines = text.lines();
    let version = lines
        .next()
        .and_then(|l| l.strip_prefix("python "))
        .expect("the asyncio side starts with its version")
        .to_string();
    let mut v = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    assert!(
        (v.next().unwrap_or(0), v.next().unwrap_or(0)) >= (3, 11),
        "differential: `{python}` is Python {version}; the asyncio semantics compared here \
         are those of 3.11 and later (PYTHON=/path/to/python3.11+)"
    );
    let mut traces = Vec::new();
    while let Some(l) = lines.next() {
        let index = l
            .strip_prefix("trace ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected asyncio output line {l:?}"));
        let mut trace = Vec::new();
        for l in lines.by_ref() {
            if l == "end" {
                break;
            }
            trace.push(l.to_string());
        }
        traces.push((index, trace));
    }
    Some((version, traces))
}

fn first_difference(a: &[String], b: &[String]) -> Option<usize> {
    (0..a.len().max(b.len())).find(|&k| a.get(k) != b.get(k))
}

fn side_by_side(corio: &[String], asyncio: &[String], at: usize) -> String {
    let mut s = format!("{:>4}  {:<34} | {}\n", "", "corio", "asyncio");
    for k in 0..corio.len().max(asyncio.len()) {
        let mark = if k == at { ">>" } else { "  " };
        let c = corio.get(k).map_or("", String::as_str);
        let p = asyncio.get(k).map_or("", String::as_str);
        let _ = writeln!(s, "{mark}{k:>3} {c:<34} | {p}");
    }
    s
}

struct Mismatch {
    index: usize,
    /// The longer trace's length: the shortest are shown first.
    len: usize,
    report: String,
}

struct Outcome {
    scripts: usize,
    mismatches: Vec<Mismatch>,
    coverage: Coverage,
    lines: usize,
    version: String,
}

/// Runs `scripts` on both sides and compares. `None` if skipped (no Python 3.11+, or
/// `CORIO_SKIP_DIFFERENTIAL=1`).
fn differential(seed: u64, scripts: &[Script], mutation: Mutation, tag: &str) -> Option<Outcome> {
    let mut text = String::new();
    for s in scripts {
        text.push_str(&s.to_text());
    }
    // The format round-trips: both sides read the same thing.
    assert_eq!(
        parse_scripts(&text),
        scripts,
        "the script format does not round-trip"
    );
    let file = std::env::temp_dir().join(format!(
        "corio-differential-{}-{seed:x}-{tag}.txt",
        std::process::id()
    ));
    std::fs::write(&file, &text).expect("cannot write the scripts file");

    let started = Instant::now();
    let Some((version, traces)) = run_asyncio(&file) else {
        let _ = std::fs::remove_file(&file);
        return None;
    };
    let python_time = started.elapsed();
    assert_eq!(
        traces.len(),
        scripts.len(),
        "the asyncio side returned {} traces for {} scripts",
        traces.len(),
        scripts.len()
    );

    let started = Instant::now();
    let mut mismatches = Vec::new();
    let mut coverage = Coverage::default();
    let mut lines = 0;
    for (script, (index, asyncio)) in scripts.iter().zip(&traces) {
        assert_eq!(script.index, *index, "traces out of order");
        // A panic of the corio side (an interpreter assertion) becomes a trace line, so
        // that the script is shown.
        let (corio, cov) = std::panic::catch_unwind(|| run_corio(script, &version, mutation))
            .unwrap_or_else(|p| {
                let msg = p
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| p.downcast_ref::<&str>().copied())
                    .unwrap_or("?");
                (vec![format!("panic: {msg}")], Coverage::default())
            });
        coverage.cancel_woken += cov.cancel_woken;
        coverage.cancel_parked += cov.cancel_parked;
        coverage.cancel_ready += cov.cancel_ready;
        coverage.cancel_finished += cov.cancel_finished;
        coverage.waited_turn += cov.waited_turn;
        lines += corio.len();
        if let Some(at) = first_difference(&corio, asyncio) {
            mismatches.push(Mismatch {
                index: script.index,
                len: corio.len().max(asyncio.len()),
                report: format!(
                    "script {} (SEED={seed:#x}, Python {version}, {:?}) differs at trace \
                     line {at}:\n{}\n{}",
                    script.index,
                    Rules::new(&version, script),
                    script.to_text(),
                    side_by_side(&corio, asyncio, at)
                ),
            });
        }
    }
    let rust_time = started.elapsed();
    mismatches.sort_by_key(|m| m.len);
    if mismatches.is_empty() || tag != "scripts" {
        let _ = std::fs::remove_file(&file);
    } else {
        eprintln!(
            "differential: the scripts are in {} (replay with DIFF_FILE=that path)",
            file.display()
        );
    }
    eprintln!(
        "differential ({tag}): {} scripts, {} trace lines, Python {version} {:.2?}, \
         corio {:.2?}, {} mismatches; coverage {coverage:?}",
        scripts.len(),
        lines,
        python_time,
        rust_time,
        mismatches.len()
    );
    Some(Outcome {
        scripts: scripts.len(),
        mismatches,
        coverage,
        lines,
        version,
    })
}

fn generated(seed: u64, count: usize) -> Vec<Script> {
    (0..count)
        .map(|k| generate(k, &mut Rng::derive(seed, k as u64)))
        .collect()
}

#[test]
fn corio_sync_matches_asyncio() {
    let seed = reliability::seed();
    let default = if reliability::long() { 10_000 } else { 300 };
    let count = reliability::env_u64("DIFF_SCRIPTS", default) as usize;
    let from_file = std::env::var("DIFF_FILE").ok();
    let scripts = match &from_file {
        Some(path) => parse_scripts(
            &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("DIFF_FILE={path}: {e}")),
        ),
        None => generated(seed, count),
    };
    reliability::replayable("differential check against asyncio", seed, || {
        let Some(out) = differential(seed, &scripts, Mutation::None, "scripts") else {
            return;
        };
        if !out.mismatches.is_empty() {
            let show = reliability::env_u64("DIFF_SHOW", 3) as usize;
            for m in out.mismatches.iter().take(show) {
                eprintln!("\n{}", m.report);
            }
            panic!(
                "{} of {} scripts behave differently under corio and asyncio (Python {}); \
                 the shortest ones are printed above (DIFF_SHOW=n for more)",
                out.mismatches.len(),
                out.scripts,
                out.version
            );
        }
        assert!(out.lines > out.scripts, "the traces are empty");
        // The default run must reach the hard cases, or it proves little.
        if out.scripts >= 300 && from_file.is_none() {
            let c = out.coverage;
            assert!(
                c.cancel_woken > 0 && c.cancel_parked > 0 && c.cancel_ready > 0,
                "the scripts no longer exercise every kind of cancellation: {c:?}"
            );
            assert!(
                c.waited_turn > 0,
                "rules 1 and 2 are never exercised: {c:?}"
            );
        }
    });
}

/// The check can fail: with a cancel-safety bug injected into the corio side (a `get`
/// cancelled after the queue woke it loses an item), some traces must differ.
#[test]
fn differential_catches_a_lost_item() {
    let seed = reliability::seed();
    let scripts = generated(seed, 300);
    reliability::replayable("differential mutant check", seed, || {
        let Some(out) = differential(seed, &scripts, Mutation::LoseItemOnCancel, "mutant") else {
            return;
        };
        assert!(
            !out.mismatches.is_empty(),
            "an item lost on cancellation went unnoticed in {} scripts",
            out.scripts
        );
    });
}

/// The smallest scripts showing each divergence the rules keep out, with the rule that
/// keeps it out.
const DIVERGENCES: [(&str, &str); 4] = [
    // Rule 1: t1's put wakes t0, then t1's own get takes the item in asyncio (t0 goes
    // back to waiting); corio keeps it for t0.
    (
        "queue-turn",
        "queue 0\ntask 0 get\ntask 1 put 1 get\ndriver spawn 0 spawn 1\n",
    ),
    // Rule 2: t1, woken with a permit, is cancelled while 1 permit is free and t2, t3
    // wait: its permit comes back, 2 are free. asyncio 3.11 / 3.12 wake t2 only (t2 wakes
    // t3 when it runs); corio, like 3.13, wakes both at once.
    (
        "semaphore-turn",
        "semaphore 2\ntask 0 acquire acquire yield 2 release release\ntask 1 acquire\n\
         task 2 yield 2 acquire\ntask 3 yield 2 acquire\n\
         driver spawn 0 spawn 1 spawn 2 spawn 3 yield 2 cancel 1\n",
    ),
    // Rule 3, queue: t0 waits in get and is cancelled; before it unwinds, t1 puts and
    // gets. asyncio skips t0's cancelled waiter: t1 gets the item at once. corio hands the
    // item to t0, which passes it on when dropped: t1 waits a step.
    (
        "cancel",
        "queue 0\ntask 0 get\ntask 1 put 1 get\ndriver spawn 0 yield 1 spawn 1 cancel 0\n",
    ),
    // Rule 3, lock: t1 waits for the lock and is cancelled; before it unwinds, t0
    // unlocks and locks again. asyncio lets t0 take the lock at once (every waiter is
    // cancelled); corio hands it to t1, which passes it to t0 when dropped.
    (
        "cancel",
        "task 0 lock yield 1 unlock lock\ntask 1 lock\ndriver spawn 0 spawn 1 yield 1 cancel 1\n",
    ),
];

/// Each rule keeps out a real divergence: the scripts above agree with every rule on,
/// and differ with their rule off (except rule 2 against Python 3.13+, which agrees).
#[test]
fn excluded_divergences_are_real() {
    if std::env::var("DIFF_RELAX").is_ok() {
        eprintln!("excluded_divergences_are_real: skipped under DIFF_RELAX");
        return;
    }
    let mut scripts = Vec::new();
    for (k, (rule, body)) in DIVERGENCES.iter().enumerate() {
        for relax in [false, true] {
            let text = format!(
                "script {}\n{}{body}end\n",
                2 * k + usize::from(relax),
                if relax {
                    format!("relax {rule}\n")
                } else {
                    String::new()
                }
            );
            scripts.extend(parse_scripts(&text));
        }
    }
    let Some(out) = differential(0, &scripts, Mutation::None, "divergences") else {
        return;
    };
    let differs = |i: usize| out.mismatches.iter().any(|m| m.index == i);
    let mut v = out
        .version
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let py313 = (v.next().unwrap_or(0), v.next().unwrap_or(0)) >= (3, 13);
    for (k, (rule, _)) in DIVERGENCES.iter().enumerate() {
        assert!(
            !differs(2 * k),
            "divergence script {k} differs with every rule on:\n{}",
            out.mismatches
                .iter()
                .find(|m| m.index == 2 * k)
                .map_or("", |m| m.report.as_str())
        );
        let expected = !(*rule == "semaphore-turn" && py313);
        assert_eq!(
            differs(2 * k + 1),
            expected,
            "divergence script {k} with rule {rule} off: expected {}, under Python {}",
            if expected {
                "a difference"
            } else {
                "no difference"
            },
            out.version
        );
    }
}
