//! Rough numbers for the report (not a benchmark suite: the criterion benches live in
//! benches/). Run with `cargo test -p corio-timer --release --test perf_numbers -- --ignored
//! --nocapture`.

use std::future::Future;
use std::pin::Pin;
use std::task::Context;
use std::time::{Duration, Instant};

use corio_core::ThreadParker;
use corio_timer::{Sleep, TimerDriver, TimerHandle, timeout};

#[test]
#[ignore = "prints timings; run in release"]
fn perf_numbers() {
    let n = 100_000u32;
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);

    // 100 000 sleeps with random deadlines within 10 ms: register, fire (virtual time),
    // observe, drop.
    let mut driver = TimerDriver::new_paused(ThreadParker::new());
    let h = driver.handle();
    let mut rng = fastrand::Rng::with_seed(1);
    let t = Instant::now();
    let mut sleeps: Vec<Sleep> = (0..n)
        .map(|_| h.sleep(Duration::from_micros(rng.u64(1..10_000))))
        .collect();
    for s in &mut sleeps {
        let _ = Pin::new(s).poll(&mut cx);
    }
    while h.pending_timers() > 0 {
        corio_core::Driver::park(&mut driver, None);
    }
    for s in &mut sleeps {
        assert!(Pin::new(s).poll(&mut cx).is_ready());
    }
    drop(sleeps);
    let e = t.elapsed();
    println!("100k sleeps (<10 ms, virtual): {e:?} = {:?}/timer", e / n);

    // 100 000 timeouts around ready futures (insert + cancel never happens: the inner
    // future is polled first and wins).
    let t = Instant::now();
    for i in 0..n {
        let mut f = std::pin::pin!(timeout(Duration::from_millis(10), async move { i }));
        assert!(f.as_mut().poll(&mut cx).is_ready());
    }
    let e = t.elapsed();
    println!(
        "100k timeouts around ready futures: {e:?} = {:?}/timeout",
        e / n
    );

    // Timeouts around a future pending once: the timer is registered then cancelled.
    let h = TimerHandle::current(); // the fallback's (real clock)
    let t = Instant::now();
    for _ in 0..n {
        let mut s = h.sleep(Duration::from_secs(10));
        let _ = Pin::new(&mut s).poll(&mut cx);
        drop(s);
    }
    let e = t.elapsed();
    println!(
        "100k sleep register+cancel (fallback wheel): {e:?} = {:?}/timer",
        e / n
    );

    // Reset of a registered sleep.
    let mut s = h.sleep(Duration::from_secs(10));
    let _ = Pin::new(&mut s).poll(&mut cx);
    let base = h.now();
    let t = Instant::now();
    for i in 0..n {
        s.reset(base + Duration::from_millis(1000 + u64::from(i % 5000)));
    }
    let e = t.elapsed();
    println!("100k resets: {e:?} = {:?}/reset", e / n);
    println!(
        "size_of Sleep = {} bytes; wheel entry = 40 bytes (see wheel.rs)",
        std::mem::size_of::<Sleep>()
    );
}
