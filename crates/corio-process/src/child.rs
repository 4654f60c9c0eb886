//! [`Child`]: a running child process, with async pipes and an async `wait`.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Output};
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::exit::ExitWatch;
use crate::pipe::{ChildStderr, ChildStdin, ChildStdout, named};
use crate::reaper;

/// A child process (asyncio's `Process`), made by [`Command::spawn`](crate::Command::spawn).
///
/// Its standard streams, when piped, are the public fields [`stdin`](Self::stdin),
/// [`stdout`](Self::stdout) and [`stderr`](Self::stderr) (take them with `.take()`).
///
/// No zombie is left: a `Child` dropped before its process was reaped hands it to a
/// reaper (see [`kill_on_drop`](crate::Command::kill_on_drop) to also kill it). Unlike
/// std's `Child`, whose drop leaves the process running and unreaped.
///
/// # Examples
///
/// ```
/// use corio_process::Command;
///
/// corio_executor::run(async {
///     let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn()?;
///     let status = child.wait().await?;
///     assert_eq!(status.code(), Some(3));
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub struct Child {
    /// The child's standard input, if it was [piped](std::process::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, if it was piped.
    pub stderr: Option<ChildStderr>,
    inner: Option<std::process::Child>,
    watch: Option<ExitWatch>,
    program: Arc<str>,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
}

impl Child {
    pub(crate) fn new(
        mut inner: std::process::Child,
        program: Arc<str>,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        // The exit watcher (a pidfd) is made at the first `wait`, not here: a program
        // that starts many children before waiting for any would otherwise hold a
        // descriptor per child, which every later spawn copies and closes again (the
        // child's exec closes them): quadratic. The pid stays ours until we reap it, so
        // opening the pidfd later is as safe.
        let pipes = (|| {
            let stdin = inner
                .stdin
                .take()
                .map(|p| ChildStdin::new(p.into(), program.clone()))
                .transpose()?;
            let stdout = inner
                .stdout
                .take()
                .map(|p| ChildStdout::new(p.into(), program.clone()))
                .transpose()?;
            let stderr = inner
                .stderr
                .take()
                .map(|p| ChildStderr::new(p.into(), program.clone()))
                .transpose()?;
            io::Result::Ok((stdin, stdout, stderr))
        })();
        match pipes {
            Ok((stdin, stdout, stderr)) => Ok(Child {
                stdin,
                stdout,
                stderr,
                inner: Some(inner),
                watch: None,
                program,
                status: None,
                kill_on_drop,
            }),
            Err(e) => {
                // Not left running nor as a zombie.
                let _ = inner.kill();
                let _ = inner.wait();
                Err(named(e, "could not watch", &program))
            }
        }
    }

    /// The process id (while it has not been reaped; `None` after).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut child = corio_process::Command::new("true").spawn()?;
    ///     assert!(child.id().is_some());
    ///     child.wait().await?;
    ///     assert_eq!(child.id(), None);
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn id(&self) -> Option<u32> {
        match self.status {
            Some(_) => None,
            None => self.inner.as_ref().map(|c| c.id()),
        }
    }

    /// Waits for the child to exit and returns its status (asyncio's `Process.wait()`).
    /// The child's stdin, if piped, is closed first so that a child reading it can end.
    ///
    /// Waiting again returns the same status (as asyncio's `wait` and std's do).
    ///
    /// # Errors
    ///
    /// When the reactor fails; the message names the program.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: nothing is lost when the future is dropped (wrap it in a timeout,
    /// then [`kill`](Self::kill) and wait again, or drop the `Child`: no zombie either
    /// way).
    ///
    /// # Examples
    ///
    /// A child that outlives its timeout is killed, and reaped:
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio_executor::Builder::new()
    ///     .driver(|_| Box::new(corio_timer::TimerDriver::new(corio_net::IoDriver::new().unwrap())))
    ///     .run(async {
    ///         let mut child = corio_process::Command::new("sleep").arg("60").spawn()?;
    ///         let waited = corio_timer::timeout(Duration::from_millis(20), child.wait()).await;
    ///         assert!(waited.is_err()); // timed out
    ///         child.kill()?;
    ///         let status = child.wait().await?;
    ///         assert!(!status.success());
    ///         std::io::Result::Ok(())
    ///     })
    ///     .unwrap();
    /// ```
    pub fn wait(&mut self) -> ChildWait<'_> {
        drop(self.stdin.take());
        ChildWait {
            fut: Box::pin(self.wait_inner()),
        }
    }

    async fn wait_inner(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let Some(inner) = self.inner.as_mut() else {
            return Err(io::Error::other(format!(
                "`{}` was already reaped",
                self.program
            )));
        };
        let status = match inner.try_wait() {
            // Already exited: no watcher needed at all.
            Ok(Some(status)) => status,
            Ok(None) => {
                let watch = match &mut self.watch {
                    Some(w) => w,
                    None => self.watch.insert(
                        ExitWatch::new(inner)
                            .map_err(|e| named(e, "waiting for", &self.program))?,
                    ),
                };
                watch
                    .wait(inner)
                    .await
                    .map_err(|e| named(e, "waiting for", &self.program))?
            }
            Err(e) => return Err(named(e, "waiting for", &self.program)),
        };
        self.status = Some(status);
        self.watch = None; // the pidfd or SIGCHLD listener is no longer needed
        reaper::sweep();
        Ok(status)
    }

    /// The exit status if the child has exited (reaping it), `None` if it still runs;
    /// never waits.
    ///
    /// # Errors
    ///
    /// When `waitpid` fails; the message names the program.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let mut child = corio_process::Command::new("sleep").arg("60").spawn()?;
    ///     assert!(child.try_wait()?.is_none());
    ///     child.kill()?;
    ///     child.wait().await?;
    ///     assert!(child.try_wait()?.is_some());
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let Some(inner) = self.inner.as_mut() else {
            return Ok(None);
        };
        let status = inner
            .try_wait()
            .map_err(|e| named(e, "waiting for", &self.program))?;
        if status.is_some() {
            self.status = status;
            self.watch = None;
        }
        Ok(status)
    }

    /// Sends SIGKILL to the child (asyncio's `Process.kill()`); it exits soon after.
    /// Killing a child that already exited is not an error. Reap it with
    /// [`wait`](Self::wait), or just drop the `Child`.
    ///
    /// # Errors
    ///
    /// When the signal cannot be sent; the message names the program.
    ///
    /// # Examples
    ///
    /// See [`Child::try_wait`].
    pub fn kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        match self.inner.as_mut() {
            Some(c) => c.kill().map_err(|e| named(e, "killing", &self.program)),
            None => Ok(()),
        }
    }

    /// Collects the child's whole stdout and stderr (those that are piped) while
    /// waiting for it to exit (asyncio's `Process.communicate()`, with no input).
    ///
    /// # Errors
    ///
    /// A read error, or as [`wait`](Self::wait); the message names the program.
    ///
    /// # Cancel safety
    ///
    /// Output read so far is lost if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// corio_executor::run(async {
    ///     let child = Command::new("echo").arg("done").stdout(Stdio::piped()).spawn()?;
    ///     let out = child.wait_with_output().await?;
    ///     assert_eq!(out.stdout, b"done\n");
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let mut out = Drain::new(self.stdout.take());
        let mut err = Drain::new(self.stderr.take());
        // Both pipes at once, so that a child filling one while we read the other
        // cannot deadlock.
        std::future::poll_fn(|cx| {
            let a = out.poll(cx)?;
            let b = err.poll(cx)?;
            if a.is_ready() && b.is_ready() {
                Poll::Ready(io::Result::Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await?;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout: out.data,
            stderr: err.data,
        })
    }
}

/// Reads a pipe to its end, for [`Child::wait_with_output`].
struct Drain<P> {
    pipe: Option<P>,
    data: Vec<u8>,
}

impl<P: futures_io::AsyncRead + Unpin> Drain<P> {
    fn new(pipe: Option<P>) -> Self {
        Drain {
            pipe,
            data: Vec::new(),
        }
    }

    /// Ready once the pipe reported end of stream (or was never there).
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut chunk = [0u8; 8192];
        while let Some(pipe) = self.pipe.as_mut() {
            match Pin::new(pipe).poll_read(cx, &mut chunk) {
                Poll::Ready(Ok(0)) => self.pipe = None,
                Poll::Ready(Ok(n)) => self.data.extend_from_slice(&chunk[..n]),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        if let Some(mut inner) = self.inner.take() {
            if self.kill_on_drop {
                let _ = inner.kill();
            }
            reaper::adopt(inner, self.watch.take());
        }
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("program", &self.program)
            .field("id", &self.id())
            .field("status", &self.status)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}

/// The future of [`Child::wait`].
///
/// # Examples
///
/// ```
/// corio_executor::Builder::new()
///     .driver(|_| Box::new(corio_net::IoDriver::new().unwrap()))
///     .run(async {
///         let mut child = corio_process::Command::new("true").spawn()?;
///         let wait: corio_process::ChildWait<'_> = child.wait();
///         assert!(wait.await?.success());
///         std::io::Result::Ok(())
///     })
///     .unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct ChildWait<'a> {
    fut: Pin<Box<dyn Future<Output = io::Result<ExitStatus>> + Send + 'a>>,
}

impl Future for ChildWait<'_> {
    type Output = io::Result<ExitStatus>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.fut.as_mut().poll(cx)
    }
}

impl fmt::Debug for ChildWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildWait").finish_non_exhaustive()
    }
}
