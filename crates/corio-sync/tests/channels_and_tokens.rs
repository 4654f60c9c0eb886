//! oneshot, broadcast, watch, CancelToken and RwLock behaviours beyond their doc examples.
#![allow(missing_docs)]

mod common;

use common::poll_once;
use corio_sync::{CancelToken, RwLock, broadcast, oneshot, watch};
use std::task::Poll;

#[test]
fn oneshot_sender_dropped_and_receiver_dropped() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert!(poll_once(&mut rx).is_pending());
    drop(tx);
    assert!(matches!(poll_once(&mut rx), Poll::Ready(Err(_))));
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert_eq!(tx.send(1), Err(1));
}

#[test]
fn broadcast_lag_then_resume_and_cancelled_recv_leaves_no_waiter() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut r = rx.recv();
        assert!(poll_once(&mut r).is_pending());
        assert_eq!(tx.waiter_count(), 1);
    }
    assert_eq!(tx.waiter_count(), 0);
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Lagged(3)));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Ok(4));
    assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Empty));
}

#[test]
fn watch_skips_intermediate_values() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1);
    tx.send(2);
    assert!(poll_once(&mut rx.changed()).is_ready());
    assert_eq!(*rx.borrow(), 2);
    assert!(poll_once(&mut rx.changed()).is_pending());
    assert_eq!(tx.waiter_count(), 0);
}

#[test]
fn cancel_token_tree() {
    let root = CancelToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    let mut waiting = grandchild.cancelled();
    assert!(poll_once(&mut waiting).is_pending());
    child.cancel_with("child only");
    assert!(!root.is_cancelled());
    assert!(poll_once(&mut waiting).is_ready());
    assert_eq!(grandchild.reason().as_deref(), Some("child only"));
    assert_eq!(grandchild.waiter_count(), 0);
}

#[test]
fn rwlock_writer_preference() {
    let lock = RwLock::new(0);
    let r1 = lock.try_read().unwrap();
    let mut w = lock.write();
    assert!(poll_once(&mut w).is_pending());
    assert!(lock.try_read().is_err()); // a waiting writer blocks new readers
    let mut r2 = lock.read();
    assert!(poll_once(&mut r2).is_pending());
    drop(r1);
    match poll_once(&mut w) {
        Poll::Ready(mut g) => *g = 1,
        Poll::Pending => panic!("writer should be admitted"),
    }
    match poll_once(&mut r2) {
        Poll::Ready(g) => assert_eq!(*g, 1),
        Poll::Pending => panic!("reader should follow the writer"),
    }
    drop(r2);
    drop(w);
    assert_eq!(lock.waiter_count(), 0);
}
