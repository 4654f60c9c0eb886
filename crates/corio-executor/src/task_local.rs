//! Task-local values: asyncio's `contextvars`, scoped to a future.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::LocalKey;

use pin_project_lite::pin_project;

/// Declares task-local values (asyncio's `contextvars.ContextVar`).
///
/// ```
/// corio_executor::task_local! {
///     /// The id of the request being served.
///     pub static REQUEST_ID: u64;
/// }
/// # fn main() {}
/// ```
///
/// See [`TaskLocal`] for how to set and read them.
#[macro_export]
macro_rules! task_local {
    ($($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty;)+) => {
        $(
            $(#[$attr])*
            $vis static $name: $crate::TaskLocal<$t> = {
                ::std::thread_local! {
                    static __CORIO_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                        const { ::std::cell::RefCell::new(::std::option::Option::None) };
                }
                $crate::TaskLocal::__new(&__CORIO_TASK_LOCAL)
            };
        )+
    };
}

/// A value scoped to a future and everything it awaits (asyncio's contextvars), declared
/// with [`task_local!`](crate::task_local).
///
/// [`scope`](Self::scope) sets the value for one future; inside it,
/// [`get`](Self::get) / [`with`](Self::with) read it. A spawned task does **not** see its
/// spawner's values unless it opts in with [`inherit`](Self::inherit), which copies the
/// current value into the new task's scope (asyncio copies the whole context into every
/// task; corio makes the copy explicit, per value).
///
/// # Examples
///
/// ```
/// corio_executor::task_local! {
///     static USER: String;
/// }
///
/// corio_executor::run(USER.scope("ada".to_owned(), async {
///     assert_eq!(USER.get(), "ada");
///     let plain = corio_executor::spawn(async { USER.try_get().is_none() });
///     let inheriting = corio_executor::spawn(USER.inherit(async { USER.get() }));
///     assert!(plain.await.unwrap());
///     assert_eq!(inheriting.await.unwrap(), "ada");
/// }));
/// ```
pub struct TaskLocal<T: 'static> {
    key: &'static LocalKey<RefCell<Option<T>>>,
}

impl<T: 'static> TaskLocal<T> {
    #[doc(hidden)]
    pub const fn __new(key: &'static LocalKey<RefCell<Option<T>>>) -> Self {
        TaskLocal { key }
    }

    /// Runs `future` with this value set to `value`; the value lives as long as the
    /// returned future.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> Scope<T, F> {
        Scope {
            local: self,
            value: Some(value),
            future,
        }
    }

    /// Runs the closure `f` with this value set to `value` (for synchronous code).
    pub fn sync_scope<R>(&'static self, value: T, f: impl FnOnce() -> R) -> R {
        let mut slot = Some(value);
        let _swap = Swap::enter(self, &mut slot);
        f()
    }

    /// Runs `f` with a reference to the current value.
    ///
    /// # Panics
    ///
    /// Outside any [`scope`](Self::scope) of this value; see [`try_with`](Self::try_with).
    #[track_caller]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        self.try_with(f).expect(
            "TaskLocal::with called outside a scope of this task-local (see TaskLocal::scope)",
        )
    }

    /// Runs `f` with a reference to the current value, or returns `None` outside any scope.
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.key
            .try_with(|v| v.borrow().as_ref().map(f))
            .ok()
            .flatten()
    }
}

impl<T: Clone + 'static> TaskLocal<T> {
    /// A copy of the current value.
    ///
    /// # Panics
    ///
    /// Outside any [`scope`](Self::scope) of this value; see [`try_get`](Self::try_get).
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }

    /// A copy of the current value, or `None` outside any scope.
    pub fn try_get(&'static self) -> Option<T> {
        self.try_with(T::clone)
    }

    /// Scopes `future` with a copy of the current value (opt-in inheritance when
    /// spawning: `spawn(LOCAL.inherit(fut))`). Outside any scope, `future` runs without
    /// the value.
    pub fn inherit<F: Future>(&'static self, future: F) -> Inherit<T, F> {
        Inherit {
            local: self,
            value: self.try_get(),
            future,
        }
    }
}

impl<T: 'static> fmt::Debug for TaskLocal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocal").finish_non_exhaustive()
    }
}

/// Puts a value into the thread-local slot for the duration of a poll, and takes it back
/// afterwards, even if the poll panics.
struct Swap<'a, T: 'static> {
    local: &'static TaskLocal<T>,
    slot: &'a mut Option<T>,
}

impl<'a, T: 'static> Swap<'a, T> {
    fn enter(local: &'static TaskLocal<T>, slot: &'a mut Option<T>) -> Self {
        local
            .key
            .with(|v| std::mem::swap(&mut *v.borrow_mut(), slot));
        Swap { local, slot }
    }
}

impl<T: 'static> Drop for Swap<'_, T> {
    fn drop(&mut self) {
        let _ = self
            .local
            .key
            .try_with(|v| std::mem::swap(&mut *v.borrow_mut(), self.slot));
    }
}

pin_project! {
    /// The future of [`TaskLocal::scope`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Scope<T: 'static, F> {
        local: &'static TaskLocal<T>,
        value: Option<T>,
        #[pin]
        future: F,
    }
}

impl<T: 'static, F: Future> Future for Scope<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _swap = Swap::enter(this.local, this.value);
        this.future.poll(cx)
    }
}

impl<T: 'static, F> fmt::Debug for Scope<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

pin_project! {
    /// The future of [`TaskLocal::inherit`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct Inherit<T: 'static, F> {
        local: &'static TaskLocal<T>,
        value: Option<T>,
        #[pin]
        future: F,
    }
}

impl<T: 'static, F: Future> Future for Inherit<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.value.is_none() {
            return this.future.poll(cx);
        }
        let _swap = Swap::enter(this.local, this.value);
        this.future.poll(cx)
    }
}

impl<T: 'static, F> fmt::Debug for Inherit<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inherit").finish_non_exhaustive()
    }
}
