//! Why is my program stuck? A program that gets stuck in four ways at once, and the call
//! graph that says why (the book's chapter "Why is my program stuck?").
//!
//! - a crawler (a task group inside the app's task group) whose four fetchers share a
//!   semaphore of two permits: two hold them (for an hour), two wait in its queue;
//! - a blocking job in `to_thread` that never returns;
//! - two transfers that take two locks in opposite orders: a real deadlock.
//!
//! `cargo run --example stuck` prints the graph and exits. With `CORIO_PS=1` (or
//! `CORIO_PS=/path/to.sock`) it stays stuck until its stdin closes, for
//! `corio-ps pstree <pid>` to look at it from outside.

// ANCHOR: program
use std::rc::Rc;
use std::time::Duration;

use corio::{Lock, Semaphore, TaskGroup};

type Result = std::result::Result<(), String>;

/// A child of `tg` with a name (the graph shows it).
fn spawn_named(tg: &TaskGroup<String>, name: &str, f: impl Future<Output = Result> + 'static) {
    let named = |f| corio::task::Builder::new().name(name).try_spawn(f);
    tg.spawn_with(named, f).expect("the group is open");
}

async fn fetch(permits: Rc<Semaphore>) -> Result {
    let _permit = permits.acquire().await.map_err(|e| e.to_string())?;
    corio::sleep(Duration::from_secs(3600)).await; // a slow server
    Ok(())
}

async fn transfer(first: Rc<Lock>, second: Rc<Lock>) -> Result {
    let _a = first.lock().await;
    corio::sleep(Duration::from_millis(10)).await; // the other transfer takes its first lock
    let _b = second.lock().await; // and now each waits for the other: deadlock
    Ok(())
}

async fn app(stuck_job: std::sync::mpsc::Receiver<()>) -> Result {
    let accounts = Rc::new(Lock::new(()));
    let ledger = Rc::new(Lock::new(()));
    let errors = corio::task_group(|tg| async move {
        spawn_named(&tg, "crawler", async {
            let permits = Rc::new(Semaphore::new(2));
            let crawl = corio::task_group(|tg| async move {
                for name in ["fetch-1", "fetch-2", "fetch-3", "fetch-4"] {
                    spawn_named(&tg, name, fetch(permits.clone()));
                }
                Ok(())
            });
            crawl.await.map_err(|e| e.to_string())
        });
        spawn_named(&tg, "export", async {
            let job = corio::to_thread(move || stuck_job.recv()); // blocks until main lets go
            let _released = job.await.map_err(|e| e.to_string())?;
            Ok(())
        });
        spawn_named(
            &tg,
            "transfer-a",
            transfer(accounts.clone(), ledger.clone()),
        );
        spawn_named(&tg, "transfer-b", transfer(ledger, accounts));
        Ok(())
    });
    errors.await.map_err(|e| e.to_string())
}
// ANCHOR_END: program

/// Builds the stuck program on this thread's loop, waits until it is stuck, and runs
/// `look` (which prints the graph, or waits for `corio-ps`); then lets the blocking job go.
pub fn run_stuck(look: impl AsyncFnOnce()) {
    // ANCHOR: main
    corio::Builder::new().call_graph(true).run(async {
        let (release_job, stuck_job) = std::sync::mpsc::channel::<()>();
        let app = corio::task::Builder::new()
            .name("app")
            .spawn(app(stuck_job));
        corio::sleep(Duration::from_millis(200)).await; // everything is stuck by now
        look().await;
        drop(release_job); // the blocking job returns; the rest is cancelled at exit
        app.abort();
    });
    // ANCHOR_END: main
}

/// Prints the graph; with `CORIO_PS` set, then stays stuck until stdin closes.
pub fn main() {
    let serve = std::env::var_os("CORIO_PS").is_some();
    run_stuck(async || {
        corio::debug::print_call_graph();
        if serve {
            println!("stuck: ready for corio-ps {}", std::process::id());
            // Stay stuck until stdin closes (a plain thread reads it: the graph stays as is).
            let closed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = closed.clone();
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            while !closed.load(std::sync::atomic::Ordering::SeqCst) {
                corio::sleep(Duration::from_millis(20)).await;
            }
        }
    });
}
