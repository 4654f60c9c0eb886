//! `read_dir` as a `Stream`, many entries per blocking hop.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{self as stdfs, FileType, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use corio_executor::Task;
use futures_core::Stream;

use crate::error::with_path;
use crate::pool;

/// Entries read per blocking hop. The first hop opens the directory and reads a batch
/// too, so a small directory costs one hop in all.
const BATCH: usize = 512;

/// What one hop hands back: the entries it read and, unless the listing ended, the
/// iterator to go on with.
type Batch = (VecDeque<io::Result<DirEntry>>, Option<stdfs::ReadDir>);

fn read_batch(mut iter: stdfs::ReadDir, dir: &Arc<Path>) -> Batch {
    let mut out = VecDeque::with_capacity(BATCH);
    for _ in 0..BATCH {
        match iter.next() {
            Some(Ok(entry)) => {
                // With d_type (Linux, the BSDs) this costs no system call; it is done
                // here, on the pool, so that `DirEntry::file_type` never blocks.
                let file_type = entry.file_type();
                out.push_back(Ok(DirEntry {
                    path: entry.path(),
                    file_type,
                }));
            }
            Some(Err(e)) => out.push_back(Err(with_path("read directory", dir, e))),
            None => return (out, None),
        }
    }
    (out, Some(iter))
}

/// Lists the directory at `path` (asyncio: `to_thread(os.scandir, p)`): a
/// [`Stream`] of its entries, without `.` and `..`, in the operating system's order.
///
/// Opening the directory and reading the first 512 entries take one hop to the blocking
/// pool; each further 512 entries take one more. The next batch is requested as soon as
/// the last entry of the previous one is handed out, so a consumer that does some work
/// per entry finds it ready.
///
/// # Errors
///
/// As [`std::fs::read_dir`] (`NotFound`, `NotADirectory`...), naming the path; errors
/// on single entries come as `Err` items.
///
/// # Cancel safety
///
/// Nothing changes on disk. Dropping this future loses nothing; dropping a
/// `next()` of the stream loses no entry: a batch in flight is kept by the [`ReadDir`]
/// for its next poll.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// # corio_executor::run(async {
/// let mut entries = corio_fs::read_dir("src").await?;
/// let mut names = Vec::new();
/// while let Some(entry) = entries.next().await {
///     names.push(entry?.file_name());
/// }
/// assert!(names.iter().any(|n| n == "lib.rs"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let dir: Arc<Path> = Arc::from(path.as_ref());
    let d = dir.clone();
    let (entries, rest) = pool::run(move || {
        let iter = stdfs::read_dir(&d).map_err(|e| with_path("read directory", &d, e))?;
        Ok(read_batch(iter, &d))
    })
    .await?;
    Ok(ReadDir {
        dir,
        entries,
        state: match rest {
            Some(iter) => State::Idle(iter),
            None => State::Done,
        },
    })
}

/// The entries of a directory, from [`read_dir`]: a
/// `Stream<Item = io::Result<DirEntry>>`.
///
/// # Examples
///
/// ```
/// use futures::TryStreamExt;
/// # corio_executor::run(async {
/// let entries: Vec<_> = corio_fs::read_dir("src").await?.try_collect().await?;
/// assert!(entries.iter().any(|e| e.file_name() == "lib.rs"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct ReadDir {
    dir: Arc<Path>,
    entries: VecDeque<io::Result<DirEntry>>,
    state: State,
}

enum State {
    Idle(stdfs::ReadDir),
    Busy(Task<Batch>),
    Done,
}

impl ReadDir {
    /// Asks the pool for the next batch, if the listing goes on and none is in flight.
    fn prefetch(&mut self) {
        if let State::Idle(_) = self.state {
            let State::Idle(iter) = std::mem::replace(&mut self.state, State::Done) else {
                unreachable!()
            };
            let dir = self.dir.clone();
            self.state = State::Busy(pool::spawn(move || read_batch(iter, &dir)));
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(entry) = this.entries.pop_front() {
                if this.entries.is_empty() {
                    this.prefetch();
                }
                return Poll::Ready(Some(entry));
            }
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                idle @ State::Idle(_) => {
                    this.state = idle;
                    this.prefetch();
                }
                State::Busy(mut task) => match Pin::new(&mut task).poll(cx) {
                    Poll::Pending => {
                        this.state = State::Busy(task);
                        return Poll::Pending;
                    }
                    Poll::Ready(Ok((entries, rest))) => {
                        this.entries = entries;
                        if let Some(iter) = rest {
                            this.state = State::Idle(iter);
                        }
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(pool::join_error(e)))),
                },
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let upper = matches!(self.state, State::Done).then_some(self.entries.len());
        (self.entries.len(), upper)
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("dir", &self.dir)
            .field("buffered", &self.entries.len())
            .field("done", &matches!(self.state, State::Done))
            .finish()
    }
}

/// One entry of a directory listing, from [`ReadDir`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// # corio_executor::run(async {
/// let mut entries = corio_fs::read_dir(".").await?;
/// while let Some(entry) = entries.next().await {
///     let entry = entry?;
///     if entry.file_name() == "Cargo.toml" {
///         assert!(entry.file_type()?.is_file());
///         assert!(entry.metadata().await?.len() > 0);
///     }
/// }
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct DirEntry {
    path: PathBuf,
    file_type: io::Result<FileType>,
}

impl DirEntry {
    /// The entry's full path: the directory given to [`read_dir`] joined with the name.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name in its directory.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub fn file_name(&self) -> OsString {
        self.path
            .file_name()
            .map(OsString::from)
            .unwrap_or_default()
    }

    /// The entry's type (file, directory, symbolic link), not following links. It was read
    /// with the listing, so this does not block.
    ///
    /// # Errors
    ///
    /// When the type could not be read (rare: a file system without `d_type` where the
    /// entry vanished before the pool thread asked).
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub fn file_type(&self) -> io::Result<FileType> {
        match &self.file_type {
            Ok(t) => Ok(*t),
            Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// The entry's metadata, not following symbolic links: one hop to the pool.
    ///
    /// # Errors
    ///
    /// As [`std::fs::symlink_metadata`], naming the path.
    ///
    /// # Cancel safety
    ///
    /// Nothing changes on disk; dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// See [`DirEntry`].
    pub async fn metadata(&self) -> io::Result<Metadata> {
        crate::ops::symlink_metadata(&self.path).await
    }
}
