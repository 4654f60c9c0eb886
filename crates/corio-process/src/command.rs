//! [`Command`]: std's process builder, spawning a [`Child`] with async pipes.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};
use std::sync::Arc;

use crate::child::Child;
use crate::pipe::named;
use crate::reaper;

/// A process to run: `std::process::Command`'s builder (same method names), whose
/// [`spawn`](Self::spawn) returns a [`Child`] with async pipes and an async `wait`
/// (asyncio's `create_subprocess_exec`; [`Command::shell`] is `create_subprocess_shell`).
///
/// # Examples
///
/// ```
/// use corio_process::Command;
///
/// corio_executor::run(async {
///     let out = Command::new("sh").arg("-c").arg("echo $GREETING").env("GREETING", "hello").output().await?;
///     assert!(out.status.success());
///     assert_eq!(out.stdout, b"hello\n");
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub struct Command {
    inner: std::process::Command,
    program: Arc<str>,
    kill_on_drop: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command that runs `program` (looked up in `PATH` unless it contains a `/`),
    /// with no arguments, the parent's environment and working directory, and inherited
    /// standard streams (for [`spawn`](Self::spawn) and [`status`](Self::status)).
    ///
    /// # Examples
    ///
    /// See [`Command`].
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        Command {
            inner: std::process::Command::new(program),
            program: program.to_string_lossy().into(),
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }

    /// `sh -c script` (asyncio's `create_subprocess_shell`). Quote what you interpolate.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let out = corio_process::Command::shell("echo a; echo b").output().await?;
    ///     assert_eq!(out.stdout, b"a\nb\n");
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn shell(script: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    /// Adds an argument.
    ///
    /// # Examples
    ///
    /// See [`Command`].
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// Adds arguments.
    ///
    /// # Examples
    ///
    /// See [`Child`].
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// Sets an environment variable of the child.
    ///
    /// # Examples
    ///
    /// See [`Command`].
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env(key, val);
        self
    }

    /// Sets several environment variables of the child.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut cmd = corio_process::Command::new("env");
    /// cmd.envs([("A", "1"), ("B", "2")]);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.inner.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_process::Command::new("env").env_remove("HOME");
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what [`env`](Self::env) adds).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let out = corio_process::Command::new("/usr/bin/env").env_clear().env("ONLY", "me").output().await?;
    ///     assert_eq!(out.stdout, b"ONLY=me\n");
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// The child's working directory.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let out = corio_process::Command::new("pwd").current_dir("/").output().await?;
    ///     assert_eq!(out.stdout, b"/\n");
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.inner.current_dir(dir);
        self
    }

    /// The child's standard input: [`Stdio::piped`] for a [`ChildStdin`](crate::ChildStdin),
    /// `Stdio::null()`, `Stdio::inherit()`, or a file.
    ///
    /// # Examples
    ///
    /// See [`ChildStdin`](crate::ChildStdin).
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's standard output (see [`stdin`](Self::stdin)).
    ///
    /// # Examples
    ///
    /// See [`ChildStdout`](crate::ChildStdout).
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's standard error (see [`stdin`](Self::stdin)).
    ///
    /// # Examples
    ///
    /// See [`ChildStderr`](crate::ChildStderr).
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`] kills the process (SIGKILL) if it still runs
    /// (default `false`: it runs on, as with std). Either way a dropped child is reaped,
    /// never left as a zombie.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let child = corio_process::Command::new("sleep").arg("60").kill_on_drop(true).spawn()?;
    ///     drop(child); // killed, and reaped in the background
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// The program's name, as given to [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(corio_process::Command::new("ls").get_program(), "ls");
    /// ```
    pub fn get_program(&self) -> &OsStr {
        self.inner.get_program()
    }

    /// Starts the process. Call it inside a corio loop: the pipes and the exit watcher
    /// register with that loop's reactor.
    ///
    /// # Errors
    ///
    /// `NotFound` when the program does not exist, `PermissionDenied` when it is not
    /// executable, and the like: each `io::Error` keeps std's kind and its message names
    /// the program.
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     let err = corio_process::Command::new("no-such-program-x").spawn().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("no-such-program-x"));
    /// });
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        reaper::sweep();
        let child = self
            .inner
            .spawn()
            .map_err(|e| named(e, "could not spawn", &self.program))?;
        Child::new(child, self.program.clone(), self.kill_on_drop)
    }

    /// Runs the process to its end and collects its output (asyncio's
    /// `communicate()`): stdout and stderr are piped, stdin is null, unless set.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait_with_output`].
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the child: killed if [`kill_on_drop`](Self::kill_on_drop),
    /// reaped either way.
    ///
    /// # Examples
    ///
    /// See [`Command`].
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.inner.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.inner.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.inner.stderr(Stdio::piped());
        }
        let child = self.spawn();
        // Back to std's defaults for a later `spawn`.
        if !self.stdin_set {
            self.inner.stdin(Stdio::inherit());
        }
        if !self.stdout_set {
            self.inner.stdout(Stdio::inherit());
        }
        if !self.stderr_set {
            self.inner.stderr(Stdio::inherit());
        }
        child?.wait_with_output().await
    }

    /// Runs the process to its end with inherited streams and returns its status.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Self::spawn) and [`Child::wait`].
    ///
    /// # Cancel safety
    ///
    /// As [`output`](Self::output).
    ///
    /// # Examples
    ///
    /// ```
    /// corio_executor::run(async {
    ///     assert!(corio_process::Command::new("true").status().await?.success());
    ///     assert!(!corio_process::Command::new("false").status().await?.success());
    ///     std::io::Result::Ok(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        child.wait().await
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("inner", &self.inner)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
