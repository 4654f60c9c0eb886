//! Shared helpers of the reliability tests (seeded stress, chaos runs, state machines): a
//! seeded generator, the `SEED` / `LONG` environment knobs, a watchdog that turns a hang
//! into a failure, and futures that cancel at a random moment.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The seed used when `SEED` is not set: fixed, so a plain `cargo test` is reproducible.
pub const DEFAULT_SEED: u64 = 0x5EED_C021;

/// xorshift64: small, fast, and the same sequence on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`, mixed through splitmix64 so that nearby seeds diverge (and 0
    /// is usable).
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(z | 1)
    }

    /// A generator for the `stream`-th task of a run with `seed`.
    pub fn derive(seed: u64, stream: u64) -> Self {
        Rng::new(seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True about one time in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// The seed handed to the loop's chaos mode (`Builder::seed`) for a test seed: scrambled,
/// because the loop keeps `seed | 1` as its generator state (seeds 2k and 2k+1 would
/// otherwise give the same schedule).
pub fn loop_seed(seed: u64) -> u64 {
    Rng::new(seed).next()
}

/// `SEED` from the environment (decimal or 0x-hex), or [`DEFAULT_SEED`].
pub fn seed() -> u64 {
    match std::env::var("SEED") {
        Ok(s) => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("SEED={s:?} is not a u64"))
        }
        Err(_) => DEFAULT_SEED,
    }
}

/// `LONG=1`: the long runs (10^7 stress operations, 10 000 chaos seeds).
pub fn long() -> bool {
    std::env::var("LONG").is_ok_and(|v| v != "0" && !v.is_empty())
}

/// A number from the environment, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// Aborts the whole process with a clear message if it is not dropped within `secs`
/// seconds: a lost wake-up shows up as a hang, and a hang must fail the run, not stall CI.
#[must_use = "the watchdog disarms when dropped"]
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn arm(what: impl Into<String>, secs: u64) -> Self {
        let what = what.into();
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(Duration::from_secs(secs))
                {
                    eprintln!(
                        "\nWATCHDOG: {what} did not finish within {secs} s: a lost wake-up \
                         (a task waiting forever) or a livelock. Aborting the process."
                    );
                    std::process::abort();
                }
            })
            .expect("cannot start the watchdog thread");
        Watchdog {
            done: Some(tx),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The watchdog limit for one whole test, `WATCHDOG_SECS` or 300 s (debug builds on two
/// busy cores are slow; a hang is still caught).
pub fn watchdog_secs() -> u64 {
    env_u64("WATCHDOG_SECS", 300)
}

/// Runs `f`, and if it panics, says which seed to replay before passing the panic on.
pub fn replayable<R>(what: &str, seed: u64, f: impl FnOnce() -> R) -> R {
    let _dog = Watchdog::arm(format!("{what} (replay with SEED={seed})"), watchdog_secs());
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            eprintln!("\n{what} FAILED; replay with SEED={seed}");
            std::panic::resume_unwind(p)
        }
    }
}

/// Ready after `n` polls, waking itself each time: a deadline measured in polls, so a
/// cancellation lands at a random point of the other future's life.
pub struct ReadyAfter(pub u32);

impl Future for ReadyAfter {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            Poll::Ready(())
        } else {
            self.0 -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Runs `fut` to completion, or (about one time in three) races it against a random
/// deadline of 0..4 polls and drops it if the deadline comes first: a cancellation at a
/// random moment, including after the primitive has already handed it something.
pub async fn maybe_cancel<F: Future>(rng: &mut Rng, fut: F) -> Option<F::Output> {
    let r = rng.next();
    if r % 3 != 0 {
        return Some(fut.await);
    }
    let mut fut = pin!(fut);
    let mut deadline = ReadyAfter((r >> 8) as u32 % 4);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        match Pin::new(&mut deadline).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Yields to the loop `0..=max` times, at random.
pub async fn random_yields(rng: &mut Rng, max: u64) {
    for _ in 0..rng.below(max + 1) {
        corio_executor::yield_now().await;
    }
}
