//! Tests written to break the guarantees the executors state, each a regression test of a
//! failure an adversarial pass found (issue 21): a spawn is run, cancelled or refused, never
//! lost; shutdown terminates; a blocking job never waits behind another that waits for it;
//! eager start cannot overflow the stack. Every wait that could hang has a watchdog, so a
//! regression fails with a message instead of hanging the suite.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use corio_executor::{BlockingPool, Builder, JoinError, LocalExecutor, spawn, spawn_send};

/// Runs `f` on a thread of its own and fails the test if it has not returned within
/// `limit` (the thread is left behind: a hang is the failure being reported).
fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(_) => panic!("{what}: still running after {limit:?} (a hang)"),
    }
}

// -- 2: a spawn racing `Executor::shutdown` -------------------------------------------------

/// Two threads that, once `start` opens, spawn through `handle` until refused (the race
/// is the point) and return what was accepted; a spawn refused once must stay refused.
fn spawn_until_refused(
    handle: impl Fn() -> corio_executor::Handle,
    start: &Arc<Barrier>,
) -> Vec<std::thread::JoinHandle<Vec<corio_executor::Task<usize>>>> {
    (0..2)
        .map(|_| {
            let h = handle();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let mut tasks = Vec::new();
                while let Ok(t) = h.try_spawn(async { 1usize }) {
                    tasks.push(t);
                    if tasks.len() > 50_000 {
                        return tasks;
                    }
                }
                assert!(h.try_spawn(async { 1usize }).unwrap_err().is_shutdown());
                tasks
            })
        })
        .collect()
}

/// Waits for every accepted task and counts how each ended: `(ran, cancelled)`; any other
/// outcome fails the test, and a lost task hangs it (the caller's watchdog reports that).
fn outcomes(
    spawners: Vec<std::thread::JoinHandle<Vec<corio_executor::Task<usize>>>>,
) -> (usize, usize) {
    let (mut ran, mut cancelled) = (0, 0);
    for s in spawners {
        for t in s.join().unwrap() {
            match t.join_blocking() {
                Ok(_) => ran += 1,
                Err(JoinError::Cancelled(_)) => cancelled += 1,
                Err(e) => panic!("unexpected outcome: {e}"),
            }
        }
    }
    (ran, cancelled)
}

/// Two threads spawn through handles as fast as they can while the executor shuts down.
/// Every spawn that was accepted must end: run to completion or cancelled, and its handle
/// must say which. Before the gate, about one spawn in 2 700 was left in the injector after
/// the final drain, and `join_blocking` on it hung.
#[test]
fn a_spawn_racing_shutdown_is_run_cancelled_or_refused() {
    let rounds = if cfg!(miri) { 2 } else { 150 };
    within(
        Duration::from_secs(120),
        "spawns racing shutdown",
        move || {
            let (mut ran, mut cancelled) = (0usize, 0usize);
            for _ in 0..rounds {
                let ex = Builder::multi_thread().workers(2).build();
                let start = Arc::new(Barrier::new(3));
                let spawners = spawn_until_refused(|| ex.handle(), &start);
                start.wait();
                std::thread::sleep(Duration::from_micros(200));
                ex.shutdown(Duration::from_secs(5));
                let (r, c) = outcomes(spawners);
                ran += r;
                cancelled += c;
            }
            assert!(ran + cancelled > 0);
        },
    );
}

/// The same race with a pinned (`!Send`-capable) task woken from outside while the
/// workers stop: its wake-up lands in the worker's inbox, which the worker drains on its
/// way out, so the handle reports an outcome.
#[test]
fn a_wake_racing_shutdown_reaches_a_drain() {
    let rounds = if cfg!(miri) { 2 } else { 100 };
    within(
        Duration::from_secs(120),
        "wakes racing shutdown",
        move || {
            for _ in 0..rounds {
                let ex = Builder::multi_thread().workers(2).build();
                let (wake_tx, wake_rx) = mpsc::channel::<std::task::Waker>();
                let t = ex.spawn(std::future::poll_fn(move |cx| {
                    let _ = wake_tx.send(cx.waker().clone());
                    std::task::Poll::<()>::Pending
                }));
                let waker = wake_rx.recv().unwrap();
                let waking = std::thread::spawn(move || {
                    for _ in 0..200 {
                        waker.wake_by_ref();
                    }
                });
                ex.shutdown(Duration::from_secs(5));
                waking.join().unwrap();
                assert!(matches!(t.join_blocking(), Err(JoinError::Cancelled(_))));
            }
        },
    );
}

/// The single-thread loop's side of the race: two threads spawn through its handle while
/// the loop's own thread finishes `run` and shuts the loop down. Every accepted spawn ends,
/// run or cancelled, and its handle says which; a spawn refused once stays refused.
#[test]
fn a_remote_spawn_racing_a_local_shutdown_is_run_cancelled_or_refused() {
    let rounds = if cfg!(miri) { 2 } else { 150 };
    within(
        Duration::from_secs(120),
        "remote spawns racing a local shutdown",
        move || {
            let (mut ran, mut cancelled) = (0usize, 0usize);
            for _ in 0..rounds {
                let ex = LocalExecutor::new();
                let start = Arc::new(Barrier::new(3));
                let spawners = spawn_until_refused(|| ex.handle(), &start);
                start.wait();
                // Runs some of the remote spawns, then returns: the loop shuts down while
                // the two threads are still spawning.
                ex.run(async {
                    for _ in 0..50 {
                        corio_executor::yield_now().await;
                    }
                });
                let (r, c) = outcomes(spawners);
                ran += r;
                cancelled += c;
            }
            assert!(ran > 0 && cancelled > 0, "ran {ran}, cancelled {cancelled}");
        },
    );
}

// -- 3: a LocalExecutor closed through the fast path ----------------------------------------

#[test]
fn a_local_executor_shut_down_on_the_fast_path_refuses_remote_spawns() {
    let ex = LocalExecutor::new();
    ex.run(async {});
    let err = ex
        .handle()
        .try_spawn(async { 7 })
        .expect_err("a closed loop accepted a spawn it will never run");
    assert!(err.is_shutdown(), "{err}");
}

#[test]
fn a_local_executor_shut_down_on_the_slow_path_refuses_remote_spawns() {
    let ex = LocalExecutor::new();
    let h = ex.handle();
    ex.spawn(std::future::pending::<()>()).detach();
    ex.run(async {});
    assert!(h.try_spawn(async { 7 }).unwrap_err().is_shutdown());
}

/// Reopening a loop closed on the fast path takes remote spawns again.
#[test]
fn a_reopened_local_executor_takes_remote_spawns_again() {
    let ex = LocalExecutor::new();
    ex.run(async {});
    assert!(ex.reopen());
    let t = ex.handle().try_spawn(async { 7 }).unwrap();
    assert_eq!(ex.block_on(t).unwrap(), 7);
}

// -- 4: destructors that spawn during shutdown ----------------------------------------------

/// A value whose destructor spawns a task holding another such value: on shutdown each
/// cancelled task would spawn the next, for ever, unless spawns are refused.
struct Respawner {
    /// Set while a spawn is attempted: a refused spawn drops the future it was given, and
    /// with it the guard inside, which must not try again (it would recurse).
    trying: Arc<AtomicBool>,
    spawned: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    pinned: bool,
}

impl Drop for Respawner {
    fn drop(&mut self) {
        if self.trying.swap(true, Ordering::SeqCst) {
            return;
        }
        let next = Respawner {
            trying: self.trying.clone(),
            spawned: self.spawned.clone(),
            refused: self.refused.clone(),
            pinned: self.pinned,
        };
        let result = if self.pinned {
            corio_executor::try_spawn(async move {
                let _next = next;
                std::future::pending::<()>().await;
            })
        } else {
            corio_executor::try_spawn_send(async move {
                let _next = next;
                std::future::pending::<()>().await;
            })
        };
        match result {
            Ok(t) => {
                self.spawned.fetch_add(1, Ordering::SeqCst);
                t.detach();
                self.trying.store(false, Ordering::SeqCst);
            }
            Err(e) => {
                assert!(e.is_shutdown(), "{e}");
                self.refused.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

#[test]
fn local_shutdown_ends_when_destructors_spawn() {
    let (spawned, refused) = within(Duration::from_secs(20), "local shutdown", || {
        let spawned = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (s, r) = (spawned.clone(), refused.clone());
        LocalExecutor::new().run(async move {
            let guard = Respawner {
                trying: Arc::new(AtomicBool::new(false)),
                spawned: s,
                refused: r,
                pinned: true,
            };
            spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            })
            .detach();
            corio_executor::yield_now().await;
        });
        (
            spawned.load(Ordering::SeqCst),
            refused.load(Ordering::SeqCst),
        )
    });
    assert_eq!(
        spawned, 0,
        "a destructor's spawn was accepted during shutdown"
    );
    assert_eq!(refused, 1);
}

#[test]
fn multi_thread_shutdown_ends_when_destructors_spawn() {
    let (spawned, refused) = within(Duration::from_secs(20), "multi-thread shutdown", || {
        let spawned = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let ex = Builder::multi_thread().workers(2).build();
        let guard = Respawner {
            trying: Arc::new(AtomicBool::new(false)),
            spawned: spawned.clone(),
            refused: refused.clone(),
            pinned: false,
        };
        let started = Arc::new(AtomicBool::new(false));
        let st = started.clone();
        ex.spawn(async move {
            let _guard = guard;
            st.store(true, Ordering::SeqCst);
            std::future::pending::<()>().await;
        })
        .detach();
        while !started.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        let report = ex.shutdown(Duration::from_secs(5));
        assert!(report.is_clean(), "{report}");
        (
            spawned.load(Ordering::SeqCst),
            refused.load(Ordering::SeqCst),
        )
    });
    assert_eq!(spawned, 0);
    assert_eq!(refused, 1);
}

// -- 5: the blocking pool's idle count ------------------------------------------------------

/// One idle thread; job A (which waits for job B) and then B are submitted at once. B must
/// get a thread of its own, not queue behind A. Before the fix the second submission saw
/// the idle count the first had already used and waited (12 of 20 runs).
#[test]
fn a_blocking_job_never_waits_behind_one_that_waits_for_it() {
    let rounds = if cfg!(miri) { 2 } else { 40 };
    within(Duration::from_secs(60), "blocking hand-off", move || {
        for round in 0..rounds {
            let pool = BlockingPool::new(8, Duration::from_secs(30));
            pool.spawn(|| ()).join_blocking().unwrap();
            while pool.stats().idle != 1 {
                std::thread::yield_now();
            }
            let (tx, rx) = mpsc::channel::<()>();
            let a = pool.spawn(move || rx.recv_timeout(Duration::from_secs(5)).is_ok());
            let b = pool.spawn(move || tx.send(()).unwrap());
            assert!(
                a.join_blocking().unwrap(),
                "round {round}: job B waited behind job A, which waited for B"
            );
            b.join_blocking().unwrap();
        }
    });
}

/// Many jobs that each wait for the next: every one needs its own thread, and gets it.
#[test]
fn a_chain_of_blocking_jobs_each_gets_a_thread() {
    within(Duration::from_secs(60), "blocking chain", || {
        let pool = BlockingPool::new(16, Duration::from_secs(30));
        let (first_tx, mut rx) = mpsc::channel::<()>();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (tx, next_rx) = mpsc::channel::<()>();
            let wait_on = std::mem::replace(&mut rx, next_rx);
            tasks.push(pool.spawn(move || {
                wait_on.recv_timeout(Duration::from_secs(5)).unwrap();
                let _ = tx.send(());
            }));
        }
        first_tx.send(()).unwrap();
        for t in tasks {
            t.join_blocking().unwrap();
        }
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
    });
}

// -- 8: eager start's depth -----------------------------------------------------------------

fn nest_local(depth: u32) -> Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move {
        if depth == 0 {
            0
        } else {
            spawn(nest_local(depth - 1)).await.unwrap() + 1
        }
    })
}

fn nest_send(depth: u32) -> Pin<Box<dyn Future<Output = u32> + Send>> {
    Box::pin(async move {
        if depth == 0 {
            0
        } else {
            spawn_send(nest_send(depth - 1)).await.unwrap() + 1
        }
    })
}

/// Before the depth limit, each level ran its child inside `spawn`, and a 2 MiB stack
/// overflowed at about 1 500 levels (the process aborted).
#[test]
fn eager_start_of_20_000_nested_tasks_does_not_overflow_the_local_stack() {
    let depth = if cfg!(miri) { 100 } else { 20_000 };
    let got = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            Builder::new()
                .eager_start(true)
                .build_local()
                .run(nest_local(depth))
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(got, depth);
}

#[test]
fn eager_start_of_20_000_nested_tasks_does_not_overflow_a_worker_stack() {
    let depth = if cfg!(miri) { 100 } else { 20_000 };
    let ex = Builder::multi_thread()
        .workers(2)
        .stack_size(2 << 20)
        .eager_start(true)
        .build();
    let got = ex.spawn(nest_send(depth)).join_blocking().unwrap();
    assert_eq!(got, depth);
}

/// Below the limit, eager start still runs the child inside `spawn`.
#[test]
fn eager_start_still_runs_a_shallow_child_inside_spawn() {
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    Builder::new()
        .eager_start(true)
        .build_local()
        .run(async move {
            let r2 = r.clone();
            let t = spawn(async move { r2.store(true, Ordering::SeqCst) });
            assert!(
                r.load(Ordering::SeqCst),
                "the child did not start inside spawn"
            );
            t.await.unwrap();
        });
    assert!(ran.load(Ordering::SeqCst));
}

// -- debug mode sees the main future (issue 17) ---------------------------------------------
// (The only tests in this binary that turn debug mode on, so the process-wide count of slow
// polls moves only through them; they run one after the other under one lock.)

static DEBUG_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// asyncio's debug mode reports a blocking call in the main coroutine; corio's must report
/// one in the future given to `run`, the most common place a newcomer writes it.
#[test]
fn debug_mode_reports_a_blocking_call_in_the_main_future() {
    let _one = DEBUG_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let before = corio_executor::slow_polls_reported();
    Builder::new()
        .debug(true)
        .slow_poll_threshold(Duration::from_millis(50))
        .build_local()
        .run(async {
            std::thread::sleep(Duration::from_millis(150));
        });
    assert_eq!(corio_executor::slow_polls_reported(), before + 1);
}

#[test]
fn debug_mode_reports_a_blocking_call_in_a_multi_thread_block_on() {
    let _one = DEBUG_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let ex = Builder::multi_thread()
        .workers(1)
        .debug(true)
        .slow_poll_threshold(Duration::from_millis(50))
        .build();
    let before = corio_executor::slow_polls_reported();
    ex.block_on(async {
        std::thread::sleep(Duration::from_millis(150));
    });
    assert_eq!(corio_executor::slow_polls_reported(), before + 1);
}

#[test]
fn debug_mode_off_reports_nothing_for_the_main_future() {
    let _one = DEBUG_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let before = corio_executor::slow_polls_reported();
    Builder::new().debug(false).build_local().run(async {
        std::thread::sleep(Duration::from_millis(150));
    });
    assert_eq!(corio_executor::slow_polls_reported(), before);
}
