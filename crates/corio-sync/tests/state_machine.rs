//! proptest state machines for Semaphore, Lock and a bounded Queue: random sequences of
//! operations (spawn a waiter task, abort a task, release / put / get without waiting,
//! run until stalled) on corio's FIFO test loop, checked after every step against a small
//! reference model: a FIFO of waiters (queued or granted), the free permits / lock holder
//! / queue contents and order, and which waiters have completed (and, for the queue, the
//! order in which items were got).
//!
//! Model conventions, from the primitives' documented policies: waiters are served in
//! FIFO order and what is released goes to the first waiter (granted at once, collected
//! when its task runs); a `try_*` / `*_nowait` call never overtakes a waiter; a waiter
//! aborted after being granted passes what it was granted on; a task aborted before its
//! first poll never queues. An abort is modelled as taking effect at once (the loop drops
//! the future at its next turn, before anything else can observe the difference).
//!
//! The model of the loop is corio's: spawned tasks and wake-ups from inside a turn run in
//! FIFO order; spawns and wake-ups from outside a turn wait in a cross-thread queue, in
//! order, drained when a turn starts and when the local queue runs dry.
//!
//! 1 000 cases per primitive by default; `PROPTEST_CASES` overrides.
#![allow(missing_docs)]

use corio_executor::{LocalExecutor, Task};
use corio_sync::{Lock, OwnedLockGuard, OwnedSemaphorePermit, Queue, Semaphore};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(miri) { 4 } else { 1_000 });
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// What the model says of one waiter task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum W {
    /// Spawned, not yet polled.
    Unstarted,
    /// In the primitive's wait list.
    Queued,
    /// Handed its permits / the lock / an item or slot; its task has not run yet.
    Granted,
    /// Its task completed.
    Done,
    /// Aborted before completing.
    Gone,
}

// ---------------------------------------------------------------------------------------
// Semaphore

#[derive(Debug, Clone)]
enum SemOp {
    Spawn(usize),
    TryAcquire(usize),
    Release(usize),
    Abort(usize),
    Stall,
}

fn sem_op() -> impl Strategy<Value = SemOp> {
    prop_oneof![
        3 => (1..=3usize).prop_map(SemOp::Spawn),
        1 => Just(SemOp::TryAcquire(1)),
        2 => any::<usize>().prop_map(SemOp::Release),
        2 => any::<usize>().prop_map(SemOp::Abort),
        3 => Just(SemOp::Stall),
    ]
}

#[derive(Debug, Default)]
struct SemModel {
    permits: usize,
    /// Per task: how many it wants, its state.
    tasks: Vec<(usize, W)>,
    /// Wait list (queued and granted), FIFO.
    list: VecDeque<usize>,
    /// Held permits: by task, or by a `try_acquire` (id usize::MAX - k).
    held: BTreeMap<usize, usize>,
}

impl SemModel {
    fn grant(&mut self) {
        for &t in &self.list {
            let (n, s) = self.tasks[t];
            if s == W::Granted {
                continue;
            }
            if n > self.permits {
                break;
            }
            self.permits -= n;
            self.tasks[t].1 = W::Granted;
        }
    }
    fn stall(&mut self) {
        loop {
            // Unstarted tasks poll in spawn order; granted ones collect.
            let mut progressed = false;
            for t in 0..self.tasks.len() {
                match self.tasks[t] {
                    (n, W::Unstarted) => {
                        progressed = true;
                        if self.list.is_empty() && self.permits >= n {
                            self.permits -= n;
                            self.tasks[t].1 = W::Done;
                            self.held.insert(t, n);
                        } else {
                            self.tasks[t].1 = W::Queued;
                            self.list.push_back(t);
                            self.grant();
                        }
                    }
                    (n, W::Granted) => {
                        progressed = true;
                        self.list.retain(|&x| x != t);
                        self.tasks[t].1 = W::Done;
                        self.held.insert(t, n);
                        self.grant();
                    }
                    _ => {}
                }
            }
            if !progressed {
                break;
            }
        }
    }
    fn abort(&mut self, t: usize) {
        match self.tasks[t].1 {
            W::Unstarted => self.tasks[t].1 = W::Gone,
            W::Queued => {
                self.list.retain(|&x| x != t);
                self.tasks[t].1 = W::Gone;
                self.grant();
            }
            W::Granted => {
                self.list.retain(|&x| x != t);
                self.permits += self.tasks[t].0;
                self.tasks[t].1 = W::Gone;
                self.grant();
            }
            W::Done | W::Gone => {}
        }
    }
}

fn run_semaphore(initial: usize, ops: Vec<SemOp>) -> Result<(), TestCaseError> {
    let ex = LocalExecutor::new();
    let sem = Arc::new(Semaphore::new(initial));
    let held: Rc<RefCell<BTreeMap<usize, OwnedSemaphorePermit>>> = Rc::default();
    let mut tasks: Vec<Task<()>> = Vec::new();
    let mut m = SemModel {
        permits: initial,
        ..SemModel::default()
    };
    let mut next_try = usize::MAX;
    for op in ops {
        match op {
            SemOp::Spawn(n) => {
                let (sem, held, id) = (sem.clone(), held.clone(), tasks.len());
                tasks.push(ex.spawn(async move {
                    let p = sem.acquire_many_owned(n).await.unwrap();
                    held.borrow_mut().insert(id, p);
                }));
                m.tasks.push((n, W::Unstarted));
            }
            SemOp::TryAcquire(n) => {
                let got = sem.clone().try_acquire_owned().ok();
                let want = m.list.is_empty() && m.permits >= n;
                prop_assert_eq!(got.is_some(), want, "try_acquire_many({})", n);
                if let Some(p) = got {
                    m.permits -= n;
                    m.held.insert(next_try, n);
                    held.borrow_mut().insert(next_try, p);
                    next_try -= 1;
                }
            }
            SemOp::Release(i) => {
                let keys: Vec<usize> = m.held.keys().copied().collect();
                if !keys.is_empty() {
                    let k = keys[i % keys.len()];
                    let n = m.held.remove(&k).unwrap();
                    m.permits += n;
                    m.grant();
                    drop(held.borrow_mut().remove(&k).expect("the permit is held"));
                }
            }
            SemOp::Abort(i) => {
                if !tasks.is_empty() {
                    let t = i % tasks.len();
                    tasks[t].abort();
                    m.abort(t);
                    ex.run_until_stalled();
                    m.stall();
                }
            }
            SemOp::Stall => {
                ex.run_until_stalled();
                m.stall();
            }
        }
        // Checks after every step.
        prop_assert_eq!(sem.available_permits(), m.permits, "free permits");
        let queued = m.list.len();
        prop_assert_eq!(sem.waiter_count(), queued, "waiter entries");
        let real: Vec<(usize, usize)> = held
            .borrow()
            .iter()
            .map(|(k, p)| (*k, p.num_permits()))
            .collect();
        let model: Vec<(usize, usize)> = m.held.iter().map(|(k, n)| (*k, *n)).collect();
        prop_assert_eq!(real, model, "who holds permits");
        for (t, task) in tasks.iter().enumerate() {
            let done = matches!(m.tasks[t].1, W::Done | W::Gone);
            if m.tasks[t].1 == W::Done {
                prop_assert!(task.is_finished(), "task {} should have completed", t);
            }
            if !done && m.tasks[t].1 != W::Granted && m.tasks[t].1 != W::Unstarted {
                prop_assert!(!task.is_finished(), "task {} should still wait", t);
            }
        }
    }
    // Quiescence: release everything, abort everything: all permits back, no entry left.
    held.borrow_mut().clear();
    for t in &tasks {
        t.abort();
    }
    ex.run_until_stalled();
    held.borrow_mut().clear();
    prop_assert_eq!(sem.available_permits(), initial);
    prop_assert_eq!(sem.waiter_count(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn semaphore_matches_model(initial in 0..4usize, ops in prop::collection::vec(sem_op(), 1..40)) {
        run_semaphore(initial, ops)?;
    }
}

// ---------------------------------------------------------------------------------------
// Lock: a semaphore of one permit whose holder is one task (or a try_lock).

#[derive(Debug, Clone)]
enum LockOp {
    Spawn,
    TryLock,
    Unlock,
    Abort(usize),
    Stall,
}

fn lock_op() -> impl Strategy<Value = LockOp> {
    prop_oneof![
        3 => Just(LockOp::Spawn),
        1 => Just(LockOp::TryLock),
        2 => Just(LockOp::Unlock),
        2 => any::<usize>().prop_map(LockOp::Abort),
        3 => Just(LockOp::Stall),
    ]
}

const TRY_HOLDER: usize = usize::MAX;

/// Who holds the lock (a task id or [`TRY_HOLDER`]), with the guard.
type Holder = Rc<RefCell<Option<(usize, OwnedLockGuard<()>)>>>;

fn run_lock(ops: Vec<LockOp>) -> Result<(), TestCaseError> {
    let ex = LocalExecutor::new();
    let lock = Arc::new(Lock::new(()));
    let holder: Holder = Rc::default();
    let mut tasks: Vec<Task<()>> = Vec::new();
    // The model: holder, the FIFO of waiters, each task's state.
    let mut m_holder: Option<usize> = None;
    let mut m_list: VecDeque<usize> = VecDeque::new();
    let mut m_state: Vec<W> = Vec::new();
    // The lock is handed to the front waiter (granted) when released.
    fn hand_on(holder: &mut Option<usize>, list: &VecDeque<usize>, state: &mut [W]) {
        match list.front() {
            Some(&t) => {
                state[t] = W::Granted;
                *holder = Some(t);
            }
            None => *holder = None,
        }
    }
    let stall = |holder: &mut Option<usize>, list: &mut VecDeque<usize>, state: &mut [W]| {
        for (t, st) in state.iter_mut().enumerate() {
            match *st {
                W::Unstarted => {
                    if holder.is_none() {
                        *holder = Some(t);
                        *st = W::Done;
                    } else {
                        list.push_back(t);
                        *st = W::Queued;
                    }
                }
                W::Granted => {
                    list.retain(|&x| x != t);
                    *st = W::Done;
                }
                _ => {}
            }
        }
    };
    for op in ops {
        match op {
            LockOp::Spawn => {
                let (lock, holder, id) = (lock.clone(), holder.clone(), tasks.len());
                tasks.push(ex.spawn(async move {
                    let g = lock.lock_owned().await;
                    let prev = holder.borrow_mut().replace((id, g));
                    assert!(prev.is_none(), "two holders");
                }));
                m_state.push(W::Unstarted);
            }
            LockOp::TryLock => {
                let got = lock.clone().try_lock_owned().ok();
                prop_assert_eq!(got.is_some(), m_holder.is_none(), "try_lock");
                if let Some(g) = got {
                    m_holder = Some(TRY_HOLDER);
                    *holder.borrow_mut() = Some((TRY_HOLDER, g));
                }
            }
            LockOp::Unlock => {
                // Only a holder that has its guard can unlock (a granted task has not
                // collected it yet).
                let taken = holder.borrow_mut().take();
                if let Some((who, g)) = taken {
                    prop_assert_eq!(Some(who), m_holder);
                    drop(g);
                    hand_on(&mut m_holder, &m_list, &mut m_state);
                }
            }
            LockOp::Abort(i) => {
                if !tasks.is_empty() {
                    let t = i % tasks.len();
                    tasks[t].abort();
                    match m_state[t] {
                        W::Unstarted => m_state[t] = W::Gone,
                        W::Queued => {
                            m_list.retain(|&x| x != t);
                            m_state[t] = W::Gone;
                        }
                        W::Granted => {
                            m_list.retain(|&x| x != t);
                            m_state[t] = W::Gone;
                            hand_on(&mut m_holder, &m_list, &mut m_state);
                        }
                        W::Done | W::Gone => {}
                    }
                    ex.run_until_stalled();
                    stall(&mut m_holder, &mut m_list, &mut m_state);
                }
            }
            LockOp::Stall => {
                ex.run_until_stalled();
                stall(&mut m_holder, &mut m_list, &mut m_state);
            }
        }
        prop_assert_eq!(lock.is_locked(), m_holder.is_some(), "locked");
        prop_assert_eq!(lock.waiter_count(), m_list.len(), "waiter entries");
        let real = holder.borrow().as_ref().map(|(w, _)| *w);
        let collected = m_holder.filter(|&h| h == TRY_HOLDER || m_state[h] == W::Done);
        prop_assert_eq!(real, collected, "who holds the lock");
        for (t, task) in tasks.iter().enumerate() {
            if m_state[t] == W::Done {
                prop_assert!(task.is_finished(), "task {} should have the lock", t);
            }
            if m_state[t] == W::Queued {
                prop_assert!(!task.is_finished(), "task {} should still wait", t);
            }
        }
    }
    holder.borrow_mut().take();
    for t in &tasks {
        t.abort();
    }
    ex.run_until_stalled();
    holder.borrow_mut().take();
    prop_assert!(!lock.is_locked());
    prop_assert_eq!(lock.waiter_count(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn lock_matches_model(ops in prop::collection::vec(lock_op(), 1..40)) {
        run_lock(ops)?;
    }
}

// ---------------------------------------------------------------------------------------
// Bounded queue: getters and putters as tasks, put_nowait / get_nowait, aborts.

#[derive(Debug, Clone)]
enum QOp {
    SpawnGet,
    SpawnPut,
    PutNowait,
    GetNowait,
    Abort(usize),
    Stall,
}

fn q_op() -> impl Strategy<Value = QOp> {
    prop_oneof![
        3 => Just(QOp::SpawnGet),
        3 => Just(QOp::SpawnPut),
        1 => Just(QOp::PutNowait),
        1 => Just(QOp::GetNowait),
        2 => any::<usize>().prop_map(QOp::Abort),
        3 => Just(QOp::Stall),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Get,
    Put(u32),
}

/// The queue's model, with the loop's two queues: tasks spawned or woken from inside a
/// turn join `local`; spawns and wake-ups from outside a turn (this test's spawns,
/// `*_nowait` calls and aborts) land in `remote`, in the order they happen, which the loop
/// drains into `local` when a turn starts and whenever `local` runs dry.
#[derive(Debug, Default)]
struct QModel {
    maxsize: usize,
    items: VecDeque<u32>,
    reserved_items: usize,
    reserved_slots: usize,
    tasks: Vec<(Kind, W)>,
    abort_requested: Vec<bool>,
    getters: VecDeque<usize>,
    putters: VecDeque<usize>,
    local: VecDeque<usize>,
    remote: VecDeque<usize>,
    in_turn: bool,
    /// Items got by getter tasks, in the order they got them.
    got: Vec<(usize, u32)>,
}

impl QModel {
    fn free_slots(&self) -> usize {
        self.maxsize
            .saturating_sub(self.items.len() + self.reserved_slots)
    }
    /// Waiters still queued: a granted one has left the line (it only has to collect), so
    /// it does not stop a newcomer from taking what is free.
    fn queued(&self, list: &VecDeque<usize>) -> usize {
        list.iter()
            .filter(|&&t| self.tasks[t].1 == W::Queued)
            .count()
    }
    fn available(&self) -> usize {
        self.items.len() - self.reserved_items
    }
    /// A wake-up: a task already scheduled is not scheduled twice.
    fn wake(&mut self, t: usize) {
        if self.local.contains(&t) || self.remote.contains(&t) {
            return;
        }
        if self.in_turn {
            self.local.push_back(t);
        } else {
            self.remote.push_back(t);
        }
    }
    fn spawn(&mut self, kind: Kind) {
        self.tasks.push((kind, W::Unstarted));
        self.abort_requested.push(false);
        let t = self.tasks.len() - 1;
        if self.in_turn {
            self.local.push_back(t);
        } else {
            self.remote.push_back(t);
        }
    }
    fn grant_getters(&mut self) {
        let list: Vec<usize> = self.getters.iter().copied().collect();
        for t in list {
            if self.available() == 0 {
                break;
            }
            if self.tasks[t].1 == W::Queued {
                self.tasks[t].1 = W::Granted;
                self.reserved_items += 1;
                self.wake(t);
            }
        }
    }
    fn grant_putters(&mut self) {
        let list: Vec<usize> = self.putters.iter().copied().collect();
        for t in list {
            if self.free_slots() == 0 {
                break;
            }
            if self.tasks[t].1 == W::Queued {
                self.tasks[t].1 = W::Granted;
                self.reserved_slots += 1;
                self.wake(t);
            }
        }
    }
    fn push(&mut self, x: u32) {
        self.items.push_back(x);
        self.grant_getters();
    }
    fn pop(&mut self) -> u32 {
        let x = self.items.pop_front().unwrap();
        self.grant_putters();
        x
    }
    /// `run_until_stalled`: run `local` in order, draining `remote` when it is empty.
    fn stall(&mut self) {
        self.in_turn = true;
        let r = std::mem::take(&mut self.remote);
        self.local.extend(r);
        loop {
            let t = match self.local.pop_front() {
                Some(t) => t,
                None if self.remote.is_empty() => break,
                None => {
                    let r = std::mem::take(&mut self.remote);
                    self.local.extend(r);
                    continue;
                }
            };
            if self.abort_requested[t] {
                self.drop_task(t);
                continue;
            }
            self.run(t);
        }
        self.in_turn = false;
    }
    fn run(&mut self, t: usize) {
        match self.tasks[t] {
            (Kind::Get, W::Unstarted) => {
                if self.queued(&self.getters) == 0 && self.available() > 0 {
                    let x = self.pop();
                    self.got.push((t, x));
                    self.tasks[t].1 = W::Done;
                } else {
                    self.getters.push_back(t);
                    self.tasks[t].1 = W::Queued;
                }
            }
            (Kind::Put(x), W::Unstarted) => {
                if self.queued(&self.putters) == 0 && self.free_slots() > 0 {
                    self.push(x);
                    self.tasks[t].1 = W::Done;
                } else {
                    self.putters.push_back(t);
                    self.tasks[t].1 = W::Queued;
                }
            }
            (Kind::Get, W::Granted) => {
                self.getters.retain(|&g| g != t);
                self.reserved_items -= 1;
                let x = self.pop();
                self.got.push((t, x));
                self.tasks[t].1 = W::Done;
            }
            (Kind::Put(x), W::Granted) => {
                self.putters.retain(|&p| p != t);
                self.reserved_slots -= 1;
                self.push(x);
                self.tasks[t].1 = W::Done;
            }
            _ => {}
        }
    }
    /// `Task::abort`: the loop drops the future (unpolled) when it reaches the task.
    fn abort(&mut self, t: usize) {
        if matches!(self.tasks[t].1, W::Done | W::Gone) {
            return;
        }
        self.abort_requested[t] = true;
        self.wake(t);
    }
    fn drop_task(&mut self, t: usize) {
        match self.tasks[t] {
            (_, W::Unstarted) => {}
            (Kind::Get, s @ (W::Queued | W::Granted)) => {
                self.getters.retain(|&g| g != t);
                if s == W::Granted {
                    self.reserved_items -= 1;
                    self.grant_getters();
                }
            }
            (Kind::Put(_), s @ (W::Queued | W::Granted)) => {
                self.putters.retain(|&p| p != t);
                if s == W::Granted {
                    self.reserved_slots -= 1;
                    self.grant_putters();
                }
            }
            _ => return,
        }
        self.tasks[t].1 = W::Gone;
    }
}

fn run_queue(maxsize: usize, ops: Vec<QOp>) -> Result<(), TestCaseError> {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(maxsize));
    let got: Rc<RefCell<Vec<(usize, u32)>>> = Rc::default();
    let mut tasks: Vec<Task<()>> = Vec::new();
    let mut m = QModel {
        maxsize,
        ..QModel::default()
    };
    let mut next_item = 0u32;
    for op in ops {
        match op {
            QOp::SpawnGet => {
                let (q, got, id) = (q.clone(), got.clone(), tasks.len());
                tasks.push(ex.spawn(async move {
                    let x = q.get().await.unwrap();
                    got.borrow_mut().push((id, x));
                }));
                m.spawn(Kind::Get);
            }
            QOp::SpawnPut => {
                let (q, x) = (q.clone(), next_item);
                next_item += 1;
                tasks.push(ex.spawn(async move { q.put(x).await.unwrap() }));
                m.spawn(Kind::Put(x));
            }
            QOp::PutNowait => {
                let x = next_item;
                next_item += 1;
                let ok = q.put_nowait(x).is_ok();
                let want = m.queued(&m.putters) == 0 && m.free_slots() > 0;
                prop_assert_eq!(ok, want, "put_nowait");
                if ok {
                    m.push(x);
                }
            }
            QOp::GetNowait => {
                let real = q.get_nowait().ok();
                let want = (m.available() > 0).then(|| m.pop());
                prop_assert_eq!(real, want, "get_nowait");
            }
            QOp::Abort(i) => {
                if !tasks.is_empty() {
                    let t = i % tasks.len();
                    tasks[t].abort();
                    m.abort(t);
                    ex.run_until_stalled();
                    m.stall();
                }
            }
            QOp::Stall => {
                ex.run_until_stalled();
                m.stall();
            }
        }
        prop_assert_eq!(q.qsize(), m.items.len(), "qsize");
        prop_assert_eq!(
            q.waiter_count(),
            m.getters.len() + m.putters.len(),
            "waiter entries"
        );
        prop_assert_eq!(&*got.borrow(), &m.got, "what each getter got, in order");
        for (t, task) in tasks.iter().enumerate() {
            if m.tasks[t].1 == W::Done {
                prop_assert!(task.is_finished(), "task {} should have completed", t);
            }
            if m.tasks[t].1 == W::Queued {
                prop_assert!(!task.is_finished(), "task {} should still wait", t);
            }
        }
    }
    // Drain: the contents, in order, are what the model holds (reserved items included).
    for (t, task) in tasks.iter().enumerate() {
        task.abort();
        m.abort(t);
    }
    ex.run_until_stalled();
    m.stall();
    let mut rest = Vec::new();
    while let Ok(x) = q.get_nowait() {
        rest.push(x);
    }
    prop_assert_eq!(rest, m.items.iter().copied().collect::<Vec<_>>());
    prop_assert_eq!(q.waiter_count(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn bounded_queue_matches_model(maxsize in 1..4usize, ops in prop::collection::vec(q_op(), 1..40)) {
        run_queue(maxsize, ops)?;
    }
}
