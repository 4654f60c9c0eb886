//! asyncio's settable Future (test_futures.py), as corio's `oneshot` channel: the sender
//! sets the result once, the receiver awaits it. Where asyncio raises InvalidStateError at
//! run time, the Rust form usually makes the misuse impossible to write; each test says
//! which.

use std::cell::RefCell;
use std::rc::Rc;

use corio_executor::{LocalExecutor, TaskStatus, run, spawn, yield_now};
use corio_sync::oneshot;

// FU-01, test_futures.py BaseFutureTests.test_initial_state, test_cancel
#[test]
fn fu_01_a_new_future_is_pending_and_cancelling_it_closes_it_test_initial_state() {
    let (tx, mut rx) = oneshot::channel::<u32>();
    assert_eq!(rx.try_recv(), Ok(None), "neither done nor cancelled");
    assert!(!tx.is_closed());
    drop(rx); // cancel: the awaiting side gives up
    assert!(tx.is_closed(), "the setter sees the cancellation");
    // A second cancel cannot be written: the receiver was consumed by the first.
    assert_eq!(tx.send(5), Err(5), "a cancelled future cannot be set");
}

// FU-02, test_futures.py test_result, test_cancel, SetMethodsTest
#[test]
fn fu_02_result_before_done_is_not_ready_and_setting_twice_cannot_happen_test_result() {
    let (tx, mut rx) = oneshot::channel::<&str>();
    // result() before done: InvalidState in asyncio, "not yet" here.
    assert_eq!(rx.try_recv(), Ok(None));
    tx.send("once").unwrap();
    // Setting twice: `send` consumes the sender, so a second call does not compile.
    assert_eq!(rx.try_recv(), Ok(Some("once")));
}

// FU-03, test_futures.py test_exception
#[test]
fn fu_03_an_error_set_on_the_future_is_what_the_awaiter_gets_test_exception() {
    run(async {
        let (tx, rx) = oneshot::channel::<Result<u32, String>>();
        let waiter = spawn(rx);
        tx.send(Err("bad value".to_owned())).unwrap();
        assert_eq!(waiter.await.unwrap().unwrap(), Err("bad value".to_owned()));
    });
}

// FU-04, test_futures.py test_callbacks_invoked_on_set_result, test_remove_done_callback
#[test]
fn fu_04_done_callbacks_run_once_each_in_registration_order_from_the_loop_test_callbacks_invoked_on_set_result()
 {
    // corio's done-callbacks live on tasks (`Task::on_done`): a task awaiting the oneshot.
    let ex = LocalExecutor::new();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (tx, rx) = oneshot::channel::<u8>();
    let task = ex.spawn(rx);
    for i in 0..3 {
        let log = log.clone();
        task.on_done(move |status| log.lock().unwrap().push((i, status)));
    }
    ex.run_until_stalled();
    assert!(
        log.lock().unwrap().is_empty(),
        "not run before the result is set"
    );
    tx.send(1).unwrap();
    ex.run_until_stalled();
    assert_eq!(
        *log.lock().unwrap(),
        [
            (0, TaskStatus::Completed),
            (1, TaskStatus::Completed),
            (2, TaskStatus::Completed)
        ]
    );
    drop(task);
}

// FU-05, test_futures.py test_cancel_inner_future, test_task_cancel_waiter_future
#[test]
fn fu_05_cancelling_the_awaited_future_gives_the_awaiting_task_an_error_test_cancel_inner_future() {
    run(async {
        let (tx, rx) = oneshot::channel::<u8>();
        let seen = Rc::new(RefCell::new(None));
        let s = seen.clone();
        let waiter = spawn(async move {
            let r = rx.await;
            *s.borrow_mut() = Some(r.is_err());
            "the waiter carried on"
        });
        yield_now().await;
        drop(tx); // the future it awaits is cancelled
        assert_eq!(waiter.await.unwrap(), "the waiter carried on");
        assert_eq!(*seen.borrow(), Some(true));
    });
}
