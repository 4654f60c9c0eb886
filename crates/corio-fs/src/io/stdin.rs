//! [`Stdin`]: standard input read on the blocking pool.

use std::fmt;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, ready};

use corio_executor::Task;
use futures_io::{AsyncBufRead, AsyncRead};

use super::lines::{Lines, lines};
use crate::pool;

const BUFFER: usize = 64 << 10;

/// A read on the pool: the buffer goes there and comes back with the bytes read.
type ReadJob = Task<(Vec<u8>, io::Result<usize>)>;

/// What a dropped [`Stdin`] leaves to the next one: unread bytes and a read in flight.
struct Leftover {
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    busy: Option<ReadJob>,
}

static LEFTOVER: Mutex<Option<Leftover>> = Mutex::new(None);

/// The process's standard input, as `futures_io::{AsyncRead, AsyncBufRead}` (asyncio:
/// `loop.connect_read_pipe` on `sys.stdin`, or `to_thread(sys.stdin.readline)`).
///
/// Reads run on the blocking pool, 64 KiB at a time: a terminal hands over a line per
/// read, a pipe or file as much as it has. A read blocks a pool thread until input comes
/// (that is what "blocking I/O on a pool" means; it is not on the loop's thread).
///
/// # Cancel safety
///
/// Nothing read is lost. Dropping a read future leaves the read in flight to this
/// `Stdin`; dropping the `Stdin` leaves its unread bytes and its read in flight to the
/// next [`stdin()`] handle.
///
/// # Examples
///
/// ```no_run
/// use futures::StreamExt;
/// # corio_executor::run(async {
/// let mut lines = corio_fs::io::stdin().lines();
/// while let Some(line) = lines.next().await {
///     println!("you said: {}", line?);
/// }
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct Stdin {
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    busy: Option<ReadJob>,
}

/// A handle to standard input: see [`Stdin`]. Handles follow one another: what one read
/// but did not hand out goes to the next.
///
/// # Examples
///
/// ```no_run
/// use futures::io::AsyncReadExt;
/// # corio_executor::run(async {
/// let mut input = String::new();
/// corio_fs::io::stdin().read_to_string(&mut input).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub fn stdin() -> Stdin {
    let left = LEFTOVER.lock().unwrap_or_else(|e| e.into_inner()).take();
    match left {
        Some(l) => Stdin {
            buf: l.buf,
            pos: l.pos,
            filled: l.filled,
            busy: l.busy,
        },
        None => Stdin {
            buf: Vec::new(),
            pos: 0,
            filled: 0,
            busy: None,
        },
    }
}

impl Stdin {
    /// The lines of standard input as a `Stream<Item = io::Result<String>>`, each
    /// without its line ending (asyncio: `async for line in reader` over stdin).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # corio_executor::run(async {
    /// let mut lines = corio_fs::io::stdin().lines();
    /// while let Some(line) = lines.next().await {
    ///     let line = line?;
    ///     if line == "quit" {
    ///         break;
    ///     }
    /// }
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn lines(self) -> Lines<Stdin> {
        lines(self)
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        loop {
            if self.pos < self.filled {
                return Poll::Ready(Ok(&self.buf[self.pos..self.filled]));
            }
            match &mut self.busy {
                Some(task) => {
                    let result = ready!(Pin::new(task).poll(cx));
                    self.busy = None;
                    let (buf, read) = result.map_err(pool::join_error)?;
                    self.buf = buf;
                    self.pos = 0;
                    self.filled = 0;
                    let n = read?;
                    if n == 0 {
                        return Poll::Ready(Ok(&[])); // end of input
                    }
                    self.filled = n;
                }
                None => {
                    let mut buf = std::mem::take(&mut self.buf);
                    buf.resize(BUFFER, 0);
                    self.busy = Some(pool::spawn(move || {
                        let read = loop {
                            match io::stdin().lock().read(&mut buf) {
                                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                                other => break other,
                            }
                        };
                        (buf, read)
                    }));
                }
            }
        }
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let this = &mut *self;
        let available = ready!(this.poll_fill(cx))?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        this.pos += n;
        Poll::Ready(Ok(n))
    }
}

impl AsyncBufRead for Stdin {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.get_mut().poll_fill(cx)
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

impl Drop for Stdin {
    fn drop(&mut self) {
        if self.pos < self.filled || self.busy.is_some() {
            let left = Leftover {
                buf: std::mem::take(&mut self.buf),
                pos: self.pos,
                filled: self.filled,
                busy: self.busy.take(),
            };
            let mut slot = LEFTOVER.lock().unwrap_or_else(|e| e.into_inner());
            // Two handles dropped with input in hand (a program that read from both at
            // once): the first one's input is kept, this one's dropped.
            if slot.is_none() {
                *slot = Some(left);
            }
        }
    }
}

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdin")
            .field("buffered", &(self.filled - self.pos))
            .field("reading", &self.busy.is_some())
            .finish()
    }
}
