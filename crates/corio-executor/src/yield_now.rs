use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives the loop exactly one turn: every task that was ready before this call runs
/// before this task continues (asyncio's `await asyncio.sleep(0)`).
///
/// It ignores the cooperative budget, so it always yields exactly once. Under another
/// executor it yields once to that executor.
///
/// # Cancel safety
///
/// Cancel-safe: it holds nothing.
///
/// # Examples
///
/// ```
/// use std::{cell::RefCell, rc::Rc};
/// corio_executor::run(async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let l = log.clone();
///     let t = corio_executor::spawn(async move { l.borrow_mut().push("task") });
///     log.borrow_mut().push("main before");
///     corio_executor::yield_now().await; // the task runs here
///     log.borrow_mut().push("main after");
///     assert_eq!(*log.borrow(), ["main before", "task", "main after"]);
/// # t.await.unwrap();
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
