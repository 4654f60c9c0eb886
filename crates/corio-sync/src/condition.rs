//! [`Condition`]: asyncio.Condition.

use crate::lock::{Lock, LockFuture, LockGuard};
use crate::sync::{Mutex, lock};
use crate::waiters::{WaitList, WakeList, wake_all};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// asyncio's `Condition`: lets tasks wait, while holding a [`Lock`], until another task
/// notifies them.
///
/// [`wait(guard)`](Self::wait) takes the guard, releases the lock, waits for a
/// notification, re-acquires the lock and gives the guard back. Because it takes the guard,
/// waiting without holding the lock (asyncio's `RuntimeError`) does not compile.
/// [`notify`](Self::notify) and [`notify_all`](Self::notify_all) do not need the lock (as
/// with `std::sync::Condvar`); notify while holding it when the waiters must see the
/// change that goes with the notification.
///
/// A `Condition` is bound to the first lock it is used with (asyncio's
/// `Condition(lock)`); see the panics of [`wait`](Self::wait).
///
/// # Fairness
///
/// Notifications go to waiters in the order they started waiting; the notified waiters
/// then re-acquire the lock in FIFO order behind anyone already queued on it.
///
/// # Cancel safety
///
/// Dropping a [`CondWait`] releases nothing twice and leaks nothing: the guard it took was
/// already released, and a re-acquired lock is released again. **A notification is never
/// lost** (Decision 6, as asyncio 3.13): a waiter that was notified but dropped before
/// returning passes its notification to the next waiter.
///
/// # Examples
///
/// ```
/// use corio_sync::{Condition, Lock};
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let pair = Arc::new((Lock::new(false), Condition::new()));
///     let waiter = corio_executor::spawn({
///         let pair = pair.clone();
///         async move {
///             let (lock, cond) = &*pair;
///             let ready = cond.wait_for(lock.lock().await, |ready| *ready).await;
///             assert!(*ready);
///         }
///     });
///     corio_executor::yield_now().await;
///     let (lock, cond) = &*pair;
///     *lock.lock().await = true;
///     cond.notify_all();
///     waiter.await.unwrap();
/// });
/// ```
pub struct Condition {
    state: Mutex<State>,
}

struct State {
    /// Address of the lock this condition is bound to (0 = not yet bound).
    lock_addr: usize,
    /// Each waiter's state: whether it was notified.
    waiters: WaitList<bool>,
}

impl State {
    fn notify(&mut self, n: usize, wakers: &mut WakeList) {
        for _ in 0..n {
            match self.waiters.grant_front(true) {
                Some(w) => wakers.extend(w),
                None => break,
            }
        }
    }
}

impl Condition {
    /// A new condition, not yet bound to a lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = corio_sync::Condition::new();
    /// cond.notify_all(); // no waiters: nothing happens
    /// ```
    pub fn new() -> Self {
        Condition {
            state: Mutex::new(State {
                lock_addr: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Releases the lock held by `guard`, waits to be notified, re-acquires the lock and
    /// returns its guard. As in asyncio, a waiter may return without the condition it
    /// waits for being true: check it in a loop, or use [`wait_for`](Self::wait_for).
    ///
    /// # Panics
    ///
    /// When polled with the guard of a different lock than the one this condition was
    /// first used with.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, and a consumed notification is passed on: see the
    /// [type docs](Self#cancel-safety). The lock is not held after a cancelled wait
    /// (asyncio re-acquires it; in Rust the guard drops with the future).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_sync::{Condition, Lock};
    /// use std::sync::Arc;
    ///
    /// corio_executor::run(async {
    ///     let shared = Arc::new((Lock::new(0), Condition::new()));
    ///     let s = shared.clone();
    ///     let t = corio_executor::spawn(async move {
    ///         let mut g = s.0.lock().await;
    ///         while *g == 0 {
    ///             g = s.1.wait(g).await;
    ///         }
    ///         *g
    ///     });
    ///     corio_executor::yield_now().await;
    ///     *shared.0.lock().await = 7;
    ///     shared.1.notify(1);
    ///     assert_eq!(t.await.unwrap(), 7);
    /// });
    /// ```
    pub fn wait<'a, T>(&'a self, guard: LockGuard<'a, T>) -> CondWait<'a, T> {
        CondWait {
            cond: self,
            lock: LockGuard::source(&guard),
            step: Step::Start(guard),
        }
    }

    /// Waits until `predicate` holds on the locked value, then returns the guard: asyncio's
    /// `wait_for(predicate)`. The predicate is checked first, so a condition that already
    /// holds returns without waiting.
    ///
    /// # Panics
    ///
    /// As [`wait`](Self::wait); and if `predicate` panics.
    ///
    /// # Cancel safety
    ///
    /// As [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_sync::{Condition, Lock};
    ///
    /// corio_executor::run(async {
    ///     let (lock, cond) = (Lock::new(3), Condition::new());
    ///     let g = cond.wait_for(lock.lock().await, |n| *n > 2).await; // true already
    ///     assert_eq!(*g, 3);
    /// });
    /// ```
    pub fn wait_for<'a, T, F>(
        &'a self,
        guard: LockGuard<'a, T>,
        predicate: F,
    ) -> CondWaitFor<'a, T, F>
    where
        F: FnMut(&mut T) -> bool,
    {
        CondWaitFor {
            cond: self,
            predicate,
            step: WaitForStep::Check(guard),
        }
    }

    /// Wakes up to `n` waiters, in FIFO order. Fewer waiters than `n` is fine.
    ///
    /// # Examples
    ///
    /// ```
    /// let cond = corio_sync::Condition::new();
    /// cond.notify(3);
    /// ```
    pub fn notify(&self, n: usize) {
        let mut wakers = WakeList::new();
        lock(&self.state).notify(n, &mut wakers);
        wake_all(wakers);
    }

    /// Wakes every waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_sync::Condition::new().notify_all();
    /// ```
    pub fn notify_all(&self) {
        let mut wakers = WakeList::new();
        let mut st = lock(&self.state);
        st.waiters.grant_all(&mut wakers, |n| *n = true);
        drop(st);
        wake_all(wakers);
    }

    /// Waiter entries alive (feature `testing`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_sync::Condition::new().waiter_count(), 0);
    /// ```
    #[cfg(feature = "testing")]
    pub fn waiter_count(&self) -> usize {
        lock(&self.state).waiters.entries()
    }

    fn register(&self, lock_addr: usize, waker: &Waker) -> usize {
        let mut st = lock(&self.state);
        if st.lock_addr == 0 {
            st.lock_addr = lock_addr;
        }
        assert_eq!(
            st.lock_addr, lock_addr,
            "a Condition was used with two different locks"
        );
        st.waiters.push_back(false, waker)
    }

    /// Polls a registered waiter: true once notified (its entry is then gone).
    fn poll_notified(&self, key: usize, waker: &Waker) -> bool {
        let mut st = lock(&self.state);
        if *st.waiters.state(key) {
            st.waiters.remove(key);
            true
        } else {
            st.waiters.set_waker(key, waker);
            false
        }
    }

    /// Drops a registered waiter; passes its notification on if it had one.
    fn deregister(&self, key: usize) {
        let mut wakers = WakeList::new();
        {
            let mut st = lock(&self.state);
            if st.waiters.remove(key) {
                st.notify(1, &mut wakers);
            }
        }
        wake_all(wakers);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("waiters", &lock(&self.state).waiters.queued())
            .finish()
    }
}

enum Step<'a, T> {
    Start(LockGuard<'a, T>),
    Waiting(usize),
    Relocking(LockFuture<'a, T>),
    Done,
}

/// The future of [`Condition::wait`]: resolves to the guard, re-acquired.
#[must_use = "futures do nothing unless awaited"]
pub struct CondWait<'a, T> {
    cond: &'a Condition,
    lock: &'a Lock<T>,
    step: Step<'a, T>,
}

impl<T> fmt::Debug for CondWait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match self.step {
            Step::Start(_) => "start",
            Step::Waiting(_) => "waiting",
            Step::Relocking(_) => "relocking",
            Step::Done => "done",
        };
        f.debug_struct("CondWait").field("step", &step).finish()
    }
}

impl<'a, T> Future for CondWait<'a, T> {
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.step {
                Step::Start(_) => {
                    let addr = this.lock as *const Lock<T> as usize;
                    let key = this.cond.register(addr, cx.waker());
                    // Registered first, then unlocked: a notify that follows the unlock
                    // cannot be missed.
                    if let Step::Start(guard) =
                        std::mem::replace(&mut this.step, Step::Waiting(key))
                    {
                        drop(guard);
                    }
                }
                Step::Waiting(key) => {
                    if !this.cond.poll_notified(*key, cx.waker()) {
                        return Poll::Pending;
                    }
                    this.step = Step::Relocking(this.lock.lock());
                }
                Step::Relocking(fut) => {
                    let guard = std::task::ready!(Pin::new(fut).poll(cx));
                    this.step = Step::Done;
                    return Poll::Ready(guard);
                }
                Step::Done => panic!("CondWait polled after completion"),
            }
        }
    }
}

impl<T> Drop for CondWait<'_, T> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.step, Step::Done) {
            Step::Waiting(key) => self.cond.deregister(key),
            Step::Relocking(fut) => {
                drop(fut); // passes the lock on if it was handed it
                self.cond.notify(1); // Decision 6: the consumed notification goes on
            }
            Step::Start(_) | Step::Done => {}
        }
    }
}

enum WaitForStep<'a, T> {
    Check(LockGuard<'a, T>),
    Wait(CondWait<'a, T>),
    Done,
}

/// The future of [`Condition::wait_for`]: resolves to the guard once the predicate holds.
///
/// # Examples
///
/// ```
/// use corio_sync::{Condition, Lock};
///
/// corio_executor::run(async {
///     let lock = Lock::new(3);
///     let cond = Condition::new();
///     let guard = lock.lock().await;
///     let guard = cond.wait_for(guard, |n| *n == 3).await; // already true: no waiting
///     assert_eq!(*guard, 3);
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct CondWaitFor<'a, T, F> {
    cond: &'a Condition,
    predicate: F,
    step: WaitForStep<'a, T>,
}

impl<T, F> fmt::Debug for CondWaitFor<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match &self.step {
            WaitForStep::Check(_) => "check",
            WaitForStep::Wait(_) => "waiting",
            WaitForStep::Done => "done",
        };
        f.debug_struct("CondWaitFor").field("step", &step).finish()
    }
}

impl<'a, T, F> Future for CondWaitFor<'a, T, F>
where
    F: FnMut(&mut T) -> bool + Unpin,
{
    type Output = LockGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.step, WaitForStep::Done) {
                WaitForStep::Check(mut guard) => {
                    if (this.predicate)(&mut guard) {
                        return Poll::Ready(guard);
                    }
                    this.step = WaitForStep::Wait(this.cond.wait(guard));
                }
                WaitForStep::Wait(mut fut) => match Pin::new(&mut fut).poll(cx) {
                    Poll::Ready(guard) => this.step = WaitForStep::Check(guard),
                    Poll::Pending => {
                        this.step = WaitForStep::Wait(fut);
                        return Poll::Pending;
                    }
                },
                WaitForStep::Done => panic!("CondWaitFor polled after completion"),
            }
        }
    }
}
