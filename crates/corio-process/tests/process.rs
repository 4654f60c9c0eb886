//! Real child processes: `sh -c`, `cat` as an echo peer, 100 concurrent children, a
//! child killed on timeout, no zombies (checked through /proc), a child that closes its
//! stdout early, and every error kind. `sigchld_fallback_passes_the_same_tests` runs
//! this whole file again with pidfds turned off.

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use corio_net::IoDriver;
use corio_process::{Command, Stdio};
use corio_timer::TimerDriver;
use futures::AsyncReadExt;

fn run<F: std::future::Future>(f: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|_| Box::new(TimerDriver::new(IoDriver::new().unwrap())))
        .run(f)
}

/// The state letter of `pid` in /proc (`Z` for a zombie), or `None` once it is gone.
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses.
    stat.rsplit(')').next()?.trim().chars().next()
}

/// Waits (yielding to the loop, so its reaper tasks run) until `pid` is gone from /proc.
async fn until_reaped(pid: u32) {
    for _ in 0..10_000 {
        if proc_state(pid).is_none() {
            return;
        }
        corio_timer::sleep(Duration::from_millis(2)).await;
    }
    panic!(
        "process {pid} was never reaped: state {:?}",
        proc_state(pid)
    );
}

#[test]
fn sh_c_exit_code_stdout_and_stderr() {
    run(async {
        let out = Command::shell("echo out; echo err >&2; exit 7")
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(7));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        let out = Command::new("sh")
            .args(["-c", "printf %s \"$1\"", "sh", "an argument"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.stdout, b"an argument");
    });
}

#[test]
fn python3_c_filters_stdin_when_python_is_installed() {
    run(async {
        let child = Command::new("python3")
            .args([
                "-c",
                "import sys; sys.stdout.write(sys.stdin.read().upper())",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                eprintln!("python3 not installed: skipped");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        let text = "asyncio and corio\n".repeat(10_000); // more than a pipe buffer
        let mut stdin = child.stdin.take().unwrap();
        let input = text.clone();
        let writer = corio_executor::spawn(async move {
            stdin.write_all(input.as_bytes()).await.unwrap();
        });
        let out = child.wait_with_output().await.unwrap();
        writer.await.unwrap();
        assert!(out.status.success());
        assert!(out.stdout == text.to_uppercase().as_bytes());
    });
}

#[test]
fn cat_is_an_echo_peer() {
    run(async {
        let mut cat = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = cat.stdin.take().unwrap();
        let mut stdout = cat.stdout.take().unwrap();
        for i in 0..100 {
            let line = format!("line {i}\n");
            stdin.write_all(line.as_bytes()).await.unwrap();
            let mut buf = vec![0; line.len()];
            stdout.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, line.as_bytes());
        }
        drop(stdin);
        let mut rest = Vec::new();
        stdout.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(cat.wait().await.unwrap().success());
    });
}

#[test]
fn a_hundred_concurrent_children_byte_for_byte() {
    run(async {
        let tasks: Vec<_> = (0..100u32)
            .map(|i| {
                corio_executor::spawn(async move {
                    // 64 KiB and more through each cat: more than a pipe buffer, so
                    // writes and reads interleave on the reactor.
                    let payload: Vec<u8> = (0..65_536 + i * 97)
                        .map(|j| (j.wrapping_mul(31).wrapping_add(i)) as u8)
                        .collect();
                    let mut cat = Command::new("cat")
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped())
                        .spawn()
                        .unwrap();
                    let mut stdin = cat.stdin.take().unwrap();
                    let input = payload.clone();
                    let writer = corio_executor::spawn(async move {
                        stdin.write_all(&input).await.unwrap();
                    });
                    let out = cat.wait_with_output().await.unwrap();
                    writer.await.unwrap();
                    assert!(out.status.success());
                    out.stdout == payload
                })
            })
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            assert!(t.await.unwrap(), "child {i}'s output differs");
        }
    });
}

#[test]
fn a_child_killed_on_timeout_leaves_no_zombie() {
    run(async {
        let mut child = Command::new("sleep").arg("60").spawn().unwrap();
        let pid = child.id().unwrap();
        let waited = corio_timer::timeout(Duration::from_millis(20), child.wait()).await;
        assert!(waited.is_err(), "sleep 60 cannot have finished");
        child.kill().unwrap();
        let status = child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(9));
        assert_eq!(proc_state(pid), None);
        // Waiting twice returns the same status, at once.
        assert_eq!(child.wait().await.unwrap(), status);
        assert_eq!(child.try_wait().unwrap(), Some(status));
        assert_eq!(child.id(), None);
        child.kill().unwrap(); // killing a reaped child is fine
    });
}

#[test]
fn dropped_children_are_reaped() {
    run(async {
        // Killed on drop, never waited for.
        let child = Command::new("sleep")
            .arg("60")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let killed = child.id().unwrap();
        drop(child);
        // Not killed, exits by itself after the drop.
        let child = Command::new("true").spawn().unwrap();
        let exited = child.id().unwrap();
        drop(child);
        // Timed out, then dropped with kill_on_drop.
        let mut child = Command::new("sleep")
            .arg("60")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let timed_out = child.id().unwrap();
        let _ = corio_timer::timeout(Duration::from_millis(5), child.wait()).await;
        drop(child);
        for pid in [killed, exited, timed_out] {
            until_reaped(pid).await;
        }
    });
}

#[test]
fn a_child_dropped_outside_any_loop_is_reaped_at_the_next_spawn() {
    let child = run(async { Command::new("true").spawn().unwrap() });
    let pid = child.id().unwrap();
    // Let it exit while no loop runs.
    std::thread::sleep(Duration::from_millis(50));
    drop(child); // no loop: it goes to the process-wide list (a zombie for now)
    run(async {
        Command::new("true").status().await.unwrap(); // sweeps the list
        until_reaped(pid).await;
    });
}

#[test]
fn a_child_that_closes_stdout_early() {
    run(async {
        let mut child = Command::shell("echo first; exec 1>&-; sleep 0.1; echo gone >&2")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = String::new();
        // End of stream as soon as the child closed it, while it still runs.
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .await
            .unwrap();
        assert_eq!(out, "first\n");
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .await
            .unwrap();
        assert_eq!(err, "gone\n");
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn program_not_found_names_the_program() {
    run(async {
        let e = Command::new("corio-no-such-program").spawn().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("corio-no-such-program"), "{e}");
        let e = Command::new("corio-no-such-program")
            .output()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn permission_denied_names_the_program() {
    let dir = std::env::temp_dir().join(format!("corio-process-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("not-executable.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    run(async {
        let e = Command::new(&script).spawn().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("not-executable.sh"), "{e}");
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn writing_to_an_exited_child_is_a_broken_pipe() {
    run(async {
        let mut child = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        child.wait().await.unwrap();
        let chunk = vec![0u8; 65_536];
        let mut err = None;
        for _ in 0..64 {
            if let Err(e) = stdin.write_all(&chunk).await {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("writes to a dead child must fail");
        assert_eq!(e.kind(), ErrorKind::BrokenPipe);
        assert!(e.to_string().contains("`true`"), "{e}");
    });
}

#[test]
fn spawned_from_the_multi_thread_executor() {
    let ex = corio_executor::Builder::multi_thread()
        .workers(2)
        .driver(|_| Box::new(TimerDriver::new(IoDriver::new().unwrap())))
        .build();
    let total = ex.block_on(async {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                corio_executor::spawn_send(async move {
                    let out = Command::new("echo")
                        .arg(i.to_string())
                        .output()
                        .await
                        .unwrap();
                    String::from_utf8(out.stdout)
                        .unwrap()
                        .trim()
                        .parse::<u32>()
                        .unwrap()
                })
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        total
    });
    assert_eq!(total, (0..20).sum());
}

#[test]
fn no_zombie_children_are_left() {
    // Every test above reaps its children; this one spawns and reaps a batch and then
    // checks that none of its own is a zombie (others' tests may run concurrently, so
    // only our pids are checked).
    let pids = run(async {
        let mut pids = Vec::new();
        for _ in 0..10 {
            let mut c = Command::new("true").spawn().unwrap();
            pids.push(c.id().unwrap());
            c.wait().await.unwrap();
        }
        pids
    });
    for pid in pids {
        assert_ne!(proc_state(pid), Some('Z'));
    }
}

#[test]
fn sigchld_fallback_passes_the_same_tests() {
    if std::env::var_os("CORIO_PROCESS_NO_PIDFD").is_some() {
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--skip", "sigchld_fallback", "--test-threads=4"])
        .env("CORIO_PROCESS_NO_PIDFD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("test result: ok"), "{text}");
}

#[test]
fn auto_traits() {
    fn send<T: Send>() {}
    send::<corio_process::Child>();
    send::<corio_process::ChildStdin>();
    send::<corio_process::ChildStdout>();
    send::<corio_process::ChildStderr>();
    send::<Command>();
}
