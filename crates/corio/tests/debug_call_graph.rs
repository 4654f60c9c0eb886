//! corio::debug's call graph, one kind of wait at a time: gather's children nested under
//! it, a queue's getters, an event, a socket read (through an AsyncFd) with its peer, the workers of the
//! multi-thread executor, and the deadlock hints (a cycle of handles, a lock held by a task
//! that waits on a waiter of that lock). The tests of one binary share the process's graph,
//! so each looks at its own tasks only.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use corio::debug::{CallGraph, TaskNode, WaitNode};

fn node(g: &CallGraph, id: corio::TaskId) -> &TaskNode {
    g.task(id.as_u64())
        .unwrap_or_else(|| panic!("task {id} not in the graph:\n{}", g.pstree()))
}

fn only_wait(t: &TaskNode) -> &WaitNode {
    assert_eq!(t.waits.len(), 1, "{t:#?}");
    &t.waits[0]
}

/// Lets every task run until it waits.
async fn settle() {
    corio::sleep(Duration::from_millis(20)).await;
}

#[test]
fn gather_nests_the_waits_of_its_futures() {
    corio::Builder::new().call_graph(true).run(async {
        let sem = Rc::new(corio::Semaphore::new(0));
        let s = sem.clone();
        let t = corio::spawn(async move {
            corio::gather([s.acquire(), s.acquire()]).await;
        });
        settle().await;
        let g = corio::debug::call_graph();
        let n = node(&g, t.id());
        assert_eq!(n.waits.len(), 3, "{n:#?}");
        let gather = &n.waits[0];
        assert_eq!(
            (gather.kind.as_str(), gather.detail.as_str()),
            ("gather", "2 of 2 pending")
        );
        for w in &n.waits[1..] {
            assert_eq!((w.kind.as_str(), w.parent), ("Semaphore", Some(gather.id)));
        }
        let places: Vec<_> = n.waits[1..].iter().map(|w| w.queue_place).collect();
        assert_eq!(places, [Some((1, 2)), Some((2, 2))]);
        let tree = g.pstree();
        assert!(
            tree.contains("gather (2 of 2 pending)")
                && tree.contains("Semaphore (0 of 0 permits taken, this waiter 2nd of 2)"),
            "{tree}"
        );
        let id = t.id();
        sem.add_permits(2);
        t.await.unwrap();
        assert!(
            corio::debug::call_graph().task(id.as_u64()).is_none(),
            "a finished task leaves"
        );
    });
}

#[test]
fn a_queue_getter_and_an_event_waiter_say_so() {
    corio::Builder::new().call_graph(true).run(async {
        let q = Rc::new(corio::Queue::<u32>::new(0));
        let e = Rc::new(corio::Event::new());
        let (q2, e2) = (q.clone(), e.clone());
        let getter = corio::spawn(async move { q2.get().await.unwrap() });
        let waiter = corio::spawn(async move { e2.wait().await });
        settle().await;
        let g = corio::debug::call_graph();
        let get = only_wait(node(&g, getter.id()));
        assert_eq!(
            g.describe(get),
            "Queue.get (empty, this getter 1st of 1)",
            "{get:#?}"
        );
        let ev = only_wait(node(&g, waiter.id()));
        assert_eq!(g.describe(ev), "Event (not set, this waiter 1st of 1)");
        q.put_nowait(7).unwrap();
        e.set();
        assert_eq!(getter.await.unwrap(), 7);
        waiter.await.unwrap();
        let g = corio::debug::call_graph();
        // Done tasks are gone from the graph.
        assert!(
            g.tasks
                .iter()
                .all(|t| t.waits.iter().all(|w| w.object != get.object))
        );
    });
}

#[test]
fn a_socket_read_names_its_peer() {
    corio::Builder::new().call_graph(true).run(async {
        // A socket wrapped in an AsyncFd.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server_side, _) = listener.accept().unwrap();
        server_side.set_nonblocking(true).unwrap();
        let fd = corio::net::AsyncFd::new(server_side).unwrap();
        let reader = corio::spawn(async move {
            use futures::AsyncReadExt;
            let mut fd = fd;
            let mut buf = [0u8; 1];
            fd.read(&mut buf).await
        });
        settle().await;
        let g = corio::debug::call_graph();
        let w = only_wait(node(&g, reader.id()));
        let peer = client.local_addr().unwrap();
        assert_eq!(g.describe(w), format!("TcpStream read (peer {peer})"));
        drop(client); // end of stream: the read returns 0
        assert_eq!(reader.await.unwrap().unwrap(), 0);
        let id = w.id;
        let g = corio::debug::call_graph();
        assert!(g.tasks.iter().all(|t| t.waits.iter().all(|w| w.id != id)));
    });
}

#[test]
fn the_workers_of_the_multi_thread_executor_report_their_tasks() {
    let ex = corio::Builder::multi_thread()
        .workers(2)
        .call_graph(true)
        .build();
    ex.block_on(async {
        let sem = Arc::new(corio::Semaphore::new(0));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let s = sem.clone();
                corio::spawn_send(async move { drop(s.acquire().await.unwrap()) })
            })
            .collect();
        settle().await;
        let g = corio::debug::call_graph();
        for t in &tasks {
            let n = node(&g, t.id());
            assert_eq!(only_wait(n).kind, "Semaphore");
            assert!(n.thread.is_some(), "{n:#?}");
        }
        let mut places: Vec<_> = tasks
            .iter()
            .map(|t| only_wait(node(&g, t.id())).queue_place.unwrap())
            .collect();
        places.sort_unstable();
        assert_eq!(places, [(1, 4), (2, 4), (3, 4), (4, 4)]);
        sem.add_permits(4);
        for t in tasks {
            t.await.unwrap();
        }
    });
}

#[test]
fn tasks_awaiting_each_other_are_named_as_a_deadlock() {
    corio::Builder::new().call_graph(true).run(async {
        let (tx, rx) = corio::oneshot::channel::<corio::Task<()>>();
        let a = corio::spawn(async move {
            let b = rx.await.unwrap();
            b.await.unwrap();
        });
        let a_id = a.id();
        let b = corio::spawn(async move {
            a.await.unwrap();
        });
        let b_id = b.id();
        tx.send(b).unwrap();
        settle().await;
        let g = corio::debug::call_graph();
        let cycle = g
            .cycles
            .iter()
            .find(|c| c.tasks.contains(&a_id.as_u64()))
            .unwrap_or_else(|| panic!("no cycle:\n{}", g.pstree()));
        let mut ids = cycle.tasks.clone();
        ids.sort_unstable();
        let mut expected = vec![a_id.as_u64(), b_id.as_u64()];
        expected.sort_unstable();
        assert_eq!(ids, expected);
        assert!(cycle.message.starts_with("deadlock: "), "{}", cycle.message);
        assert!(
            cycle
                .message
                .contains(&format!("#{} awaits #{}", a_id.as_u64(), b_id.as_u64())),
            "{}",
            cycle.message
        );
        // The tree is still printed, cut where the cycle closes.
        assert!(g.pstree().contains("(cycle: see below)"), "{}", g.pstree());
    });
}

#[test]
fn a_lock_holder_waiting_on_a_waiter_of_its_lock_is_named() {
    corio::Builder::new().call_graph(true).run(async {
        let lock = Rc::new(corio::Lock::new(()));
        let l = lock.clone();
        let holder = corio::task::Builder::new()
            .name("holder")
            .spawn(async move {
                let _guard = l.lock().await;
                let l2 = l.clone();
                let waiter = corio::task::Builder::new()
                    .name("waiter")
                    .spawn(async move { drop(l2.lock().await) });
                waiter.await.unwrap(); // waits on a task that waits on the lock it holds
            });
        settle().await;
        let g = corio::debug::call_graph();
        let h = node(&g, holder.id());
        let cycle = g
            .cycles
            .iter()
            .find(|c| c.tasks.contains(&h.id))
            .unwrap_or_else(|| panic!("no cycle:\n{}", g.pstree()));
        assert!(
            cycle
                .message
                .contains("a lock held by a task that is itself waiting on a waiter of that lock"),
            "{}",
            cycle.message
        );
        assert!(
            cycle.message.contains("waits for the Lock held by"),
            "{}",
            cycle.message
        );
        holder.abort();
    });
}

#[test]
fn the_snapshot_socket_is_private_and_answers() {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("corio-cg-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let server = corio::debug::serve(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A second server on the same path is refused while the first lives.
    let err = corio::debug::serve(&path).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    let mut conn = std::os::unix::net::UnixStream::connect(&path).unwrap();
    conn.write_all(corio::debug::REQUEST.as_bytes()).unwrap();
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).unwrap();
    let g: CallGraph = serde_json::from_str(&line).unwrap();
    assert_eq!(g.pid, std::process::id());
    drop(server);
    assert!(!path.exists());
    std::fs::remove_dir(&dir).unwrap();
}

#[test]
fn as_completed_and_shield_are_frames_over_what_they_poll() {
    corio::Builder::new().call_graph(true).run(async {
        let sem = Rc::new(corio::Semaphore::new(0));
        let s = sem.clone();
        let racer = corio::spawn(async move {
            use futures::StreamExt;
            let mut done = corio::as_completed([s.acquire(), s.acquire()]);
            while let Some(p) = done.next().await {
                drop(p.unwrap());
            }
        });
        let shielded =
            corio::spawn(async { corio::shield(corio::sleep(Duration::from_secs(3600))).await });
        settle().await;
        let g = corio::debug::call_graph();
        let r = node(&g, racer.id());
        assert_eq!(
            (r.waits[0].kind.as_str(), r.waits[0].detail.as_str()),
            ("as_completed", "2 of 2 pending")
        );
        assert!(r.waits[1..].iter().all(|w| w.parent == Some(r.waits[0].id)));
        let s = node(&g, shielded.id());
        assert_eq!(s.waits[0].kind, "shield");
        assert_eq!(
            (s.waits[1].kind.as_str(), s.waits[1].parent),
            ("Task", Some(s.waits[0].id))
        );
        let inner = g.task(s.waits[1].tasks[0]).expect("the shielded task");
        assert_eq!(inner.waits[0].kind, "sleep");
        sem.add_permits(2);
        racer.await.unwrap();
        shielded.abort();
    });
}

#[test]
fn rwlock_barrier_and_oneshot_waiters_say_so() {
    corio::Builder::new().call_graph(true).run(async {
        let rw = Rc::new(corio::RwLock::new(0u8));
        let barrier = Rc::new(corio::Barrier::new(3));
        let (tx, rx) = corio::oneshot::channel::<u8>();
        let reading = rw.read().await;
        let (w, b) = (rw.clone(), barrier.clone());
        let writer = corio::spawn(async move { *w.write().await += 1 });
        let party = corio::spawn(async move {
            let _ = b.wait().await;
        });
        let receiver = corio::spawn(async move { rx.await.unwrap() });
        settle().await;
        let g = corio::debug::call_graph();
        assert_eq!(
            g.describe(only_wait(node(&g, writer.id()))),
            "RwLock.write (held by 1 readers)"
        );
        assert_eq!(
            g.describe(only_wait(node(&g, party.id()))),
            "Barrier (1 of 3 parties arrived)"
        );
        assert_eq!(
            g.describe(only_wait(node(&g, receiver.id()))),
            "oneshot (no value sent yet)"
        );
        drop(reading);
        writer.await.unwrap();
        tx.send(9).unwrap();
        assert_eq!(receiver.await.unwrap(), 9);
        party.abort();
    });
}

#[test]
fn a_tcp_stream_read_names_its_peer() {
    corio::Builder::new().call_graph(true).run(async {
        let listener = corio::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = corio::TcpStream::connect(addr).await.unwrap();
        let (mut server_side, _) = listener.accept().await.unwrap();
        let reader = corio::spawn(async move {
            use futures::AsyncReadExt;
            let mut buf = [0u8; 1];
            server_side.read(&mut buf).await
        });
        settle().await;
        let g = corio::debug::call_graph();
        let w = only_wait(node(&g, reader.id()));
        let peer = client.local_addr().unwrap();
        assert_eq!(g.describe(w), format!("TcpStream read (peer {peer})"));
        drop(client); // end of stream: the read returns 0
        assert_eq!(reader.await.unwrap().unwrap(), 0);
    });
}
