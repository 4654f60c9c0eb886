//! The whole-file and directory functions: one blocking-pool hop each.
//!
//! Every function here is an `async fn` that does nothing until first polled. Once
//! polled, the operation is on a pool thread and runs to completion even if the future
//! is dropped (its result is then dropped): a dropped `write` may still have written the
//! file, a dropped `rename` may still have renamed it.

use std::fs::{self as stdfs, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{with_path, with_paths};
use crate::pool;

/// Reads the whole file at `path` (asyncio: `await asyncio.to_thread(Path(p).read_bytes)`).
///
/// # Errors
///
/// As [`std::fs::read`], wrapped so that the message names the path (see
/// [`PathError`](crate::PathError)).
///
/// # Cancel safety
///
/// Dropping the future after its first poll lets the read finish on the pool; its data
/// is dropped. Nothing is written, so nothing is lost.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let bytes = corio_fs::read("Cargo.toml").await?;
/// assert!(bytes.starts_with(b"[package]"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    pool::run(move || stdfs::read(&path).map_err(|e| with_path("read", &path, e))).await
}

/// Reads the whole file at `path` as UTF-8 (asyncio: `to_thread(Path(p).read_text)`).
///
/// # Errors
///
/// As [`std::fs::read_to_string`] (`InvalidData` when the file is not UTF-8), naming the
/// path.
///
/// # Cancel safety
///
/// As [`read`]: the read finishes on the pool and its data is dropped.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let text = corio_fs::read_to_string("Cargo.toml").await?;
/// assert!(text.contains("corio-fs"));
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    pool::run(move || stdfs::read_to_string(&path).map_err(|e| with_path("read", &path, e))).await
}

/// Creates or truncates the file at `path` and writes `contents` to it.
///
/// # Errors
///
/// As [`std::fs::write`], naming the path.
///
/// # Cancel safety
///
/// Once polled, the write runs to completion on the pool even if the future is dropped:
/// the file ends up written (or not at all, on an error nobody sees). Await it to know.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-write-{}", std::process::id()));
/// corio_fs::create_dir_all(&dir).await?;
/// corio_fs::write(dir.join("hello.txt"), "hello").await?;
/// assert_eq!(corio_fs::read_to_string(dir.join("hello.txt")).await?, "hello");
/// corio_fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    pool::run(move || stdfs::write(&path, contents).map_err(|e| with_path("write", &path, e))).await
}

/// Copies the contents and permissions of `from` to `to`, returning the bytes copied.
///
/// # Errors
///
/// As [`std::fs::copy`]; the message names both paths.
///
/// # Cancel safety
///
/// Once polled, the copy runs to completion on the pool even if the future is dropped.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-copy-{}", std::process::id()));
/// corio_fs::create_dir_all(&dir).await?;
/// corio_fs::write(dir.join("a"), "abc").await?;
/// assert_eq!(corio_fs::copy(dir.join("a"), dir.join("b")).await?, 3);
/// assert_eq!(corio_fs::read(dir.join("b")).await?, b"abc");
/// corio_fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    pool::run(move || stdfs::copy(&from, &to).map_err(|e| with_paths("copy", &from, &to, e))).await
}

/// Renames `from` to `to`, replacing `to` if it exists (as [`std::fs::rename`]).
///
/// # Errors
///
/// As [`std::fs::rename`]; the message names both paths.
///
/// # Cancel safety
///
/// Once polled, the rename happens even if the future is dropped.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-rename-{}", std::process::id()));
/// corio_fs::create_dir_all(&dir).await?;
/// corio_fs::write(dir.join("old"), "x").await?;
/// corio_fs::rename(dir.join("old"), dir.join("new")).await?;
/// assert!(corio_fs::metadata(dir.join("old")).await.is_err());
/// corio_fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    pool::run(move || stdfs::rename(&from, &to).map_err(|e| with_paths("rename", &from, &to, e)))
        .await
}

macro_rules! path_op {
    (
        $(#[$doc:meta])*
        fn $name:ident -> $ret:ty = $std:path, $op:literal
    ) => {
        $(#[$doc])*
        pub async fn $name(path: impl AsRef<Path>) -> io::Result<$ret> {
            let path = path.as_ref().to_owned();
            pool::run(move || $std(&path).map_err(|e| with_path($op, &path, e))).await
        }
    };
}

path_op! {
    /// Removes the file (or symbolic link) at `path`.
    ///
    /// # Errors
    ///
    /// As [`std::fs::remove_file`] (a directory is an error), naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the removal happens even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let file = std::env::temp_dir().join(format!("corio-fs-doc-rm-{}", std::process::id()));
    /// corio_fs::write(&file, "x").await?;
    /// corio_fs::remove_file(&file).await?;
    /// assert!(!corio_fs::try_exists(&file).await?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn remove_file -> () = stdfs::remove_file, "remove file"
}

path_op! {
    /// Removes the empty directory at `path`.
    ///
    /// # Errors
    ///
    /// As [`std::fs::remove_dir`] (a directory that is not empty is an error), naming the
    /// path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the removal happens even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-rmdir-{}", std::process::id()));
    /// corio_fs::create_dir(&dir).await?;
    /// corio_fs::remove_dir(&dir).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn remove_dir -> () = stdfs::remove_dir, "remove directory"
}

path_op! {
    /// Removes the directory at `path` and everything in it (asyncio:
    /// `to_thread(shutil.rmtree, p)`).
    ///
    /// # Errors
    ///
    /// As [`std::fs::remove_dir_all`], naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the removal runs to completion even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-rmtree-{}", std::process::id()));
    /// corio_fs::create_dir_all(dir.join("a/b")).await?;
    /// corio_fs::remove_dir_all(&dir).await?;
    /// assert!(!corio_fs::try_exists(&dir).await?);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn remove_dir_all -> () = stdfs::remove_dir_all, "remove directory tree"
}

path_op! {
    /// Creates the directory `path`; its parent must exist.
    ///
    /// # Errors
    ///
    /// As [`std::fs::create_dir`] (`AlreadyExists`, `NotFound` for a missing parent),
    /// naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the directory is created even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-mkdir-{}", std::process::id()));
    /// corio_fs::create_dir(&dir).await?;
    /// assert!(corio_fs::metadata(&dir).await?.is_dir());
    /// corio_fs::remove_dir(&dir).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn create_dir -> () = stdfs::create_dir, "create directory"
}

path_op! {
    /// Creates the directory `path` and any missing parents (`os.makedirs(p, exist_ok=True)`).
    ///
    /// # Errors
    ///
    /// As [`std::fs::create_dir_all`], naming the path.
    ///
    /// # Cancel safety
    ///
    /// Once polled, the directories are created even if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-mkdirs-{}", std::process::id()));
    /// corio_fs::create_dir_all(dir.join("a/b/c")).await?;
    /// corio_fs::create_dir_all(dir.join("a/b/c")).await?; // already there: fine
    /// corio_fs::remove_dir_all(&dir).await?;
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn create_dir_all -> () = stdfs::create_dir_all, "create directories"
}

path_op! {
    /// The metadata of `path`, following symbolic links.
    ///
    /// # Errors
    ///
    /// As [`std::fs::metadata`], naming the path.
    ///
    /// # Cancel safety
    ///
    /// Nothing changes on disk; dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let meta = corio_fs::metadata("Cargo.toml").await?;
    /// assert!(meta.is_file() && meta.len() > 0);
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn metadata -> Metadata = stdfs::metadata, "metadata of"
}

path_op! {
    /// The metadata of `path` itself, not following a symbolic link.
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
    /// ```
    /// # corio_executor::run(async {
    /// let meta = corio_fs::symlink_metadata("Cargo.toml").await?;
    /// assert!(!meta.file_type().is_symlink());
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn symlink_metadata -> Metadata = stdfs::symlink_metadata, "metadata of"
}

path_op! {
    /// The absolute path of `path`, with every symbolic link and `..` resolved.
    ///
    /// # Errors
    ///
    /// As [`std::fs::canonicalize`] (the path must exist), naming the path.
    ///
    /// # Cancel safety
    ///
    /// Nothing changes on disk; dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// let abs = corio_fs::canonicalize("./src/../Cargo.toml").await?;
    /// assert!(abs.is_absolute() && abs.ends_with("Cargo.toml"));
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    fn canonicalize -> PathBuf = stdfs::canonicalize, "canonicalize"
}

path_op! {
    /// The target of the symbolic link at `path`.
    ///
    /// # Errors
    ///
    /// As [`std::fs::read_link`] (`InvalidInput` when `path` is not a link), naming the
    /// path.
    ///
    /// # Cancel safety
    ///
    /// Nothing changes on disk; dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio_executor::run(async {
    /// assert!(corio_fs::read_link("Cargo.toml").await.is_err()); // not a link
    /// # });
    /// ```
    fn read_link -> PathBuf = stdfs::read_link, "read link"
}

/// Whether `path` exists (`Ok(false)` when it does not, an error when that cannot be
/// told, say for lack of permission), following symbolic links.
///
/// # Errors
///
/// As [`Path::try_exists`], naming the path.
///
/// # Cancel safety
///
/// Nothing changes on disk; dropping the future loses nothing.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// assert!(corio_fs::try_exists("Cargo.toml").await?);
/// assert!(!corio_fs::try_exists("no-such-file").await?);
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    pool::run(move || path.try_exists().map_err(|e| with_path("check", &path, e))).await
}

/// Creates a hard link `link` to the file `original`.
///
/// # Errors
///
/// As [`std::fs::hard_link`]; the message names both paths.
///
/// # Cancel safety
///
/// Once polled, the link is made even if the future is dropped.
///
/// # Examples
///
/// ```
/// # corio_executor::run(async {
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-link-{}", std::process::id()));
/// corio_fs::create_dir_all(&dir).await?;
/// corio_fs::write(dir.join("a"), "x").await?;
/// corio_fs::hard_link(dir.join("a"), dir.join("b")).await?;
/// assert_eq!(corio_fs::read(dir.join("b")).await?, b"x");
/// corio_fs::remove_dir_all(&dir).await?;
/// # std::io::Result::Ok(()) }).unwrap();
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    pool::run(move || {
        stdfs::hard_link(&from, &to).map_err(|e| with_paths("hard link", &from, &to, e))
    })
    .await
}
