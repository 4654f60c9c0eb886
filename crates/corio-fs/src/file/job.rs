//! What a [`File`](super::File) sends to the blocking pool: the std file and its buffer
//! travel to a pool thread and back, with one action to do there, preceded by the two
//! chores that keep the buffer honest (write out pending bytes, step back over unread
//! ones).

use std::fs::{File as StdFile, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use crate::error::with_path;

/// One operation on the file. Equal actions are the same request: a future that was
/// dropped while its action ran leaves the result to the next call asking for the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Action {
    /// Read up to this many bytes into the buffer.
    Read(usize),
    /// Only the chores: write out pending bytes, drop the read-ahead.
    Flush,
    Seek(SeekFrom),
    SyncAll,
    SyncData,
    SetLen(u64),
    Metadata,
}

#[derive(Debug)]
pub(super) enum Outcome {
    /// The buffer holds `filled` new bytes (0 at end of file).
    Read,
    Done,
    Position(u64),
    Metadata(Metadata),
}

pub(super) struct Job {
    pub(super) file: StdFile,
    pub(super) buf: Vec<u8>,
    /// Bytes at the start of `buf` to write before the action.
    pub(super) pending: usize,
    /// Read-ahead bytes to step back over (the OS offset is this far past the logical one).
    pub(super) rewind: u64,
    pub(super) action: Action,
    pub(super) path: Option<Arc<Path>>,
}

/// A job's return trip: the file and buffer, the bytes now valid in the buffer, and how
/// the action went.
pub(super) struct Done {
    pub(super) file: StdFile,
    pub(super) buf: Vec<u8>,
    pub(super) filled: usize,
    pub(super) outcome: io::Result<Outcome>,
}

impl Job {
    /// Runs on a pool thread.
    pub(super) fn run(self) -> Done {
        let Job {
            mut file,
            mut buf,
            pending,
            rewind,
            action,
            path,
        } = self;
        let name = |op: &'static str, e: io::Error| match &path {
            Some(p) => with_path(op, p, e),
            None => e,
        };
        let mut filled = 0;
        let outcome = (|| {
            if pending > 0 {
                file.write_all(&buf[..pending])
                    .map_err(|e| name("write", e))?;
            }
            let mut action = action;
            if rewind > 0 {
                // Fold the step back into a relative seek; an absolute one needs none.
                match action {
                    Action::Seek(SeekFrom::Current(off)) => {
                        action = Action::Seek(SeekFrom::Current(off - rewind as i64));
                    }
                    Action::Seek(_) => {}
                    _ => {
                        file.seek(SeekFrom::Current(-(rewind as i64)))
                            .map_err(|e| name("seek", e))?;
                    }
                }
            }
            Ok(match action {
                Action::Read(len) => {
                    if buf.len() < len {
                        buf.resize(len, 0);
                    }
                    loop {
                        match file.read(&mut buf[..len]) {
                            Ok(n) => {
                                filled = n;
                                break Outcome::Read;
                            }
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                            Err(e) => return Err(name("read", e)),
                        }
                    }
                }
                Action::Flush => Outcome::Done,
                Action::Seek(pos) => match file.seek(pos) {
                    Ok(at) => Outcome::Position(at),
                    Err(e) => {
                        // A relative seek that failed (before the start of the file)
                        // still owes the step back over the read-ahead it folded in.
                        if let (SeekFrom::Current(_), true) = (pos, rewind > 0) {
                            file.seek(SeekFrom::Current(-(rewind as i64)))
                                .map_err(|e| name("seek", e))?;
                        }
                        return Err(name("seek", e));
                    }
                },
                Action::SyncAll => {
                    file.sync_all().map_err(|e| name("sync", e))?;
                    Outcome::Done
                }
                Action::SyncData => {
                    file.sync_data().map_err(|e| name("sync", e))?;
                    Outcome::Done
                }
                Action::SetLen(len) => {
                    file.set_len(len).map_err(|e| name("set length of", e))?;
                    Outcome::Done
                }
                Action::Metadata => {
                    Outcome::Metadata(file.metadata().map_err(|e| name("metadata of", e))?)
                }
            })
        })();
        Done {
            file,
            buf,
            filled,
            outcome,
        }
    }
}
