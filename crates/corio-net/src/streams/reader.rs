//! [`StreamReader`]: a buffered reader with asyncio's methods.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::tcp::TcpReadHalf;
use futures_io::{AsyncBufRead, AsyncRead};

/// The default line limit of [`StreamReader`], asyncio's: 64 KiB.
const DEFAULT_LIMIT: usize = 64 * 1024;
const CHUNK: usize = 8 * 1024;

/// A buffered reader with asyncio's `StreamReader` methods.
///
/// The delimited reads ([`read_line`](Self::read_line), [`read_until`](Self::read_until))
/// and [`read_exact`](Self::read_exact) consume nothing until they complete, so they are
/// cancel safe: a read dropped half-way (by a timeout, say) leaves its bytes buffered for
/// the next one. A line longer than the limit (64 KiB by default, see
/// [`with_limit`](Self::with_limit)) is an `InvalidData` error, as asyncio's
/// `LimitOverrunError`.
///
/// It is also `AsyncRead` and `AsyncBufRead`.
///
/// # Examples
///
/// ```
/// use corio_net::StreamReader;
///
/// corio_executor::run(async {
///     let mut r = StreamReader::new(&b"one\ntwo\nrest"[..]);
///     let mut line = String::new();
///     r.read_line(&mut line).await?;
///     assert_eq!(line, "one\n");
///     let mut two = [0; 4];
///     r.read_exact(&mut two).await?;
///     assert_eq!(&two, b"two\n");
///     let mut rest = Vec::new();
///     r.read_to_end(&mut rest).await?;
///     assert_eq!(rest, b"rest");
///     assert!(r.at_eof());
///     std::io::Result::Ok(())
/// }).unwrap();
/// ```
pub struct StreamReader<R = TcpReadHalf> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
    limit: usize,
}

impl<R: AsyncRead + Unpin> StreamReader<R> {
    /// A reader over `inner` with the default limit.
    ///
    /// # Examples
    ///
    /// See [`StreamReader`].
    pub fn new(inner: R) -> Self {
        StreamReader {
            inner,
            buf: Vec::new(),
            start: 0,
            eof: false,
            limit: DEFAULT_LIMIT,
        }
    }

    /// Sets the longest line (or `read_until` chunk) accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut r = corio_net::StreamReader::new(&b"far too long\n"[..]).with_limit(4);
    ///     let err = r.read_line(&mut String::new()).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    /// });
    /// ```
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// Whether the end of the stream was reached and the buffer is empty.
    ///
    /// # Examples
    ///
    /// See [`StreamReader`].
    pub fn at_eof(&self) -> bool {
        self.eof && self.start == self.buf.len()
    }

    /// The reader underneath.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = corio_net::StreamReader::new(&b"x"[..]);
    /// assert_eq!(*r.get_ref(), b"x");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    fn buffered(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume_n(&mut self, n: usize) {
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Reads more at the end of the buffer; `Ok(0)` at end-of-file.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.eof {
            return Poll::Ready(Ok(0));
        }
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        let res = Pin::new(&mut self.inner).poll_read(cx, &mut self.buf[len..]);
        let n = match &res {
            Poll::Ready(Ok(n)) => *n,
            _ => 0,
        };
        self.buf.truncate(len + n);
        if let Poll::Ready(Ok(0)) = res {
            self.eof = true;
        }
        res
    }

    fn poll_until(
        &mut self,
        cx: &mut Context<'_>,
        delim: u8,
        scanned: &mut usize,
    ) -> Poll<io::Result<usize>> {
        loop {
            let data = self.buffered();
            let over = || {
                Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("no delimiter within the limit of {} bytes", self.limit),
                )))
            };
            if let Some(i) = data[*scanned..].iter().position(|&b| b == delim) {
                let n = *scanned + i + 1;
                return if n > self.limit {
                    over()
                } else {
                    Poll::Ready(Ok(n))
                };
            }
            *scanned = data.len();
            if data.len() > self.limit {
                return over();
            }
            if self.eof {
                return Poll::Ready(Ok(data.len()));
            }
            match self.poll_fill(cx) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Reads up to and including `delim` (or to end-of-file) and appends it to `out`;
    /// returns the number of bytes appended (0 at end-of-file).
    ///
    /// # Errors
    ///
    /// The stream's errors; `InvalidData` when no delimiter comes within the limit (the
    /// bytes stay buffered).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing is consumed until the delimiter is found.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut r = corio_net::StreamReader::new(&b"a;b"[..]);
    ///     let mut out = Vec::new();
    ///     assert_eq!(r.read_until(b';', &mut out).await.unwrap(), 2);
    ///     assert_eq!(r.read_until(b';', &mut out).await.unwrap(), 1);
    ///     assert_eq!(out, b"a;b");
    /// });
    /// ```
    pub async fn read_until(&mut self, delim: u8, out: &mut Vec<u8>) -> io::Result<usize> {
        let mut scanned = 0;
        let n = poll_fn(|cx| self.poll_until(cx, delim, &mut scanned)).await?;
        out.extend_from_slice(&self.buffered()[..n]);
        self.consume_n(n);
        Ok(n)
    }

    /// Reads a line (through `\n`, or to end-of-file) and appends it to `line`; returns
    /// the number of bytes appended (0 at end-of-file).
    ///
    /// # Errors
    ///
    /// As [`read_until`](Self::read_until); `InvalidData` when the line is not UTF-8 (it
    /// is consumed).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing is consumed until the line is complete.
    ///
    /// # Examples
    ///
    /// See [`StreamReader`].
    pub async fn read_line(&mut self, line: &mut String) -> io::Result<usize> {
        let mut bytes = Vec::new();
        let n = self.read_until(b'\n', &mut bytes).await?;
        match String::from_utf8(bytes) {
            Ok(s) => {
                line.push_str(&s);
                Ok(n)
            }
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the line is not valid UTF-8",
            )),
        }
    }

    /// Fills `buf` exactly.
    ///
    /// # Errors
    ///
    /// The stream's errors; `UnexpectedEof` when the stream ends first (the bytes stay
    /// buffered).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing is consumed until `buf` can be filled.
    ///
    /// # Examples
    ///
    /// See [`StreamReader`].
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        let want = buf.len();
        poll_fn(|cx| {
            while self.buffered().len() < want {
                if self.eof {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "the stream ended after {} of {want} bytes",
                            self.buffered().len()
                        ),
                    )));
                }
                match self.poll_fill(cx) {
                    Poll::Ready(Ok(_)) => {}
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            Poll::Ready(Ok(()))
        })
        .await?;
        buf.copy_from_slice(&self.buffered()[..want]);
        self.consume_n(want);
        Ok(())
    }

    /// Reads everything up to end-of-file and appends it to `out`; returns the number of
    /// bytes appended.
    ///
    /// # Errors
    ///
    /// The stream's errors.
    ///
    /// # Cancel safety
    ///
    /// Bytes read before a cancellation are already in `out`; none is lost.
    ///
    /// # Examples
    ///
    /// See [`StreamReader`].
    pub async fn read_to_end(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.buffered().len();
            out.extend_from_slice(self.buffered());
            self.consume_n(n);
            total += n;
            if poll_fn(|cx| self.poll_fill(cx)).await? == 0 {
                return Ok(total);
            }
        }
    }

    /// Reads what is available (at most `buf.len()` bytes); `Ok(0)` at end-of-file.
    ///
    /// # Errors
    ///
    /// The stream's errors.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: bytes are consumed only in the poll that returns them.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut r = corio_net::StreamReader::new(&b"abc"[..]);
    ///     let mut buf = [0; 8];
    ///     assert_eq!(r.read(&mut buf).await.unwrap(), 3);
    /// });
    /// ```
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| Pin::new(&mut *self).poll_read(cx, buf)).await
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for StreamReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buffered().is_empty() {
            if this.eof {
                return Poll::Ready(Ok(0));
            }
            // Large reads go straight through.
            if buf.len() >= CHUNK {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            }
            match this.poll_fill(cx) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Ok(0)),
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = buf.len().min(this.buffered().len());
        buf[..n].copy_from_slice(&this.buffered()[..n]);
        this.consume_n(n);
        Poll::Ready(Ok(n))
    }
}

impl<R: AsyncRead + Unpin> AsyncBufRead for StreamReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.buffered().is_empty() {
            match this.poll_fill(cx) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(this.buffered()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let amt = amt.min(this.buffered().len());
        this.consume_n(amt);
    }
}

impl<R: fmt::Debug> fmt::Debug for StreamReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReader")
            .field("inner", &self.inner)
            .field("buffered", &(self.buf.len() - self.start))
            .field("eof", &self.eof)
            .finish()
    }
}
