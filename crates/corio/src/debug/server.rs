//! The snapshot socket: a thread that answers `corio-ps` with the call graph, without
//! stopping any loop.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::graph::CallGraph;

/// The request line a client sends; the reply is the [`CallGraph`] as one line of JSON.
///
/// # Examples
///
/// ```
/// assert!(corio::debug::REQUEST.ends_with('\n'));
/// ```
pub const REQUEST: &str = "corio-ps snapshot 1\n";

/// The environment variable that turns the socket on for loops built by the facade:
/// `CORIO_PS=1` serves at [`default_socket_path`], `CORIO_PS=/some/path.sock` there.
///
/// # Examples
///
/// ```
/// assert_eq!(corio::debug::SOCKET_ENV, "CORIO_PS");
/// ```
pub const SOCKET_ENV: &str = "CORIO_PS";

/// This user's id, from the owner of `/proc/self` (no libc call needed on Linux).
pub(crate) fn current_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Where a process serves its snapshots when `CORIO_PS=1`: `/tmp/corio-ps-<uid>/<pid>.sock`,
/// in a directory only this user may enter.
///
/// # Examples
///
/// ```
/// let p = corio::debug::default_socket_path(1234);
/// assert!(p.ends_with("1234.sock"));
/// ```
pub fn default_socket_path(pid: u32) -> PathBuf {
    let uid = current_uid().map_or_else(|| "user".to_owned(), |u| u.to_string());
    PathBuf::from(format!("/tmp/corio-ps-{uid}")).join(format!("{pid}.sock"))
}

/// A running snapshot server; dropping it stops the server and removes the socket file.
///
/// # Examples
///
/// ```
/// let dir = std::env::temp_dir().join(format!("corio-serve-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let server = corio::debug::serve(dir.join("s.sock")).unwrap();
/// assert!(server.path().exists());
/// let path = server.path().to_owned();
/// drop(server);
/// assert!(!path.exists());
/// std::fs::remove_dir(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct SnapshotServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SnapshotServer {
    /// The socket's path.
    ///
    /// # Examples
    ///
    /// See [`SnapshotServer`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the server for the rest of the process's life.
    pub(crate) fn detach(mut self) {
        self.thread = None;
        std::mem::forget(self);
    }
}

impl Drop for SnapshotServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept with a connection of our own.
        let _ = UnixStream::connect(&self.path);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Serves call-graph snapshots on a Unix socket at `path` (permissions 0600: only this
/// user can connect), from a thread of its own, so a request never waits for a loop and
/// works while every loop is stuck. Turns the bookkeeping on
/// ([`enable`](super::enable)). A stale socket file left by a dead process is replaced.
///
/// # Errors
///
/// When the path is taken by a live server or by a file that is not a socket, or the
/// socket cannot be made.
///
/// # Examples
///
/// See [`SnapshotServer`].
pub fn serve(path: impl AsRef<Path>) -> io::Result<SnapshotServer> {
    let path = path.as_ref().to_owned();
    super::enable();
    if let Ok(meta) = std::fs::symlink_metadata(&path) {
        if !meta.file_type().is_socket() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
        if UnixStream::connect(&path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("{} is served by a live process", path.display()),
            ));
        }
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("corio-ps-server".into())
        .spawn(move || accept_loop(listener, &flag))?;
    Ok(SnapshotServer {
        path,
        stop,
        thread: Some(thread),
    })
}

fn accept_loop(listener: UnixListener, stop: &AtomicBool) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(conn) = conn {
            // A client that never sends its request cannot hold the server.
            let _ = answer(conn);
        }
    }
}

fn answer(conn: UnixStream) -> io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(2)))?;
    conn.set_write_timeout(Some(Duration::from_secs(2)))?;
    let mut line = String::new();
    BufReader::new(&conn).take_line(&mut line)?;
    let mut conn = conn;
    if line != REQUEST {
        let reply = serde_json::json!({ "error": format!("unknown request {line:?}; expected {REQUEST:?}") });
        writeln!(conn, "{reply}")?;
        return Ok(());
    }
    let graph = CallGraph::capture();
    let json = serde_json::to_string(&graph).map_err(io::Error::other)?;
    conn.write_all(json.as_bytes())?;
    conn.write_all(b"\n")
}

trait TakeLine {
    fn take_line(&mut self, out: &mut String) -> io::Result<()>;
}

impl<R: BufRead> TakeLine for R {
    /// Reads one line of at most 256 bytes.
    fn take_line(&mut self, out: &mut String) -> io::Result<()> {
        let mut limited = std::io::Read::take(self, 256);
        limited.read_line(out).map(|_| ())
    }
}

/// Makes (or checks) the private directory of [`default_socket_path`].
pub(crate) fn private_dir(path: &Path) -> io::Result<()> {
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = std::fs::metadata(dir)?;
            if Some(meta.uid()) != current_uid() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{} belongs to another user", dir.display()),
                ));
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Starts the server the environment asks for (`CORIO_PS`), once per process.
pub(crate) fn from_env() {
    static STARTED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let Some(value) = std::env::var_os(SOCKET_ENV) else {
        return;
    };
    STARTED.get_or_init(|| match value.to_str() {
        Some("" | "0" | "false" | "no" | "off") => {}
        Some("1" | "true" | "yes" | "on") => {
            let path = default_socket_path(std::process::id());
            if let Err(e) = private_dir(&path) {
                eprintln!("corio: no call-graph socket at {} ({e})", path.display());
                return;
            }
            start_detached(&path);
        }
        _ => start_detached(Path::new(&value)),
    });
}

/// Starts a server that lives as long as the process (the builder option), reporting a
/// failure on stderr rather than failing the loop.
pub(crate) fn start_detached(path: &Path) {
    match serve(path) {
        Ok(s) => s.detach(),
        Err(e) => eprintln!(
            "corio: no call-graph socket at {} ({e}); corio-ps cannot reach this process",
            path.display()
        ),
    }
}
