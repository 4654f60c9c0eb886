//! The parent's ends of a child's standard streams: [`ChildStdin`], [`ChildStdout`],
//! [`ChildStderr`], non-blocking pipes on the reactor.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use corio_net::AsyncFd;
use futures_io::{AsyncRead, AsyncWrite};

/// One end of a pipe, read and written with plain system calls.
#[derive(Debug)]
pub(crate) struct Pipe(OwnedFd);

impl Pipe {
    /// Takes `fd` (a pipe end), makes it non-blocking and registers it in the reactor.
    pub(crate) fn register(fd: OwnedFd) -> io::Result<AsyncFd<Pipe>> {
        rustix::io::ioctl_fionbio(&fd, true)?;
        AsyncFd::new(Pipe(fd))
    }
}

impl AsFd for Pipe {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(rustix::io::read(&self.0, buf)?)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(rustix::io::write(&self.0, buf)?)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Adds the program's name to an I/O error, keeping its kind.
pub(crate) fn named(e: io::Error, what: &str, program: &str) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        return e;
    }
    io::Error::new(e.kind(), format!("{what} `{program}`: {e}"))
}

macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        pub struct $name {
            fd: AsyncFd<Pipe>,
            program: Arc<str>,
        }

        impl $name {
            pub(crate) fn new(fd: OwnedFd, program: Arc<str>) -> io::Result<$name> {
                Ok($name { fd: Pipe::register(fd)?, program })
            }

            /// Turns it back into a blocking, owned descriptor (to hand to another
            /// child's [`Stdio`](std::process::Stdio), say).
            ///
            /// # Errors
            ///
            /// When the descriptor cannot be made blocking again.
            ///
            /// # Examples
            ///
            /// ```
            /// use corio_process::{Command, Stdio};
            /// corio_executor::run(async {
            ///     let mut child = Command::new("true")
            ///         .stdin(Stdio::piped())
            ///         .stdout(Stdio::piped())
            ///         .stderr(Stdio::piped())
            ///         .spawn()?;
            #[doc = concat!("     let fd = child.", $what, ".take().unwrap().into_owned_fd()?;")]
            ///     drop(fd);
            ///     child.wait().await?;
            ///     std::io::Result::Ok(())
            /// })
            /// .unwrap();
            /// ```
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                let fd = self.fd.into_inner().0;
                rustix::io::ioctl_fionbio(&fd, false)?;
                Ok(fd)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("program", &self.program)
                    .field("fd", self.fd.get_ref())
                    .finish()
            }
        }
    };
}

pipe_type!(
    /// The child's standard input, written by the parent: an `AsyncWrite`. Dropping it
    /// closes the pipe, which a child such as `cat` reads as end of input.
    ///
    /// Writing after the child exited fails with `io::ErrorKind::BrokenPipe`, in an error
    /// that names the program (Rust ignores SIGPIPE, so the write returns an error rather
    /// than killing the parent).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// use futures::{AsyncReadExt, AsyncWriteExt};
    ///
    /// corio_executor::run(async {
    ///     let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    ///     let mut stdin = cat.stdin.take().unwrap();
    ///     stdin.write_all(b"meow").await?;
    ///     drop(stdin); // end of input
    ///     let mut out = String::new();
    ///     cat.stdout.take().unwrap().read_to_string(&mut out).await?;
    ///     assert_eq!(out, "meow");
    ///     assert!(cat.wait().await?.success());
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    ChildStdin, "stdin"
);

pipe_type!(
    /// The child's standard output, read by the parent: an `AsyncRead` (end of stream
    /// when the child closes it or exits).
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// use futures::AsyncReadExt;
    ///
    /// corio_executor::run(async {
    ///     let mut child = Command::new("echo").arg("hi").stdout(Stdio::piped()).spawn()?;
    ///     let mut out = String::new();
    ///     child.stdout.take().unwrap().read_to_string(&mut out).await?;
    ///     assert_eq!(out, "hi\n");
    ///     child.wait().await?;
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    ChildStdout, "stdout"
);

pipe_type!(
    /// The child's standard error, read by the parent: an `AsyncRead`.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// use futures::AsyncReadExt;
    ///
    /// corio_executor::run(async {
    ///     let mut child = Command::shell("echo oops >&2").stderr(Stdio::piped()).spawn()?;
    ///     let mut err = String::new();
    ///     child.stderr.take().unwrap().read_to_string(&mut err).await?;
    ///     assert_eq!(err, "oops\n");
    ///     child.wait().await?;
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    ChildStderr, "stderr"
);

impl ChildStdin {
    /// Writes all of `buf` (the `AsyncWrite` as an inherent method, so no extension
    /// trait is needed).
    ///
    /// # Errors
    ///
    /// `BrokenPipe` once the child has exited or closed its stdin; the message names
    /// the program.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: part of `buf` may have been written when the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// corio_executor::run(async {
    ///     let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    ///     cat.stdin.as_mut().unwrap().write_all(b"hello").await?;
    ///     let out = cat.wait_with_output().await?; // closes stdin first
    ///     assert_eq!(out.stdout, b"hello");
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = std::future::poll_fn(|cx| Pin::new(&mut *self).poll_write(cx, buf)).await?;
            buf = &buf[n..];
        }
        Ok(())
    }
}

macro_rules! read_methods {
    ($name:ident, $field:literal) => {
        impl $name {
            /// Reads some bytes into `buf`; 0 at end of stream (the `AsyncRead` as an
            /// inherent method).
            ///
            /// # Errors
            ///
            /// A read error, naming the program.
            ///
            /// # Cancel safety
            ///
            /// Cancel-safe: no byte is lost when the future is dropped.
            ///
            /// # Examples
            ///
            /// See [`read_to_string`](Self::read_to_string).
            pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                std::future::poll_fn(|cx| Pin::new(&mut *self).poll_read(cx, buf)).await
            }

            /// Reads to the end of the stream, appending to `buf`; returns how many bytes.
            ///
            /// # Errors
            ///
            /// A read error, naming the program.
            ///
            /// # Cancel safety
            ///
            /// Bytes read so far stay in `buf` when the future is dropped.
            ///
            /// # Examples
            ///
            /// See [`read_to_string`](Self::read_to_string).
            pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
                let start = buf.len();
                let mut chunk = [0u8; 8192];
                loop {
                    match self.read(&mut chunk).await? {
                        0 => return Ok(buf.len() - start),
                        n => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            }

            /// Reads to the end of the stream as UTF-8, appending to `buf`.
            ///
            /// # Errors
            ///
            /// A read error, or `InvalidData` if the bytes are not UTF-8.
            ///
            /// # Cancel safety
            ///
            /// Not cancel-safe: bytes read so far are lost when the future is dropped.
            ///
            /// # Examples
            ///
            /// ```
            /// use corio_process::{Command, Stdio};
            /// corio_executor::run(async {
            ///     let mut child = Command::shell("echo to-stdout; echo to-stderr >&2")
            ///         .stdout(Stdio::piped())
            ///         .stderr(Stdio::piped())
            ///         .spawn()?;
            ///     let mut text = String::new();
            #[doc = concat!("     child.", $field, ".as_mut().unwrap().read_to_string(&mut text).await?;")]
            #[doc = concat!("     assert_eq!(text, \"to-", $field, "\\n\");")]
            ///     child.wait().await?;
            ///     std::io::Result::Ok(())
            /// })
            /// .unwrap();
            /// ```
            pub async fn read_to_string(&mut self, buf: &mut String) -> io::Result<usize> {
                let mut bytes = Vec::new();
                self.read_to_end(&mut bytes).await?;
                let text = String::from_utf8(bytes)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                buf.push_str(&text);
                Ok(text.len())
            }
        }
    };
}

read_methods!(ChildStdout, "stdout");
read_methods!(ChildStderr, "stderr");

impl AsyncWrite for ChildStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        Pin::new(&mut this.fd)
            .poll_write(cx, buf)
            .map_err(|e| named(e, "writing to the stdin of", &this.program))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The pipe closes when the `ChildStdin` is dropped.
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for ChildStdout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        Pin::new(&mut this.fd)
            .poll_read(cx, buf)
            .map_err(|e| named(e, "reading the stdout of", &this.program))
    }
}

impl AsyncRead for ChildStderr {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        Pin::new(&mut this.fd)
            .poll_read(cx, buf)
            .map_err(|e| named(e, "reading the stderr of", &this.program))
    }
}
