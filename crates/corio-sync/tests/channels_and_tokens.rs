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

/// Every value sent is dropped exactly once, whoever ends up holding it: the receiver
/// that took it, the channel when the receiver goes unread, or the sender's caller when
/// the receiver was gone before the send.
#[test]
fn oneshot_values_are_dropped_exactly_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let value = || Counted(drops.clone());
    // Sent, received, dropped by the receiver's owner; then the receiver is dropped.
    let (tx, mut rx) = oneshot::channel();
    assert!(poll_once(&mut rx).is_pending());
    assert!(tx.send(value()).is_ok());
    match poll_once(&mut rx) {
        Poll::Ready(Ok(v)) => drop(v),
        _ => panic!("the sent value was not received"),
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // Sent, never read: the channel drops it with the receiver.
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(value()).is_ok());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    // The receiver was gone: the value comes back to the caller.
    let (tx, rx) = oneshot::channel();
    drop(rx);
    let back = tx.send(value()).expect_err("the receiver was dropped");
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    drop(back);
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    // A sender's is_closed sees the receiver go.
    let (tx, rx) = oneshot::channel::<Counted>();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
}

// A task awaiting a receiver holds it twice in its future (captured, then awaited): it
// stays two words (the shared state and the taken flag), the call graph's record living in
// the shared state.
#[test]
fn oneshot_receiver_is_two_words() {
    assert_eq!(
        std::mem::size_of::<oneshot::Receiver<u64>>(),
        2 * std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of::<oneshot::Sender<u64>>(),
        std::mem::size_of::<usize>()
    );
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
