//! The I/O driver: the bottom layer of a loop's driver stack.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use corio_core::{Driver, Enter, Entry, Unpark, Unparker};

use crate::reactor::{self, Reactor};

/// A [`Driver`] that waits in the operating system's poller (epoll on Linux, kqueue on
/// macOS and the BSDs, through the `polling` crate) and wakes the tasks whose sockets
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
                    reactor::set_current(prev);
                }
            }
        }
        let _restore = Restore(Some(reactor::set_current(Some(self.0.clone()))));
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
        })
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
        Reactor::current().kept_deadlines()
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
        reactor::has_current()
    }
}

impl Driver for IoDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        self.woke = self.reactor.poll(timeout);
    }

    fn woke_tasks(&self) -> bool {
        self.woke
    }

    fn unparker(&self) -> Unparker {
        Unparker::new(Arc::new(Notify(self.reactor.clone())))
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

/// The unparker: the poller's notification.
struct Notify(Arc<Reactor>);

impl Unpark for Notify {
    fn unpark(&self) {
        self.0.notify();
    }
}
