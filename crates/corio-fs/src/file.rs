//! [`File`]: an open file whose reads, writes and seeks run on the blocking pool, batched
//! through two buffers so that small reads and writes do not each pay a thread hop, and
//! straight-through reading and writing overlap with the pool's system calls.

mod job;
mod methods;

use std::fmt;
use std::fs::{File as StdFile, Metadata};
use std::future::poll_fn;
use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use corio_executor::Task;
use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};

use crate::open_options::OpenOptions;
use crate::pool;
use job::{Action, Done, Job, Outcome};

/// The first read's size, and the first write buffer's: 64 KiB.
pub(crate) const BUFFER: usize = 64 << 10;
/// Sequential reads, and writes handed over full, double their size up to this: 1 MiB.
const MAX_CHUNK: usize = 1 << 20;
/// A single large write is buffered (and handed to the pool) up to this much at once.
const MAX_WRITE: usize = 4 << 20;
/// Refills in a row after which the next buffer is read ahead while this one is used.
const PREFETCH_AFTER: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The buffer holds nothing; the OS offset is the logical one.
    Idle,
    /// `buf[pos..filled]` was read ahead: the OS offset is `filled - pos` past the logical one.
    Reading,
    /// `buf[..filled]` waits to be written: the logical offset is `filled` past the OS one.
    Writing,
}

/// An open file: `futures_io::{AsyncRead, AsyncBufRead, AsyncWrite, AsyncSeek}` by
/// blocking I/O on corio's blocking pool (asyncio: `to_thread` around `open(...)`,
/// or aiofiles).
///
/// # Buffering
///
/// A `File` has two buffers. Reads fill one with one hop to the pool (64 KiB at first,
/// doubling on each further sequential refill up to 1 MiB) and are then served from it
/// without leaving the loop: reading a file 4 KiB at a time costs one hop per 16 reads
/// or fewer. With [`set_read_ahead`](File::set_read_ahead), the next chunk is read into
/// the other buffer while this one is used. Writes are copied into a buffer and handed
/// to the pool when it is full (64 KiB, doubling up to 1 MiB, or one large write of up to
/// 4 MiB), on [`flush`](futures_io::AsyncWrite::poll_flush), or before any other
/// operation; a full buffer is written behind, on the pool, while the caller fills the
/// other. Seeks and the other operations account for buffered data: a seek after reading
/// steps back over what was read (and read ahead), a read after writing writes first, in
/// the same hop.
///
/// # Errors and flushing
///
/// Every error names the file's path (when the `File` was opened from one; see
/// [`PathError`](crate::PathError)). An error of a write that ran in the background is
/// reported by the next call on the file, whatever it is. Flush (or
/// [`sync_all`](File::sync_all)) before dropping a file you wrote to: that is where the
/// last write's error shows. Dropping a file with unwritten bytes hands them to the pool
/// in a detached job, whose error nobody sees and which a process that exits at once may
/// not let finish.
///
/// # Cancel safety
///
/// Dropping any future of a `File` (a `read`, `write`, `seek`, `flush`, `sync_all`...)
/// loses nothing. The operation in flight belongs to the `File`, not to the future: it
/// completes on the pool, and the next call on the file takes its result. Bytes it read
/// are kept in the buffer for the next read; bytes a write accepted are written; a seek
/// or `set_len` that was started takes effect (the next call with the same argument
/// takes its result rather than doing it twice); its error, if any, is returned by the
/// next call.
///
/// # Examples
///
/// ```
/// use futures::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
/// # corio_executor::run(async {
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("notes.txt");
/// let mut file = corio_fs::File::create(&path).await?;
/// file.write_all(b"hello, world").await?;
/// file.flush().await?;
///
/// let mut file = corio_fs::File::open(&path).await?;
/// file.seek(SeekFrom::Start(7)).await?;
/// let mut word = String::new();
/// file.read_to_string(&mut word).await?;
/// assert_eq!(word, "world");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub struct File {
    /// `None` while a job has it (then `busy` is set), or after a job panicked.
    file: Option<StdFile>,
    buf: Vec<u8>,
    pos: usize,
    filled: usize,
    mode: Mode,
    /// What a read-ahead job brought while `buf` was still being read: the bytes that
    /// follow `buf[pos..filled]` in the file (a count of 0: end of file). Set only while
    /// `mode` is `Reading`.
    ahead: Option<(Vec<u8>, usize)>,
    /// The second buffer, for a job that runs beside `buf` (read-ahead, write-behind).
    spare: Vec<u8>,
    busy: Option<Busy>,
    path: Option<Arc<Path>>,
    /// The size of the next read: doubles while reads follow reads.
    read_size: usize,
    /// The size of the next write buffer: doubles while full buffers are handed over.
    write_size: usize,
    /// Reads in a row (refills and read-aheads) with no other operation between.
    streak: u32,
    /// Whether to read the next chunk ahead while the file is read straight through.
    read_ahead: bool,
}

/// The job in flight.
struct Busy {
    action: Action,
    task: Task<Done>,
    /// The job has the spare buffer and `buf` stayed here (a read-ahead, or a write-behind
    /// of a full buffer); otherwise the job took `buf` and its bytes.
    beside: bool,
}

impl File {
    /// Opens the file at `path` for reading (as [`std::fs::File::open`]).
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::open`] (`NotFound`, `PermissionDenied`...), naming the path.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future after its first poll lets the open finish on the pool; the
    /// file is then closed. Nothing is lost.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// assert!(file.metadata().await?.is_file());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens the file at `path` for writing, creating it or truncating it (as
    /// [`std::fs::File::create`]).
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::create`], naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the file is created (or truncated) even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("out.txt")).await?;
    /// file.write_all(b"data").await?;
    /// file.sync_all().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// The options to open a file with: see [`OpenOptions`].
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let log = corio_fs::File::options()
    ///     .append(true)
    ///     .create(true)
    ///     .open(dir.path().join("log"))
    ///     .await?;
    /// # drop(log);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps a std file. Its errors will not name a path (std's file does not know it).
    ///
    /// # Examples
    ///
    /// ```
    /// let std_file = std::fs::File::open("Cargo.toml").unwrap();
    /// let file = corio_fs::File::from_std(std_file);
    /// # drop(file);
    /// ```
    pub fn from_std(file: StdFile) -> File {
        File::new(file, None)
    }

    pub(crate) fn new(file: StdFile, path: Option<Arc<Path>>) -> File {
        File {
            file: Some(file),
            buf: Vec::new(),
            pos: 0,
            filled: 0,
            mode: Mode::Idle,
            ahead: None,
            spare: Vec::new(),
            busy: None,
            path,
            read_size: BUFFER,
            write_size: BUFFER,
            streak: 0,
            read_ahead: false,
        }
    }

    /// Reads ahead (or stops): while the file is read straight through (from the third
    /// refill in a row), the next chunk is read on the pool into a second buffer while
    /// the program uses the current one. Off by default.
    ///
    /// It pays when the program does real work on each chunk (parsing, hashing): the
    /// pool's `read` then overlaps with it. When the program only copies the bytes
    /// along, or the machine's cores are busy, the second thread mostly competes with
    /// the first, and measured slower than plain refills in the benchmarks. Seeks,
    /// writes and the other operations account for bytes read ahead, as for the buffer.
    /// On a FIFO or a character device, a read ahead waits on its pool thread for data.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// file.set_read_ahead(true);
    /// let mut text = String::new();
    /// file.read_to_string(&mut text).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn set_read_ahead(&mut self, on: bool) {
        self.read_ahead = on;
    }

    /// The path the file was opened with, if it was.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let file = corio_fs::File::open("Cargo.toml").await?;
    /// assert_eq!(file.path(), Some(std::path::Path::new("Cargo.toml")));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes out buffered data and flushes the file's data and metadata to the device
    /// (`os.fsync`).
    ///
    /// # Errors
    ///
    /// The error of a buffered write, or of `fsync`, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing: the sync completes on the pool and the next
    /// call on the file reports its error, if any (see [`File`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("durable")).await?;
    /// file.write_all(b"important").await?;
    /// file.sync_all().await?; // written and on the device
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_action(cx, Action::SyncAll))
            .await
            .map(drop)
    }

    /// Like [`sync_all`](File::sync_all), without flushing metadata that reading the data
    /// back does not need (`os.fdatasync`).
    ///
    /// # Errors
    ///
    /// The error of a buffered write, or of `fdatasync`, naming the path.
    ///
    /// # Cancel safety
    ///
    /// As [`sync_all`](File::sync_all).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("data")).await?;
    /// file.write_all(b"bytes").await?;
    /// file.sync_data().await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_action(cx, Action::SyncData))
            .await
            .map(drop)
    }

    /// Truncates or extends the file to `len` bytes, after writing out buffered data. The
    /// position does not move.
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::set_len`] (a file not open for writing), naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the length is set even if the future is dropped; a retry with the
    /// same `len` takes the result of the first instead of setting it again.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("sparse")).await?;
    /// file.set_len(1 << 20).await?;
    /// assert_eq!(file.metadata().await?.len(), 1 << 20);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn set_len(&mut self, len: u64) -> io::Result<()> {
        poll_fn(|cx| self.poll_action(cx, Action::SetLen(len)))
            .await
            .map(drop)
    }

    /// The file's metadata, after writing out buffered data (so that its length counts
    /// every byte written).
    ///
    /// # Errors
    ///
    /// As [`std::fs::File::metadata`], or a buffered write's error, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing (buffered data it started to write is written).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncWriteExt;
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let mut file = corio_fs::File::create(dir.path().join("f")).await?;
    /// file.write_all(b"12345").await?;
    /// assert_eq!(file.metadata().await?.len(), 5);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn metadata(&mut self) -> io::Result<Metadata> {
        match poll_fn(|cx| self.poll_action(cx, Action::Metadata)).await? {
            Outcome::Metadata(m) => Ok(m),
            _ => unreachable!("a metadata job returns metadata"),
        }
    }

    /// The std file, after writing out buffered data and moving the OS offset back over
    /// data read ahead (so the std file is where this one was).
    ///
    /// # Errors
    ///
    /// A buffered write's error, naming the path; the file is then dropped.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the file (closing it once its last job is done); bytes
    /// a write accepted are still written.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::io::AsyncReadExt;
    /// use std::io::Read;
    /// # corio_executor::run(async {
    /// let mut file = corio_fs::File::open("Cargo.toml").await?;
    /// let mut first = [0u8; 9];
    /// file.read_exact(&mut first).await?; // reads ahead 64 KiB into the buffer
    /// let mut std_file = file.into_std().await?;
    /// let mut rest = String::new();
    /// std_file.read_to_string(&mut rest)?; // goes on right after "[package]"
    /// assert_eq!(&first, b"[package]");
    /// assert!(rest.starts_with('\n'));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn into_std(mut self) -> io::Result<StdFile> {
        poll_fn(|cx| self.poll_action(cx, Action::Flush)).await?;
        self.file.take().ok_or_else(lost)
    }

    /// Completes the job in flight, if any, and puts the file back together: `None` when
    /// there was none, else the job's action and outcome.
    fn poll_busy(&mut self, cx: &mut Context<'_>) -> Poll<Option<(Action, io::Result<Outcome>)>> {
        let Some(busy) = &mut self.busy else {
            return Poll::Ready(None);
        };
        let result = ready!(Pin::new(&mut busy.task).poll(cx));
        let Busy { action, beside, .. } = self.busy.take().expect("checked above");
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                if !beside {
                    self.reset();
                }
                return Poll::Ready(Some((action, Err(pool::join_error(e)))));
            }
        };
        self.file = Some(done.file);
        let read = match (&done.outcome, action) {
            (Ok(Outcome::Read), _) => Some(done.filled),
            _ => None,
        };
        if !beside {
            // The job took `buf` (and its bytes); it comes back empty or with what it read.
            self.buf = done.buf;
            self.reset();
            if let Some(n @ 1..) = read {
                self.filled = n;
                self.mode = Mode::Reading;
            }
        } else if let (Action::Read(_), Some(n)) = (action, read) {
            if self.mode == Mode::Reading {
                self.ahead = Some((done.buf, n)); // `buf` still has unread bytes
            } else {
                // `buf` was used up meanwhile: the bytes read ahead become the buffer.
                self.spare = std::mem::replace(&mut self.buf, done.buf);
                self.reset();
                if n > 0 {
                    self.filled = n;
                    self.mode = Mode::Reading;
                }
            }
        } else {
            // A write-behind (or a failed read-ahead): its buffer is free again. `buf`
            // holds what was written since, untouched.
            self.spare = done.buf;
        }
        Poll::Ready(Some((action, done.outcome)))
    }

    fn reset(&mut self) {
        self.mode = Mode::Idle;
        self.pos = 0;
        self.filled = 0;
    }

    /// Hands the file, its buffered bytes and `action` to the pool (the job takes `buf`).
    /// There must be no job in flight.
    fn start(&mut self, action: Action) -> io::Result<()> {
        debug_assert!(self.busy.is_none());
        let file = self.file.take().ok_or_else(lost)?;
        let (pending, mut rewind) = match self.mode {
            Mode::Idle => (0, 0),
            Mode::Reading => (0, (self.filled - self.pos) as u64),
            Mode::Writing => (self.filled, 0),
        };
        if let Some((buf, n)) = self.ahead.take() {
            rewind += n as u64;
            self.spare = buf;
        }
        if let Action::Read(_) = action {
            self.streak += 1;
        } else {
            self.streak = 0;
            self.read_size = BUFFER;
        }
        if !matches!(action, Action::Flush | Action::SyncAll | Action::SyncData) {
            self.write_size = BUFFER;
        }
        let job = Job {
            file,
            buf: std::mem::take(&mut self.buf),
            pending,
            rewind,
            action,
            path: self.path.clone(),
        };
        self.reset();
        self.busy = Some(Busy {
            action,
            task: pool::spawn(move || job.run()),
            beside: false,
        });
        Ok(())
    }

    /// Starts a job on the spare buffer while `buf` stays: reading the next chunk ahead
    /// (`Action::Read`), or writing `buf`'s full bytes behind (`Action::Flush`, after
    /// which `buf` is the spare, empty).
    fn start_beside(&mut self, action: Action) {
        debug_assert!(self.busy.is_none());
        let Some(file) = self.file.take() else { return };
        let (buf, pending) = match action {
            Action::Read(_) => (std::mem::take(&mut self.spare), 0),
            _ => {
                let full = std::mem::replace(&mut self.buf, std::mem::take(&mut self.spare));
                let pending = self.filled;
                self.reset();
                (full, pending)
            }
        };
        let job = Job {
            file,
            buf,
            pending,
            rewind: 0,
            action,
            path: self.path.clone(),
        };
        self.busy = Some(Busy {
            action,
            task: pool::spawn(move || job.run()),
            beside: true,
        });
    }

    /// Reads the next chunk ahead if the file is being read straight through.
    fn maybe_read_ahead(&mut self) {
        if self.read_ahead
            && self.busy.is_none()
            && self.ahead.is_none()
            && self.streak >= PREFETCH_AFTER
        {
            let size = self.read_size;
            self.read_size = (size * 2).min(MAX_CHUNK);
            self.streak += 1;
            self.start_beside(Action::Read(size));
        }
    }

    /// Runs `action` to completion: the in-flight job first (its error is ours to report;
    /// when it was this same action, abandoned by a dropped future, its result is ours).
    /// [`Action::Flush`] leaves the buffer empty: pending bytes written, read-ahead undone.
    fn poll_action(&mut self, cx: &mut Context<'_>, action: Action) -> Poll<io::Result<Outcome>> {
        loop {
            if let Some((done, outcome)) = ready!(self.poll_busy(cx)) {
                if done == action && action != Action::Flush {
                    return Poll::Ready(outcome);
                }
                outcome?;
                continue;
            }
            if action == Action::Flush && self.mode == Mode::Idle {
                return Poll::Ready(Ok(Outcome::Done));
            }
            self.start(action)?;
        }
    }

    /// Makes the buffer hold unread bytes, or says end of file (`false`).
    fn poll_fill(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<bool>> {
        loop {
            if self.mode == Mode::Reading {
                self.maybe_read_ahead();
                return Poll::Ready(Ok(true));
            }
            debug_assert!(
                self.ahead.is_none(),
                "read-ahead bytes only follow unread ones"
            );
            if self.busy.is_some() {
                let (done, outcome) = ready!(self.poll_busy(cx)).expect("a job is in flight");
                outcome?;
                if matches!(done, Action::Read(_)) && self.mode == Mode::Idle {
                    return Poll::Ready(Ok(false)); // a read of 0 bytes: end of file
                }
                continue;
            }
            let size = self.read_size.max(want.min(MAX_CHUNK));
            self.start(Action::Read(size))?;
            self.read_size = (size * 2).min(MAX_CHUNK);
        }
    }

    /// Marks `n` buffered bytes as read. When the buffer is used up, bytes read ahead take
    /// its place, so that `ahead` is only ever set while `mode` is `Reading`.
    fn consume_read(&mut self, n: usize) {
        self.pos += n;
        if self.pos >= self.filled {
            self.reset();
            if let Some((buf, n)) = self.ahead.take() {
                self.spare = std::mem::replace(&mut self.buf, buf);
                if n > 0 {
                    self.filled = n;
                    self.mode = Mode::Reading;
                }
            }
        }
    }
}

fn lost() -> io::Error {
    io::Error::other("corio-fs: the file was lost when a blocking operation on it panicked")
}

impl AsyncRead for File {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if !ready!(this.poll_fill(cx, out.len()))? {
            return Poll::Ready(Ok(0));
        }
        let n = out.len().min(this.filled - this.pos);
        out[..n].copy_from_slice(&this.buf[this.pos..this.pos + n]);
        this.consume_read(n);
        Poll::Ready(Ok(n))
    }
}

impl AsyncBufRead for File {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if !ready!(this.poll_fill(cx, 0))? {
            return Poll::Ready(Ok(&[]));
        }
        Poll::Ready(Ok(&this.buf[this.pos..this.filled]))
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        if self.mode == Mode::Reading {
            let amt = amt.min(self.filled - self.pos);
            self.consume_read(amt);
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        loop {
            // Anything in flight but a write-behind is waited for; a write-behind only
            // when `buf` is full again.
            let behind = this
                .busy
                .as_ref()
                .is_some_and(|b| b.beside && b.action == Action::Flush);
            let full = this.mode == Mode::Writing && this.filled == this.buf.len();
            if this.busy.is_some() && (!behind || full) {
                if let Some((_, outcome)) = ready!(this.poll_busy(cx)) {
                    outcome?;
                }
                continue;
            }
            if this.mode == Mode::Reading {
                // Step back over the read-ahead before writing where the reader is.
                this.start(Action::Flush)?;
                continue;
            }
            if full {
                this.write_size = (this.write_size * 2).min(MAX_CHUNK);
                this.start_beside(Action::Flush);
                continue;
            }
            if data.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if this.filled == 0 {
                let size = data.len().clamp(this.write_size, MAX_WRITE);
                if this.buf.len() < size {
                    this.buf.resize(size, 0);
                }
            }
            let n = data.len().min(this.buf.len() - this.filled);
            this.buf[this.filled..this.filled + n].copy_from_slice(&data[..n]);
            this.filled += n;
            this.mode = Mode::Writing;
            if this.filled == this.buf.len() && this.busy.is_none() {
                // Full: write it behind, on the pool, while the caller fills the other.
                this.write_size = (this.write_size * 2).min(MAX_CHUNK);
                this.start_beside(Action::Flush);
            }
            return Poll::Ready(Ok(n));
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this
                .busy
                .as_ref()
                .is_some_and(|b| b.beside && matches!(b.action, Action::Read(_)))
            {
                // Only a read-ahead is in flight: nothing written waits.
                return Poll::Ready(Ok(()));
            }
            if let Some((_, outcome)) = ready!(this.poll_busy(cx)) {
                outcome?;
                continue;
            }
            if this.mode != Mode::Writing {
                // Read-ahead stays: flushing concerns written bytes only.
                return Poll::Ready(Ok(()));
            }
            this.start(Action::Flush)?;
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        match ready!(self.poll_action(cx, Action::Seek(pos)))? {
            Outcome::Position(p) => Poll::Ready(Ok(p)),
            _ => unreachable!("a seek job returns a position"),
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        // A job in flight finishes on its own (its task detaches) and closes the file.
        // Bytes accepted but not yet handed over go to the pool now, after it.
        if self.mode != Mode::Writing || self.filled == 0 {
            return;
        }
        let job = Job {
            file: match self.file.take() {
                Some(file) => file,
                None if self.busy.is_some() => {
                    // A write-behind has the file: wait for it on the pool, then write.
                    let busy = self.busy.take().expect("checked");
                    let (buf, pending, path) = (
                        std::mem::take(&mut self.buf),
                        self.filled,
                        self.path.clone(),
                    );
                    pool::spawn(move || {
                        if let Ok(done) = busy.task.join_blocking() {
                            let job = Job {
                                file: done.file,
                                buf,
                                pending,
                                rewind: 0,
                                action: Action::Flush,
                                path,
                            };
                            drop(job.run());
                        }
                    })
                    .detach();
                    return;
                }
                None => return,
            },
            buf: std::mem::take(&mut self.buf),
            pending: self.filled,
            rewind: 0,
            action: Action::Flush,
            path: self.path.clone(),
        };
        pool::spawn(move || drop(job.run())).detach();
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .field("buffered", &(self.filled - self.pos.min(self.filled)))
            .field("read_ahead", &self.ahead.as_ref().map(|(_, n)| n))
            .field("busy", &self.busy.as_ref().map(|b| b.action))
            .finish()
    }
}
