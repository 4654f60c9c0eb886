//! The call graph of a stuck program (nested task groups, a semaphore's queue, a lock
//! cycle, a blocked `to_thread`), read in the process and by `corio-ps` from outside it;
//! and every way a target can be wrong, each a clear message and a non-zero exit, never a
//! hang.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code, unreachable_pub)] // an example: its items are `pub` for the binary
#[path = "../../corio/examples/stuck.rs"]
mod stuck;

use corio::debug::CallGraph;

/// The tree `call_graph()` and `corio-ps pstree` show for the stuck program, with ids,
/// times and poll counts replaced by `N` / `T` (they vary from run to run).
const EXPECTED: &str = "\
└── (T) #N 'app' [idle, N polls, last poll T ago] spawned at stuck.rs:79:14
    └── TaskGroup (4 children running)
        ├── (T) #N 'crawler' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │   └── TaskGroup (4 children running)
        │       ├── (T) #N 'fetch-1' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │       │   └── sleep until +T
        │       ├── (T) #N 'fetch-2' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │       │   └── sleep until +T
        │       ├── (T) #N 'fetch-3' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │       │   └── Semaphore (2 of 2 permits taken, this waiter 1st of 2)
        │       └── (T) #N 'fetch-4' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │           └── Semaphore (2 of 2 permits taken, this waiter 2nd of 2)
        ├── (T) #N 'export' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │   └── Task #N 'to_thread' running T
        │       └── (T) #N 'to_thread' [running, N polls, last poll T ago] spawned at stuck.rs:55:23
        ├── (T) #N 'transfer-a' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
        │   └── Lock held by #N 'transfer-b' (this waiter 1st of 1)
        └── (T) #N 'transfer-b' [idle, N polls, last poll T ago] spawned at stuck.rs:23:60
            └── Lock held by #N 'transfer-a' (this waiter 1st of 1)
deadlock: #N 'transfer-a' waits for the Lock held by #N 'transfer-b'; #N 'transfer-b' waits for the Lock held by #N 'transfer-a' (locks taken in opposite orders)
";

/// Replaces what varies between runs: `#12` -> `#N`, `3 polls` -> `N polls`, `2.3 s` /
/// `45 ms` / `800 us` -> `T`, and the directories before `stuck.rs`.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<String> = line.split(' ').map(str::to_owned).collect();
        let mut kept: Vec<String> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let next = words.get(i + 1).map(String::as_str);
            let number =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.');
            if let Some(rest) = w.strip_prefix('#').filter(|r| !r.is_empty()) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                kept.push(format!("#N{}", &rest[digits.len()..]));
            } else if number(w) && next.map(|n| n.trim_end_matches(',')) == Some("polls") {
                kept.push("N".into());
            } else if number(w.trim_start_matches('+'))
                && matches!(
                    next.map(|n| n.trim_end_matches([',', ']'])),
                    Some("s" | "ms" | "us")
                )
            {
                let unit_tail = &next.unwrap()[next.unwrap().trim_end_matches([',', ']']).len()..];
                kept.push(format!(
                    "{}T{unit_tail}",
                    if w.starts_with('+') { "+" } else { "" }
                ));
                i += 1;
            } else if let Some(at) = w.rfind("stuck.rs:") {
                kept.push(w[at..].to_owned());
            } else {
                kept.push(w.clone());
            }
            i += 1;
        }
        out.push_str(&kept.join(" "));
        out.push('\n');
    }
    out
}

fn check_graph(g: &CallGraph) {
    let by_name = |n: &str| {
        g.tasks
            .iter()
            .find(|t| t.name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("no task {n:?} in {g:#?}"))
    };
    let (a, b) = (by_name("transfer-a"), by_name("transfer-b"));
    assert_eq!(g.cycles.len(), 1, "{:#?}", g.cycles);
    let mut cycle = g.cycles[0].tasks.clone();
    cycle.sort_unstable();
    let mut expected = vec![a.id, b.id];
    expected.sort_unstable();
    assert_eq!(cycle, expected);
    assert_eq!(a.waits[0].holder, Some(b.id));
    assert_eq!(b.waits[0].holder, Some(a.id));
    assert_eq!(by_name("fetch-4").waits[0].queue_place, Some((2, 2)));
    let export = by_name("export");
    let job = g
        .task(export.waits[0].tasks[0])
        .expect("the to_thread job is a task");
    assert_eq!(
        (job.name.as_deref(), job.state.as_str()),
        (Some("to_thread"), "running")
    );
    assert!(
        job.busy_us >= 50_000,
        "the job has run for the 200 ms of set-up: {job:?}"
    );
}

#[test]
fn call_graph_shows_the_stuck_program_and_names_the_deadlock() {
    let captured = std::cell::RefCell::new(None);
    stuck::run_stuck(async || {
        *captured.borrow_mut() = Some(corio::debug::call_graph());
    });
    let g = captured.into_inner().expect("captured");
    let tree = g.pstree();
    assert_eq!(normalize(&tree), EXPECTED, "the tree was:\n{tree}");
    check_graph(&g);
    // Everything ended with the program: nothing is left in the bookkeeping.
    let left = corio::debug::call_graph();
    assert!(
        left.tasks.iter().all(|t| t.name.as_deref() != Some("app")),
        "{left:#?}"
    );
}

/// Not a test of its own: the stuck program, run when `ps_child` re-executes this binary.
#[test]
fn child_stuck_program() {
    if std::env::var_os("CORIO_PS_TEST_CHILD").is_none() {
        return;
    }
    stuck::main();
}

/// Not a test of its own: `corio::run` with `CORIO_PS=1`, run by
/// `corio_ps_finds_a_pid_at_the_default_path`.
#[test]
fn child_default_path_program() {
    if std::env::var_os("CORIO_PS_TEST_DEFAULT_CHILD").is_none() {
        return;
    }
    corio::run(async {
        let idle = corio::task::Builder::new()
            .name("idle-worker")
            .spawn(corio::sleep(Duration::from_secs(3600)));
        corio::yield_now().await;
        println!("stuck: ready");
        let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = closed.clone();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        while !closed.load(std::sync::atomic::Ordering::SeqCst) {
            corio::sleep(Duration::from_millis(20)).await;
        }
        idle.abort();
    });
}

#[test]
fn corio_ps_finds_a_pid_at_the_default_path() {
    let mut child = StuckChild(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_default_path_program",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CORIO_PS_TEST_DEFAULT_CHILD", "1")
            .env("CORIO_PS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("stuck: ready") {
                let _ = ready_tx.send(());
            }
        }
    });
    assert!(
        ready_rx.recv_timeout(Duration::from_secs(60)).is_ok(),
        "the child did not start"
    );
    let pid = child.0.id();
    let out = corio_ps(&["ps", &pid.to_string()], &[]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("idle-worker") && l.contains("sleep until +")),
        "{table}"
    );
    let sock = corio::debug::default_socket_path(pid);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", sock.display());
    let dir_mode = std::fs::metadata(sock.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    drop(child.0.stdin.take());
    let _ = child.0.wait();
    let _ = std::fs::remove_file(&sock);
}

fn corio_ps(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_corio-ps"));
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("corio-ps runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("corio-ps {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn fails_with(args: &[&str], env: &[(&str, &str)], code: i32, message: &str) {
    let out = corio_ps(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(message),
        "{args:?}: {stderr:?} lacks {message:?}"
    );
    assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corio-ps-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

struct StuckChild(Child);

impl Drop for StuckChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn corio_ps_reads_the_stuck_program_from_outside() {
    let sock = scratch("stuck.sock");
    let mut child = StuckChild(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_stuck_program",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CORIO_PS_TEST_CHILD", "1")
            .env("CORIO_PS", &sock)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id().to_string();
    // Read the child's output on a thread of its own, so that a child that never gets
    // ready fails the test instead of hanging it.
    let stdout = child.0.stdout.take().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("stuck: ready") {
                let _ = ready_tx.send(());
            }
        }
    });
    assert!(
        ready_rx.recv_timeout(Duration::from_secs(60)).is_ok(),
        "the stuck program did not get ready"
    );
    let sock_str = sock.to_str().unwrap();

    // pstree, by PID (found through the process's CORIO_PS) and by path: the same tree
    // as in the process.
    for target in [pid.as_str(), sock_str] {
        let out = corio_ps(&["pstree", target], &[]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            normalize(&text),
            EXPECTED,
            "corio-ps pstree {target} printed:\n{text}"
        );
    }

    // ps: one line per task, what it waits on, who waits on it.
    let out = corio_ps(&["ps", &pid], &[]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert_eq!(table.lines().count(), 1 + 10 + 1, "{table}"); // header, tasks, the cycle
    assert!(
        table
            .lines()
            .any(|l| l.contains("fetch-4") && l.contains("this waiter 2nd of 2")),
        "{table}"
    );

    // --json parses back into the same structure, which renders the same tree.
    let out = corio_ps(&["ps", sock_str, "--json"], &[]);
    assert!(out.status.success());
    let json = String::from_utf8(out.stdout).unwrap();
    let g: CallGraph = serde_json::from_str(&json).expect("corio-ps --json is a CallGraph");
    assert_eq!(
        serde_json::to_value(&g).unwrap(),
        serde_json::from_str::<serde_json::Value>(&json).unwrap(),
        "nothing lost or added in the round trip"
    );
    assert_eq!(g.pid.to_string(), pid);
    assert_eq!(normalize(&g.pstree()), EXPECTED);
    check_graph(&g);

    // --watch refreshes; --count bounds it.
    let out = corio_ps(
        &[
            "ps",
            sock_str,
            "--watch",
            "--interval",
            "0.05",
            "--count",
            "3",
        ],
        &[],
    );
    assert!(out.status.success());
    let frames = String::from_utf8(out.stdout).unwrap();
    assert_eq!(frames.matches("\x1b[2J").count(), 3, "{frames}");
    assert_eq!(frames.matches("fetch-4").count(), 3);

    // The program ends when its stdin closes; its socket file stays behind: stale.
    drop(child.0.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the stuck program did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
    fails_with(&["ps", sock_str], &[], 1, "stale socket");
    fails_with(&["ps", &pid], &[], 1, "no process with pid");
}

#[test]
fn a_pid_without_a_socket_is_named_with_the_way_to_add_one() {
    // This test process has not opted in (CORIO_PS unset here).
    let me = std::process::id().to_string();
    let env_has_it = std::env::var_os("CORIO_PS").is_some();
    if !env_has_it {
        fails_with(&["ps", &me], &[], 1, "has no corio-ps socket");
        fails_with(&["pstree", &me], &[], 1, "CORIO_PS=1");
    }
    fails_with(&["ps", "4294967"], &[], 1, "no process with pid 4294967");
}

#[test]
fn paths_that_are_not_live_sockets_are_named() {
    let missing = scratch("missing.sock");
    fails_with(&["ps", missing.to_str().unwrap()], &[], 1, "no such socket");

    let file = scratch("plain-file");
    std::fs::write(&file, "not a socket").unwrap();
    fails_with(&["ps", file.to_str().unwrap()], &[], 1, "is not a socket");

    // A socket whose process is gone.
    let stale = scratch("stale.sock");
    drop(UnixListener::bind(&stale).unwrap());
    fails_with(&["pstree", stale.to_str().unwrap()], &[], 1, "stale socket");
}

#[test]
fn a_socket_of_another_user_is_refused() {
    let other = scratch("other-user.sock");
    let _listener = UnixListener::bind(&other).unwrap();
    // Only root can give a file away; elsewhere this case cannot be set up.
    if std::os::unix::fs::chown(&other, Some(65534), Some(65534)).is_err() {
        eprintln!("not root: the other-user case is not set up");
        return;
    }
    fails_with(
        &["ps", other.to_str().unwrap()],
        &[],
        1,
        "belongs to uid 65534, not to you",
    );
}

/// A server that accepts one connection, reads the request, and then does `then`.
fn fake_server(path: &Path, then: impl FnOnce(std::os::unix::net::UnixStream) + Send + 'static) {
    let listener = UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut req = [0u8; corio::debug::REQUEST.len()];
        let _ = conn.read_exact(&mut req);
        then(conn);
    });
}

#[test]
fn a_process_that_exits_mid_answer_is_named() {
    let p = scratch("exits.sock");
    fake_server(&p, |mut conn| {
        let _ = conn.write_all(br#"{"pid": 1, "tasks": [{"id": 1, "na"#);
        // and the process is gone: the connection closes mid-answer
    });
    fails_with(
        &["ps", p.to_str().unwrap()],
        &[],
        1,
        "closed the connection before",
    );
}

#[test]
fn a_process_that_never_answers_times_out() {
    let p = scratch("silent.sock");
    fake_server(&p, |conn| {
        std::thread::sleep(Duration::from_secs(5));
        drop(conn);
    });
    let t0 = Instant::now();
    fails_with(
        &["ps", p.to_str().unwrap()],
        &[("CORIO_PS_TIMEOUT", "0.3")],
        1,
        "no answer from",
    );
    assert!(
        t0.elapsed() < Duration::from_secs(4),
        "it waited for the server"
    );
}

#[test]
fn an_answer_that_is_not_a_snapshot_is_named() {
    let p = scratch("garbage.sock");
    fake_server(&p, |mut conn| {
        let _ = conn.write_all(b"hello\n");
    });
    fails_with(&["ps", p.to_str().unwrap()], &[], 1, "unexpected answer");
}

#[test]
fn usage_errors_exit_2() {
    fails_with(&[], &[], 2, "missing command");
    fails_with(&["top", "1"], &[], 2, "unknown command");
    fails_with(&["ps"], &[], 2, "missing PID or socket path");
    fails_with(&["ps", "1", "--frobnicate"], &[], 2, "unknown option");
    fails_with(
        &["ps", "1", "--interval", "-3"],
        &[],
        2,
        "not a positive number",
    );
}
