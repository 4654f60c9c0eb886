#![allow(dead_code, unreachable_pub)]

use std::future::Future;

/// Runs `fut` on a single-thread loop whose driver is an `IoDriver`.
pub fn run<F: Future>(fut: F) -> F::Output {
    corio_executor::Builder::new()
        .driver(|_| Box::new(corio_net::IoDriver::new().unwrap()))
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

/// A fresh directory for Unix sockets.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("corio-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
