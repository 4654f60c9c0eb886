//! [`OpenOptions`]: how to open a [`File`](crate::File), as std's builder.

use std::fs::OpenOptions as StdOpenOptions;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::error::with_path;
use crate::file::File;
use crate::pool;

/// How to open a [`File`]: read, write, append, truncate, create: the flags of
/// [`std::fs::OpenOptions`] (Python's `open` mode string, spelled out).
///
/// | Python | corio |
/// |---|---|
/// | `open(p, "r")` | `.read(true)` ([`File::open`]) |
/// | `open(p, "w")` | `.write(true).create(true).truncate(true)` ([`File::create`]) |
/// | `open(p, "a")` | `.append(true).create(true)` |
/// | `open(p, "x")` | `.write(true).create_new(true)` |
/// | `open(p, "r+")` | `.read(true).write(true)` |
///
/// # Examples
///
/// ```
/// use futures::io::AsyncWriteExt;
/// # corio_executor::run(async {
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("log.txt");
/// for line in ["one\n", "two\n"] {
///     let mut log = corio_fs::OpenOptions::new().append(true).create(true).open(&path).await?;
///     log.write_all(line.as_bytes()).await?;
///     log.flush().await?;
/// }
/// assert_eq!(corio_fs::read_to_string(&path).await?, "one\ntwo\n");
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(StdOpenOptions);

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! flag {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// # Examples
        ///
        /// See [`OpenOptions`].
        pub fn $name(&mut self, yes: bool) -> &mut Self {
            self.0.$name(yes);
            self
        }
    };
}

impl OpenOptions {
    /// No flag set: set at least one of `read`, `write`, `append` before opening.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let file = corio_fs::OpenOptions::new().read(true).open("Cargo.toml").await?;
    /// # drop(file);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn new() -> Self {
        OpenOptions(StdOpenOptions::new())
    }

    flag! {
        /// Open for reading.
        read
    }
    flag! {
        /// Open for writing (at the start; with `truncate` to empty the file first).
        write
    }
    flag! {
        /// Open for appending: every write goes to the end of the file.
        append
    }
    flag! {
        /// Empty the file when opening it (needs `write`).
        truncate
    }
    flag! {
        /// Create the file if it does not exist (needs `write` or `append`).
        create
    }
    flag! {
        /// Create the file, failing with `AlreadyExists` if it exists (Python's `"x"`).
        create_new
    }

    /// Opens `path` with these options, on the blocking pool.
    ///
    /// # Errors
    ///
    /// As [`std::fs::OpenOptions::open`], naming the path. A directory opened for writing
    /// is `IsADirectory`; opened for reading it succeeds (as in std), and the first read
    /// fails with `IsADirectory`, naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the open happens even if the future is dropped (creating or
    /// truncating the file if asked); the file is then closed.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let err = corio_fs::OpenOptions::new().read(true).open("no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// assert!(err.to_string().contains("no/such/file"));
    /// # });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path: Arc<Path> = Arc::from(path.as_ref());
        let options = self.0.clone();
        let p = path.clone();
        let file =
            pool::run(move || options.open(&p).map_err(|e| with_path("open", &p, e))).await?;
        Ok(File::new(file, Some(path)))
    }
}

#[cfg(unix)]
impl OpenOptions {
    /// The permission bits a created file gets (before the umask), as
    /// `std::os::unix::fs::OpenOptionsExt::mode`; 0o666 unless set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::unix::fs::PermissionsExt;
    /// # corio_executor::run(async {
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("secret");
    /// let file = corio_fs::OpenOptions::new().write(true).create(true).mode(0o600).open(&path).await?;
    /// # drop(file);
    /// assert_eq!(corio_fs::metadata(&path).await?.permissions().mode() & 0o777, 0o600);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }
}
