//! Task groups driven by a byte string: children that succeed, fail, panic or wait, and
//! an awaiter cancelled at any moment. Every child is dropped exactly once, and the group's
//! error never lists more failures than happened.
#![no_main]

use std::cell::Cell;
use std::rc::Rc;

use corio_combinators::task_group;
use corio_executor::{Builder, yield_now};
use libfuzzer_sys::fuzz_target;

struct Count(Rc<Cell<usize>>);
impl Drop for Count {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, ops)) = data.split_first() else { return };
    let ops: Vec<u8> = ops.iter().copied().take(32).collect();
    let ex = Builder::new().seed(u64::from(first)).build_local();
    let dropped = Rc::new(Cell::new(0usize));
    let failures = Rc::new(Cell::new(0usize));
    let spawned = Rc::new(Cell::new(0usize));
    let (d, f, s) = (dropped.clone(), failures.clone(), spawned.clone());
    let group = ex.spawn(async move {
        task_group(move |tg| async move {
            for op in ops {
                let c = Count(d.clone());
                let f = f.clone();
                let turns = usize::from(op >> 3);
                let r = tg.spawn(async move {
                    let _c = c;
                    for _ in 0..turns {
                        yield_now().await;
                    }
                    match op % 4 {
                        0 => {
                            f.set(f.get() + 1);
                            Err("child failed")
                        }
                        1 => std::future::pending().await,
                        _ => Ok(()),
                    }
                });
                if r.is_ok() {
                    s.set(s.get() + 1);
                }
                yield_now().await;
            }
            Ok::<_, &str>(())
        })
        .await
    });
    for _ in 0..(first % 8) {
        ex.run_until_stalled();
    }
    if first % 3 == 0 {
        group.abort(); // the awaiter is cancelled mid-way
    }
    ex.run_until_stalled();
    if group.is_finished() && first % 3 != 0 {
        if let Err(e) = ex.block_on(group).unwrap() {
            assert!(e.failures().len() <= failures.get());
        }
    }
    ex.shutdown();
    assert_eq!(dropped.get(), spawned.get(), "a child was not dropped exactly once");
});
