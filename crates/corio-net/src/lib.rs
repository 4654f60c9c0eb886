//! asyncio's network half for Rust: an I/O driver for corio's loop, TCP, UDP and Unix
//! sockets, and the `open_connection` / `start_server` helpers.
//!
//! - [`IoDriver`]: the reactor, as the bottom layer of a loop's driver stack (epoll on
//!   Linux, kqueue on macOS and the BSDs, through the `mio` crate). Without one, sockets
//!   use a global fallback reactor thread, so they work on any executor.
//! - [`TcpListener`], [`TcpStream`] (with [`TcpReadHalf`] / [`TcpWriteHalf`]),
//!   [`UdpSocket`], and on Unix [`UnixListener`], [`UnixStream`] (with [`UnixReadHalf`] /
//!   [`UnixWriteHalf`]). Streams are `futures_io::AsyncRead` + `AsyncWrite`.
//! - [`AsyncFd`]: any other non-blocking descriptor (a pipe, a pidfd, a terminal) on the
//!   same reactor, with readiness waits and `AsyncRead` / `AsyncWrite` for std's
//!   `Read` / `Write` types; corio-process and corio-signal build on it.
//! - asyncio's streams: [`open_connection`] returns a buffered [`StreamReader`] and a
//!   [`StreamWriter`]; [`start_server`] runs a handler task per connection and returns a
//!   [`Server`] with a graceful [`Server::shutdown`].
//!
//! # Readiness
//!
//! Sockets are registered once, edge-triggered, for both directions; an operation is
//! always tried first and a task sleeps only after it said `WouldBlock`. Each direction of
//! each socket keeps its own wakers: a readable event wakes the readers of that socket
//! and nobody else. The poller is mio's (epoll, kqueue): one system call per wait.
//!
//! # Timeouts
//!
//! The crate depends on no timer crate. Its few deadlines ([`TcpStream::connect_timeout`],
//! [`Server::shutdown`]'s grace period, the server's idle timeout) go to the timer of the
//! loop they run on, found through corio-core's clock hook, so a paused virtual clock
//! governs them like every other deadline; where no corio timer runs (under another
//! runtime) the reactor keeps them itself. For
//! anything else wrap the future in a timer (`corio::wait_for(stream.read(..), d)`);
//! dropping any of this crate's futures is safe (see each method's *Cancel safety*).
//!
//! # Examples
//!
//! An echo server and a client, on a loop with an I/O driver:
//!
//! ```
//! use corio_net::{IoDriver, open_connection, start_server};
//!
//! let ex = corio_executor::Builder::new()
//!     .driver(|_| Box::new(IoDriver::new().unwrap()))
//!     .build_local();
//! ex.run(async {
//!     let server = start_server("127.0.0.1:0", |mut reader, mut writer| async move {
//!         let mut line = String::new();
//!         while reader.read_line(&mut line).await.unwrap_or(0) > 0 {
//!             writer.write_all(line.as_bytes()).await.ok();
//!             line.clear();
//!         }
//!     })
//!     .await?;
//!     let (mut reader, mut writer) = open_connection(server.local_addr()?).await?;
//!     writer.write_all(b"hello\n").await?;
//!     let mut line = String::new();
//!     reader.read_line(&mut line).await?;
//!     assert_eq!(line, "hello\n");
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```
//!
//! # When not to use this crate
//!
//! Applications want the `corio` facade, which installs the driver stack. Windows is not
//! supported yet (the sockets are built on file descriptors).
//!
//! The corio book, in the repository's `docs/` directory (this crate: `docs/src/networking.md`),
//! explains this crate to someone coming from asyncio. It is not published online: build
//! and read it with `mdbook serve docs` (`cargo install --locked mdbook` first).
#![forbid(unsafe_code)]

// The modules form a ladder (scripts/check_ladder.py): each imports only from its own
// rung or lower ones, and no two on one rung import each other.
//
// rung 0: leaves: address resolution, the call graph's wait records.
mod addr;
mod wait_record;
// rung 1: the reactor: the poller, its sources, the deadlines it keeps off a corio loop.
mod reactor;
// rung 2: the thread's current reactor and the fallback one; deadlines (`Delay`).
mod context;
mod delay;
// rung 3: the driver a loop turns; registered I/O, plain and `AsyncFd`.
mod async_fd;
mod driver;
mod io;
// rung 4: what the byte streams share (connect, timeouts); UDP.
mod stream;
mod udp;
// rung 5: TCP and Unix sockets.
mod tcp;
#[cfg(unix)]
mod unix;
// rung 6: asyncio's stream reader and writer over TCP.
mod streams;
// rung 7: `start_server` and its `Server`.
mod server;

pub use async_fd::{AsyncFd, Interest, Ready};
pub use driver::IoDriver;
pub use server::{Server, ServerOptions, start_server, start_server_with};
pub use streams::{StreamReader, StreamWriter, open_connection};
pub use tcp::{Incoming, TcpListener, TcpReadHalf, TcpStream, TcpWriteHalf};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixListener, UnixReadHalf, UnixStream, UnixWriteHalf};
