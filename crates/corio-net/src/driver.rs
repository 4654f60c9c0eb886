//! The I/O driver: the bottom layer of a loop's driver stack.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use corio_core::{Driver, Enter, Entry, ThreadParker, Unpark, Unparker};

use crate::context;
use crate::reactor::Reactor;

/// A [`Driver`] that waits in the operating system's poller (epoll on Linux, kqueue on
/// macOS and the BSDs, through the `mio` crate) and wakes the tasks whose sockets
/// became ready.
///
/// It is the **bottom** of a driver stack: it replaces the loop's
/// [`ThreadParker`](corio_core::ThreadParker) rather than wrapping it. Its
/// [`park`](Driver::park) is one `epoll_wait` with the given timeout (so a timer layer on
/// top, such as `corio_timer::TimerDriver<IoDriver>`, makes timers and I/O share one
/// wait); its [`unparker`](Driver::unparker) is the poller's notification (an eventfd or a
/// pipe), and its [`entry`](Driver::entry)
/// makes it the current reactor of the thread while the loop runs, so the sockets created
/// there register with it.
///
/// Sockets created on a thread with no `IoDriver` entered (a multi-thread executor's
/// workers, a tokio or smol runtime, a plain thread) register with a global fallback
/// reactor that runs on its own thread, started on first use. A socket stays with the
/// reactor it was created under: one created inside a loop is served only while that loop
/// runs (which is when its tasks can make progress anyway).
///
/// Several threads can share one reactor ([`share`](IoDriver::share)): the `corio`
/// facade's multi-thread executor gives all its workers one, so that a socket accepted by
/// one worker is served by whichever worker is idle, as tokio's workers share one I/O
/// driver. Measured under `wrk` on the HTTP server benchmark with two workers: one
/// reactor per worker made the accepting worker the only one that ever looked at the
/// connections' events. A sharing driver that finds another thread in the poller sleeps
/// on its own parker for at most 10 ms at a time, then looks again: if the thread that
/// left the poller is stuck in a blocking call, the others take the poller over.
///
/// # Examples
///
/// A loop with an I/O driver:
///
/// ```
/// use corio_net::{IoDriver, TcpListener, TcpStream};
///
/// let ex = corio_executor::Builder::new()
///     .driver(|_parker| Box::new(IoDriver::new().unwrap()))
///     .build_local();
/// ex.run(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let client = TcpStream::connect(addr).await.unwrap();
///     let (server, _) = listener.accept().await.unwrap();
///     assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
/// });
/// ```
///
/// With corio-timer's wheel on top (what the `corio` facade builds):
///
/// ```
/// use corio_net::{IoDriver, UdpSocket};
/// use corio_timer::{TimerDriver, sleep};
/// use std::time::Duration;
///
/// let ex = corio_executor::Builder::new()
///     .driver(|_parker| Box::new(TimerDriver::new(IoDriver::new().unwrap())))
///     .build_local();
/// ex.run(async {
///     let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     let addr = socket.local_addr().unwrap();
///     let _sender = corio_executor::spawn(async move {
///         sleep(Duration::from_millis(10)).await; // a timer...
///         let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///         s.send_to(b"late", addr).await.unwrap();
///     });
///     let mut buf = [0; 8];
///     let (n, _) = socket.recv_from(&mut buf).await.unwrap(); // ...and I/O, one wait
///     assert_eq!(&buf[..n], b"late");
/// });
/// ```
pub struct IoDriver {
    reactor: Arc<Reactor>,
    /// Whether the last park dispatched an event or a deadline to a task.
    woke: bool,
    /// What `entry` hands out (made once: entering costs a reference count).
    entry: Entry,
    /// Set when this driver shares its reactor with other threads' drivers.
    sharing: Option<Sharing>,
}

/// A sharing driver's half of the protocol (its flags, which its unparker also holds) and
/// the parker it sleeps on while another thread is in the poller.
struct Sharing {
    member: Arc<Member>,
    parker: ThreadParker,
    /// Made by [`IoDriver::share_passive`]: never waits in the poller.
    passive: bool,
}

/// How long a sharing driver sleeps on its parker before it looks whether the poller is
/// free again (the longest a socket waits when the thread that left the poller is blocked
/// in a task). Waking a driver each time another leaves the poller instead kept both
/// workers of the HTTP benchmark ping-ponging through `epoll_wait`: 0.73 calls per request
/// against tokio's 0.02 (`strace -c` under wrk).
const POLLER_CHECK: Duration = Duration::from_millis(10);

/// A driver that shares its reactor: how to wake it (it sleeps in the poller when no
/// other sharing driver is there, else on its own parker).
struct Member {
    /// Its parker's unparker.
    unparker: Unparker,
    /// Its thread is in (or about to enter) the poller: an unpark must go through the
    /// poller's notification.
    in_poll: AtomicBool,
    /// An unpark came since its last park returned.
    notified: AtomicBool,
}

impl Member {
    fn unpark(&self, reactor: &Reactor) {
        self.notified.store(true, Ordering::SeqCst);
        self.unparker.unpark();
        if self.in_poll.load(Ordering::SeqCst) {
            reactor.notify();
        }
    }
}

/// The [`Enter`] of an [`IoDriver`]: its reactor as the thread's current one.
struct IoEntry(Arc<Reactor>);

impl Enter for IoEntry {
    fn scope(&self, f: &mut dyn FnMut()) {
        /// Puts back the reactor this entry replaced, also when `f` unwinds.
        struct Restore(Option<Option<Arc<Reactor>>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                if let Some(prev) = self.0.take() {
                    context::set_current(prev);
                }
            }
        }
        let _restore = Restore(Some(context::set_current(Some(self.0.clone()))));
        f();
    }
}

impl IoDriver {
    /// A driver with a new poller.
    ///
    /// # Errors
    ///
    /// When the operating system refuses a new poller (out of file descriptors, say).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::Driver;
    /// use std::time::Duration;
    ///
    /// let mut driver = corio_net::IoDriver::new()?;
    /// driver.unparker().unpark(); // remembered...
    /// driver.park(None);          // ...so this returns at once
    /// driver.park(Some(Duration::from_millis(1)));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<IoDriver> {
        let reactor = Arc::new(Reactor::new()?);
        Ok(IoDriver {
            entry: Entry::new(Arc::new(IoEntry(reactor.clone()))),
            reactor,
            woke: false,
            sharing: None,
        })
    }

    /// Another driver on this driver's reactor, for another thread: the sockets created
    /// under either are served by whichever of them waits in the poller. A driver that
    /// finds another thread in the poller sleeps on `parker` instead (and its unparker
    /// wakes it there or in the poller, wherever it is). Use one for each worker of an
    /// executor whose tasks move between threads; this driver itself keeps parking as it
    /// did, so give every thread a shared one and keep this one only as the source.
    ///
    /// While no socket is registered, a shared driver parked with a timeout waits in
    /// the poller for its whole milliseconds only (the poller rounds up to the next one)
    /// and sleeps the rest on `parker`, then looks at the poller without waiting: a timer
    /// layer above it wakes on time, not up to a millisecond late.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    /// use corio_net::{IoDriver, UdpSocket};
    ///
    /// let source = IoDriver::new()?;
    /// let a = source.share(ThreadParker::new());
    /// let b = source.share(ThreadParker::new());
    /// // A socket created under `a` is registered with the reactor `b` polls too.
    /// a.entry().scope(|| -> std::io::Result<()> {
    ///     let _socket = UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    ///     assert_eq!(b.registered(), 1);
    ///     Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn share(&self, parker: ThreadParker) -> IoDriver {
        let member = Arc::new(Member {
            unparker: parker.unparker(),
            in_poll: AtomicBool::new(false),
            notified: AtomicBool::new(false),
        });
        IoDriver {
            entry: self.entry.clone(),
            reactor: self.reactor.clone(),
            woke: false,
            sharing: Some(Sharing {
                member,
                parker,
                passive: false,
            }),
        }
    }

    /// Like [`share`](Self::share), for a thread that should leave the poller to the
    /// others: it always sleeps on `parker`, and only when a sleep ends without an
    /// unpark (every 10 ms at most) does it dispatch, without waiting, whatever events
    /// no other thread has collected. The `corio` facade gives this to a thread calling a
    /// multi-thread executor's `block_on`, which tokio's `block_on` does the same way
    /// (its workers drive the I/O): when that thread waited in the poller like a worker,
    /// it was the idle thread that always got there first, and every event went through
    /// it to a worker: under wrk with two workers, 23 000 `epoll_wait` calls and 19 000
    /// context switches in 3 s on that thread alone. The look every 10 ms keeps its own
    /// sockets served when every worker is stuck in a blocking call.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker};
    /// use std::time::Duration;
    ///
    /// let source = corio_net::IoDriver::new()?;
    /// let mut main = source.share_passive(ThreadParker::new());
    /// main.unparker().unpark(); // remembered...
    /// main.park(None);          // ...so this returns at once
    /// main.park(Some(Duration::from_millis(1)));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn share_passive(&self, parker: ThreadParker) -> IoDriver {
        let mut driver = self.share(parker);
        if let Some(sharing) = &mut driver.sharing {
            sharing.passive = true;
        }
        driver
    }

    /// A passive sharing driver's park: on its parker, then a look at the poller
    /// without waiting if nothing unparked it.
    fn park_passive(reactor: &Reactor, sharing: &mut Sharing, timeout: Option<Duration>) -> bool {
        let Sharing { member, parker, .. } = sharing;
        if !member.notified.swap(false, Ordering::SeqCst) {
            let bounded = timeout.map_or(POLLER_CHECK, |t| t.min(POLLER_CHECK));
            parker.park(Some(bounded));
            if !member.notified.swap(false, Ordering::SeqCst) {
                return reactor
                    .try_poll(Some(Duration::ZERO), || true)
                    .unwrap_or(false);
            }
        }
        // Unparked: drop the parker's token (if the park above did not take it) and
        // return at once.
        parker.park(Some(Duration::ZERO));
        false
    }

    /// A sharing driver's park: in the poller if no other sharing driver is there,
    /// else on its own parker.
    fn park_shared(reactor: &Reactor, sharing: &mut Sharing, timeout: Option<Duration>) -> bool {
        if sharing.passive {
            return Self::park_passive(reactor, sharing, timeout);
        }
        // The poller counts its timeout in whole milliseconds, rounded up (epoll_wait):
        // waits for the timer wheel's next tick, mostly below a millisecond, overslept by
        // up to one (a wait of 10 us took 1.085 ms), and 10 000 one-millisecond timeouts
        // on two workers fired 1.09 ms after their tick on average (0.42 ms without the
        // rounding). So, when no socket or reactor deadline could need the poller, it
        // waits only the whole milliseconds of a timeout, and the rest is slept on the
        // parker (a futex, exact to microseconds), followed by a look at the poller
        // without waiting, as the passive driver does. With sockets registered, the
        // poller keeps the whole wait: an event must not sit unseen for that remainder
        // while every worker sleeps on its parker.
        let whole = match timeout {
            Some(t)
                if t.subsec_nanos() % 1_000_000 != 0
                    && reactor.live_sources() == 0
                    && reactor.kept_deadlines() == 0 =>
            {
                Some(Duration::from_millis(
                    u64::try_from(t.as_millis()).unwrap_or(u64::MAX),
                ))
            }
            _ => timeout,
        };
        if whole == Some(Duration::ZERO) && timeout != Some(Duration::ZERO) {
            return Self::park_passive(reactor, sharing, timeout);
        }
        let rest_until = match (timeout, whole) {
            (Some(t), Some(w)) if t > w => Instant::now().checked_add(t),
            _ => None,
        };
        let Sharing { member, parker, .. } = sharing;
        if member.notified.swap(false, Ordering::SeqCst) {
            // Unparked since the last park: return at once (and drop the parker's token).
            parker.park(Some(Duration::ZERO));
            return false;
        }
        // "In the poller" is announced before the last look at `notified`; an unparker
        // sets `notified` before it looks at `in_poll`. So either this thread sees the
        // unpark here, or the unparker sees it in the poller and notifies the poller.
        let polled = reactor.try_poll(whole, || {
            member.in_poll.store(true, Ordering::SeqCst);
            !member.notified.load(Ordering::SeqCst)
        });
        member.in_poll.store(false, Ordering::SeqCst);
        let woke = match polled {
            Some(woke) => woke,
            // Another member waits in the poller and dispatches what arrives. It may
            // leave it to run tasks and then block in one (a blocking call in async code):
            // wake up now and then to take the poller over if it is free, so that events
            // are never left waiting for a blocked thread for longer than this.
            None => {
                let bounded = timeout.map_or(POLLER_CHECK, |t| t.min(POLLER_CHECK));
                parker.park(Some(bounded));
                false
            }
        };
        // What unparked this thread is answered by returning.
        if member.notified.swap(false, Ordering::SeqCst) {
            parker.park(Some(Duration::ZERO));
            return woke;
        }
        if let (Some(false), Some(until)) = (polled, rest_until) {
            // The poller timed out on the whole milliseconds: sleep the rest exactly.
            let left = until.saturating_duration_since(Instant::now());
            if !left.is_zero() {
                return Self::park_passive(reactor, sharing, Some(left));
            }
        }
        woke
    }

    /// How many sockets are registered with this driver now.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_net::{IoDriver, UdpSocket};
    /// use corio_core::Driver;
    ///
    /// let driver = IoDriver::new()?;
    /// driver.entry().scope(|| { // what a loop does while it runs
    ///     let socket = UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0")?)?;
    ///     assert_eq!(driver.registered(), 1);
    ///     drop(socket);
    ///     assert_eq!(driver.registered(), 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn registered(&self) -> usize {
        self.reactor.live_sources()
    }

    /// How many deadlines (connect timeouts, shutdown grace periods) the reactor of this
    /// thread keeps, counting cancelled ones not yet collected; for tests that check the
    /// count stays bounded under churn.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::Builder::new()
    ///     .driver(|_| Box::new(corio_net::IoDriver::new().unwrap()))
    ///     .run(async { assert_eq!(corio_net::IoDriver::current_deadlines(), 0) });
    /// ```
    #[doc(hidden)]
    pub fn current_deadlines() -> usize {
        context::current().kept_deadlines()
    }

    /// Whether an `IoDriver` is entered on this thread (otherwise sockets created here use
    /// the global fallback reactor).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!corio_net::IoDriver::is_entered());
    /// corio_executor::Builder::new()
    ///     .driver(|_| Box::new(corio_net::IoDriver::new().unwrap()))
    ///     .run(async { assert!(corio_net::IoDriver::is_entered()) });
    /// ```
    pub fn is_entered() -> bool {
        context::has_current()
    }
}

impl Driver for IoDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        self.woke = match &mut self.sharing {
            None => self.reactor.poll(timeout),
            Some(sharing) => Self::park_shared(&self.reactor, sharing, timeout),
        };
    }

    fn woke_tasks(&self) -> bool {
        self.woke
    }

    fn unparker(&self) -> Unparker {
        match &self.sharing {
            None => Unparker::new(Arc::new(Notify(self.reactor.clone()))),
            Some(sharing) => Unparker::new(Arc::new(SharedNotify {
                reactor: self.reactor.clone(),
                member: sharing.member.clone(),
            })),
        }
    }

    fn entry(&self) -> Entry {
        self.entry.clone()
    }
}

impl fmt::Debug for IoDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoDriver")
            .field("reactor", &self.reactor)
            .finish()
    }
}

/// The unparker of a driver that shares its reactor: its parker's token, and the
/// poller's notification when its thread is in the poller.
struct SharedNotify {
    reactor: Arc<Reactor>,
    member: Arc<Member>,
}

impl Unpark for SharedNotify {
    fn unpark(&self) {
        self.member.unpark(&self.reactor);
    }
}

/// The unparker: the poller's notification.
struct Notify(Arc<Reactor>);

impl Unpark for Notify {
    fn unpark(&self) {
        self.0.notify();
    }
}
