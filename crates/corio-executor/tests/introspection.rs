//! Debug mode, all_tasks, dumps, metrics, task-locals and the seeded chaos order.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use corio_executor::{
    Builder, TaskState, all_tasks, dump, run, spawn, task, task_local, yield_now,
};

#[test]
fn debug_mode_flags_a_poll_that_blocks_the_loop() {
    // Under miri even an empty poll can take milliseconds: a threshold that only a real
    // block crosses.
    let threshold = Duration::from_millis(if cfg!(miri) { 500 } else { 5 });
    let before = corio_executor::slow_polls_reported();
    Builder::new()
        .debug(true)
        .slow_poll_threshold(threshold)
        .run(async move {
            task::Builder::new()
                .name("blocker")
                .spawn(async move { std::thread::sleep(threshold * 4) })
                .await
                .unwrap();
            // A quick task is not flagged.
            spawn(async {}).await.unwrap();
        });
    assert_eq!(corio_executor::slow_polls_reported(), before + 1);
}

#[test]
fn all_tasks_lists_live_tasks_with_name_state_and_polls() {
    run(async {
        let a = task::Builder::new()
            .name("a")
            .spawn(std::future::pending::<()>());
        let b = task::Builder::new().name("b").spawn(async {
            // Running while it looks at itself.
            let me = all_tasks()
                .into_iter()
                .find(|t| t.name() == Some("b"))
                .unwrap();
            me.state()
        });
        yield_now().await;
        assert_eq!(b.await.unwrap(), TaskState::Running);
        let all = all_tasks();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].id(), a.id());
        assert_eq!(all[0].state(), TaskState::Idle);
        assert_eq!(
            all[0].since_last_poll(),
            None,
            "recorded in debug mode only"
        );
        a.abort();
        assert_eq!(all_tasks()[0].state(), TaskState::Cancelling);
        common::yield_until(|| all_tasks().is_empty()).await;
    });
}

#[test]
fn debug_mode_records_time_since_last_poll() {
    Builder::new().debug(true).run(async {
        let t = spawn(std::future::pending::<()>());
        // Polled once (the first turn on the FIFO loop, a later one under chaos mode).
        common::yield_until(|| all_tasks()[0].since_last_poll().is_some()).await;
        std::thread::sleep(Duration::from_millis(3));
        let all = all_tasks();
        assert!(all[0].since_last_poll().unwrap() >= Duration::from_millis(3));
        let table = dump(&all);
        assert!(
            table.contains("last poll") && table.contains("idle"),
            "{table}"
        );
        t.abort();
    });
}

#[test]
fn a_dump_from_another_thread_while_workers_are_busy_does_not_deadlock() {
    let ex = Builder::multi_thread().workers(1).build();
    let (tx, rx) = std::sync::mpsc::channel();
    let busy = ex.spawn(async move {
        tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(100)); // hogs the only worker
    });
    rx.recv().unwrap();
    let snapshot = ex.all_tasks(); // must not wait for the worker
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot[0].state(), TaskState::Running);
    busy.join_blocking().unwrap();
}

#[test]
fn metrics_count_spawns_polls_and_live_tasks() {
    let ex = corio_executor::LocalExecutor::new();
    ex.block_on(async {
        let t = spawn(async { yield_now().await });
        t.await.unwrap();
    });
    let m = ex.metrics();
    assert_eq!(m.tasks_spawned, 1);
    assert_eq!(m.polls, 2);
    assert_eq!(m.tasks_alive, 0);
}

task_local! {
    static REQUEST: u32;
}

#[test]
fn task_locals_are_scoped_and_inherited_only_on_request() {
    run(REQUEST.scope(7, async {
        assert_eq!(REQUEST.get(), 7);
        let not_inherited = spawn(async { REQUEST.try_get() });
        let inherited = spawn(REQUEST.inherit(async {
            yield_now().await;
            REQUEST.get()
        }));
        let nested = REQUEST.scope(8, async { REQUEST.get() }).await;
        assert_eq!(nested, 8);
        assert_eq!(REQUEST.get(), 7, "restored after the inner scope");
        assert_eq!(not_inherited.await.unwrap(), None);
        assert_eq!(inherited.await.unwrap(), 7);
    }));
    assert_eq!(REQUEST.try_get(), None);
}

#[test]
fn interleaved_tasks_each_see_their_own_task_local() {
    run(async {
        let tasks: Vec<_> = (0..3)
            .map(|i| {
                spawn(REQUEST.scope(i, async move {
                    yield_now().await;
                    REQUEST.get() == i
                }))
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap());
        }
    });
}

fn order_with_seed(seed: u64) -> Vec<u32> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    Builder::new().seed(seed).run(async move {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let l = l.clone();
                spawn(async move { l.borrow_mut().push(i) })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    log.take()
}

#[test]
fn a_seeded_loop_runs_tasks_in_a_reproducible_shuffled_order() {
    let a = order_with_seed(42);
    assert_eq!(a, order_with_seed(42), "same seed, same order");
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(sorted, (0..8).collect::<Vec<_>>(), "every task ran once");
    assert!(
        (0..20).any(|s| order_with_seed(s) != (0..8).collect::<Vec<_>>()),
        "some seed departs from FIFO"
    );
}
