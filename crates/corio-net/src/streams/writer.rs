//! [`StreamWriter`]: a writer that buffers, with asyncio's `write`/`drain`.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::Poll;

use crate::tcp::TcpWriteHalf;
use futures_io::AsyncWrite;

/// A writer with asyncio's `StreamWriter` methods: [`write`](Self::write) buffers without
/// waiting, [`drain`](Self::drain) waits until the buffer is written out.
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let mut w = corio_net::StreamWriter::new(Vec::new());
///     w.write(b"hello, ");
///     w.write(b"world");
///     assert_eq!(w.buffered(), 12);
///     w.drain().await?;
///     assert_eq!(w.get_ref(), b"hello, world");
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct StreamWriter<W = TcpWriteHalf> {
    inner: W,
    /// `buf[start..]` waits to be written. A partial write only moves `start`: shifting the
    /// unwritten rest to the front after each write made one large `write_all` through a
    /// stream that takes 64 KiB at a time quadratic (issue 21).
    buf: Vec<u8>,
    start: usize,
    closed: bool,
}

impl<W: AsyncWrite + Unpin> StreamWriter<W> {
    /// A writer over `inner`.
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub fn new(inner: W) -> Self {
        StreamWriter {
            inner,
            buf: Vec::new(),
            start: 0,
            closed: false,
        }
    }

    /// Appends `data` to the buffer; nothing is sent until [`drain`](Self::drain) (or
    /// [`write_all`](Self::write_all), or [`close`](Self::close)).
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub fn write(&mut self, data: &[u8]) {
        // Reclaim the written front before growing, but only once it is at least half of
        // the buffer: each byte is then moved at most about once, whatever the write sizes.
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// How many bytes wait in the buffer.
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The writer underneath.
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// See [`close`](Self::close).
    pub fn is_closing(&self) -> bool {
        self.closed
    }

    fn closed_error() -> io::Error {
        io::Error::new(io::ErrorKind::BrokenPipe, "write after close")
    }

    /// Writes the buffer out and flushes.
    ///
    /// # Errors
    ///
    /// The stream's errors; `BrokenPipe` after [`close`](Self::close).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: what was written is removed from the buffer, the rest stays for the
    /// next `drain`.
    ///
    /// # Examples
    ///
    /// See [`StreamWriter`].
    pub async fn drain(&mut self) -> io::Result<()> {
        if self.closed && self.buffered() > 0 {
            return Err(Self::closed_error());
        }
        poll_fn(|cx| {
            while self.start < self.buf.len() {
                match Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.start..]) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    Poll::Ready(Ok(n)) => {
                        self.start += n;
                        if self.start == self.buf.len() {
                            self.buf.clear();
                            self.start = 0;
                        }
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            Pin::new(&mut self.inner).poll_flush(cx)
        })
        .await
    }

    /// [`write`](Self::write) then [`drain`](Self::drain).
    ///
    /// # Errors
    ///
    /// As [`drain`](Self::drain).
    ///
    /// # Cancel safety
    ///
    /// As [`drain`](Self::drain): the data is buffered at once, and a cancelled call leaves
    /// the unwritten rest buffered.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut w = corio_net::StreamWriter::new(Vec::new());
    ///     w.write_all(b"now").await.unwrap();
    ///     assert_eq!(w.get_ref(), b"now");
    /// });
    /// ```
    pub async fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        if self.closed {
            return Err(Self::closed_error());
        }
        if self.buffered() > 0 {
            self.write(data);
            return self.drain().await;
        }
        // Nothing is queued ahead: write straight from `data` (copying a large write into
        // the buffer first cost more than the writes themselves). What is not written
        // when this returns or is cancelled goes to the buffer, as if buffered at once.
        let mut rest = Unwritten { writer: self, data };
        poll_fn(|cx| {
            while !rest.data.is_empty() {
                match Pin::new(&mut rest.writer.inner).poll_write(cx, rest.data) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    Poll::Ready(Ok(n)) => rest.data = &rest.data[n..],
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            Pin::new(&mut rest.writer.inner).poll_flush(cx)
        })
        .await
    }

    /// Drains the buffer, then closes the write direction (for a socket: the peer sees
    /// end-of-file). Later writes fail with `BrokenPipe`.
    ///
    /// # Errors
    ///
    /// The stream's errors.
    ///
    /// # Cancel safety
    ///
    /// A cancelled close can be called again to finish; the writer counts as closing once
    /// its buffer has been drained.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut w = corio_net::StreamWriter::new(Vec::new());
    ///     w.write(b"last");
    ///     w.close().await.unwrap();
    ///     assert!(w.is_closing());
    ///     assert!(w.write_all(b"more").await.is_err());
    /// });
    /// ```
    pub async fn close(&mut self) -> io::Result<()> {
        if !self.closed {
            self.drain().await?;
            self.closed = true;
        }
        poll_fn(|cx| Pin::new(&mut self.inner).poll_close(cx)).await
    }
}

/// The part of a [`StreamWriter::write_all`] not yet written; buffered when dropped.
struct Unwritten<'a, W> {
    writer: &'a mut StreamWriter<W>,
    data: &'a [u8],
}

impl<W> Drop for Unwritten<'_, W> {
    fn drop(&mut self) {
        self.writer.buf.extend_from_slice(self.data);
    }
}

impl<W: fmt::Debug> fmt::Debug for StreamWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamWriter")
            .field("inner", &self.inner)
            .field("buffered", &(self.buf.len() - self.start))
            .field("closed", &self.closed)
            .finish()
    }
}
