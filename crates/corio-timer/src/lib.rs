//! asyncio's time half for Rust: sleeps, intervals and timeouts on a timer wheel, with
//! deadlines that can be moved and a paused virtual clock for tests.
//!
//! - [`sleep`], [`sleep_until`] → [`Sleep`] (asyncio.sleep), resettable without
//!   reallocating.
//! - [`interval`], [`interval_at`] → [`Interval`], with a chosen [`MissedTickBehavior`].
//! - [`timeout`], [`timeout_at`] → [`Timeout`] (asyncio.timeout / wait_for), resolving to
//!   `Result<T, `[`Elapsed`]`>`, with [`Timeout::reschedule`], [`Timeout::deadline`] and
//!   [`Timeout::expired`]; [`Deadline`] is the scope form whose [`DeadlineHandle`] the
//!   guarded code can use to move its own deadline.
//! - [`TimerDriver`]: the [`Driver`](corio_core::Driver) an event loop turns: a
//!   hierarchical timing wheel (1 ms resolution, O(1) insert, cancel and reset, no
//!   allocation per timer once warmed up) stacked on a lower driver. [`TimerHandle`] reaches
//!   it from any thread.
//! - Virtual time: [`TimerDriver::new_paused`], [`advance`], [`clock::now`].
//! - [`call_later`], [`call_at`] → [`CallbackHandle`]: plain callbacks on the loop
//!   (asyncio's `loop.call_later` / `call_at`), cancellable.
//!
//! # Where timers live
//!
//! A timer registers, when first polled, in the current thread's corio loop if that loop
//! has a [`TimerDriver`]; anywhere else (under tokio, smol, `futures::executor`, or on a
//! plain thread) in a global fallback timer thread started on first use. So every future
//! of this crate works under any executor; inside a corio loop its timers cost no thread
//! hop. A timer may be polled, reset or dropped from any thread.
//!
//! # Bad input
//!
//! A duration too large to represent (`Duration::MAX`), or a deadline more than about 34
//! years ahead, saturates to "never": the sleep never completes, the timeout never fires;
//! nothing panics or wraps. A deadline in the past completes at once (a timeout still polls
//! its future once first). A zero [`interval`] period panics.
//!
//! # Examples
//!
//! ```
//! use corio_timer::{TimerDriver, clock, sleep, timeout};
//! use std::time::Duration;
//!
//! // A loop on virtual time: an hour of sleeping takes no time at all.
//! let ex = corio_executor::Builder::new()
//!     .driver(|parker| Box::new(TimerDriver::new_paused(parker)))
//!     .build_local();
//! ex.run(async {
//!     let start = clock::now();
//!     sleep(Duration::from_secs(3600)).await;
//!     let slow = sleep(Duration::from_secs(60));
//!     assert!(timeout(Duration::from_secs(1), slow).await.is_err());
//!     assert_eq!(clock::now() - start, Duration::from_secs(3601));
//! });
//! ```
//!
//! # When not to use this crate
//!
//! Applications use the `corio` facade, which installs the driver for them. This crate is
//! for code that wants timers alone, under any executor.
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/timeouts.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

// The modules form a ladder (scripts/check_ladder.py): each imports only from its own
// rung or lower ones, and no two on one rung import each other.
//
// rung 0: the loom shim; the timing wheel itself.
mod sync;
mod wheel;
// rung 1: a driver's clock (real or paused), ticks, saturating deadlines, turn time.
mod ticks;
// rung 2: what a driver shares with its handles and timers: clock, wheel, liveness.
mod shared;
// rung 3: one park of the timer layer: wait below until the next deadline, fire.
mod turn;
// rung 4: the global fallback timer thread, for timers polled outside any loop.
mod fallback;
// rung 5: the thread's current timer, its scoped entry, where a timer moves to.
mod context;
// rung 6: `clock::now`, the time the timers of this thread see.
pub mod clock;
// rung 7: `Sleep`, the one timer future everything else is built on.
mod sleep;
// rung 8: the handle, and the futures built on `Sleep`.
mod call_later;
mod handle;
mod interval;
mod timeout;
// rung 9: the driver and its entry (which installs the clock hook), `Deadline` (a
// reschedulable timeout), `advance`.
mod advance;
mod deadline;
mod driver;

pub use advance::{Advance, advance};
pub use call_later::{CallbackHandle, call_at, call_later};
pub use corio_core::Elapsed;
pub use deadline::{Deadline, DeadlineHandle, RescheduleError, WithDeadline};
pub use driver::TimerDriver;
pub use handle::TimerHandle;
pub use interval::{Interval, MissedTickBehavior, Tick, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Timeout, timeout, timeout_at};
