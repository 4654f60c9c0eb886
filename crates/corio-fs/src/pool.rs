//! The one way this crate leaves the loop: a job on corio-executor's bounded blocking
//! pool, its `JoinError` (a job that panicked) turned into an `io::Error`.

use std::io;

use corio_executor::{JoinError, Task};

/// Runs `f` on the process-wide blocking pool.
pub(crate) fn spawn<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    corio_executor::spawn_blocking(f)
}

/// A blocking job that panicked, as an I/O error (the pool thread survives it).
pub(crate) fn join_error(err: JoinError) -> io::Error {
    io::Error::other(format!("corio-fs: a blocking file operation failed: {err}"))
}

/// Runs `f` on the pool and waits for it.
pub(crate) async fn run<F, R>(f: F) -> io::Result<R>
where
    F: FnOnce() -> io::Result<R> + Send + 'static,
    R: Send + 'static,
{
    spawn(f).await.map_err(join_error)?
}
