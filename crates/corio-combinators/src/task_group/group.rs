//! The state that a group's future, its handles and its children share. It lives on the
//! group's thread (an `Rc`): the group owns its children's futures so that it can drop
//! them itself, which a `Send` group could not do for `!Send` children.

use std::cell::{RefCell, RefMut};
use std::collections::BTreeMap;
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

pub(super) struct State<E> {
    pub(super) phase: Phase,
    /// Children that have not ended, by id; ordered so that cancellation goes in spawn
    /// order.
    pub(super) children: BTreeMap<usize, Rc<dyn ChildOps>>,
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
                children: BTreeMap::new(),
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
                st.children.values().cloned().collect()
            }
        };
        // Flags and wake-ups only: no child runs inside this loop.
        for c in &to_cancel {
            c.cancel();
        }
        self.body.cancel();
        self.body.wake_task();
    }

    /// A child ended (its future is already dropped).
    pub(super) fn child_ended(&self, id: usize, failure: Option<Failure<E>>) {
        let (entry, last) = {
            let mut st = self.state();
            let entry = st.children.remove(&id);
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
