//! The call graph as text: a `ps` table and a `pstree` of awaits.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::graph::{CallGraph, TaskNode, WaitNode, secs};

impl CallGraph {
    /// The await tree (asyncio's `pstree`): each task not awaited by another at the root,
    /// under it what it waits on, and under a task group, a `gather` or an awaited handle
    /// the tasks it waits for. Then the cycles, each named as a deadlock. Unlike asyncio's
    /// `pstree`, a cycle does not stop the tree from being printed: it is cut where it
    /// closes (`(cycle: see below)`).
    ///
    /// # Examples
    ///
    /// ```
    /// corio::Builder::new().call_graph(true).run(async {
    ///     let t = corio::task::Builder::new()
    ///         .name("sleeper")
    ///         .spawn(corio::sleep(std::time::Duration::from_secs(60)));
    ///     corio::yield_now().await;
    ///     let tree = corio::debug::call_graph().pstree();
    ///     assert!(tree.contains("(T) #"), "{tree}");
    ///     assert!(tree.contains("'sleeper'"), "{tree}");
    ///     assert!(tree.contains("sleep until +"), "{tree}");
    ///     t.abort();
    /// });
    /// ```
    pub fn pstree(&self) -> String {
        let awaited: BTreeSet<u64> = self
            .tasks
            .iter()
            .flat_map(|t| t.waits.iter())
            .flat_map(|w| w.tasks.iter().copied())
            .collect();
        let mut roots: Vec<&TaskNode> = self
            .tasks
            .iter()
            .filter(|t| !awaited.contains(&t.id))
            .collect();
        // Tasks in a cycle of awaits are all awaited: start from the smallest of each.
        let mut reached = BTreeSet::new();
        for r in &roots {
            self.reach(r.id, &mut reached);
        }
        for t in &self.tasks {
            if !reached.contains(&t.id) {
                roots.push(t);
                self.reach(t.id, &mut reached);
            }
        }
        let mut out = String::new();
        let n = roots.len();
        for (i, t) in roots.into_iter().enumerate() {
            let mut path = Vec::new();
            self.render_task(t, "", i + 1 == n, &mut path, &mut out);
        }
        if self.tasks.is_empty() {
            out.push_str("(no tasks: is the call graph on? corio::debug::enable() or CORIO_PS)\n");
        }
        for c in &self.cycles {
            let _ = writeln!(out, "{}", c.message);
        }
        out
    }

    fn reach(&self, id: u64, seen: &mut BTreeSet<u64>) {
        if !seen.insert(id) {
            return;
        }
        if let Some(t) = self.task(id) {
            for w in &t.waits {
                for &c in &w.tasks {
                    self.reach(c, seen);
                }
            }
        }
    }

    fn task_line(&self, t: &TaskNode) -> String {
        format!(
            "(T) {} [{}, {} polls, last poll {} ago] spawned at {}",
            self.label(t.id),
            t.state,
            t.polls,
            secs(t.since_last_poll_us),
            t.spawned_at
        )
    }

    fn render_task(
        &self,
        t: &TaskNode,
        prefix: &str,
        last: bool,
        path: &mut Vec<u64>,
        out: &mut String,
    ) {
        let branch = if last { "└── " } else { "├── " };
        if path.contains(&t.id) {
            let _ = writeln!(
                out,
                "{prefix}{branch}(T) {} (cycle: see below)",
                self.label(t.id)
            );
            return;
        }
        let _ = writeln!(out, "{prefix}{branch}{}", self.task_line(t));
        let inner = format!("{prefix}{}", if last { "    " } else { "│   " });
        path.push(t.id);
        let mut children: BTreeMap<Option<u64>, Vec<&WaitNode>> = BTreeMap::new();
        let ids: BTreeSet<u64> = t.waits.iter().map(|w| w.id).collect();
        for w in &t.waits {
            // A wait whose combinator has finished shows at the top.
            let parent = w.parent.filter(|p| ids.contains(p));
            children.entry(parent).or_default().push(w);
        }
        let top = children.get(&None).cloned().unwrap_or_default();
        let n = top.len();
        for (i, w) in top.into_iter().enumerate() {
            self.render_wait(w, &children, &inner, i + 1 == n, path, out);
        }
        path.pop();
    }

    fn render_wait(
        &self,
        w: &WaitNode,
        children: &BTreeMap<Option<u64>, Vec<&WaitNode>>,
        prefix: &str,
        last: bool,
        path: &mut Vec<u64>,
        out: &mut String,
    ) {
        let branch = if last { "└── " } else { "├── " };
        let _ = writeln!(out, "{prefix}{branch}{}", self.describe(w));
        let inner = format!("{prefix}{}", if last { "    " } else { "│   " });
        let nested = children.get(&Some(w.id)).cloned().unwrap_or_default();
        let tasks: Vec<&TaskNode> = w.tasks.iter().filter_map(|&c| self.task(c)).collect();
        let n = nested.len() + tasks.len();
        let mut i = 0;
        for c in nested {
            i += 1;
            self.render_wait(c, children, &inner, i == n, path, out);
        }
        for t in tasks {
            i += 1;
            self.render_task(t, &inner, i == n, path, out);
        }
    }

    /// One line per task (asyncio's `ps`): id, name, state, polls, busy time, time since
    /// the last poll, age, what it waits on (the innermost waits), which tasks wait on
    /// it, and where it was spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// let table = corio::debug::call_graph().ps();
    /// assert!(table.starts_with("id"));
    /// ```
    pub fn ps(&self) -> String {
        let mut awaited_by: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for (a, b, _) in self.edges() {
            let v = awaited_by.entry(b).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
        }
        let mut out = format!(
            "{:<6} {:<16} {:<8} {:>6} {:>9} {:>10} {:>9}  {:<56} {:<14} spawned at\n",
            "id",
            "name",
            "state",
            "polls",
            "busy",
            "last poll",
            "age",
            "waiting on",
            "waited on by"
        );
        for t in &self.tasks {
            let ids: BTreeSet<u64> = t.waits.iter().filter_map(|w| w.parent).collect();
            let leaves: Vec<String> = t
                .waits
                .iter()
                .filter(|w| !ids.contains(&w.id))
                .map(|w| self.describe(w))
                .collect();
            let by: Vec<String> = awaited_by
                .get(&t.id)
                .map(|v| v.iter().map(|i| format!("#{i}")).collect())
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<6} {:<16} {:<8} {:>6} {:>9} {:>10} {:>9}  {:<56} {:<14} {}",
                format!("#{}", t.id),
                t.name.as_deref().unwrap_or("-"),
                t.state,
                t.polls,
                secs(t.busy_us),
                secs(t.since_last_poll_us),
                secs(t.age_us),
                if leaves.is_empty() {
                    "-".to_owned()
                } else {
                    leaves.join("; ")
                },
                if by.is_empty() {
                    "-".to_owned()
                } else {
                    by.join(",")
                },
                t.spawned_at
            );
        }
        for c in &self.cycles {
            let _ = writeln!(out, "{}", c.message);
        }
        out
    }
}
