//! Blocking code on threads and loops reached from other threads; asyncio's
//! test_threads.py and RunCoroutineThreadsafeTests.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use corio_executor::{
    BlockingPool, Handle, LocalExecutor, run, spawn_blocking, to_thread, yield_now,
};

// TH: test_threads.py ToThreadTests.test_to_thread
#[test]
fn to_thread_returns_the_function_result() {
    assert_eq!(run(async { to_thread(|| 40 + 2).await.unwrap() }), 42);
}

// TH: test_threads.py ToThreadTests.test_to_thread_exception
#[test]
fn to_thread_panic_comes_back_as_a_join_error() {
    common::quiet_panics();
    let e = run(async {
        to_thread(|| panic!("thread failed on purpose"))
            .await
            .unwrap_err()
    });
    assert_eq!(e.panic_message(), Some("thread failed on purpose"));
}

// TH: test_threads.py ToThreadTests.test_to_thread_concurrent
#[test]
fn blocking_calls_run_concurrently_and_do_not_block_the_loop() {
    run(async {
        let start = Instant::now();
        let ticks = Arc::new(AtomicUsize::new(0));
        let t = ticks.clone();
        let ticker = corio_executor::spawn(async move {
            while t.load(Ordering::SeqCst) < 1_000_000 {
                t.fetch_add(1, Ordering::SeqCst);
                yield_now().await;
            }
        });
        let sleepers: Vec<_> = (0..4)
            .map(|_| to_thread(|| std::thread::sleep(Duration::from_millis(50))))
            .collect();
        for s in sleepers {
            s.await.unwrap();
        }
        if !cfg!(miri) {
            // Wall-clock timing means nothing under miri's interpreter.
            assert!(
                start.elapsed() < Duration::from_millis(190),
                "they overlapped"
            );
        }
        assert!(
            ticks.load(Ordering::SeqCst) > 10,
            "the loop kept running meanwhile"
        );
        ticker.abort();
    });
}

#[test]
fn a_saturated_pool_queues_jobs_and_runs_them_all() {
    let pool = BlockingPool::new(2, Duration::from_millis(50));
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let results = run(async {
        let jobs: Vec<_> = (0..10)
            .map(|i| {
                let running = running.clone();
                let peak = peak.clone();
                pool.spawn(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i
                })
            })
            .collect();
        let mut out = Vec::new();
        for j in jobs {
            out.push(j.await.unwrap());
        }
        out
    });
    assert_eq!(results, (0..10).collect::<Vec<_>>());
    assert!(
        peak.load(Ordering::SeqCst) <= 2,
        "never more than the limit"
    );
    assert!(pool.stats().threads <= 2);
    // Idle threads go away after the keep-alive.
    let t0 = Instant::now();
    while pool.stats().threads > 0 && t0.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(pool.stats().threads, 0);
}

#[test]
fn a_blocking_job_aborted_before_it_starts_never_runs() {
    let pool = BlockingPool::new(1, Duration::from_secs(1));
    let gate = Arc::new(Barrier::new(2));
    let ran = Arc::new(AtomicBool::new(false));
    run(async {
        let g = gate.clone();
        let first = pool.spawn(move || {
            g.wait();
        });
        let r = ran.clone();
        let second = pool.spawn(move || r.store(true, Ordering::SeqCst));
        second.abort(); // still queued behind `first`
        gate.wait();
        first.await.unwrap();
        assert!(second.await.unwrap_err().is_cancelled());
    });
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn spawn_blocking_with_sees_the_cancel_flag() {
    run(async {
        let (tx, rx) = futures::channel::oneshot::channel();
        let t = corio_executor::spawn_blocking_with(move |flag| {
            tx.send(()).unwrap();
            let t0 = Instant::now();
            while !flag.is_cancelled() {
                assert!(t0.elapsed() < Duration::from_secs(5), "the flag never came");
                std::thread::sleep(Duration::from_millis(1));
            }
            "stopped early"
        });
        rx.await.unwrap();
        t.abort();
        assert_eq!(t.await.unwrap(), "stopped early");
    });
}

// TH: test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe
#[test]
fn a_plain_thread_submits_work_to_a_loop_and_waits_for_it() {
    let ex = LocalExecutor::new();
    let handle = ex.handle();
    let submitter =
        std::thread::spawn(move || handle.spawn(async { "from the loop" }).join_blocking());
    ex.block_on(async {
        while !submitter.is_finished() {
            yield_now().await;
        }
    });
    assert_eq!(submitter.join().unwrap().unwrap(), "from the loop");
}

// TH: RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_cancelled
#[test]
fn a_thread_can_cancel_work_it_submitted() {
    let ex = LocalExecutor::new();
    let handle = ex.handle();
    let t = handle.spawn(std::future::pending::<()>());
    ex.run_until_stalled();
    let canceller = std::thread::spawn(move || {
        t.abort();
        t.join_blocking()
    });
    ex.block_on(async {
        while !canceller.is_finished() {
            yield_now().await;
        }
    });
    assert!(canceller.join().unwrap().unwrap_err().is_cancelled());
}

#[test]
fn handle_current_finds_the_running_loop_and_call_soon_runs_there() {
    let ex = LocalExecutor::new();
    let loop_thread = std::thread::current().id();
    let seen = ex.block_on(async move {
        let h = Handle::current();
        let (tx, rx) = futures::channel::oneshot::channel();
        std::thread::spawn(move || {
            h.call_soon(move || tx.send(std::thread::current().id()).unwrap())
                .unwrap()
        })
        .join()
        .unwrap();
        rx.await.unwrap()
    });
    assert_eq!(seen, loop_thread);
}

#[test]
fn spawning_through_a_handle_of_a_closed_loop_is_an_error_not_a_hang() {
    let ex = LocalExecutor::new();
    let h = ex.handle();
    drop(ex);
    let err = h.try_spawn(async {}).unwrap_err();
    assert!(err.is_shutdown());
    assert!(h.call_soon(|| {}).is_err());
}

#[test]
fn spawn_blocking_from_a_plain_thread_works_with_join_blocking() {
    assert_eq!(spawn_blocking(|| 7).join_blocking().unwrap(), 7);
}
