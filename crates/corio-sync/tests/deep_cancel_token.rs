//! Issue 21, item 7: a chain of 200 000 child tokens is cancelled from its root, and
//! dropped in any order, on an ordinary 2 MiB thread stack: no recursion as deep as the
//! chain.
#![allow(missing_docs)]

mod common;

use common::{counting_waker, poll_with};
use corio_sync::CancelToken;
use std::sync::atomic::Ordering;
use std::thread;

const DEPTH: usize = 200_000;

/// Runs `f` on a thread with a 2 MiB stack (the default for spawned threads), whatever
/// `RUST_MIN_STACK` says, so that recursion proportional to the depth overflows.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// The root and `DEPTH` generations of descendants, each the child of the one before.
fn chain() -> Vec<CancelToken> {
    let mut tokens = Vec::with_capacity(DEPTH + 1);
    tokens.push(CancelToken::new());
    for i in 0..DEPTH {
        let child = tokens[i].child_token();
        tokens.push(child);
    }
    tokens
}

#[test]
fn cancelling_the_root_of_a_200_000_deep_chain_reaches_the_leaf_with_its_reason() {
    on_small_stack(|| {
        let tokens = chain();
        // Waiters at the top, in the middle and at the bottom of the chain.
        let watched = [1, DEPTH / 2, DEPTH];
        let mut waits: Vec<_> = watched.iter().map(|&i| tokens[i].cancelled()).collect();
        let wakers: Vec<_> = watched.iter().map(|_| counting_waker()).collect();
        for (w, (waker, _)) in waits.iter_mut().zip(&wakers) {
            assert!(poll_with(w, waker).is_pending());
        }

        tokens[0].cancel_with("shutdown");

        for (i, t) in tokens.iter().enumerate() {
            assert!(t.is_cancelled(), "level {i} was not cancelled");
            assert_eq!(t.reason().as_deref(), Some("shutdown"), "level {i}");
        }
        for (w, (waker, count)) in waits.iter_mut().zip(&wakers) {
            assert_eq!(count.load(Ordering::SeqCst), 1);
            assert!(poll_with(w, waker).is_ready());
        }
        drop(waits);
        // A child made after the cancellation is born cancelled, with the reason.
        let late = tokens[DEPTH].child_token();
        assert_eq!(late.reason().as_deref(), Some("shutdown"));
    });
}

#[test]
fn cancelling_the_middle_of_a_deep_chain_leaves_the_ancestors_alone() {
    on_small_stack(|| {
        let tokens = chain();
        tokens[DEPTH / 2].cancel();
        assert!(!tokens[DEPTH / 2 - 1].is_cancelled());
        assert!(!tokens[0].is_cancelled());
        assert!(tokens[DEPTH / 2..].iter().all(CancelToken::is_cancelled));
        assert!(tokens[DEPTH].reason().is_none());
    });
}

#[test]
fn dropping_a_deep_chain_root_first_or_leaf_first_does_not_recurse() {
    on_small_stack(|| {
        // Root first.
        drop(chain());
        // Leaf first.
        let mut tokens = chain();
        while tokens.pop().is_some() {}
        // Cancelled, then dropped.
        let tokens = chain();
        tokens[0].cancel();
        drop(tokens);
        // Every level behind a drop guard: dropping the guards cancels as they go.
        let guards: Vec<_> = chain().into_iter().map(CancelToken::drop_guard).collect();
        drop(guards);
    });
}

#[test]
fn cancelling_a_deep_chain_whose_middle_was_dropped_stops_there() {
    on_small_stack(|| {
        let mut tokens = chain();
        let lower = tokens.split_off(DEPTH / 2 + 1);
        let middle = tokens.pop().unwrap(); // level DEPTH / 2
        drop(middle); // the link from its parent to its children is gone with it
        tokens[0].cancel();
        assert!(tokens.iter().all(CancelToken::is_cancelled));
        assert!(!lower.iter().any(CancelToken::is_cancelled));
    });
}
