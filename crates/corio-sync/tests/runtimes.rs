//! The same Semaphore / Queue / Event scenario under tokio (current_thread and
//! multi_thread), smol, futures::executor and corio's own loop.
#![allow(missing_docs)]

use corio_sync::{Event, Queue, Semaphore};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

type BoxFut = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Builds the tasks: 4 workers limited to 2 at a time by a semaphore, fed through a
/// bounded queue after an event says go; the returned future checks the totals.
fn scenario() -> (Vec<BoxFut>, BoxFut) {
    let sem = Arc::new(Semaphore::new(2));
    let q = Arc::new(Queue::new(4));
    let go = Arc::new(Event::new());
    let in_flight = Arc::new(AtomicUsize::new(0));
    let sum = Arc::new(AtomicUsize::new(0));
    let mut tasks: Vec<BoxFut> = Vec::new();
    for _ in 0..4 {
        let (sem, q, go, in_flight, sum) = (
            sem.clone(),
            q.clone(),
            go.clone(),
            in_flight.clone(),
            sum.clone(),
        );
        tasks.push(Box::pin(async move {
            go.wait().await;
            while let Ok(n) = q.get().await {
                let permit = sem.acquire().await.unwrap();
                assert!(in_flight.fetch_add(1, Ordering::SeqCst) < 2);
                futures::future::ready(()).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                sum.fetch_add(n, Ordering::SeqCst);
                drop(permit);
                q.task_done().unwrap();
            }
        }));
    }
    let main: BoxFut = Box::pin(async move {
        go.set();
        for i in 1..=100 {
            q.put(i).await.unwrap();
        }
        q.join().await;
        q.shutdown(false);
        assert_eq!(sum.load(Ordering::SeqCst), 5050);
        assert_eq!(sem.available_permits(), 2);
    });
    (tasks, main)
}

#[test]
fn tokio_current_thread() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tasks, main) = scenario();
        let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
        main.await;
        for h in handles {
            h.await.unwrap();
        }
    });
}

#[test]
fn tokio_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let (tasks, main) = scenario();
        let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
        main.await;
        for h in handles {
            h.await.unwrap();
        }
    });
}

#[test]
fn smol_executor() {
    let ex = smol::Executor::new();
    smol::block_on(ex.run(async {
        let (tasks, main) = scenario();
        let handles: Vec<_> = tasks.into_iter().map(|t| ex.spawn(t)).collect();
        main.await;
        for h in handles {
            h.await;
        }
    }));
}

#[test]
fn futures_executor() {
    let mut pool = futures::executor::LocalPool::new();
    use futures::task::LocalSpawnExt;
    let (tasks, main) = scenario();
    for t in tasks {
        pool.spawner().spawn_local(t).unwrap();
    }
    pool.run_until(main);
    pool.run();
}

#[test]
fn corio_executor() {
    corio_executor::run(async {
        let (tasks, main) = scenario();
        let handles: Vec<_> = tasks.into_iter().map(corio_executor::spawn).collect();
        main.await;
        for h in handles {
            h.await.unwrap();
        }
    });
}
