//! Timers and sockets are served however busy the executor is: the guarantee the book
//! states ("timers fire under load"), tried against tasks that never stop being ready, on
//! both executors. A regression of issue 21's first failure: two multi-thread workers each
//! spinning on `yield_now` kept a 20 ms sleep from firing until the spinners stopped.
//!
//! The limits below are generous (seconds, for loaded CI machines); what they catch is a
//! timer or socket that is not served at all while the spinners run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::{AsyncReadExt, AsyncWriteExt};

const SPINNERS: usize = 4;
const LIMIT: Duration = Duration::from_secs(2);

/// Tasks that are always ready until `stop` is set.
fn start_spinners(stop: &Arc<AtomicBool>, send: bool) {
    for _ in 0..SPINNERS {
        let stop = stop.clone();
        let spin = async move {
            while !stop.load(Ordering::Relaxed) {
                corio::yield_now().await;
            }
        };
        if send {
            corio::spawn_send(spin).detach();
        } else {
            corio::spawn(spin).detach();
        }
    }
}

/// Waits for `probe` (already spawned) with a watchdog that does not depend on the loop
/// under test: a plain thread sets `stop` after `LIMIT`, so the spinners end and the
/// probe's lateness is measured instead of hanging the test.
fn watchdog(stop: &Arc<AtomicBool>) {
    let stop = stop.clone();
    std::thread::spawn(move || {
        std::thread::sleep(LIMIT * 3);
        stop.store(true, Ordering::Relaxed);
    });
}

/// Runs `probe` as a worker's task while both workers of a multi-thread executor are kept
/// busy by always-ready spinners; returns its output once it completes (the spinners stop
/// then, or at the watchdog).
fn on_busy_workers<T, F>(probe: F) -> T
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let ex = corio::Builder::multi_thread().workers(2).build();
    let stop = Arc::new(AtomicBool::new(false));
    watchdog(&stop);
    ex.block_on(async move {
        start_spinners(&stop, true);
        // Let the spinners occupy both workers before the probe arrives.
        std::thread::sleep(Duration::from_millis(20));
        let out = corio::spawn_send(probe).await.unwrap();
        stop.store(true, Ordering::Relaxed);
        out
    })
}

#[test]
fn a_sleep_fires_on_a_busy_multi_thread_executor() {
    let took = on_busy_workers(async {
        let start = Instant::now();
        corio::sleep(Duration::from_millis(20)).await;
        start.elapsed()
    });
    assert!(
        took < LIMIT,
        "a 20 ms sleep on a busy worker took {took:?}: the workers did not turn their timers"
    );
}

#[test]
fn many_sleeps_fire_on_a_busy_multi_thread_executor() {
    let took = on_busy_workers(async {
        let start = Instant::now();
        let probes: Vec<_> = (0..100)
            .map(|i| {
                corio::spawn_send(async move {
                    corio::sleep(Duration::from_millis(1 + i % 20)).await;
                })
            })
            .collect();
        for p in probes {
            p.await.unwrap();
        }
        start.elapsed()
    });
    assert!(took < LIMIT, "100 sleeps of at most 20 ms took {took:?}");
}

#[test]
fn a_socket_is_read_on_a_busy_multi_thread_executor() {
    let ex = corio::Builder::multi_thread().workers(2).build();
    let stop = Arc::new(AtomicBool::new(false));
    watchdog(&stop);
    let s = stop.clone();
    let took = ex.block_on(async move {
        let listener = corio::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The reader is a worker's task, waiting on its worker's reactor.
        let reader = corio::spawn_send(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 5];
            conn.read_exact(&mut buf).await.unwrap();
            (Instant::now(), buf)
        });
        let mut client = corio::TcpStream::connect(addr).await.unwrap();
        // The accept happened; now occupy the workers, then write.
        start_spinners(&s, true);
        std::thread::sleep(Duration::from_millis(20));
        let sent = Instant::now();
        client.write_all(b"hello").await.unwrap();
        let (read_at, buf) = reader.await.unwrap();
        s.store(true, Ordering::Relaxed);
        assert_eq!(&buf, b"hello");
        read_at.duration_since(sent)
    });
    assert!(
        took < LIMIT,
        "bytes written to a busy worker's socket were read after {took:?}"
    );
}

#[test]
fn a_sleep_fires_on_a_busy_local_loop() {
    let stop = Arc::new(AtomicBool::new(false));
    watchdog(&stop);
    let s = stop.clone();
    let took = corio::run(async move {
        start_spinners(&s, false);
        let start = Instant::now();
        corio::sleep(Duration::from_millis(20)).await;
        s.store(true, Ordering::Relaxed);
        start.elapsed()
    });
    assert!(took < LIMIT, "a 20 ms sleep on a busy loop took {took:?}");
}

#[test]
fn a_timeout_fires_on_a_busy_multi_thread_executor() {
    let took = on_busy_workers(async {
        let start = Instant::now();
        let r = corio::timeout(Duration::from_millis(10), std::future::pending::<()>()).await;
        assert!(r.is_err());
        start.elapsed()
    });
    assert!(
        took < LIMIT,
        "a 10 ms timeout on a busy worker took {took:?}"
    );
}

/// The workers share one reactor: a socket accepted by a worker that then blocks (a
/// blocking call in async code, the mistake debug mode reports) is served by the other
/// worker meanwhile. With one reactor per worker its events waited for the blocked one.
#[test]
fn multi_thread_a_socket_is_served_while_the_worker_that_accepted_it_is_blocked() {
    let ex = corio::Builder::multi_thread().workers(2).build();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let echo_started = Arc::new(AtomicBool::new(false));
    let started = echo_started.clone();
    ex.spawn(async move {
        let listener = corio::TcpListener::from_std(std_listener).unwrap();
        let (mut stream, _) = listener.accept().await.unwrap();
        let flag = started.clone();
        corio::spawn_send(async move {
            flag.store(true, Ordering::SeqCst);
            let mut buf = [0; 16];
            let n = stream.read(&mut buf).await.unwrap();
            stream.write_all(&buf[..n]).await.unwrap();
        })
        .detach();
        while !started.load(Ordering::SeqCst) {
            corio::yield_now().await;
        }
        // Pinned to this worker, whose thread accepted (and registered) the socket.
        corio::spawn(async { std::thread::sleep(LIMIT) }).detach();
    })
    .detach();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    while !echo_started.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    std::thread::sleep(Duration::from_millis(50)); // the blocker has started
    let t = Instant::now();
    std::io::Write::write_all(&mut client, b"ping").unwrap();
    let mut buf = [0; 4];
    std::io::Read::read_exact(&mut client, &mut buf).unwrap();
    assert_eq!(&buf, b"ping");
    assert!(
        t.elapsed() < LIMIT / 2,
        "the echo waited {:?} for the blocked worker",
        t.elapsed()
    );
}

/// The thread calling `block_on` leaves the shared poller to the workers, yet its own
/// sockets are served while every worker is stuck in a blocking call: when nothing wakes
/// it, it looks at the poller itself (without waiting) every 10 ms.
#[test]
fn multi_thread_block_on_serves_its_socket_while_every_worker_is_blocked() {
    let ex = corio::Builder::multi_thread().workers(2).build();
    let blocked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..2 {
        let blocked = blocked.clone();
        ex.spawn(async move {
            blocked.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(LIMIT);
        })
        .detach();
    }
    let elapsed = ex.block_on(async {
        while blocked.load(Ordering::SeqCst) < 2 {
            corio::sleep(Duration::from_millis(1)).await;
        }
        let listener = corio::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let t = Instant::now();
        let client = std::thread::spawn(move || {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            std::io::Write::write_all(&mut c, b"ping").unwrap();
            c
        });
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 4];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        let elapsed = t.elapsed();
        drop(client.join().unwrap());
        elapsed
    });
    assert!(
        elapsed < LIMIT / 2,
        "block_on's socket waited {elapsed:?} for the blocked workers"
    );
}
