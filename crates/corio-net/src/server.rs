//! asyncio's `start_server`: a listener whose connections each get a handler task.

use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Weak;
use std::task::{Poll, Waker};
use std::time::Duration;

use corio_core::SpawnedTask;
use slab::Slab;

use crate::context;
use crate::delay::{self, Delay};
use crate::stream::StreamCore;
use crate::streams::{StreamReader, StreamWriter};
use crate::tcp::{TcpListener, TcpReadHalf, TcpWriteHalf};

/// asyncio's `start_server`: listens on `addr` and, for each connection, spawns a task
/// running `handler(reader, writer)`.
///
/// Tasks are spawned through the current executor's [`corio_core::Spawn`] hook (as
/// `!Send` tasks on this thread, so the handler may hold `Rc`s), which works on corio's
/// single-thread loop and on a worker of its multi-thread executor. The accept loop is a
/// task too: the server runs until [`Server::close`] or [`Server::shutdown`], even if the
/// [`Server`] is dropped.
///
/// # Errors
///
/// When binding fails (with the address in the message), or when no corio executor runs
/// on this thread.
///
/// # Cancel safety
///
/// Binding and spawning happen on the first poll, without waiting.
///
/// # Examples
///
/// ```
/// use corio_net::{open_connection, start_server};
/// use std::time::Duration;
///
/// corio_executor::run(async {
///     let server = start_server("127.0.0.1:0", |mut r, mut w| async move {
///         let mut name = String::new();
///         r.read_line(&mut name).await.unwrap();
///         w.write_all(format!("hello, {name}").as_bytes()).await.unwrap();
///     })
///     .await?;
///     let (mut r, mut w) = open_connection(server.local_addr()?).await?;
///     w.write_all(b"corio\n").await?;
///     let mut reply = String::new();
///     r.read_line(&mut reply).await?;
///     assert_eq!(reply, "hello, corio\n");
///     server.shutdown(Duration::from_secs(1)).await?;
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub async fn start_server<A, F, Fut>(addr: A, handler: F) -> io::Result<Server>
where
    A: ToSocketAddrs,
    F: Fn(StreamReader<TcpReadHalf>, StreamWriter<TcpWriteHalf>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    start_server_with(addr, ServerOptions::new(), handler).await
}

/// [`start_server`] with [`ServerOptions`] (an idle timeout, say).
///
/// # Errors
///
/// As [`start_server`].
///
/// # Cancel safety
///
/// As [`start_server`].
///
/// # Examples
///
/// A client that connects and then says nothing is disconnected after the idle timeout,
/// and its handler is released:
///
/// ```
/// use corio_net::{ServerOptions, TcpStream, start_server_with};
/// use std::time::{Duration, Instant};
///
/// corio_executor::Builder::new()
///     .driver(|_| Box::new(corio_net::IoDriver::new().unwrap()))
///     .run(async {
///         let options = ServerOptions::new().idle_timeout(Duration::from_millis(50));
///         let server = start_server_with("127.0.0.1:0", options, |mut r, w| async move {
///             let _w = w; // kept open while the handler runs
///             let mut line = String::new();
///             let _ = r.read_line(&mut line).await; // waits for a line that never comes
///         })
///         .await?;
///         let connected = Instant::now();
///         let mut silent = TcpStream::connect(server.local_addr()?).await?;
///         // The server closes the connection: the client reads end-of-file.
///         let mut rest = Vec::new();
///         futures::AsyncReadExt::read_to_end(&mut silent, &mut rest).await?;
///         assert!(rest.is_empty());
///         assert!(connected.elapsed() >= Duration::from_millis(50));
///         assert_eq!(server.active_handlers(), 0);
///         std::io::Result::Ok(())
///     })
///     .unwrap();
/// ```
pub async fn start_server_with<A, F, Fut>(
    addr: A,
    options: ServerOptions,
    handler: F,
) -> io::Result<Server>
where
    A: ToSocketAddrs,
    F: Fn(StreamReader<TcpReadHalf>, StreamWriter<TcpWriteHalf>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let shared = Rc::new(Shared {
        handlers: RefCell::new(Slab::new()),
        idle: RefCell::new(None),
    });
    let s = shared.clone();
    let accept = corio_core::context::spawn_local(Box::pin(async move {
        accept_loop(listener, s, options, handler).await;
    }))
    .map_err(|e| io::Error::other(format!("start_server on {local_addr}: {e}")))?;
    Ok(Server {
        local_addr,
        shared,
        accept: Some(accept),
    })
}

/// Options of a server started by [`start_server_with`]; [`start_server`] uses the
/// defaults.
///
/// # Examples
///
/// ```
/// use corio_net::ServerOptions;
/// use std::time::Duration;
///
/// let options = ServerOptions::new().idle_timeout(Duration::from_secs(60));
/// assert_eq!(options.get_idle_timeout(), Some(Duration::from_secs(60)));
/// assert_eq!(ServerOptions::default().get_idle_timeout(), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerOptions {
    idle_timeout: Option<Duration>,
}

impl ServerOptions {
    /// The defaults: no idle timeout.
    ///
    /// # Examples
    ///
    /// See [`ServerOptions`].
    pub fn new() -> Self {
        ServerOptions { idle_timeout: None }
    }

    /// Disconnects a connection on which no byte has moved, in either direction, for
    /// `idle`: its handler is cancelled (its future dropped, which closes the socket; bytes
    /// still buffered in its [`StreamWriter`] are not sent). Off by default.
    ///
    /// Any read or write that moves at least one byte counts as activity, so a handler
    /// streaming a long response to a client that sends nothing is not idle, while a
    /// handler waiting for a client that sends nothing is, whatever else it awaits. The
    /// connection is watched in steps of a quarter of `idle` (at least 1 ms): it is closed
    /// no sooner than `idle` after its last byte (or after it was accepted), and no later
    /// than about `1.25 * idle` after. A zero `idle` counts as 1 ms.
    ///
    /// The checks run on the loop's timer (a paused virtual clock governs them), like
    /// [`connect_timeout`](crate::TcpStream::connect_timeout)'s deadline; see the crate
    /// docs' *Timeouts*.
    ///
    /// # Examples
    ///
    /// See [`start_server_with`].
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = Some(idle.max(Duration::from_millis(1)));
        self
    }

    /// The idle timeout, if any.
    ///
    /// # Examples
    ///
    /// See [`ServerOptions`].
    pub fn get_idle_timeout(&self) -> Option<Duration> {
        self.idle_timeout
    }
}

struct Shared {
    /// The running handlers; `None` for the moment between spawning and storing a task.
    handlers: RefCell<Slab<Option<SpawnedTask>>>,
    /// Woken each time a handler ends.
    idle: RefCell<Option<Waker>>,
}

/// Removes a handler's entry when its task ends (completed, panicked or cancelled).
struct Done {
    shared: Rc<Shared>,
    key: usize,
}

impl Drop for Done {
    fn drop(&mut self) {
        let task = self.shared.handlers.borrow_mut().try_remove(self.key);
        drop(task);
        if let Some(w) = self.shared.idle.borrow_mut().take() {
            w.wake();
        }
    }
}

async fn accept_loop<F, Fut>(
    listener: TcpListener,
    shared: Rc<Shared>,
    options: ServerOptions,
    handler: F,
) where
    F: Fn(StreamReader<TcpReadHalf>, StreamWriter<TcpWriteHalf>) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors or memory, or a connection reset before it was
                // accepted: back off briefly instead of spinning, then go on.
                let when = delay::now() + Duration::from_millis(50);
                Delay::new(context::current(), when).await;
                continue;
            }
        };
        let activity = stream.activity();
        let (r, w) = stream.split();
        let fut = handler(StreamReader::new(r), StreamWriter::new(w));
        let key = shared.handlers.borrow_mut().insert(None);
        let done = Done {
            shared: shared.clone(),
            key,
        };
        let spawned = corio_core::context::spawn_local(Box::pin(async move {
            let _done = done;
            match options.idle_timeout {
                None => fut.await,
                Some(idle) => until_idle(fut, activity, idle).await,
            }
        }));
        match spawned {
            Ok(task) => {
                if let Some(slot) = shared.handlers.borrow_mut().get_mut(key) {
                    *slot = Some(task);
                }
            }
            // The executor is shutting down: so is the server.
            Err(_) => return,
        }
    }
}

/// Runs `handler` until it ends, or until no byte has moved on its connection for `idle`
/// (then it is dropped).
///
/// Rather than reading the clock on every read and write, the streams count the operations
/// that moved bytes and this looks at the count every quarter of `idle`: after enough
/// checks in a row that saw no change to cover `idle`, the last byte is at least `idle`
/// old.
async fn until_idle(
    handler: impl Future<Output = ()>,
    activity: Weak<StreamCore<std::net::TcpStream>>,
    idle: Duration,
) {
    let step = (idle / 4).max(Duration::from_millis(1));
    let quiet_needed = idle.as_nanos().div_ceil(step.as_nanos()).max(1);
    let reactor = context::current();
    let mut handler = pin!(handler);
    let mut seen = activity.upgrade().map(|c| c.moved());
    let mut quiet = 0;
    let mut check = Delay::new(reactor.clone(), delay::now() + step);
    poll_fn(|cx| {
        if handler.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        while seen.is_some() && Pin::new(&mut check).poll(cx).is_ready() {
            let now = activity.upgrade().map(|c| c.moved());
            if now.is_some() && now == seen {
                quiet += 1;
                if quiet >= quiet_needed {
                    return Poll::Ready(()); // idle: `handler` is dropped
                }
            } else {
                quiet = 0;
            }
            // `None`: the handler dropped both halves; the connection is closed already,
            // so there is nothing left to watch.
            seen = now;
            check = Delay::new(reactor.clone(), delay::now() + step);
        }
        Poll::Pending
    })
    .await
}

/// A running server, from [`start_server`].
///
/// Dropping it does not stop the server; [`close`](Self::close) stops accepting and
/// [`shutdown`](Self::shutdown) also waits for the handlers.
///
/// # Examples
///
/// See [`start_server`].
pub struct Server {
    local_addr: SocketAddr,
    shared: Rc<Shared>,
    accept: Option<SpawnedTask>,
}

impl Server {
    /// The address the server listens on.
    ///
    /// # Errors
    ///
    /// Never, today; the `Result` mirrors the sockets' `local_addr`.
    ///
    /// # Examples
    ///
    /// See [`start_server`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }

    /// How many handlers are running.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let server = corio_net::start_server("127.0.0.1:0", |_, _| async {}).await.unwrap();
    ///     assert_eq!(server.active_handlers(), 0);
    /// });
    /// ```
    pub fn active_handlers(&self) -> usize {
        self.shared.handlers.borrow().len()
    }

    /// Whether the server still accepts connections.
    ///
    /// # Examples
    ///
    /// See [`close`](Self::close).
    pub fn is_serving(&self) -> bool {
        self.accept.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops accepting: the listening socket is closed when the loop next runs the accept
    /// task (before [`shutdown`](Self::shutdown) returns, if called). Running handlers go
    /// on.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut server = corio_net::start_server("127.0.0.1:0", |_, _| async {}).await.unwrap();
    ///     assert!(server.is_serving());
    ///     server.close();
    ///     assert!(!server.is_serving());
    /// });
    /// ```
    pub fn close(&mut self) {
        if let Some(t) = self.accept.take() {
            t.abort();
        }
    }

    /// Stops accepting, then waits up to `grace` for the running handlers to finish;
    /// handlers still running then are cancelled (their futures dropped), and waited for.
    ///
    /// The grace period runs on the loop's timer (see the crate docs' *Timeouts*): under a
    /// paused virtual clock, an hour of grace passes as soon as the loop is idle.
    ///
    /// # Errors
    ///
    /// `TimedOut` when some handlers had to be cancelled (the message says how many).
    ///
    /// # Cancel safety
    ///
    /// The server stops accepting at the first poll; dropping the future afterwards leaves
    /// the handlers running.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_net::{TcpStream, start_server};
    /// use std::time::Duration;
    ///
    /// corio_executor::run(async {
    ///     // A handler that never ends by itself:
    ///     let server = start_server("127.0.0.1:0", |mut r, _w| async move {
    ///         let _ = r.read_to_end(&mut Vec::new()).await;
    ///     }).await.unwrap();
    ///     let _client = TcpStream::connect(server.local_addr().unwrap()).await.unwrap();
    ///     while server.active_handlers() == 0 {
    ///         corio_executor::yield_now().await;
    ///     }
    ///     let err = server.shutdown(Duration::from_millis(20)).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    /// });
    /// ```
    pub async fn shutdown(mut self, grace: Duration) -> io::Result<()> {
        let deadline = delay::now().checked_add(grace);
        if let Some(t) = self.accept.take() {
            t.abort();
            let _ = t.await;
        }
        let mut delay = deadline.map(|d| Delay::new(context::current(), d));
        let timed_out = poll_fn(|cx| {
            if self.shared.handlers.borrow().is_empty() {
                return Poll::Ready(false);
            }
            *self.shared.idle.borrow_mut() = Some(cx.waker().clone());
            match &mut delay {
                Some(d) => Pin::new(d).poll(cx).map(|()| true),
                None => Poll::Pending,
            }
        })
        .await;
        if !timed_out {
            return Ok(());
        }
        let left: Vec<SpawnedTask> = self
            .shared
            .handlers
            .borrow_mut()
            .iter_mut()
            .filter_map(|(_, t)| t.take())
            .collect();
        let n = left.len();
        for t in &left {
            t.abort();
        }
        for t in left {
            let _ = t.await;
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "server on {}: {n} handler(s) still running after {grace:?} were cancelled",
                self.local_addr
            ),
        ))
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("serving", &self.is_serving())
            .field("active_handlers", &self.active_handlers())
            .finish()
    }
}
