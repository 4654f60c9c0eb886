//! loom models of Queue: handoff between threads and a dropped (maybe woken) getter.
//!
//! Run with `scripts/loom.sh`, or:
//! `RUSTFLAGS="--cfg corio_loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p corio-sync --release --test loom_queue`
#![cfg(corio_loom)]
#![allow(missing_docs)]

use corio_sync::Queue;
use corio_sync::mutation::Mutation;
use loom::future::block_on;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    Pin::new(f).poll(&mut Context::from_waker(&waker))
}

#[test]
fn bounded_handoff_keeps_order() {
    loom::model(|| {
        let q = Arc::new(Queue::new(1));
        let q2 = q.clone();
        let producer = loom::thread::spawn(move || {
            block_on(async {
                q2.put(1).await.unwrap();
                q2.put(2).await.unwrap();
            })
        });
        let got = block_on(async { (q.get().await.unwrap(), q.get().await.unwrap()) });
        producer.join().unwrap();
        assert_eq!(got, (1, 2));
        assert_eq!(q.waiter_count(), 0);
    });
}

fn dropped_getter_loses_no_item_model() {
    let q = Arc::new(Queue::new(0));
    let mut first = Box::pin(q.get());
    assert!(poll_once(&mut first).is_pending());
    let q2 = q.clone();
    let producer = loom::thread::spawn(move || q2.put_nowait(7).unwrap());
    drop(first); // maybe after the item was reserved for it
    producer.join().unwrap();
    // Reserved for `first` or not, the item must be available now. (Checked without
    // waiting: a hang would be caught by loom too, but unwinding out of a deadlocked
    // model aborts the process, which the mutation twin below cannot expect.)
    assert_eq!(
        q.get_nowait(),
        Ok(7),
        "the item reserved for a dropped getter was lost"
    );
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0);
}

#[test]
fn dropped_getter_loses_no_item() {
    loom::model(dropped_getter_loses_no_item_model);
}

/// The mutation twin: the same model with a dropped get that keeps the item reserved for it;
/// loom must catch it.
#[test]
#[should_panic(expected = "was lost")]
fn mutation_twin_dropped_getter_loses_no_item() {
    corio_sync::mutation::with(Mutation::QueueCancelLosesItem, || {
        loom::model(dropped_getter_loses_no_item_model)
    });
}
