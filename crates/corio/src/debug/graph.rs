//! The call graph's data: tasks, what each waits on, and the cycles among them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use corio_core::callgraph::{self, TaskRecord, WaitRecord};
use serde::{Deserialize, Serialize};

/// Every live task of the process and what it waits on: asyncio's `capture_call_graph`
/// for the whole process, with deadlock hints. Made by [`call_graph`](super::call_graph)
/// in the process, or read from a process's snapshot socket (`corio-ps --json` prints it).
///
/// Times are taken when the graph is captured: a sleep's deadline is how far ahead it
/// was then, a `to_thread` job's running time how long it had run.
///
/// # Examples
///
/// ```
/// corio::debug::enable();
/// corio::Builder::new().call_graph(true).run(async {
///     let t = corio::task::Builder::new().name("idle").spawn(std::future::pending::<()>());
///     corio::yield_now().await;
///     let g = corio::debug::call_graph();
///     assert_eq!(g.task(t.id().as_u64()).unwrap().name.as_deref(), Some("idle"));
///     t.abort();
/// });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallGraph {
    /// The process it was captured in.
    pub pid: u32,
    /// The tasks, in id order.
    pub tasks: Vec<TaskNode>,
    /// The cycles of tasks waiting on each other (deadlocks), each named.
    pub cycles: Vec<Cycle>,
}

/// One task of a [`CallGraph`].
///
/// # Examples
///
/// See [`CallGraph`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskNode {
    /// The task's id (`TaskId::as_u64`).
    pub id: u64,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Where it was spawned (`file:line:column`).
    pub spawned_at: String,
    /// `running` while being polled, else `idle`.
    pub state: String,
    /// Polls so far.
    pub polls: u64,
    /// Time spent in its polls so far, in microseconds.
    pub busy_us: u64,
    /// Time since its last poll began, in microseconds.
    pub since_last_poll_us: u64,
    /// Time since its first poll, in microseconds.
    pub age_us: u64,
    /// The thread that polled it last (a worker's name on the multi-thread executor).
    pub thread: Option<String>,
    /// What it waits on, as a forest: a wait's `parent` is the combinator polling it.
    pub waits: Vec<WaitNode>,
}

/// One thing a task waits on.
///
/// # Examples
///
/// See [`CallGraph`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaitNode {
    /// The wait's id, unique in the process.
    pub id: u64,
    /// The wait of the combinator (gather, TaskGroup) that polls this one.
    pub parent: Option<u64>,
    /// What kind of thing: `Semaphore`, `Lock`, `Queue.get`, `Event`, `sleep`,
    /// `to_thread`, `Task`, `TaskGroup`, `gather`, `wait`, `shield`, a socket operation.
    pub kind: String,
    /// Its state in words, when it last told (`2 of 2 permits taken, this waiter 1st of 3`).
    pub detail: String,
    /// Tasks this wait ends with (an awaited handle, a group's children).
    pub tasks: Vec<u64>,
    /// The task holding what is waited on (a lock's owner).
    pub holder: Option<u64>,
    /// Which object (an address): two waits with one `object` wait on the same thing.
    pub object: u64,
    /// Microseconds until its deadline (a sleep), when it has one.
    pub until_us: Option<u64>,
    /// Microseconds the awaited thing has been running (a `to_thread` job).
    pub running_us: Option<u64>,
    /// Microseconds since the wait began.
    pub waiting_us: u64,
    /// Its place in the object's queue and the queue's length (`(2, 3)`: the 2nd of 3
    /// waiters), for waits that queue (a semaphore, a lock, a queue's getters).
    pub queue_place: Option<(u64, u64)>,
}

/// A cycle of tasks that wait on each other: none of them can go on.
///
/// # Examples
///
/// See [`CallGraph::cycles`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cycle {
    /// The tasks, in the order they wait on each other (each waits on the next, the last on
    /// the first).
    pub tasks: Vec<u64>,
    /// The cycle in words.
    pub message: String,
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl CallGraph {
    /// Captures the graph from the bookkeeping of this process (what
    /// [`call_graph`](super::call_graph) does).
    pub(crate) fn capture() -> CallGraph {
        let now = Instant::now();
        let records = callgraph::snapshot();
        let mut tasks: Vec<TaskNode> = records.iter().map(|t| task_node(t, now)).collect();
        // Places in queues: the recorded waits on one object, in the order they queued.
        let mut queues: BTreeMap<(String, u64), Vec<u64>> = BTreeMap::new();
        for (t, r) in tasks.iter().zip(&records) {
            for (w, wr) in t.waits.iter().zip(&r.waits) {
                if wr.on.is_queued() && w.object != 0 {
                    queues
                        .entry((w.kind.clone(), w.object))
                        .or_default()
                        .push(w.id);
                }
            }
        }
        for q in queues.values_mut() {
            q.sort_unstable();
        }
        for t in &mut tasks {
            for w in &mut t.waits {
                if let Some(q) = queues.get(&(w.kind.clone(), w.object)) {
                    if let Some(i) = q.iter().position(|&id| id == w.id) {
                        w.queue_place = Some((i as u64 + 1, q.len() as u64));
                    }
                }
            }
        }
        let mut g = CallGraph {
            pid: std::process::id(),
            tasks,
            cycles: Vec::new(),
        };
        g.cycles = g.find_cycles();
        g
    }

    /// The task with this id, if it is in the graph.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = corio::debug::call_graph(); // outside any loop: empty
    /// assert!(g.task(1).is_none());
    /// ```
    pub fn task(&self, id: u64) -> Option<&TaskNode> {
        self.tasks
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.tasks[i])
    }

    /// `#12 'writer'` (or `#12` for a task without a name, `#12 (ended)` for one not in
    /// the graph).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio::debug::call_graph().label(3), "#3 (ended)");
    /// ```
    pub fn label(&self, id: u64) -> String {
        match self.task(id) {
            Some(TaskNode { name: Some(n), .. }) => format!("#{id} '{n}'"),
            Some(_) => format!("#{id}"),
            None => format!("#{id} (ended)"),
        }
    }

    /// What a wait is waiting on, in one line: `Semaphore (2 of 2 permits taken, this
    /// waiter 1st of 3)`, `Lock held by #4 'b' (this waiter 1st of 1)`, `sleep until +2.3
    /// s`, `to_thread job running 4.1 s`.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = corio::debug::call_graph();
    /// assert!(g.tasks.is_empty());
    /// ```
    pub fn describe(&self, w: &WaitNode) -> String {
        let mut s = w.kind.clone();
        if w.kind == "Task" {
            for &t in &w.tasks {
                s.push(' ');
                s.push_str(&self.label(t));
                if let Some(t) = self.task(t).filter(|t| t.state == "running") {
                    s.push_str(&format!(" running {}", secs(t.since_last_poll_us)));
                }
            }
        }
        if let Some(h) = w.holder {
            s.push_str(" held by ");
            s.push_str(&self.label(h));
        }
        let mut detail = w.detail.clone();
        if let Some((place, len)) = w.queue_place {
            if !detail.is_empty() {
                detail.push_str(", ");
            }
            let who = if w.kind.ends_with(".get") {
                "getter"
            } else if w.kind.ends_with(".put") {
                "putter"
            } else {
                "waiter"
            };
            detail.push_str(&format!(
                "this {who} {} of {len}",
                corio_core::callgraph::ordinal(place as usize)
            ));
        }
        if !detail.is_empty() {
            s.push_str(&format!(" ({detail})"));
        }
        if let Some(u) = w.until_us {
            s.push_str(&format!(" until +{}", secs(u)));
        }
        if let Some(r) = w.running_us {
            s.push_str(&format!(" running {}", secs(r)));
        }
        s
    }

    /// The edges of the wait-for graph: (waiter, waited-on task, the wait that makes it).
    pub(crate) fn edges(&self) -> Vec<(u64, u64, &WaitNode)> {
        let mut out = Vec::new();
        for t in &self.tasks {
            for w in &t.waits {
                for &c in &w.tasks {
                    if c != t.id && self.task(c).is_some() {
                        out.push((t.id, c, w));
                    }
                }
                if let Some(h) = w.holder {
                    if h != t.id && self.task(h).is_some() {
                        out.push((t.id, h, w));
                    }
                }
            }
        }
        out
    }

    fn find_cycles(&self) -> Vec<Cycle> {
        let edges = self.edges();
        let mut next: BTreeMap<u64, Vec<(u64, &WaitNode)>> = BTreeMap::new();
        for &(a, b, w) in &edges {
            next.entry(a).or_default().push((b, w));
        }
        // Depth-first search for back edges; each cycle once, rotated to its smallest id.
        let mut seen: BTreeSet<Vec<u64>> = BTreeSet::new();
        let mut cycles = Vec::new();
        let mut done: BTreeSet<u64> = BTreeSet::new();
        for &start in next.keys() {
            if done.contains(&start) {
                continue;
            }
            let mut path: Vec<(u64, usize)> = vec![(start, 0)];
            let mut on_path: BTreeSet<u64> = BTreeSet::from([start]);
            while let Some(&mut (v, ref mut i)) = path.last_mut() {
                let outs = next.get(&v).map_or(&[][..], |o| &o[..]);
                if *i >= outs.len() {
                    path.pop();
                    on_path.remove(&v);
                    done.insert(v);
                    continue;
                }
                let (w, _) = outs[*i];
                *i += 1;
                if on_path.contains(&w) {
                    let from = path.iter().position(|&(p, _)| p == w).expect("on the path");
                    let mut ids: Vec<u64> = path[from..].iter().map(|&(p, _)| p).collect();
                    let min = ids
                        .iter()
                        .enumerate()
                        .min_by_key(|&(_, id)| *id)
                        .map(|(i, _)| i);
                    ids.rotate_left(min.unwrap_or(0));
                    if seen.insert(ids.clone()) {
                        cycles.push(self.name_cycle(&ids, &next));
                    }
                } else if !done.contains(&w) {
                    on_path.insert(w);
                    path.push((w, 0));
                }
            }
        }
        cycles
    }

    fn name_cycle(&self, ids: &[u64], next: &BTreeMap<u64, Vec<(u64, &WaitNode)>>) -> Cycle {
        let mut parts = Vec::new();
        let mut lock_edges = 0;
        let mut await_edges = 0;
        for (i, &a) in ids.iter().enumerate() {
            let b = ids[(i + 1) % ids.len()];
            let w = next[&a]
                .iter()
                .find(|(t, _)| *t == b)
                .map(|(_, w)| *w)
                .expect("an edge of the cycle");
            if w.holder == Some(b) {
                lock_edges += 1;
                parts.push(format!(
                    "{} waits for the {} held by {}",
                    self.label(a),
                    w.kind,
                    self.label(b)
                ));
            } else {
                await_edges += 1;
                let how = match w.kind.as_str() {
                    "Task" => "awaits".to_owned(),
                    k => format!("awaits (through a {k})"),
                };
                parts.push(format!("{} {how} {}", self.label(a), self.label(b)));
            }
        }
        let mut message = format!("deadlock: {}", parts.join("; "));
        if lock_edges > 0 && await_edges > 0 {
            message.push_str(
                " (a lock held by a task that is itself waiting on a waiter of that lock)",
            );
        } else if lock_edges > 1 {
            message.push_str(" (locks taken in opposite orders)");
        }
        Cycle {
            tasks: ids.to_vec(),
            message,
        }
    }
}

/// `2.3 s`, `45 ms`, `800 us`.
pub(crate) fn secs(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{:.1} s", us as f64 / 1e6)
    } else if us >= 1_000 {
        format!("{} ms", us / 1_000)
    } else {
        format!("{us} us")
    }
}

fn task_node(t: &TaskRecord, now: Instant) -> TaskNode {
    TaskNode {
        id: t.id,
        name: t.name.as_deref().map(str::to_owned),
        spawned_at: t.location.to_string(),
        state: if t.running { "running" } else { "idle" }.to_owned(),
        polls: t.polls,
        busy_us: micros(t.busy),
        since_last_poll_us: micros(now.saturating_duration_since(t.last_poll)),
        age_us: micros(now.saturating_duration_since(t.first_poll)),
        thread: t.thread.as_deref().map(str::to_owned),
        waits: t.waits.iter().map(|w| wait_node(w, now)).collect(),
    }
}

fn wait_node(w: &WaitRecord, now: Instant) -> WaitNode {
    WaitNode {
        id: w.id,
        parent: w.parent,
        kind: w.on.kind().to_owned(),
        detail: w.on.detail_text().to_owned(),
        tasks: w.on.tasks().to_vec(),
        holder: w.on.holder(),
        object: w.on.object_id() as u64,
        until_us: w
            .on
            .deadline()
            .map(|d| micros(d.saturating_duration_since(now))),
        running_us: w
            .on
            .started()
            .map(|s| micros(now.saturating_duration_since(s))),
        waiting_us: micros(now.saturating_duration_since(w.since)),
        queue_place: None,
    }
}
