//! A bounded Queue driven by a byte string: getters and putters spawned, aborted at any
//! moment, nowait calls, loop turns. Every item put is got at most once, none is got that
//! was not put, the queue never holds more than its bound, and at quiescence no waiter is
//! left behind.
#![no_main]

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use corio_executor::{Builder, Task};
use corio_sync::Queue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, ops)) = data.split_first() else { return };
    let maxsize = (first % 4) as usize + 1;
    let ex = Builder::new().seed(u64::from(first)).build_local();
    let q = Rc::new(Queue::new(maxsize));
    let got = Rc::new(RefCell::new(Vec::<u32>::new()));
    let mut put = HashSet::new();
    let mut tasks: Vec<Task<()>> = Vec::new();
    let mut next = 0u32;
    for &op in ops {
        match op % 6 {
            0 => {
                let (q, got) = (q.clone(), got.clone());
                tasks.push(ex.spawn(async move {
                    if let Ok(x) = q.get().await {
                        got.borrow_mut().push(x);
                    }
                }));
            }
            1 => {
                let q = q.clone();
                let x = next;
                next += 1;
                put.insert(x);
                tasks.push(ex.spawn(async move {
                    let _ = q.put(x).await;
                }));
            }
            2 => {
                if !tasks.is_empty() {
                    let i = usize::from(op / 6) % tasks.len();
                    tasks[i].abort();
                }
            }
            3 => {
                let x = next;
                next += 1;
                if q.put_nowait(x).is_ok() {
                    put.insert(x);
                }
            }
            4 => {
                if let Ok(x) = q.get_nowait() {
                    got.borrow_mut().push(x);
                }
            }
            _ => {
                ex.run_until_stalled();
            }
        }
        assert!(q.qsize() <= maxsize, "the queue holds more than its bound");
    }
    ex.run_until_stalled();
    // Drain what is left and check the accounting.
    while let Ok(x) = q.get_nowait() {
        got.borrow_mut().push(x);
    }
    let got = got.borrow();
    let unique: HashSet<_> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "an item was delivered twice");
    assert!(unique.is_subset(&put), "an item was delivered that was never put");
    q.shutdown(true);
    ex.run_until_stalled();
    assert_eq!(q.waiter_count(), 0, "a waiter was left behind");
});
