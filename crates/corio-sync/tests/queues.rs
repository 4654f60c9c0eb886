//! CPython's test_queues.py, ported (ASYNCIO_CASES.md 1.10, QU-xx).
#![allow(missing_docs)]

mod common;

use common::{log, poll_once};
use corio_executor::{LocalExecutor, yield_now};
use corio_sync::{LifoQueue, PriorityQueue, Queue, QueueShutDown, TryGetError, TryPutError};
use std::rc::Rc;
use std::task::Poll;

// QU-01: QueueBasicTests.test_order
#[test]
fn qu_01_fifo_order_test_order() {
    let q = Queue::new(0);
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    let got: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(got, [1, 3, 2]);
}

// QU-02: LifoQueueTests.test_order
#[test]
fn qu_02_lifo_order_test_order() {
    let q = LifoQueue::new(0);
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    let got: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(got, [2, 3, 1]);
}

// QU-03: PriorityQueueTests.test_order; ties FIFO (Decision 8).
#[test]
fn qu_03_priority_order_and_fifo_ties_test_order() {
    let q = PriorityQueue::new(0);
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    let got: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(got, [1, 2, 3]);

    #[derive(Debug, PartialEq, Eq)]
    struct Job(u8, &'static str);
    impl PartialOrd for Job {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Job {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0.cmp(&o.0) // the name does not take part: equal priorities tie
        }
    }
    let q = PriorityQueue::new(0);
    for (p, n) in [(2, "a"), (1, "b"), (2, "c"), (1, "d"), (2, "e")] {
        q.put_nowait(Job(p, n)).unwrap();
    }
    let names: Vec<_> = (0..5).map(|_| q.get_nowait().unwrap().1).collect();
    assert_eq!(names, ["b", "d", "a", "c", "e"]);
}

// QU-04: test_empty, test_full
#[test]
fn qu_04_empty_full_qsize_test_empty_test_full() {
    let q = Queue::new(1);
    assert!(q.is_empty() && !q.is_full());
    q.put_nowait(1).unwrap();
    assert!(!q.is_empty() && q.is_full());
    assert_eq!(q.qsize(), 1);
    let unbounded = Queue::new(0);
    for i in 0..1000 {
        unbounded.put_nowait(i).unwrap();
    }
    assert!(!unbounded.is_full());
}

// QU-05: test_maxsize — the putter blocks after 2 items, resumes after one get.
#[test]
fn qu_05_maxsize_blocks_putter_test_maxsize() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(2));
    let have = log();
    let (q2, h) = (q.clone(), have.clone());
    let putter = ex.spawn(async move {
        for i in 0..3 {
            q2.put(i).await.unwrap();
            h.borrow_mut().push(i);
        }
    });
    ex.run_until_stalled();
    assert_eq!(*have.borrow(), [0, 1]);
    assert_eq!(q.get_nowait(), Ok(0));
    ex.run_until_stalled();
    assert_eq!(*have.borrow(), [0, 1, 2]);
    assert!(putter.is_finished());
    assert_eq!(q.qsize(), 2);
}

// QU-06: test_nonblocking_get_exception, test_nonblocking_put_exception
#[test]
fn qu_06_nowait_errors_give_item_back_test_nonblocking_put_exception() {
    let q = Queue::new(1);
    assert_eq!(q.get_nowait(), Err(TryGetError::Empty));
    q.put_nowait("a").unwrap();
    assert_eq!(q.put_nowait("b"), Err(TryPutError::Full("b")));
}

// QU-07: test_get_with_putters — a get frees space and wakes a blocked putter.
#[test]
fn qu_07_get_wakes_putter_test_get_with_putters() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut put = q.put(2);
    assert!(poll_once(&mut put).is_pending());
    assert_eq!(q.get_nowait(), Ok(1));
    assert_eq!(poll_once(&mut put), Poll::Ready(Ok(())));
    assert_eq!(q.get_nowait(), Ok(2));
}

// QU-08: test_blocking_get_wait — a blocked get resumed by a put from another task
// (asyncio uses a timer callback; here a task that yields first).
#[test]
fn qu_08_blocked_get_resumed_by_put_test_blocking_get_wait() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(0));
    let q2 = q.clone();
    let getter = ex.spawn(async move { q2.get().await });
    let q3 = q.clone();
    ex.spawn(async move {
        yield_now().await;
        q3.put_nowait(7).unwrap();
    })
    .detach();
    assert_eq!(ex.block_on(getter).unwrap(), Ok(7));
}

// QU-09: test_get_cancelled_race — one of two blocked getters cancelled first.
#[test]
fn qu_09_cancelled_getter_skipped_test_get_cancelled_race() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(0));
    let q1 = q.clone();
    let t1 = ex.spawn(async move { q1.get().await });
    let q2 = q.clone();
    let t2 = ex.spawn(async move { q2.get().await });
    ex.run_until_stalled();
    t1.abort();
    ex.run_until_stalled();
    q.put_nowait('a').unwrap();
    assert_eq!(ex.block_on(t2).unwrap(), Ok('a'));
    assert_eq!(q.waiter_count(), 0);
}

// QU-10: test_get_with_waiting_putters — putters 'a','b' on maxsize=1: gets 'a' then 'b'.
#[test]
fn qu_10_waiting_putters_fifo_test_get_with_waiting_putters() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(1));
    for item in ["a", "b"] {
        let q = q.clone();
        ex.spawn(async move { q.put(item).await.unwrap() }).detach();
    }
    ex.run_until_stalled();
    assert_eq!(ex.block_on(q.get()), Ok("a"));
    assert_eq!(ex.block_on(q.get()), Ok("b"));
}

// QU-11: test_why_are_getters_waiting — producer/consumer through maxsize=1, 5 items.
#[test]
fn qu_11_producer_consumer_no_deadlock_test_why_are_getters_waiting() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(1));
    let q1 = q.clone();
    let producer = ex.spawn(async move {
        for i in 0..5 {
            q1.put(i).await.unwrap();
        }
    });
    let q2 = q.clone();
    let consumer = ex.spawn(async move {
        let mut got = Vec::new();
        for _ in 0..5 {
            got.push(q2.get().await.unwrap());
        }
        got
    });
    ex.block_on(producer).unwrap();
    assert_eq!(ex.block_on(consumer).unwrap(), [0, 1, 2, 3, 4]);
}

// QU-12: test_cancelled_getters_not_being_held_in_self_getters
#[test]
fn qu_12_cancelled_get_leaves_no_getter_test_cancelled_getters_not_being_held_in_self_getters() {
    let q = Queue::<u8>::new(0);
    let mut g = q.get();
    assert!(poll_once(&mut g).is_pending());
    assert_eq!(q.waiter_count(), 1);
    drop(g); // what wait_for's timeout does
    assert_eq!(q.waiter_count(), 0);
}

// QU-13: test_blocking_put_wait — a put blocks until another task does get_nowait.
#[test]
fn qu_13_blocked_put_resumed_by_get_nowait_test_blocking_put_wait() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(1));
    q.put_nowait(1).unwrap();
    let q1 = q.clone();
    let putter = ex.spawn(async move { q1.put(2).await });
    let q2 = q.clone();
    ex.spawn(async move {
        yield_now().await;
        assert_eq!(q2.get_nowait(), Ok(1));
    })
    .detach();
    assert_eq!(ex.block_on(putter).unwrap(), Ok(()));
    assert_eq!(q.get_nowait(), Ok(2));
}

// QU-14: test_get_cancel_drop_one_pending_reader — woken getter cancelled: item not lost.
#[test]
fn qu_14_woken_getter_cancelled_item_kept_test_get_cancel_drop_one_pending_reader() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(0));
    let q1 = q.clone();
    let reader = ex.spawn(async move { q1.get().await });
    ex.run_until_stalled();
    q.put_nowait(1).unwrap(); // wakes the reader
    q.put_nowait(2).unwrap();
    reader.abort(); // cancelled before it ran
    ex.run_until_stalled();
    assert_eq!(ex.block_on(q.get()), Ok(1)); // not 2: item 1 was not lost
    assert_eq!(q.waiter_count(), 0);
}

// QU-15: test_get_cancel_drop_many_pending_readers — readers 2 and 3 get {1,2}.
#[test]
fn qu_15_many_readers_one_cancelled_test_get_cancel_drop_many_pending_readers() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(0));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let q = q.clone();
            ex.spawn(async move { q.get().await.unwrap() })
        })
        .collect();
    ex.run_until_stalled();
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    readers[0].abort();
    ex.run_until_stalled();
    let mut readers = readers.into_iter().skip(1);
    let mut got = vec![
        ex.block_on(readers.next().unwrap()).unwrap(),
        ex.block_on(readers.next().unwrap()).unwrap(),
    ];
    got.sort();
    assert_eq!(got, [1, 2]);
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0);
}

// QU-16: test_put_cancel_drop — a putter cancelled after space freed: item not inserted.
#[test]
fn qu_16_cancelled_putter_not_inserted_test_put_cancel_drop() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(1));
    q.put_nowait(1).unwrap();
    let q1 = q.clone();
    let writer = ex.spawn(async move { q1.put(2).await });
    ex.run_until_stalled();
    assert_eq!(q.get_nowait(), Ok(1)); // frees a slot, reserved for the writer
    writer.abort();
    ex.run_until_stalled();
    assert_eq!(q.qsize(), 0);
    ex.block_on(q.put(2)).unwrap(); // retried: inserted exactly once
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0);
}

// QU-17: test_put_cancelled_race — putters a, b, X (X cancelled): a then b, never X.
#[test]
fn qu_17_put_cancelled_race_test_put_cancelled_race() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(1));
    let put = |item| {
        let q = q.clone();
        ex.spawn(async move { q.put(item).await.unwrap() })
    };
    let _a = put("a");
    let _b = put("b");
    let x = put("X");
    ex.run_until_stalled();
    x.abort();
    ex.run_until_stalled();
    assert_eq!(ex.block_on(q.get()), Ok("a"));
    assert_eq!(ex.block_on(q.get()), Ok("b"));
    ex.run_until_stalled();
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.waiter_count(), 0);
}

// QU-18: test_put_with_waiting_getters — a put hands the item to the waiting getter.
#[test]
fn qu_18_put_to_waiting_getter_test_put_with_waiting_getters() {
    let q = Queue::new(0);
    let mut g = q.get();
    assert!(poll_once(&mut g).is_pending());
    q.put_nowait("x").unwrap();
    assert_eq!(q.get_nowait(), Err(TryGetError::Empty)); // reserved for the getter
    assert_eq!(poll_once(&mut g), Poll::Ready(Ok("x")));
}

// QU-19: test_why_are_putters_waiting — more putters than capacity, a draining getter.
#[test]
fn qu_19_many_putters_draining_getter_test_why_are_putters_waiting() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(2));
    let putters: Vec<_> = (0..8)
        .map(|i| {
            let q = q.clone();
            ex.spawn(async move { q.put(i).await.unwrap() })
        })
        .collect();
    let q1 = q.clone();
    let getter = ex.spawn(async move {
        let mut got = Vec::new();
        for _ in 0..8 {
            got.push(q1.get().await.unwrap());
        }
        got
    });
    // Every item exactly once and no putter left waiting. (In put order, 0..8, on the
    // FIFO loop; the putters run in random order under chaos mode.)
    let mut got = ex.block_on(getter).unwrap();
    got.sort();
    assert_eq!(got, (0..8).collect::<Vec<_>>());
    assert!(putters.iter().all(|p| p.is_finished()));
}

// QU-20: test_cancelled_puts_not_being_held_in_self_putters
#[test]
fn qu_20_cancelled_put_removed_test_cancelled_puts_not_being_held_in_self_putters() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut p = q.put(2);
    assert!(poll_once(&mut p).is_pending());
    assert_eq!(q.waiter_count(), 1);
    drop(p);
    assert_eq!(q.waiter_count(), 0);
    assert_eq!(q.qsize(), 1);
}

// QU-21: test_cancelled_put_silence_value_error_exception — released by get_nowait, then
// cancelled: no error, consistent state.
#[test]
fn qu_21_released_putter_cancelled_consistent_test_cancelled_put_silence_value_error_exception() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut p = q.put(2);
    assert!(poll_once(&mut p).is_pending());
    assert_eq!(q.get_nowait(), Ok(1));
    drop(p);
    assert_eq!(q.waiter_count(), 0);
    assert_eq!(q.qsize(), 0);
    q.put_nowait(3).unwrap(); // the reserved slot came back
    assert!(q.put_nowait(4).is_err());
}

// QU-22: test_task_done_underflow
#[test]
fn qu_22_task_done_underflow_test_task_done_underflow() {
    let q = Queue::new(0);
    assert!(q.task_done().is_err());
    q.put_nowait(1).unwrap();
    q.get_nowait().unwrap();
    assert!(q.task_done().is_ok());
    assert!(q.task_done().is_err());
}

fn join_with_two_workers<Q>(q: Rc<Q>, ex: &LocalExecutor)
where
    Q: std::ops::Deref<Target = Queue<u32>> + 'static,
{
    let total = Rc::new(std::cell::Cell::new(0));
    for _ in 0..2 {
        let (q, total) = (q.clone(), total.clone());
        ex.spawn(async move {
            while let Ok(n) = q.get().await {
                total.set(total.get() + n);
                yield_now().await;
                q.task_done().unwrap();
            }
        })
        .detach();
    }
    for i in 0..100 {
        q.put_nowait(i).unwrap();
    }
    ex.block_on(q.join());
    assert_eq!(total.get(), (0..100).sum::<u32>());
    q.shutdown(false);
    ex.run_until_stalled();
    assert_eq!(q.waiter_count(), 0);
}

// QU-23: test_task_done (Queue/Lifo/Priority JoinTests)
#[test]
fn qu_23_join_waits_for_task_done_all_kinds_test_task_done() {
    struct Fifo(Queue<u32>);
    impl std::ops::Deref for Fifo {
        type Target = Queue<u32>;
        fn deref(&self) -> &Queue<u32> {
            &self.0
        }
    }
    let ex = LocalExecutor::new();
    join_with_two_workers(Rc::new(Fifo(Queue::new(0))), &ex);
    join_with_two_workers(Rc::new(LifoQueue::new(0)), &ex);
    join_with_two_workers(Rc::new(PriorityQueue::new(0)), &ex);
}

// QU-24: test_join_empty_queue
#[test]
fn qu_24_join_empty_returns_at_once_test_join_empty_queue() {
    let q = Queue::<u8>::new(0);
    assert!(poll_once(&mut q.join()).is_ready());
    assert!(poll_once(&mut q.join()).is_ready());
}

// QU-25: (derived from QU-16 + QU-23) a cancelled put does not count as unfinished.
#[test]
fn qu_25_cancelled_put_does_not_block_join_derived() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut p = q.put(2);
    assert!(poll_once(&mut p).is_pending());
    drop(p);
    q.get_nowait().unwrap();
    q.task_done().unwrap();
    assert!(poll_once(&mut q.join()).is_ready());
}

// asyncio 3.13 shutdown (test_queues.py of 3.13: test_shutdown_*).
#[test]
fn shutdown_graceful_and_immediate() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut blocked_put = q.put(2);
    assert!(poll_once(&mut blocked_put).is_pending());
    let mut join = q.join();
    assert!(poll_once(&mut join).is_pending());
    q.shutdown(false);
    assert_eq!(
        poll_once(&mut blocked_put),
        Poll::Ready(Err(QueueShutDown(2)))
    );
    assert_eq!(q.get_nowait(), Ok(1)); // getters drain first
    assert_eq!(q.get_nowait(), Err(TryGetError::ShutDown));
    q.task_done().unwrap();
    assert!(poll_once(&mut join).is_ready());

    let q = Queue::new(0);
    q.put_nowait('a').unwrap();
    q.put_nowait('b').unwrap();
    let mut join = q.join();
    assert!(poll_once(&mut join).is_pending());
    q.shutdown(true);
    assert!(poll_once(&mut join).is_ready()); // the drained items count as done
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.get_nowait(), Err(TryGetError::ShutDown));
    assert_eq!(q.put_nowait('c'), Err(TryPutError::ShutDown('c')));
}

#[test]
fn shutdown_immediate_fails_woken_getter() {
    let q = Queue::new(0);
    let mut g = q.get();
    assert!(poll_once(&mut g).is_pending());
    q.put_nowait(1).unwrap(); // reserved for g
    q.shutdown(true);
    assert_eq!(poll_once(&mut g), Poll::Ready(Err(QueueShutDown(()))));
    assert_eq!(q.waiter_count(), 0);
}

#[test]
fn coop_budget_yields_on_always_ready_queue() {
    let ex = LocalExecutor::new();
    let q = Rc::new(Queue::new(0));
    for i in 0..10_000 {
        q.put_nowait(i).unwrap();
    }
    let other_ran = Rc::new(std::cell::Cell::new(false));
    let o = other_ran.clone();
    ex.spawn(async move { o.set(true) }).detach();
    let q1 = q.clone();
    let o = other_ran.clone();
    let t = ex.spawn(async move {
        for _ in 0..10_000 {
            q1.get().await.unwrap();
        }
        o.get()
    });
    assert!(ex.block_on(t).unwrap(), "the busy getter never yielded");
}
