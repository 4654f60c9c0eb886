//! Stress tests: many tasks on tokio's multi-thread runtime, random cancellation (a
//! waiter raced against a future that is ready after a random number of polls, and
//! dropped when it loses), exact accounting at quiescence.
//!
//! Debug builds run a few thousand operations per task; release builds
//! (`cargo test --release -p corio-sync --test stress`) run millions in all.
#![allow(missing_docs)]

use corio_sync::{Lock, Queue, QueueShutDown, Semaphore};
use futures::future::{Either, select};
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

fn iters() -> u64 {
    if cfg!(miri) {
        20
    } else if cfg!(debug_assertions) {
        5_000
    } else {
        100_000
    }
}

const TASKS: u64 = 16;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Ready after `n` polls, waking itself each time: a deadline measured in polls.
struct ReadyAfter(u32);
impl Future for ReadyAfter {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            Poll::Ready(())
        } else {
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Runs `fut`, or drops it when a random deadline comes first (about one time in three).
async fn maybe_cancel<F: Future>(rng: &mut Rng, fut: F) -> Option<F::Output> {
    let r = rng.next();
    if r % 3 != 0 {
        return Some(fut.await);
    }
    match select(pin!(fut), ReadyAfter((r >> 8) as u32 % 4)).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .build()
        .unwrap()
}

#[test]
fn stress_semaphore() {
    const PERMITS: usize = 3;
    let sem = Arc::new(Semaphore::new(PERMITS));
    let in_use = Arc::new(AtomicUsize::new(0));
    let acquired = Arc::new(AtomicU64::new(0));
    runtime().block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let (sem, in_use, acquired) = (sem.clone(), in_use.clone(), acquired.clone());
                tokio::spawn(async move {
                    let mut rng = Rng(0x9E37_79B9 + t);
                    for i in 0..iters() {
                        let n = 1 + (i % 2) as usize;
                        if let Some(p) = maybe_cancel(&mut rng, sem.acquire_many(n)).await {
                            let _p = p.unwrap();
                            let now = in_use.fetch_add(n, Ordering::SeqCst) + n;
                            assert!(now <= PERMITS, "{now} permits in use");
                            if rng.next() % 4 == 0 {
                                tokio::task::yield_now().await;
                            }
                            in_use.fetch_sub(n, Ordering::SeqCst);
                            acquired.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(sem.available_permits(), PERMITS);
    assert_eq!(sem.waiter_count(), 0);
    assert!(acquired.load(Ordering::Relaxed) > 0);
}

#[test]
fn stress_lock() {
    let lock = Arc::new(Lock::new(0u64));
    let successes = Arc::new(AtomicU64::new(0));
    runtime().block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let (lock, successes) = (lock.clone(), successes.clone());
                tokio::spawn(async move {
                    let mut rng = Rng(0x1234_5678 + t);
                    for _ in 0..iters() {
                        if let Some(mut g) = maybe_cancel(&mut rng, lock.lock()).await {
                            let seen = *g;
                            if rng.next() % 4 == 0 {
                                tokio::task::yield_now().await; // still exclusive
                            }
                            *g = seen + 1;
                            successes.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(*lock.try_lock().unwrap(), successes.load(Ordering::Relaxed));
    assert_eq!(lock.waiter_count(), 0);
    assert!(!lock.is_locked());
}

#[test]
fn stress_queue() {
    let q = Arc::new(Queue::new(8));
    let (sum_in, n_in) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (sum_out, n_out) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    runtime().block_on(async {
        let producers: Vec<_> = (0..TASKS / 2)
            .map(|t| {
                let (q, sum_in, n_in) = (q.clone(), sum_in.clone(), n_in.clone());
                tokio::spawn(async move {
                    let mut rng = Rng(0xDEAD_BEEF + t);
                    for i in 0..iters() {
                        let item = t * 1_000_000_000 + i;
                        // A cancelled put never inserts; retry until it goes in.
                        loop {
                            match maybe_cancel(&mut rng, q.put(item)).await {
                                Some(r) => {
                                    r.unwrap();
                                    break;
                                }
                                None => continue,
                            }
                        }
                        sum_in.fetch_add(item, Ordering::Relaxed);
                        n_in.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..TASKS / 2)
            .map(|t| {
                let (q, sum_out, n_out) = (q.clone(), sum_out.clone(), n_out.clone());
                tokio::spawn(async move {
                    let mut rng = Rng(0xC0FF_EE00 + t);
                    loop {
                        match maybe_cancel(&mut rng, q.get()).await {
                            Some(Ok(item)) => {
                                sum_out.fetch_add(item, Ordering::Relaxed);
                                n_out.fetch_add(1, Ordering::Relaxed);
                                q.task_done().unwrap();
                            }
                            Some(Err(QueueShutDown(()))) => break,
                            None => {}
                        }
                    }
                })
            })
            .collect();
        for p in producers {
            p.await.unwrap();
        }
        q.join().await;
        q.shutdown(false);
        for c in consumers {
            c.await.unwrap();
        }
    });
    assert_eq!(n_in.load(Ordering::Relaxed), (TASKS / 2) * iters());
    assert_eq!(n_out.load(Ordering::Relaxed), n_in.load(Ordering::Relaxed));
    assert_eq!(
        sum_out.load(Ordering::Relaxed),
        sum_in.load(Ordering::Relaxed)
    );
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0);
}
