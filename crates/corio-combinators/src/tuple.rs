//! The `gather!` and `try_gather!` macros and the hidden helpers they expand to.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use pin_project_lite::pin_project;

pin_project! {
    /// A child of `gather!`: the future, then its output, then nothing.
    #[doc(hidden)]
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    pub enum MaybeDone<F: Future> {
        Running { #[pin] future: F },
        Done { output: F::Output },
        Gone,
    }
}

impl<F: Future> MaybeDone<F> {
    #[doc(hidden)]
    pub fn new(future: F) -> Self {
        MaybeDone::Running { future }
    }

    /// Polls the future if it is still running; true once it has an output.
    #[doc(hidden)]
    pub fn poll_child(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        if let MaybeDoneProj::Running { future } = self.as_mut().project() {
            match future.poll(cx) {
                Poll::Ready(output) => {
                    self.set(MaybeDone::Done { output });
                }
                Poll::Pending => return false,
            }
        }
        true
    }

    #[doc(hidden)]
    pub fn is_done(&self) -> bool {
        !matches!(self, MaybeDone::Running { .. })
    }

    #[doc(hidden)]
    pub fn take(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Gone) {
            MaybeDoneReplace::Done { output } => output,
            _ => panic!("gather!: output taken before the child completed"),
        }
    }
}

impl<F: Future<Output = Result<T, E>>, T, E> MaybeDone<F> {
    /// Takes the error out if the child failed.
    #[doc(hidden)]
    pub fn take_err(mut self: Pin<&mut Self>) -> Option<E> {
        if matches!(&*self, MaybeDone::Done { output: Err(_) }) {
            if let MaybeDoneReplace::Done { output: Err(e) } =
                self.as_mut().project_replace(MaybeDone::Gone)
            {
                return Some(e);
            }
        }
        None
    }

    #[doc(hidden)]
    pub fn take_ok(self: Pin<&mut Self>) -> T {
        match self.take() {
            Ok(v) => v,
            Err(_) => panic!("try_gather!: a failed child was not reported"),
        }
    }
}

impl<F: Future> fmt::Debug for MaybeDone<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MaybeDone::Running { .. } => "Running",
            MaybeDone::Done { .. } => "Done",
            MaybeDone::Gone => "Gone",
        })
    }
}

struct BitShared {
    bits: AtomicU64,
    parent: Mutex<Option<Waker>>,
}

struct BitWaker {
    bit: u64,
    shared: Arc<BitShared>,
}

impl Wake for BitWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.shared.bits.fetch_or(self.bit, Ordering::AcqRel) == 0 {
            let parent = self
                .shared
                .parent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(w) = parent {
                w.wake();
            }
        }
    }
}

/// Per-child wakers for up to 64 children, as a bit set: a parent poll polls only the
/// children whose bit is set.
#[doc(hidden)]
pub struct TupleWake {
    shared: Arc<BitShared>,
    wakers: Vec<Waker>,
}

impl TupleWake {
    #[doc(hidden)]
    pub fn new(n: usize) -> Self {
        assert!(n <= 64, "gather!/try_gather! take at most 64 futures");
        let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let shared = Arc::new(BitShared {
            bits: AtomicU64::new(all),
            parent: Mutex::new(None),
        });
        let wakers = (0..n)
            .map(|i| {
                Waker::from(Arc::new(BitWaker {
                    bit: 1 << i,
                    shared: shared.clone(),
                }))
            })
            .collect();
        TupleWake { shared, wakers }
    }

    /// Registers the parent's waker and takes the set of woken children.
    #[doc(hidden)]
    pub fn begin(&self, cx: &Context<'_>) -> u64 {
        {
            let mut p = self.shared.parent.lock().unwrap_or_else(|e| e.into_inner());
            match &*p {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *p = Some(cx.waker().clone()),
            }
        }
        self.shared.bits.swap(0, Ordering::AcqRel)
    }

    #[doc(hidden)]
    pub fn waker(&self, k: usize) -> &Waker {
        &self.wakers[k]
    }
}

impl fmt::Debug for TupleWake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TupleWake")
            .field("children", &self.wakers.len())
            .finish()
    }
}

/// asyncio.gather for futures of different types: runs them concurrently and resolves to
/// a tuple of their outputs, in argument order.
///
/// `gather!(a, b, c)` evaluates its arguments at once (like a function call) and gives an
/// anonymous future of `(A::Output, B::Output, C::Output)`. It takes 1 to 64 futures. Each
/// child has its own waker, so a wake-up polls only the child that was woken. For many
/// futures of one type, use [`gather()`](crate::gather()).
///
/// # Cancel safety
///
/// Dropping the future drops every child that has not completed (design decision 3).
///
/// # Examples
///
/// ```
/// use corio_combinators::gather;
///
/// corio_executor::run(async {
///     let (n, s, unit) = gather!(async { 1 }, async { "two" }, std::future::ready(())).await;
///     assert_eq!((n, s, unit), (1, "two", ()));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => { $crate::gather!(@acc [] $($fut,)+) };
    (@acc [$($acc:tt)*] $head:expr, $($rest:expr,)*) => {
        $crate::gather!(@acc [$($acc)* (f $head)] $($rest,)*)
    };
    (@acc [$(($name:ident $fut:expr))+]) => {{
        $( let $name = $crate::__private::MaybeDone::new($fut); )+
        async move {
            $( let mut $name = ::core::pin::pin!($name); )+
            let wake = $crate::__private::TupleWake::new([$(stringify!($name)),+].len());
            ::core::future::poll_fn(|cx| {
                let ready = wake.begin(cx);
                let mut all = true;
                let mut k = 0usize;
                $(
                    if ready & (1u64 << k) != 0 {
                        let mut child_cx = ::core::task::Context::from_waker(wake.waker(k));
                        $name.as_mut().poll_child(&mut child_cx);
                    }
                    all &= $name.is_done();
                    k += 1;
                )+
                let _ = k;
                if all { ::core::task::Poll::Ready(()) } else { ::core::task::Poll::Pending }
            })
            .await;
            ( $( $name.as_mut().take(), )+ )
        }
    }};
}

/// [`gather!`] for fallible futures: resolves to `Ok` with a tuple of every value, or to
/// the **first** error, at once.
///
/// Every argument yields a `Result<_, E>` with the same error type `E`. On the first
/// error the others are dropped (design decision 3).
///
/// # Cancel safety
///
/// Dropping the future drops every child that has not completed.
///
/// # Examples
///
/// ```
/// use corio_combinators::try_gather;
///
/// corio_executor::run(async {
///     let ok = try_gather!(async { Ok::<_, &str>(1) }, async { Ok("two") }).await;
///     assert_eq!(ok, Ok((1, "two")));
///     let err = try_gather!(async { Ok::<u8, &str>(1) }, async { Err::<(), _>("no") }).await;
///     assert_eq!(err, Err("no"));
/// });
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($fut:expr),+ $(,)?) => { $crate::try_gather!(@acc [] $($fut,)+) };
    (@acc [$($acc:tt)*] $head:expr, $($rest:expr,)*) => {
        $crate::try_gather!(@acc [$($acc)* (f $head)] $($rest,)*)
    };
    (@acc [$(($name:ident $fut:expr))+]) => {{
        $( let $name = $crate::__private::MaybeDone::new($fut); )+
        async move {
            $( let mut $name = ::core::pin::pin!($name); )+
            let wake = $crate::__private::TupleWake::new([$(stringify!($name)),+].len());
            let first_err = ::core::future::poll_fn(|cx| {
                let ready = wake.begin(cx);
                let mut all = true;
                let mut k = 0usize;
                $(
                    if ready & (1u64 << k) != 0 {
                        let mut child_cx = ::core::task::Context::from_waker(wake.waker(k));
                        $name.as_mut().poll_child(&mut child_cx);
                        if let ::core::option::Option::Some(e) = $name.as_mut().take_err() {
                            return ::core::task::Poll::Ready(::core::option::Option::Some(e));
                        }
                    }
                    all &= $name.is_done();
                    k += 1;
                )+
                let _ = k;
                if all {
                    ::core::task::Poll::Ready(::core::option::Option::None)
                } else {
                    ::core::task::Poll::Pending
                }
            })
            .await;
            match first_err {
                ::core::option::Option::Some(e) => ::core::result::Result::Err(e),
                ::core::option::Option::None => {
                    ::core::result::Result::Ok(( $( $name.as_mut().take_ok(), )+ ))
                }
            }
        }
    }};
}
