//! `call_later` / `call_at`: asyncio's loop callbacks.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use corio_timer::{TimerDriver, call_at, call_later, clock, sleep};

fn paused() -> corio_executor::LocalExecutor {
    corio_executor::Builder::new()
        .driver(|p| Box::new(TimerDriver::new_paused(p)))
        .build_local()
}

#[test]
fn callbacks_run_in_deadline_order_at_their_time() {
    paused().run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let t0 = clock::now();
        for (delay, name) in [(30, "c"), (10, "a"), (20, "b")] {
            let log = log.clone();
            let _scheduled = call_later(Duration::from_millis(delay), move || {
                log.borrow_mut().push((name, clock::now() - t0))
            })
            .unwrap();
        }
        sleep(Duration::from_millis(50)).await;
        let ms = Duration::from_millis;
        assert_eq!(*log.borrow(), [("a", ms(10)), ("b", ms(20)), ("c", ms(30))]);
    });
}

#[test]
fn a_cancelled_callback_never_runs_and_a_past_deadline_runs_next_turn() {
    paused().run(async {
        let ran = Rc::new(RefCell::new(Vec::new()));
        let r = ran.clone();
        let h = call_later(Duration::from_secs(1), move || {
            r.borrow_mut().push("cancelled")
        })
        .unwrap();
        h.cancel();
        let r = ran.clone();
        let past = clock::now() - Duration::from_secs(1);
        let soon = call_at(Some(past), move || r.borrow_mut().push("past")).unwrap();
        corio_executor::yield_now().await;
        corio_executor::yield_now().await;
        assert!(soon.is_finished());
        sleep(Duration::from_secs(2)).await;
        assert_eq!(*ran.borrow(), ["past"]);
        assert!(h.is_finished());
    });
}

#[test]
fn call_later_outside_a_loop_is_an_error() {
    let err = call_later(Duration::from_millis(1), || {}).unwrap_err();
    assert_eq!(err, corio_core::SpawnError::no_executor());
}
