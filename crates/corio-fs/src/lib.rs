//! Files, directories and the standard streams for corio: asyncio's
//! `await asyncio.to_thread(open(p).read)` and aiofiles, as blocking I/O on a pool.
//!
//! There is no portable way to read a regular file without blocking (epoll says a file is
//! always ready; io_uring is Linux-only and young), so this crate does what tokio::fs,
//! async-fs and asyncio's `to_thread` do: each operation runs on corio's bounded
//! [blocking pool](corio_executor::BlockingPool), and the loop's thread goes on with other
//! tasks meanwhile. What it adds is batching: a [`File`] reads in large chunks and
//! writes behind through two buffers, and [`read_dir`] lists 512 entries per hop, so code that reads a
//! file 4 KiB at a time or walks a large directory pays for a few hops, not one per call.
//!
//! - Whole-file and path functions: [`read`], [`read_to_string`], [`write()`], [`copy`],
//!   [`rename`], [`remove_file`], [`remove_dir`], [`remove_dir_all`], [`create_dir`],
//!   [`create_dir_all`], [`metadata`], [`symlink_metadata`], [`canonicalize`],
//!   [`read_link`], [`hard_link`], [`try_exists`]: one hop each.
//! - [`read_dir`] → [`ReadDir`], a `Stream` of [`DirEntry`].
//! - [`File`] (opened with [`File::open`], [`File::create`] or [`OpenOptions`]):
//!   `futures_io::{AsyncRead, AsyncBufRead, AsyncWrite, AsyncSeek}`, plus
//!   [`File::sync_all`], [`File::set_len`], [`File::metadata`].
//! - [`io`]: [`stdin()`](io::stdin), [`stdout()`](io::stdout), [`stderr()`](io::stderr),
//!   and [`lines`](io::lines) (`stdin().lines()`), a `Stream` of lines.
//!
//! # Errors name the path
//!
//! An `io::Error` from a path operation keeps std's [`ErrorKind`](std::io::ErrorKind) and
//! says what failed on which path: ``open `data/input.csv`: No such file or directory
//! (os error 2)``. The [`PathError`] inside holds the path and the original error.
//!
//! # Cancel safety
//!
//! Every async function documents its own. In short: an operation that reached the pool
//! runs to completion even if its future is dropped (a blocking system call cannot be
//! interrupted); the free functions then drop its result, while a [`File`], [`ReadDir`] or
//! [`Stdin`](io::Stdin) keeps it for the next call, so a dropped read loses no bytes and a
//! dropped write is still written.
//!
//! # Examples
//!
//! ```
//! use futures::StreamExt;
//! # corio_executor::run(async {
//! # let dir = tempfile::tempdir()?;
//! # let dir = dir.path();
//! corio_fs::create_dir_all(dir.join("logs")).await?;
//! corio_fs::write(dir.join("logs/today.txt"), "started\nstopped\n").await?;
//!
//! let text = corio_fs::read_to_string(dir.join("logs/today.txt")).await?;
//! assert_eq!(text.lines().count(), 2);
//!
//! let mut entries = corio_fs::read_dir(dir.join("logs")).await?;
//! while let Some(entry) = entries.next().await {
//!     assert_eq!(entry?.file_name(), "today.txt");
//! }
//!
//! let err = corio_fs::read(dir.join("missing.txt")).await.unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
//! assert!(err.to_string().contains("missing.txt"));
//! # std::io::Result::Ok(()) }).unwrap();
//! ```
//!
//! # Where it sits
//!
//! corio-fs depends on corio-core (the `futures-io` and `Stream` traits it implements) and
//! on corio-executor, for the one thing it needs from the loop: the bounded blocking pool
//! ([`corio_executor::spawn_blocking`]), whose `Task` handle is awaited here. It needs no
//! reactor or timer, so it does not depend on corio-net or corio-timer, and nothing below
//! the facade depends on it. Its futures run under any executor (tokio, smol,
//! `futures::executor`); the pool's threads are corio's either way.
//!
//! # When not to use it
//!
//! - Many small files read whole: [`read`] costs a hop per file, as `to_thread` would;
//!   fine for hundreds, and for a hot loop over thousands of tiny files, a single
//!   [`spawn_blocking`](corio_executor::spawn_blocking) that reads them all with std in
//!   one hop is faster.
//! - Pipes, FIFOs and character devices opened as a [`File`] work, but a read blocks a
//!   pool thread until data comes; for sockets and pipes you create, use corio's reactor
//!   (corio-net, and corio-process's pipes).

#![forbid(unsafe_code)]

mod error;
mod pool;

mod file;
mod open_options;
mod ops;
mod read_dir;

pub mod io;

pub use error::PathError;
pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, symlink_metadata, try_exists,
    write,
};
pub use read_dir::{DirEntry, ReadDir, read_dir};

#[doc(no_inline)]
pub use std::fs::{FileType, Metadata, Permissions};
