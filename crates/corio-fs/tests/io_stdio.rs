//! stdin / stdout / stderr in a real child process: this test binary runs itself as the
//! child (the `child` test, which does nothing unless `CORIO_FS_CHILD` names a mode), with
//! piped standard streams, and checks what comes out. The child marks its output lines
//! with `out: ` so that the test harness's own lines can be told apart.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use futures::StreamExt;

const MODE: &str = "CORIO_FS_CHILD";

/// The child side. Modes: `echo` (each stdin line back on stdout, then a count on
/// stderr), `handover` (the first line through one stdin handle, the rest through the
/// next).
#[test]
fn child() {
    let Ok(mode) = std::env::var(MODE) else {
        return; // an ordinary test run: nothing to do
    };
    corio_executor::run(async {
        let mut out = corio_fs::io::stdout();
        match mode.as_str() {
            "echo" => {
                let mut lines = corio_fs::io::stdin().lines();
                let mut n = 0;
                while let Some(line) = lines.next().await {
                    out.write_all(format!("out: {}\n", line.unwrap()).as_bytes())
                        .await
                        .unwrap();
                    // Flush per line, so an interactive peer sees each answer.
                    out.flush().await.unwrap();
                    n += 1;
                }
                let mut err = corio_fs::io::stderr();
                err.write_all(format!("lines: {n}\n").as_bytes())
                    .await
                    .unwrap();
                err.flush().await.unwrap();
            }
            "handover" => {
                let mut first = corio_fs::io::stdin().lines();
                let line = first.next().await.unwrap().unwrap();
                out.write_all(format!("out: first {line}\n").as_bytes())
                    .await
                    .unwrap();
                drop(first); // its read-ahead goes to the next handle
                let mut rest = corio_fs::io::stdin().lines();
                while let Some(line) = rest.next().await {
                    out.write_all(format!("out: rest {}\n", line.unwrap()).as_bytes())
                        .await
                        .unwrap();
                }
                out.flush().await.unwrap();
            }
            "flood" => {
                // Writes until the reader goes away; says how the writes ended.
                let mut err = corio_fs::io::stderr();
                let outcome = async {
                    for i in 0u64.. {
                        out.write_all(format!("out: {i}\n").as_bytes()).await?;
                    }
                    Ok::<(), std::io::Error>(())
                }
                .await;
                let kind = outcome.unwrap_err().kind();
                err.write_all(format!("ended: {kind:?}\n").as_bytes())
                    .await
                    .unwrap();
                err.flush().await.unwrap();
            }
            "tasks" => {
                // Ten tasks write through their own handles; each task's lines stay in order.
                let tasks: Vec<_> = (0..10)
                    .map(|t| {
                        corio_executor::spawn(async move {
                            let mut out = corio_fs::io::stdout();
                            for i in 0..1_000 {
                                out.write_all(format!("out: {t} {i}\n").as_bytes())
                                    .await
                                    .unwrap();
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
                out.flush().await.unwrap();
            }
            other => panic!("unknown child mode {other}"),
        }
    });
    std::process::exit(0);
}

fn spawn_child(mode: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(MODE, mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn marked(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.split_once("out: ").map(|(_, rest)| rest))
        .collect()
}

#[test]
fn stdin_lines_from_a_pipe_reach_stdout_in_order() {
    let mut child = spawn_child("echo");
    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(&format!(
            "line {i}{}",
            if i % 3 == 0 { "\r\n" } else { "\n" }
        ));
    }
    input.push_str("no newline at the end");
    let mut stdin = child.stdin.take().unwrap();
    // Write from a thread: the child's output pipe must be drained meanwhile.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = marked(&stdout);
    assert_eq!(lines.len(), 10_001);
    for (i, line) in lines[..10_000].iter().enumerate() {
        assert_eq!(*line, format!("line {i}"));
    }
    assert_eq!(lines[10_000], "no newline at the end");
    assert!(String::from_utf8_lossy(&out.stderr).contains("lines: 10001"));
}

#[test]
fn stdin_lines_answer_one_line_at_a_time() {
    // A peer that waits for each answer before sending the next line, as a person at a
    // terminal would: each line must come through without waiting for more input.
    let mut child = spawn_child("echo");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for i in 0..20 {
        writeln!(stdin, "question {i}").unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        loop {
            answer.clear();
            assert!(
                stdout.read_line(&mut answer).unwrap() > 0,
                "child closed stdout"
            );
            if let Some((_, rest)) = answer.split_once("out: ") {
                assert_eq!(rest, format!("question {i}\n"));
                break;
            }
        }
    }
    drop(stdin); // end of input: the child reports and exits
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(err.contains("lines: 20"), "{err}");
}

#[test]
fn dropped_stdin_handle_hands_its_input_to_the_next() {
    let mut child = spawn_child("handover");
    child.stdin.take().unwrap().write_all(b"a\nb\nc\n").unwrap(); // one write: the first read takes all three lines
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(marked(&stdout), ["first a", "rest b", "rest c"]);
}

#[test]
fn stdout_to_a_closed_pipe_is_a_broken_pipe_error() {
    let mut child = spawn_child("flood");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("out: ") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0);
    }
    drop(stdout); // the reader goes away
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{err}");
    assert!(err.contains("ended: BrokenPipe"), "{err}");
}

#[test]
fn stdout_keeps_each_tasks_order() {
    let mut child = spawn_child("tasks");
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut next = [0u32; 10];
    for line in marked(&stdout) {
        let (t, i) = line.split_once(' ').unwrap();
        let (t, i): (usize, u32) = (t.parse().unwrap(), i.parse().unwrap());
        assert_eq!(i, next[t], "task {t}'s lines out of order");
        next[t] += 1;
    }
    assert_eq!(next, [1_000; 10], "lines lost");
}
