//! Dropping a waiter that was woken (handed a permit, the lock or an item) but not yet
//! polled: what it was handed goes to the next waiter, and no entry is left.
#![allow(missing_docs)]

mod common;

use common::poll_once;
use corio_sync::{Lock, Queue, RwLock, Semaphore};
use std::sync::Arc;

#[test]
fn semaphore_woken_acquire_dropped_passes_permit() {
    let sem = Semaphore::new(0);
    let mut a = sem.acquire();
    let mut b = sem.acquire();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    sem.add_permits(1); // handed to a
    drop(a);
    assert!(matches!(poll_once(&mut b), std::task::Poll::Ready(Ok(_))));
    drop(b);
    assert_eq!(sem.waiter_count(), 0);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn semaphore_owned_woken_acquire_dropped_passes_permit() {
    let sem = Arc::new(Semaphore::new(0));
    let mut a = sem.clone().acquire_owned();
    let mut b = sem.clone().acquire_owned();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    sem.add_permits(1);
    drop(a);
    assert!(poll_once(&mut b).is_ready());
    assert_eq!(sem.waiter_count(), 0);
}

#[test]
fn semaphore_woken_acquire_dropped_without_next_restores_permit() {
    let sem = Semaphore::new(0);
    let mut a = sem.acquire_many(2);
    assert!(poll_once(&mut a).is_pending());
    sem.add_permits(2);
    drop(a);
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(sem.waiter_count(), 0);
}

#[test]
fn lock_woken_dropped_passes_lock() {
    let lock = Arc::new(Lock::new(0));
    let g = lock.try_lock().unwrap();
    let mut a = lock.clone().lock_owned();
    let mut b = lock.lock();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    drop(g);
    drop(a);
    assert!(poll_once(&mut b).is_ready());
    drop(b);
    assert_eq!(lock.waiter_count(), 0);
    assert!(!lock.is_locked());
}

#[test]
fn queue_woken_get_dropped_passes_item() {
    let q = Queue::new(0);
    let mut a = q.get();
    let mut b = q.get();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    q.put_nowait(1).unwrap(); // reserved for a
    drop(a);
    assert_eq!(poll_once(&mut b), std::task::Poll::Ready(Ok(1)));
    drop(b);
    assert_eq!(q.waiter_count(), 0);
    assert_eq!(q.qsize(), 0);
}

#[test]
fn queue_woken_put_dropped_passes_slot() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let mut a = q.put(1);
    let mut b = q.put(2);
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    assert_eq!(q.get_nowait(), Ok(0)); // slot reserved for a
    drop(a);
    assert!(poll_once(&mut b).is_ready());
    drop(b);
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.waiter_count(), 0);
}

#[test]
fn rwlock_woken_writer_dropped_admits_readers() {
    let lock = RwLock::new(0);
    let r = lock.try_read().unwrap();
    let mut w = lock.write();
    let mut r2 = lock.read();
    assert!(poll_once(&mut w).is_pending());
    assert!(poll_once(&mut r2).is_pending()); // writer preference: behind the writer
    drop(r); // the writer is admitted
    drop(w); // ... and cancelled before it ran
    assert!(poll_once(&mut r2).is_ready());
    drop(r2);
    assert_eq!(lock.waiter_count(), 0);
    assert!(lock.try_write().is_ok());
}
