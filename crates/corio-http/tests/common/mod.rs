#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Runs `fut` on a single-thread loop with the timer wheel over the I/O reactor (the
/// stack `corio::run` installs).
pub fn run<F: Future>(fut: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|_| {
            Box::new(corio_timer::TimerDriver::new(
                corio_net::IoDriver::new().unwrap(),
            ))
        })
        .build_local()
        .run(fut)
}

/// As [`run`], on a paused virtual clock that jumps when the loop is idle.
pub fn run_paused<F: Future>(fut: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|_| {
            Box::new(corio_timer::TimerDriver::new_paused(
                corio_net::IoDriver::new().unwrap(),
            ))
        })
        .build_local()
        .run(fut)
}

/// A port nothing listens on (just freed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A self-signed certificate for `localhost` and 127.0.0.1: (certificate PEM, key PEM).
pub fn self_signed() -> (String, String) {
    let c =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    (c.cert.pem(), c.key_pair.serialize_pem())
}

/// `python3` if it runs here; otherwise prints a loud SKIPPED notice (straight to the
/// terminal's stderr) and returns `None`.
pub fn python(test: &str) -> Option<&'static str> {
    tool(test, "python3", &["--version"])
}

/// `curl` if it runs here; otherwise a loud SKIPPED notice and `None`.
pub fn curl(test: &str) -> Option<&'static str> {
    tool(test, "curl", &["--version"])
}

fn tool(test: &str, name: &'static str, args: &[&str]) -> Option<&'static str> {
    let ok = Command::new(name)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(name)
    } else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n*** SKIPPED {test}: `{name}` is not installed; this test needs it as a non-corio peer ***\n"
        );
        None
    }
}

/// The Python peer (tests/common/peer.py): killed on drop.
pub struct PyServer {
    child: Child,
    pub port: u16,
    _dir: Option<PathBuf>,
}

impl PyServer {
    /// Plain HTTP.
    pub fn http(python: &str) -> PyServer {
        Self::start(python, None)
    }

    /// HTTPS with the given PEM certificate and key.
    pub fn https(python: &str, cert: &str, key: &str) -> PyServer {
        Self::start(python, Some((cert, key)))
    }

    fn start(python: &str, tls: Option<(&str, &str)>) -> PyServer {
        let mut cmd = Command::new(python);
        cmd.arg("-c").arg(include_str!("peer.py"));
        let mut dir = None;
        if let Some((cert, key)) = tls {
            let d = std::env::temp_dir().join(format!(
                "corio-http-peer-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("cert.pem"), cert).unwrap();
            std::fs::write(d.join("key.pem"), key).unwrap();
            cmd.arg(d.join("cert.pem")).arg(d.join("key.pem"));
            dir = Some(d);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the peer prints its port");
        PyServer {
            child,
            port,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(d) = &self._dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}
