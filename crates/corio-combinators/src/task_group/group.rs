//! The state that a group's future, its handles and its children share. It lives on the
//! group's thread (an `Rc`): the group owns its children's futures so that it can drop
//! them itself, which a `Send` group could not do for `!Send` children.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;
use std::sync::Arc;

use super::error::Failure;
use super::signal::Signal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Open,
    /// A failure happened: the body and the children are being cancelled.
    Aborting,
    /// The group's future resolved or was dropped.
    Closed,
}

/// What the group does to a child, whatever its future's type.
pub(super) trait ChildOps {
    /// The child's task id for the call graph (0 until known).
    fn task_id(&self) -> u64;
    /// The group's cancellation: the child runs the step it was already woken for, if
    /// any, then is dropped.
    fn cancel(&self);
    /// Drops the child's future now (the group's future is being dropped).
    fn drop_now(&self);
}

/// The children that have not ended: a slab, whose key each child keeps to leave it in
/// O(1) when it ends.
///
/// Why not a map by id: spawning and ending 10 000 children through a `BTreeMap` cost
/// about a tenth of the `task_group_10k_children` bench (node allocations and searches);
/// the slab's slots are reused, so its memory is the peak number of live children. Spawn
/// order, which cancellation and the group's drop follow, is recovered by sorting on the
/// child's id on those (rare) paths.
pub(super) struct Children {
    slots: Vec<Entry>,
    /// The first vacant slot, `slots.len()` when none is.
    next_free: usize,
    len: usize,
}

enum Entry {
    /// A live child: its id (spawn order) and the group's view of it.
    Occupied(usize, Rc<dyn ChildOps>),
    /// A freed slot, and the next vacant one.
    Vacant(usize),
}

impl Children {
    fn new() -> Self {
        Children {
            slots: Vec::new(),
            next_free: 0,
            len: 0,
        }
    }

    /// Adds a child; returns its key.
    pub(super) fn insert(&mut self, id: usize, child: Rc<dyn ChildOps>) -> usize {
        let key = self.next_free;
        let entry = Entry::Occupied(id, child);
        if key == self.slots.len() {
            self.slots.push(entry);
            self.next_free = key + 1;
        } else {
            match std::mem::replace(&mut self.slots[key], entry) {
                Entry::Vacant(next) => self.next_free = next,
                Entry::Occupied(..) => unreachable!("the free list points at a live child"),
            }
        }
        self.len += 1;
        key
    }

    /// Removes the child at `key`, if it is there.
    pub(super) fn remove(&mut self, key: usize) -> Option<Rc<dyn ChildOps>> {
        match self.slots.get(key) {
            Some(Entry::Occupied(..)) => {}
            _ => return None,
        }
        let entry = std::mem::replace(&mut self.slots[key], Entry::Vacant(self.next_free));
        self.next_free = key;
        self.len -= 1;
        if self.len == 0 {
            // Start over: the next child takes slot 0 again (the capacity is kept).
            self.slots.clear();
            self.next_free = 0;
        }
        match entry {
            Entry::Occupied(_, child) => Some(child),
            Entry::Vacant(_) => None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The live children, in spawn order.
    pub(super) fn in_spawn_order(&self) -> Vec<Rc<dyn ChildOps>> {
        let mut live: Vec<(usize, &Rc<dyn ChildOps>)> = self
            .slots
            .iter()
            .filter_map(|e| match e {
                Entry::Occupied(id, c) => Some((*id, c)),
                Entry::Vacant(_) => None,
            })
            .collect();
        live.sort_unstable_by_key(|&(id, _)| id);
        live.into_iter().map(|(_, c)| c.clone()).collect()
    }
}

pub(super) struct State<E> {
    pub(super) phase: Phase,
    /// Children that have not ended.
    pub(super) children: Children,
    pub(super) next_id: usize,
    pub(super) failures: Vec<Failure<E>>,
}

pub(super) struct Group<E> {
    state: RefCell<State<E>>,
    /// The body's step flags; its waker is the one of the task awaiting the group.
    pub(super) body: Arc<Signal>,
    /// The awaiter's call-graph record, which children add their tasks to.
    pub(super) wait_key: std::cell::Cell<Option<corio_core::callgraph::WaitKey>>,
}

impl<E> Group<E> {
    pub(super) fn new() -> Self {
        Group {
            state: RefCell::new(State {
                phase: Phase::Open,
                children: Children::new(),
                next_id: 0,
                failures: Vec::new(),
            }),
            body: Arc::new(Signal::new()),
            wait_key: std::cell::Cell::new(None),
        }
    }

    /// The state, borrowed. No user code (a future's poll or drop) may run while it is.
    pub(super) fn state(&self) -> RefMut<'_, State<E>> {
        self.state.borrow_mut()
    }

    pub(super) fn try_state(&self) -> Option<RefMut<'_, State<E>>> {
        self.state.try_borrow_mut().ok()
    }

    /// Records a failure; the first one starts cancelling the body and every child.
    pub(super) fn fail(&self, failure: Failure<E>) {
        let to_cancel: Vec<Rc<dyn ChildOps>> = {
            let mut st = self.state();
            st.failures.push(failure);
            if st.phase != Phase::Open {
                Vec::new()
            } else {
                st.phase = Phase::Aborting;
                st.children.in_spawn_order()
            }
        };
        // Flags and wake-ups only: no child runs inside this loop.
        for c in &to_cancel {
            c.cancel();
        }
        self.body.cancel();
        self.body.wake_task();
    }

    /// A child ended (its future is already dropped); `key` is its slot in `children`.
    pub(super) fn child_ended(&self, key: usize, failure: Option<Failure<E>>) {
        let (entry, last) = {
            let mut st = self.state();
            let entry = st.children.remove(key);
            (entry, st.children.is_empty())
        };
        drop(entry);
        match failure {
            Some(f) => self.fail(f),
            None if last => self.body.wake_task(),
            None => {}
        }
    }
}
