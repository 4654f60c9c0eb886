//! A Semaphore and a Lock driven by a byte string: tasks that take permits or the lock and
//! hold them across turns, aborted at any moment. Never more permits out than exist, never
//! two holders of the lock, and at quiescence every permit is back and no waiter is left.
#![no_main]

use std::cell::Cell;
use std::rc::Rc;

use corio_executor::{Builder, Task, yield_now};
use corio_sync::{Lock, Semaphore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, ops)) = data.split_first() else { return };
    let permits = (first % 3) as usize + 1;
    let ex = Builder::new().seed(u64::from(first)).build_local();
    let sem = Rc::new(Semaphore::new(permits));
    let lock = Rc::new(Lock::new(()));
    let out = Rc::new(Cell::new(0usize));
    let holding = Rc::new(Cell::new(false));
    let mut tasks: Vec<Task<()>> = Vec::new();
    for &op in ops {
        let hold = usize::from(op >> 4);
        match op % 4 {
            0 => {
                let (sem, out) = (sem.clone(), out.clone());
                tasks.push(ex.spawn(async move {
                    // Never more than exist: a larger request waits, correctly, for add_permits.
                    let k = (hold % 2 + 1).min(permits);
                    if let Ok(_p) = sem.acquire_many(k).await {
                        out.set(out.get() + k);
                        for _ in 0..hold {
                            yield_now().await;
                        }
                        out.set(out.get() - k);
                    }
                }));
            }
            1 => {
                let (lock, holding) = (lock.clone(), holding.clone());
                tasks.push(ex.spawn(async move {
                    let _g = lock.lock().await;
                    assert!(!holding.replace(true), "two holders of the lock");
                    for _ in 0..hold {
                        yield_now().await;
                    }
                    holding.set(false);
                }));
            }
            2 => {
                if !tasks.is_empty() {
                    let i = hold % tasks.len();
                    tasks[i].abort();
                }
            }
            _ => {
                ex.run_until_stalled();
            }
        }
        assert!(out.get() <= permits, "more permits out than exist");
    }
    ex.run_until_stalled();
    assert_eq!(sem.available_permits(), permits, "a permit was lost");
    assert_eq!(sem.waiter_count(), 0);
    assert_eq!(lock.waiter_count(), 0);
    assert!(lock.try_lock().is_ok(), "the lock was left held");
});
