//! [`Lines`]: the lines of any buffered reader as a `Stream` (`async for line in reader`).

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use futures_io::AsyncBufRead;

/// The lines of `reader`, as a `Stream<Item = io::Result<String>>`, each without its
/// `\n` or `\r\n` (asyncio: `async for line in reader`, with `.rstrip("\r\n")`). A last
/// line without a newline is yielded too.
///
/// Works with [`Stdin`](super::Stdin) (see [`Stdin::lines`](super::Stdin::lines)), a
/// [`File`](crate::File), or any `futures_io::AsyncBufRead`.
///
/// # Errors
///
/// A read error is yielded as an `Err` item (the stream may go on after it); a line that
/// is not UTF-8 is an `InvalidData` error, and the stream goes on with the next line.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// # corio_executor::run(async {
/// let file = corio_fs::File::open("Cargo.toml").await?;
/// let mut lines = corio_fs::io::lines(file);
/// assert_eq!(lines.next().await.unwrap()?, "[package]");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn lines<R: AsyncBufRead + Unpin>(reader: R) -> Lines<R> {
    Lines {
        reader,
        line: Vec::new(),
    }
}

/// The stream of [`lines`].
///
/// # Cancel safety
///
/// Dropping a `next()` future loses nothing: a partly read line stays in the stream,
/// and the reader keeps what it read (see [`Stdin`](super::Stdin)).
///
/// # Examples
///
/// See [`lines`].
#[must_use = "streams do nothing unless polled"]
pub struct Lines<R> {
    reader: R,
    line: Vec<u8>,
}

impl<R> Lines<R> {
    /// The reader, back (bytes of a partly read line are dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// let lines = corio_fs::io::stdin().lines();
    /// let stdin: corio_fs::io::Stdin = lines.into_inner();
    /// # drop(stdin);
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }
}

fn finish(mut line: Vec<u8>) -> io::Result<String> {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    String::from_utf8(line).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line is not UTF-8: {e}"),
        )
    })
}

impl<R: AsyncBufRead + Unpin> Stream for Lines<R> {
    type Item = io::Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let buf = match ready!(Pin::new(&mut this.reader).poll_fill_buf(cx)) {
                Ok(buf) => buf,
                Err(e) => return Poll::Ready(Some(Err(e))),
            };
            if buf.is_empty() {
                if this.line.is_empty() {
                    return Poll::Ready(None);
                }
                return Poll::Ready(Some(finish(std::mem::take(&mut this.line))));
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    this.line.extend_from_slice(&buf[..=i]);
                    Pin::new(&mut this.reader).consume(i + 1);
                    return Poll::Ready(Some(finish(std::mem::take(&mut this.line))));
                }
                None => {
                    let n = buf.len();
                    this.line.extend_from_slice(buf);
                    Pin::new(&mut this.reader).consume(n);
                }
            }
        }
    }
}

impl<R: fmt::Debug> fmt::Debug for Lines<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lines")
            .field("reader", &self.reader)
            .field("partial", &self.line.len())
            .finish()
    }
}
