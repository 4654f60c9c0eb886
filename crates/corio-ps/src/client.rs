//! Finding a process's snapshot socket and reading one snapshot from it, with an error
//! that says what went wrong for every way it can.

use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use corio::debug::{CallGraph, REQUEST, SOCKET_ENV, default_socket_path};

/// Why no snapshot could be read. Each variant's message names the cause and what to do.
#[derive(Debug)]
pub(crate) enum Error {
    NoProcess(u32),
    NoSocket {
        pid: u32,
        path: PathBuf,
        env: Option<String>,
    },
    NoSuchPath(PathBuf),
    NotASocket(PathBuf),
    OtherUser {
        path: PathBuf,
        owner: u32,
        me: u32,
    },
    Stale(PathBuf),
    Connect(PathBuf, io::Error),
    Timeout(PathBuf, Duration),
    Closed(PathBuf),
    BadReply(PathBuf, String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoProcess(pid) => write!(f, "no process with pid {pid}"),
            Error::NoSocket { pid, path, env } => {
                write!(
                    f,
                    "process {pid} has no corio-ps socket at {}: ",
                    path.display()
                )?;
                match env {
                    Some(v) => write!(
                        f,
                        "its {SOCKET_ENV}={v} did not make one (is it a corio program? did its loop start?)"
                    ),
                    None => write!(
                        f,
                        "start it with {SOCKET_ENV}=1 in its environment, or build its loop with \
                         corio::Builder::call_graph_socket(path) and pass that path to corio-ps"
                    ),
                }
            }
            Error::NoSuchPath(p) => write!(f, "no such socket: {}", p.display()),
            Error::NotASocket(p) => write!(f, "{} is not a socket", p.display()),
            Error::OtherUser { path, owner, me } => write!(
                f,
                "{} belongs to uid {owner}, not to you (uid {me}): corio-ps reads only the \
                 processes of its own user",
                path.display()
            ),
            Error::Stale(p) => write!(
                f,
                "stale socket {}: no process listens on it (the process exited without removing \
                 it); delete the file",
                p.display()
            ),
            Error::Connect(p, e) => write!(f, "cannot connect to {}: {e}", p.display()),
            Error::Timeout(p, t) => write!(
                f,
                "no answer from {} within {:.1} s (is the process stopped?)",
                p.display(),
                t.as_secs_f64()
            ),
            Error::Closed(p) => write!(
                f,
                "the process behind {} closed the connection before its answer was complete \
                 (did it exit?)",
                p.display()
            ),
            Error::BadReply(p, why) => write!(f, "unexpected answer from {}: {why}", p.display()),
        }
    }
}

fn my_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The socket a `PID|SOCKET` argument names.
pub(crate) fn resolve(target: &str) -> Result<PathBuf, Error> {
    let Ok(pid) = target.parse::<u32>() else {
        return Ok(PathBuf::from(target));
    };
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !proc_dir.exists() {
        return Err(Error::NoProcess(pid));
    }
    // The socket path the process was asked for, if its environment is ours to read.
    let env = std::fs::read(proc_dir.join("environ"))
        .ok()
        .and_then(|raw| {
            raw.split(|&b| b == 0)
                .filter_map(|kv| std::str::from_utf8(kv).ok())
                .find_map(|kv| {
                    kv.strip_prefix(&format!("{SOCKET_ENV}="))
                        .map(str::to_owned)
                })
        });
    let path = match env.as_deref() {
        Some(v) if v.contains('/') => PathBuf::from(v),
        _ => default_socket_path(pid),
    };
    if std::fs::symlink_metadata(&path).is_err() {
        return Err(Error::NoSocket { pid, path, env });
    }
    Ok(path)
}

/// Reads one snapshot from the socket at `path`, waiting at most `timeout` for each step.
pub(crate) fn fetch(path: &Path, timeout: Duration) -> Result<CallGraph, Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|_| Error::NoSuchPath(path.into()))?;
    if let (Some(me), owner) = (my_uid(), meta.uid()) {
        if owner != me {
            return Err(Error::OtherUser {
                path: path.into(),
                owner,
                me,
            });
        }
    }
    if !meta.file_type().is_socket() {
        return Err(Error::NotASocket(path.into()));
    }
    let mut conn = UnixStream::connect(path).map_err(|e| match e.kind() {
        io::ErrorKind::ConnectionRefused => Error::Stale(path.into()),
        io::ErrorKind::NotFound => Error::NoSuchPath(path.into()),
        _ => Error::Connect(path.into(), e),
    })?;
    let io_err = |e: io::Error| match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout(path.into(), timeout),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => Error::Closed(path.into()),
        _ => Error::Connect(path.into(), e),
    };
    conn.set_read_timeout(Some(timeout)).map_err(io_err)?;
    conn.set_write_timeout(Some(timeout)).map_err(io_err)?;
    conn.write_all(REQUEST.as_bytes()).map_err(io_err)?;
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).map_err(io_err)?;
    if !line.ends_with('\n') {
        return Err(Error::Closed(path.into()));
    }
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(&line) {
        if let Some(e) = o.get("error") {
            return Err(Error::BadReply(path.into(), e.to_string()));
        }
    }
    serde_json::from_str(&line).map_err(|e| Error::BadReply(path.into(), e.to_string()))
}
