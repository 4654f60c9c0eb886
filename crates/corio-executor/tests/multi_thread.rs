//! The multi-thread executor: spreading work, stealing, spawning from many threads,
//! shutdown, and `!Send` tasks pinned to their worker.

mod common;

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use common::{DropCounter, quiet_panics};
use corio_executor::{Builder, TaskStatus, spawn, spawn_send, yield_now};

#[test]
fn tasks_spawned_from_many_threads_at_once_all_run() {
    let ex = Builder::multi_thread().workers(2).build();
    let threads = 4;
    let per_thread = if cfg!(miri) { 10 } else { 2_000 };
    let done = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(threads));
    let spawners: Vec<_> = (0..threads)
        .map(|_| {
            let h = ex.handle();
            let done = done.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let tasks: Vec<_> = (0..per_thread)
                    .map(|i| {
                        let done = done.clone();
                        h.spawn(async move {
                            done.fetch_add(1, Ordering::Relaxed);
                            i
                        })
                    })
                    .collect();
                tasks
                    .into_iter()
                    .map(|t| t.join_blocking().unwrap())
                    .sum::<usize>()
            })
        })
        .collect();
    for s in spawners {
        assert_eq!(s.join().unwrap(), per_thread * (per_thread - 1) / 2);
    }
    assert_eq!(done.load(Ordering::Relaxed), threads * per_thread);
}

#[test]
fn work_spawned_on_one_worker_is_stolen_by_the_others() {
    let ex = Builder::multi_thread().workers(2).build();
    let per_worker = Arc::new(Mutex::new(std::collections::HashMap::<String, usize>::new()));
    let pw = per_worker.clone();
    ex.block_on(async move {
        // One task spawns every child from its own worker, so they all start in that
        // worker's queue; the children spin long enough for the other to steal.
        let parent = spawn_send(async move {
            let kids: Vec<_> = (0..200)
                .map(|_| {
                    let pw = pw.clone();
                    spawn_send(async move {
                        let t0 = std::time::Instant::now();
                        while t0.elapsed() < Duration::from_micros(200) {
                            std::hint::spin_loop();
                        }
                        let name = std::thread::current().name().unwrap().to_owned();
                        *pw.lock().unwrap().entry(name).or_default() += 1;
                    })
                })
                .collect();
            for k in kids {
                k.await.unwrap();
            }
        });
        parent.await.unwrap();
    });
    let counts = per_worker.lock().unwrap();
    assert_eq!(counts.values().sum::<usize>(), 200);
    assert_eq!(counts.len(), 2, "both workers ran children: {counts:?}");
    assert!(ex.metrics().steals > 0, "{:?}", ex.metrics());
}

#[test]
fn spawn_on_a_worker_pins_a_non_send_task_to_that_worker() {
    let ex = Builder::multi_thread().workers(2).build();
    let same = ex
        .spawn(async {
            let here = std::thread::current().id();
            let state = Rc::new(5); // !Send
            let t = spawn(async move {
                yield_now().await;
                (*state, std::thread::current().id())
            });
            let (v, there) = t.await.unwrap();
            v == 5 && here == there
        })
        .join_blocking()
        .unwrap();
    assert!(same);
}

#[test]
fn block_on_runs_non_send_tasks_on_the_calling_thread_and_send_tasks_on_workers() {
    let ex = Builder::multi_thread().workers(1).build();
    let me = std::thread::current().id();
    ex.block_on(async move {
        let local = spawn(async { std::thread::current().id() });
        let remote = spawn_send(async { std::thread::current().id() });
        assert_eq!(local.await.unwrap(), me);
        assert_ne!(remote.await.unwrap(), me);
    });
}

#[test]
fn join_blocking_inside_a_loop_is_a_clear_error_not_a_deadlock() {
    quiet_panics();
    corio_executor::run(async {
        let t = spawn(async { 1 });
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.join_blocking()))
            .unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("would block the loop"), "{msg}");
    });
    let ex = Builder::multi_thread().workers(1).build();
    let inner = ex
        .spawn(async {
            let t = spawn_send(async { 1 });
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| t.join_blocking())).is_err()
        })
        .join_blocking()
        .unwrap();
    assert!(inner, "join_blocking on a worker panics too");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "leaves a blocked worker thread running past the test on purpose, which miri reports as a leak"
)]
fn shutdown_cancels_live_tasks_and_reports_a_blocked_one() {
    let ex = Builder::multi_thread().workers(2).build();
    let drops = DropCounter::new();
    for _ in 0..10 {
        let p = drops.probe();
        ex.spawn(async move {
            let _p = p;
            std::future::pending::<()>().await
        })
        .detach();
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let blocked = ex.spawn(async move {
        tx.send(()).unwrap();
        // Blocks its worker (what debug mode would flag): shutdown cannot interrupt it.
        std::thread::sleep(Duration::from_millis(400));
    });
    let blocked_id = blocked.id();
    rx.recv().unwrap();
    while ex.metrics().tasks_alive < 11 {
        std::thread::yield_now();
    }
    let report = ex.shutdown(Duration::from_millis(100));
    assert_eq!(
        drops.dropped(),
        10,
        "the idle tasks were cancelled and dropped"
    );
    assert!(!report.is_clean());
    assert!(
        report.unfinished().iter().any(|t| t.id() == blocked_id),
        "{report}"
    );
    assert!(report.to_string().contains("shutdown timed out"));
    assert!(ex.try_spawn(async {}).is_err());
    drop(blocked);
}

#[test]
fn a_panicking_task_does_not_take_a_worker_down() {
    quiet_panics();
    let ex = Builder::multi_thread().workers(1).build();
    let err = ex
        .spawn(async { panic!("worker task failed on purpose") })
        .join_blocking()
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(ex.spawn(async { 5 }).join_blocking().unwrap(), 5);
}

#[test]
fn cancel_from_another_thread_reaches_a_task_on_a_worker() {
    let ex = Builder::multi_thread().workers(2).build();
    let drops = DropCounter::new();
    let p = drops.probe();
    let mut t = ex.spawn(async move {
        let _p = p;
        std::future::pending::<()>().await
    });
    while ex.metrics().tasks_alive == 0 {
        std::thread::yield_now();
    }
    let cancelled = corio_executor::run(async { t.cancel_with("from outside").await });
    assert!(cancelled);
    assert_eq!(drops.dropped(), 1);
    assert_eq!(t.status(), Some(TaskStatus::Cancelled));
}

#[test]
fn a_million_tasks_across_workers_all_complete() {
    let n: usize = if cfg!(miri) {
        100
    } else if cfg!(debug_assertions) {
        200_000
    } else {
        1_000_000
    };
    let ex = Builder::multi_thread().workers(2).build();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    ex.block_on(async move {
        // Fan out in batches of 10 000 so handles don't all live at once.
        for _ in 0..n / 10_000.min(n) {
            let batch: Vec<_> = (0..10_000.min(n))
                .map(|_| {
                    let c = c.clone();
                    spawn_send(async move {
                        c.fetch_add(1, Ordering::Relaxed);
                    })
                })
                .collect();
            for t in batch {
                t.await.unwrap();
            }
        }
    });
    assert_eq!(count.load(Ordering::Relaxed), n);
    assert_eq!(ex.metrics().tasks_alive, 0);
}

#[test]
fn eager_start_runs_a_task_until_its_first_suspension_at_spawn() {
    let ex = Builder::new().eager_start(true).build_local();
    ex.run(async {
        let log = Rc::new(std::cell::RefCell::new(Vec::new()));
        let l = log.clone();
        let t = spawn(async move {
            l.borrow_mut().push("started");
            yield_now().await;
            l.borrow_mut().push("resumed");
        });
        assert_eq!(
            *log.borrow(),
            ["started"],
            "ran inline up to its first await"
        );
        t.await.unwrap();
        assert_eq!(*log.borrow(), ["started", "resumed"]);
        // A task that never suspends is finished before spawn returns.
        let quick = spawn(async { 3 });
        assert!(quick.is_finished());
        assert_eq!(quick.await.unwrap(), 3);
    });
}

#[test]
fn the_multi_thread_builder_runs_a_future_and_shuts_down() {
    let drops = DropCounter::new();
    let d = drops.clone();
    let v = Builder::multi_thread().workers(2).run(async move {
        let p = d.probe();
        spawn_send(async move {
            let _p = p;
            std::future::pending::<()>().await
        })
        .detach();
        yield_now().await;
        9
    });
    assert_eq!(v, 9);
    assert_eq!(drops.dropped(), 1);
}

#[test]
fn hooks_see_spawns_polls_and_completions_on_workers() {
    let spawned = Arc::new(AtomicUsize::new(0));
    let polled = Arc::new(AtomicUsize::new(0));
    let completed = Arc::new(AtomicUsize::new(0));
    let (s, p, c) = (spawned.clone(), polled.clone(), completed.clone());
    let ex = Builder::multi_thread()
        .workers(2)
        .on_spawn(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        })
        .on_poll_start(move |_| {
            p.fetch_add(1, Ordering::SeqCst);
        })
        .on_complete(move |_, status| {
            assert_eq!(status, TaskStatus::Completed);
            c.fetch_add(1, Ordering::SeqCst);
        })
        .build();
    ex.spawn(async {
        yield_now().await;
    })
    .join_blocking()
    .unwrap();
    assert_eq!(spawned.load(Ordering::SeqCst), 1);
    assert_eq!(polled.load(Ordering::SeqCst), 2);
    assert_eq!(completed.load(Ordering::SeqCst), 1);
}

/// `block_on` keeps its calling-thread loop between calls (one per executor and thread):
/// calls alternating between two executors each run on their own executor, and a
/// `!Send` task left behind by one call is cancelled when that call returns, as before.
#[test]
fn block_on_reuses_its_loop_per_executor_and_still_cleans_up_each_call() {
    let a = Builder::multi_thread().workers(1).build();
    let b = Builder::multi_thread().workers(1).build();
    for i in 0..20u32 {
        let ex = if i % 2 == 0 { &a } else { &b };
        let dropped = DropCounter::new();
        let probe = dropped.probe();
        let worker_name = ex.block_on(async move {
            // Left behind on the calling thread's loop: cancelled when block_on returns.
            spawn(async move {
                let _probe = probe;
                std::future::pending::<()>().await;
            })
            .detach();
            spawn_send(async { std::thread::current().name().map(str::to_owned) })
                .await
                .unwrap()
        });
        assert_eq!(
            dropped.dropped(),
            1,
            "call {i}: the leftover task was not cancelled"
        );
        assert!(worker_name.unwrap().starts_with("corio-worker"));
    }
    drop(a);
    // A new executor after the cached one's executor is gone gets a loop of its own.
    let c = Builder::multi_thread().workers(1).build();
    assert_eq!(
        c.block_on(async { spawn_send(async { 3 }).await.unwrap() }),
        3
    );
    drop(b);
}

/// Tasks that overflow a busy worker's queue into the injector are not left behind: with
/// 600 tasks spawned at once on one worker (its queue holds 256), every task gets its
/// first poll within the first half of all polls, although the tasks first polled keep
/// yielding (and so keep the worker's own queue full).
#[test]
fn tasks_overflowing_into_the_injector_are_not_starved_by_a_busy_queue() {
    const TASKS: usize = 600;
    const YIELDS: usize = 20;
    if cfg!(miri) {
        return; // thousands of polls: too slow under the interpreter
    }
    let ex = Builder::multi_thread().workers(1).build();
    let polls = Arc::new(AtomicUsize::new(0));
    let latest_first_poll = Arc::new(AtomicUsize::new(0));
    let (p, l) = (polls.clone(), latest_first_poll.clone());
    ex.block_on(ex.spawn(async move {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (polls, latest) = (p.clone(), l.clone());
                spawn_send(async move {
                    latest.fetch_max(polls.fetch_add(1, Ordering::SeqCst), Ordering::SeqCst);
                    for _ in 0..YIELDS {
                        yield_now().await;
                        polls.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    }))
    .unwrap();
    let total = polls.load(Ordering::SeqCst);
    assert_eq!(total, TASKS * (YIELDS + 1));
    let latest = latest_first_poll.load(Ordering::SeqCst);
    assert!(
        latest < total / 2,
        "the last task was first polled after {latest} of {total} polls"
    );
}

/// As `a_finished_task_is_freed_once_nothing_refers_to_it` in executor_task.rs, for tasks
/// on a worker, which join the registry at their first poll: the task's metadata holds its
/// name, so the name's count tells whether the task was freed.
#[test]
fn a_finished_task_on_a_worker_is_freed_once_nothing_refers_to_it() {
    let outer: Arc<str> = Arc::from("probe");
    let name = outer.clone();
    let ex = Builder::multi_thread().workers(2).build();
    let on_a_worker = ex.spawn(async move {
        // The tasks' metadata, beside `outer` and `name`.
        let live = |name: &Arc<str>| Arc::strong_count(name) - 2;
        let spawn_named = |f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>| {
            corio_executor::task::Builder::new()
                .name(name.clone())
                .spawn(f)
        };
        let detached_ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ran = detached_ran.clone();
        spawn_named(Box::pin(async move { ran.store(true, Ordering::SeqCst) })).detach();
        let kept = spawn_named(Box::pin(async {}));
        let aborted = spawn_named(Box::pin(std::future::pending::<()>()));
        let stop = aborted.abort_handle();
        drop(aborted);
        stop.abort();
        common::yield_until(|| {
            detached_ran.load(Ordering::SeqCst) && kept.is_finished() && stop.is_finished()
        })
        .await;
        assert_eq!(live(&name), 2, "the detached task is freed");
        drop(kept);
        assert_eq!(live(&name), 1, "a finished task is freed with its handle");
        drop(stop);
        assert_eq!(live(&name), 0, "and with its last abort handle");
    });
    on_a_worker.join_blocking().unwrap();
    drop(ex);
    assert_eq!(Arc::strong_count(&outer), 1);
}

/// Tasks still alive when the executor shuts down are freed by the shutdown, on workers as
/// on the loop: a task waiting forever, a detached one waiting on it through its handle
/// (polled, so it joined the registry), and one whose handle outlives the executor (freed
/// once its handle goes). The name's count in their metadata tells.
#[test]
#[expect(
    clippy::async_yields_async,
    reason = "the worker's task hands a task handle out of the executor on purpose"
)]
fn a_task_alive_at_shutdown_on_a_worker_is_freed_by_the_shutdown() {
    let name: Arc<str> = Arc::from("probe");
    let ex = Builder::multi_thread().workers(2).build();
    let waiting = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let started = waiting.clone();
    let named = name.clone();
    let on_a_worker = ex.spawn(async move {
        let forever = corio_executor::task::Builder::new()
            .name(named.clone())
            .spawn(std::future::pending::<()>());
        corio_executor::task::Builder::new()
            .name(named.clone())
            .spawn(async move {
                started.store(true, Ordering::SeqCst);
                let _ = forever.await;
            })
            .detach();
        corio_executor::task::Builder::new()
            .name(named.clone())
            .spawn(std::future::pending::<u8>())
    });
    let kept = on_a_worker.join_blocking().unwrap();
    while !waiting.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    assert_eq!(Arc::strong_count(&name) - 1, 3);
    let report = ex.shutdown(Duration::from_secs(10));
    assert!(report.is_clean(), "{report:?}");
    drop(ex);
    assert_eq!(
        Arc::strong_count(&name) - 1,
        1,
        "after the shutdown only the task whose handle is kept is alive"
    );
    assert_eq!(kept.status(), Some(TaskStatus::Cancelled));
    drop(kept);
    assert_eq!(
        Arc::strong_count(&name),
        1,
        "and it is freed with its handle"
    );
}
