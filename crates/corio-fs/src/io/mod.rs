//! The standard streams, async: [`stdin()`], [`stdout()`], [`stderr()`], and [`lines`]
//! for reading any buffered reader line by line (`stdin().lines()`).
//!
//! The facade re-exports this module as `corio::io`.
//!
//! # Examples
//!
//! An echo of standard input, upper-cased:
//!
//! ```no_run
//! use futures::{StreamExt, io::AsyncWriteExt};
//! # corio_executor::run(async {
//! let mut lines = corio_fs::io::stdin().lines();
//! let mut out = corio_fs::io::stdout();
//! while let Some(line) = lines.next().await {
//!     out.write_all(line?.to_uppercase().as_bytes()).await?;
//!     out.write_all(b"\n").await?;
//! }
//! out.flush().await?;
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod lines;
mod stdin;
mod stdout;

pub use lines::{Lines, lines};
pub use stdin::{Stdin, stdin};
pub use stdout::{Stderr, Stdout, stderr, stdout};

#[doc(no_inline)]
pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
