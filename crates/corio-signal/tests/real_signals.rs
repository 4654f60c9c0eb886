//! Real signals: sent with `kill`, to this process (each test its own signal, since the
//! tests share the process) or to a child that is this test binary run again in a
//! "child mode" (`CORIO_SIGNAL_CHILD=<case>`), for the cases that end the process.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use corio_net::IoDriver;
use corio_signal::{
    Interrupted, SIGHUP, SIGINT, SIGKILL, SIGSEGV, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, Signals,
    cancel_on_ctrl_c, ctrl_c,
};
use futures::StreamExt;

fn kill(signal: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} {pid}");
}

fn local_loop() -> corio_executor::LocalExecutor {
    corio_executor::Builder::new()
        .driver(|_| Box::new(IoDriver::new().unwrap()))
        .build_local()
}

#[test]
fn every_listener_of_a_signal_sees_it() {
    local_loop().run(async {
        let mut a = Signals::new([SIGUSR1]).unwrap();
        let mut b = Signals::new([SIGUSR1, SIGUSR1]).unwrap();
        kill("USR1", std::process::id());
        assert_eq!(a.recv().await.unwrap(), SIGUSR1);
        assert_eq!(b.next().await, Some(SIGUSR1));
    });
}

#[test]
fn one_stream_tells_its_signals_apart() {
    local_loop().run(async {
        let mut s = Signals::new([SIGWINCH, SIGHUP]).unwrap();
        kill("WINCH", std::process::id());
        assert_eq!(s.recv().await.unwrap(), SIGWINCH);
        kill("HUP", std::process::id());
        assert_eq!(s.recv().await.unwrap(), SIGHUP);
    });
}

#[test]
fn forbidden_and_invalid_signals_are_typed_errors() {
    for s in [
        SIGKILL,
        SIGSEGV,
        corio_signal::SIGSTOP,
        corio_signal::SIGILL,
    ] {
        let e = Signals::new([s]).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        let inner = e.into_inner().unwrap();
        let se = inner.downcast_ref::<corio_signal::SignalError>().unwrap();
        assert!(se.is_forbidden());
        assert_eq!(se.signal(), s);
    }
    for s in [0, -1, 1000] {
        assert!(Signals::check(s).unwrap_err().is_invalid());
        assert!(Signals::new([SIGTERM, s]).is_err());
    }
}

#[test]
fn multi_thread_executor_delivers_to_every_worker() {
    let ex = corio_executor::Builder::multi_thread()
        .workers(2)
        .driver(|_| Box::new(IoDriver::new().unwrap()))
        .build();
    let got = ex.block_on(async {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let ready_tx = ready_tx.clone();
                corio_executor::spawn_send(async move {
                    let mut s = Signals::new([SIGUSR2]).unwrap();
                    ready_tx.send(()).unwrap();
                    s.recv().await.unwrap()
                })
            })
            .collect();
        // Wait (on the blocking pool) until all four listen, then signal once.
        corio_executor::spawn_blocking(move || {
            for _ in 0..4 {
                ready_rx.recv().unwrap();
            }
            kill("USR2", std::process::id());
        })
        .await
        .unwrap();
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got
    });
    assert_eq!(got, [SIGUSR2; 4]);
}

/// Runs this binary again in child mode `case`; returns it after it printed "ready".
#[allow(clippy::zombie_processes)] // every caller waits for the child
fn child(case: &str) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let mut c = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_mode", "--nocapture", "--test-threads=1"])
        .env("CORIO_SIGNAL_CHILD", case)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(c.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "child {case} ended early"
        );
        if line.trim_end().ends_with("ready") {
            return (c, out);
        }
    }
}

fn rest(mut out: BufReader<std::process::ChildStdout>) -> String {
    let mut s = String::new();
    out.read_to_string(&mut s).unwrap();
    s
}

#[test]
fn sigterm_through_a_stream_shuts_a_child_down_gracefully() {
    let (mut c, out) = child("sigterm");
    kill("TERM", c.id());
    let status = c.wait().unwrap();
    let out = rest(out);
    assert!(out.contains("got SIGTERM, closing"), "{out}");
    assert!(out.contains("closed"), "{out}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn the_default_action_comes_back_when_nobody_listens() {
    let (mut c, _out) = child("dropped");
    kill("TERM", c.id());
    let status = c.wait().unwrap();
    assert_eq!(status.signal(), Some(SIGTERM), "{status:?}");
}

#[test]
fn first_ctrl_c_cancels_main_then_exit_130() {
    let (mut c, out) = child("cancel_main");
    kill("INT", c.id());
    let status = c.wait().unwrap();
    let out = rest(out);
    assert!(out.contains("main's destructor ran"), "{out}");
    assert!(out.contains("a task's destructor ran"), "{out}");
    assert_eq!(status.code(), Some(Interrupted::EXIT_STATUS), "{out}");
}

#[test]
fn second_ctrl_c_during_cleanup_exits_at_once() {
    let (mut c, mut out) = child("hanging_cleanup");
    kill("INT", c.id());
    let mut line = String::new();
    while !line.trim_end().ends_with("cleaning up forever") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0);
    }
    kill("INT", c.id());
    let status = c.wait().unwrap();
    assert_eq!(status.signal(), Some(SIGINT), "{status:?}");
}

#[test]
fn a_program_that_listens_for_ctrl_c_gets_it_instead_of_main_being_cancelled() {
    let (mut c, out) = child("handled");
    kill("INT", c.id());
    let status = c.wait().unwrap();
    let out = rest(out);
    assert!(out.contains("ctrl_c handled by the program"), "{out}");
    assert!(!out.contains("main cancelled"), "{out}");
    assert_eq!(status.code(), Some(0));
}

struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("{}", self.0);
    }
}

/// The child side; a no-op in a normal test run.
#[test]
fn child_mode() {
    let Ok(case) = std::env::var("CORIO_SIGNAL_CHILD") else {
        return;
    };
    match case.as_str() {
        "sigterm" => local_loop().run(async {
            let mut s = Signals::new([SIGTERM]).unwrap();
            println!("ready");
            assert_eq!(s.recv().await.unwrap(), SIGTERM);
            println!("got SIGTERM, closing");
            corio_executor::yield_now().await;
            println!("closed");
        }),
        "dropped" => {
            drop(Signals::new([SIGTERM]).unwrap());
            println!("ready");
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
        "cancel_main" | "hanging_cleanup" => {
            let hang = case == "hanging_cleanup";
            let out = local_loop().run(cancel_on_ctrl_c(async move {
                let _guard = Noisy("main's destructor ran");
                let _task = corio_executor::spawn(async {
                    let _g = Noisy("a task's destructor ran");
                    std::future::pending::<()>().await
                });
                corio_executor::yield_now().await;
                if hang {
                    let _hang = Hang;
                    println!("ready");
                    std::future::pending::<()>().await
                }
                println!("ready");
                std::future::pending::<()>().await
            }));
            assert_eq!(out, Err(Interrupted::new()));
            println!("main cancelled");
            std::process::exit(Interrupted::EXIT_STATUS);
        }
        "handled" => {
            let out = local_loop().run(cancel_on_ctrl_c(async {
                let c = ctrl_c();
                println!("ready");
                c.await.unwrap();
                println!("ctrl_c handled by the program");
            }));
            if out.is_err() {
                println!("main cancelled");
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

struct Hang;

impl Drop for Hang {
    fn drop(&mut self) {
        println!("cleaning up forever");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}
