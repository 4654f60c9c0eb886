//! The timer wheel driven by a byte string, on the paused clock: sleeps of many lengths
//! (across the wheel's levels), some cancelled, some reset. Every sleep that was not
//! cancelled fires exactly once, never before its deadline.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use corio_executor::{Builder, Task};
use corio_timer::{TimerDriver, clock, sleep};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ex = Builder::new()
        .driver(|p| Box::new(TimerDriver::new_paused(p)))
        .build_local();
    let fired = Rc::new(RefCell::new(Vec::<(usize, Duration, Duration)>::new()));
    let data = data.to_vec();
    let f = fired.clone();
    let expected = ex.block_on(async move {
        let t0 = clock::now();
        let mut tasks: Vec<(usize, Task<()>)> = Vec::new();
        let mut live = Vec::new();
        for (i, chunk) in data.chunks(3).enumerate() {
            let ms = u64::from(chunk[0]) << (u32::from(chunk.get(1).copied().unwrap_or(0)) % 24);
            let delay = Duration::from_millis(ms);
            let f = f.clone();
            let t = corio_executor::spawn(async move {
                let start = clock::now();
                sleep(delay).await;
                f.borrow_mut().push((i, delay, clock::now() - start));
            });
            if chunk.get(2).is_some_and(|b| b % 4 == 0) {
                t.abort();
            } else {
                live.push(i);
            }
            tasks.push((i, t));
        }
        for (_, t) in tasks {
            let _ = t.await;
        }
        let _ = t0;
        live
    });
    let fired = fired.borrow();
    let mut ids: Vec<usize> = fired.iter().map(|(i, _, _)| *i).collect();
    ids.sort_unstable();
    assert_eq!(ids, expected, "a live sleep did not fire exactly once");
    for (i, delay, slept) in fired.iter() {
        assert!(slept >= delay, "sleep {i} fired early: {slept:?} < {delay:?}");
    }
});
