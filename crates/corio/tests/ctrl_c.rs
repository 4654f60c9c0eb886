//! Ctrl-C with real signals: the echo_server and chat examples close gracefully on
//! SIGINT (they listen to it themselves), and a `#[corio::main]` that does not listen
//! has its main cancelled and exits with status 130.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

fn kill(signal: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// The example's binary, built first if `cargo test` was asked for this test alone.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap(); // target/<profile>
    let path = profile_dir.join("examples").join(name);
    if !path.exists() {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "-q", "-p", "corio", "--example", name]);
        if profile_dir.ends_with("release") {
            cargo.arg("--release");
        }
        assert!(cargo.status().unwrap().success(), "building example {name}");
    }
    path
}

/// Starts `cmd` and reads its stdout until a line containing `marker`.
#[allow(clippy::zombie_processes)] // every caller waits for the child
fn start(mut cmd: Command, marker: &str) -> (Child, BufReader<ChildStdout>, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!("ended before {marker:?}: {status:?}\n{seen}");
        }
        seen.push_str(&line);
        if line.contains(marker) {
            return (child, out, seen);
        }
    }
}

fn finish(mut child: Child, mut out: BufReader<ChildStdout>, mut seen: String) -> (String, i32) {
    let status = child.wait().unwrap();
    out.read_to_string(&mut seen).unwrap();
    (seen, status.code().unwrap_or(-1))
}

#[test]
fn echo_server_closes_gracefully_on_ctrl_c() {
    let mut cmd = Command::new(example("echo_server"));
    cmd.arg("127.0.0.1:0");
    let (child, out, seen) = start(cmd, "serving on");
    // A client is served before the Ctrl-C.
    let addr = seen.trim().rsplit(' ').next().unwrap().to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(&mut conn, b"ping\n").unwrap();
    let mut echoed = String::new();
    BufReader::new(&conn).read_line(&mut echoed).unwrap();
    assert_eq!(echoed, "ping\n");
    drop(conn);
    kill("INT", child.id());
    let (out, code) = finish(child, out, seen);
    assert!(out.contains("Ctrl-C: closing the server"), "{out}");
    assert!(out.contains("server closed"), "{out}");
    assert_eq!(code, 130, "{out}");
}

/// The HTTP server example: Ctrl-C while a slow request is in flight shuts it down
/// gracefully, and the request still gets its answer.
#[test]
fn http_server_shuts_down_gracefully_on_ctrl_c() {
    let mut cmd = Command::new(example("http_server"));
    cmd.args(["--serve", "127.0.0.1:0"]);
    let (child, out, seen) = start(cmd, "Ctrl-C stops it");
    let addr = seen
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap()
        .to_string();
    let slow = std::thread::spawn(move || {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        std::io::Write::write_all(
            &mut conn,
            b"GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut reply = String::new();
        std::io::Read::read_to_string(&mut conn, &mut reply).unwrap();
        reply
    });
    // The request is in its handler (200 ms long) when the Ctrl-C comes.
    std::thread::sleep(std::time::Duration::from_millis(50));
    kill("INT", child.id());
    let reply = slow.join().unwrap();
    let (out, code) = finish(child, out, seen);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("slow, but finished"), "{reply}");
    assert!(out.contains("Ctrl-C: shutting down"), "{out}");
    assert!(
        out.contains("graceful shutdown: 0 connection(s) cut off"),
        "{out}"
    );
    assert_eq!(code, 130, "{out}");
}

#[test]
fn chat_closes_gracefully_on_ctrl_c() {
    let mut cmd = Command::new(example("chat"));
    cmd.arg("127.0.0.1:0");
    let (child, out, seen) = start(cmd, "chat server on");
    kill("INT", child.id());
    let (out, code) = finish(child, out, seen);
    assert!(out.contains("Ctrl-C: closing the chat"), "{out}");
    assert!(out.contains("chat closed"), "{out}");
    assert_eq!(code, 130, "{out}");
}

#[test]
fn corio_main_is_cancelled_by_ctrl_c_and_exits_130() {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_mode", "--nocapture", "--test-threads=1"])
        .env("CORIO_CTRL_C_CHILD", "main");
    let (child, out, seen) = start(cmd, "main is waiting");
    kill("INT", child.id());
    let (out, code) = finish(child, out, seen);
    assert!(out.contains("main's destructor ran"), "{out}");
    assert!(out.contains("a task's destructor ran"), "{out}");
    assert_eq!(code, 130, "{out}");
}

#[test]
fn multi_thread_main_is_cancelled_by_ctrl_c_too() {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_mode", "--nocapture", "--test-threads=1"])
        .env("CORIO_CTRL_C_CHILD", "multi");
    let (child, out, seen) = start(cmd, "main is waiting");
    kill("INT", child.id());
    let (out, code) = finish(child, out, seen);
    assert!(out.contains("main's destructor ran"), "{out}");
    assert!(out.contains("a worker task's destructor ran"), "{out}");
    assert_eq!(code, 130, "{out}");
}

#[test]
fn ctrl_c_false_keeps_the_default_action() {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_mode", "--nocapture", "--test-threads=1"])
        .env("CORIO_CTRL_C_CHILD", "off");
    let (mut child, _out, _) = start(cmd, "main is waiting");
    kill("INT", child.id());
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(2), "{status:?}"); // killed by SIGINT itself
}

struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("{}", self.0);
    }
}

mod on {
    use super::Noisy;

    #[corio::main]
    pub(super) async fn main() {
        let _guard = Noisy("main's destructor ran");
        let _task = corio::spawn(async {
            let _g = Noisy("a task's destructor ran");
            std::future::pending::<()>().await
        });
        corio::yield_now().await;
        println!("main is waiting");
        std::future::pending::<()>().await
    }
}

mod multi {
    use super::Noisy;

    #[corio::main(flavor = "multi_thread", workers = 2)]
    pub(super) async fn main() {
        let _guard = Noisy("main's destructor ran");
        let (started, ready) = corio::oneshot::channel();
        let _task = corio::spawn_send(async move {
            let _g = Noisy("a worker task's destructor ran");
            let _ = started.send(());
            std::future::pending::<()>().await
        });
        let _ = ready.await;
        println!("main is waiting");
        std::future::pending::<()>().await
    }
}

mod off {
    #[corio::main(ctrl_c = false)]
    pub(super) async fn main() {
        println!("main is waiting");
        std::future::pending::<()>().await
    }
}

/// The child side; a no-op in a normal test run.
#[test]
fn child_mode() {
    match std::env::var("CORIO_CTRL_C_CHILD").as_deref() {
        Ok("main") => on::main(),
        Ok("off") => off::main(),
        Ok("multi") => multi::main(),
        _ => {}
    }
}
