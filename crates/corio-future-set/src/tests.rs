//! The engine's own guarantees: only woken children are polled, the yield limit, slot
//! reuse with stale wakes, and taking or dropping the pending futures.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use crate::FutureSet;

/// A future that counts its polls, completes when `open` is set, and keeps its last waker.
#[derive(Clone, Default)]
struct Probe {
    polls: Arc<AtomicUsize>,
    open: Arc<Mutex<(bool, Option<Waker>)>>,
}

impl Probe {
    fn open(&self) {
        let w = {
            let mut g = self.open.lock().unwrap();
            g.0 = true;
            g.1.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    }

    fn polls(&self) -> usize {
        self.polls.load(Ordering::SeqCst)
    }
}

impl Future for Probe {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        let mut g = self.open.lock().unwrap();
        if g.0 {
            Poll::Ready(())
        } else {
            g.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[derive(Default)]
struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn owner() -> (Arc<CountWaker>, Waker) {
    let c = Arc::new(CountWaker::default());
    (c.clone(), Waker::from(c))
}

/// One owner poll: begin_poll, then poll_next until Pending or Ready(None).
fn round<F: Future>(set: &mut FutureSet<F>, waker: &Waker) -> (Vec<usize>, bool) {
    let cx = Context::from_waker(waker);
    set.begin_poll(&cx);
    let mut done = Vec::new();
    loop {
        match set.poll_next(&cx) {
            Poll::Ready(Some((i, _))) => done.push(i),
            Poll::Ready(None) => return (done, true),
            Poll::Pending => return (done, false),
        }
    }
}

#[test]
fn a_wake_polls_only_the_woken_child() {
    let probes: Vec<Probe> = (0..100).map(|_| Probe::default()).collect();
    let mut set = FutureSet::new();
    for p in &probes {
        set.push(p.clone());
    }
    let (wakes, w) = owner();
    assert_eq!(round(&mut set, &w), (vec![], false));
    assert!(probes.iter().all(|p| p.polls() == 1));
    probes[42].open();
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(round(&mut set, &w), (vec![42], false));
    assert_eq!(probes.iter().map(Probe::polls).sum::<usize>(), 101);
    assert_eq!(set.len(), 99);
}

#[test]
fn the_owner_is_woken_once_per_batch_of_wakes() {
    let probes: Vec<Probe> = (0..3).map(|_| Probe::default()).collect();
    let mut set = FutureSet::new();
    for p in &probes {
        set.push(p.clone());
    }
    let (wakes, w) = owner();
    round(&mut set, &w);
    for p in &probes {
        p.open();
    }
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(round(&mut set, &w), (vec![0, 1, 2], true));
}

#[test]
fn yields_after_the_limit_and_wakes_the_owner() {
    let mut set = FutureSet::with_yield_after(4);
    for n in 0..10 {
        set.push(std::future::ready(n));
    }
    let (wakes, w) = owner();
    assert_eq!(round(&mut set, &w), (vec![0, 1, 2, 3], false));
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(round(&mut set, &w), (vec![4, 5, 6, 7], false));
    assert_eq!(round(&mut set, &w), (vec![8, 9], true));
}

#[test]
fn a_reused_slot_with_a_stale_wake_is_polled_once() {
    let first = Probe::default();
    let mut set = FutureSet::new();
    set.push(first.clone());
    let (wakes, w) = owner();
    assert_eq!(round(&mut set, &w), (vec![], false));
    let stale = first.open.lock().unwrap().1.take().unwrap();
    set.clear(); // `first` is dropped; its slot's waker lives on in `stale`
    stale.wake_by_ref(); // queues slot 0 on the shared list
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    let second = Probe::default();
    assert_eq!(set.push(second.clone()), 0); // the same slot, already queued
    assert_eq!(round(&mut set, &w), (vec![], false));
    assert_eq!(second.polls(), 1);
    assert_eq!(first.polls(), 1);
}

#[test]
fn take_pending_hands_back_the_futures_in_slot_order() {
    let mut set = FutureSet::new();
    for n in 0..4 {
        set.push(Box::pin(async move {
            if n % 2 == 0 {
                std::future::pending::<()>().await;
            }
            n
        }));
    }
    let (_, w) = owner();
    assert_eq!(round(&mut set, &w), (vec![1, 3], false));
    let taken = set.take_pending();
    assert_eq!(
        taken.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert!(set.is_empty());
    assert_eq!(round(&mut set, &w), (vec![], true));
}

#[test]
fn outputs_come_in_completion_order() {
    let probes: Vec<Probe> = (0..3).map(|_| Probe::default()).collect();
    let mut set = FutureSet::new();
    for p in &probes {
        set.push(p.clone());
    }
    let (_, w) = owner();
    round(&mut set, &w);
    probes[2].open();
    probes[0].open();
    assert_eq!(round(&mut set, &w), (vec![2, 0], false));
}
