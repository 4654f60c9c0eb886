//! [`advance`]: moves a paused clock by hand from inside the loop.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::handle::TimerHandle;

/// Moves the current thread's paused clock forward by `duration`, fires the timers then
/// due, and yields once to the loop so that their tasks run before the caller continues.
///
/// # Panics
///
/// When polled on a thread whose current timer is not paused (see
/// [`TimerDriver::new_paused`](crate::TimerDriver::new_paused)).
///
/// # Cancel safety
///
/// The clock moves on the first poll; dropping the future afterwards only skips the yield.
///
/// # Examples
///
/// ```
/// use corio_timer::{TimerDriver, advance, clock, sleep};
/// use std::{cell::Cell, rc::Rc, time::Duration};
///
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let done = Rc::new(Cell::new(false));
///     let d = done.clone();
///     let _t = corio_executor::spawn(async move {
///         sleep(Duration::from_secs(10)).await;
///         d.set(true);
///     });
///     corio_executor::yield_now().await;
///     advance(Duration::from_secs(9)).await;
///     assert!(!done.get());
///     advance(Duration::from_secs(1)).await;
///     assert!(done.get());
/// });
/// ```
pub fn advance(duration: Duration) -> Advance {
    Advance {
        duration,
        moved: false,
    }
}

/// The future of [`advance`].
///
/// # Examples
///
/// ```
/// use corio_timer::TimerDriver;
/// let ex = corio_executor::Builder::new()
///     .driver(|p| Box::new(TimerDriver::new_paused(p)))
///     .build_local();
/// ex.run(async {
///     let start = corio_timer::clock::now();
///     let fut: corio_timer::Advance = corio_timer::advance(std::time::Duration::from_secs(2));
///     fut.await;
///     assert_eq!(corio_timer::clock::now() - start, std::time::Duration::from_secs(2));
/// });
/// ```
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Advance {
    duration: Duration,
    moved: bool,
}

impl Future for Advance {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.moved {
            return Poll::Ready(());
        }
        let handle = TimerHandle::try_current()
            .expect("corio_timer::advance: no paused TimerDriver is running on this thread");
        handle.advance(self.duration);
        self.moved = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
