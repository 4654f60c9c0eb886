//! A narrated tour of corio: each section shows one asyncio idea, prints what happens and
//! when, and checks that it happened. Run it with `cargo run --release --example tour`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

struct Tour {
    start: Instant,
}

impl Tour {
    fn section(&self, title: &str) {
        println!("\n== {title}");
    }

    fn say(&self, what: impl std::fmt::Display) {
        println!(
            "[{:>9.3} ms] {what}",
            self.start.elapsed().as_secs_f64() * 1e3
        );
    }
}

fn main() {
    let tour = Tour {
        start: Instant::now(),
    };
    println!("corio tour: asyncio's programming model in Rust");

    // ---------------------------------------------------------------------------------
    tour.section("run: asyncio.run(main()) builds a loop, runs main, returns its value");
    let answer = corio::run(async { 6 * 7 });
    tour.say(format!("corio::run(async {{ 6 * 7 }}) returned {answer}"));
    assert_eq!(answer, 42);

    // ---------------------------------------------------------------------------------
    tour.section("create_task: tasks start at the loop's next turn, in FIFO order");
    corio::run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 1..=3 {
            let log = log.clone();
            tasks.push(corio::create_task(async move {
                log.borrow_mut().push(format!("task {i} ran"));
                i * 100
            }));
        }
        tour.say(format!("spawned 3 tasks; ran so far: {:?}", log.borrow()));
        corio::yield_now().await;
        tour.say(format!("after one yield_now(): {:?}", log.borrow()));
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        tour.say(format!("awaited their handles: {results:?}"));
        assert_eq!(results, [100, 200, 300]);
    });

    // ---------------------------------------------------------------------------------
    tour.section("yield_now: exactly one turn of the loop (asyncio.sleep(0))");
    corio::run(async {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let t = corio::spawn(async move {
            for step in 0..2 {
                l.borrow_mut().push(format!("worker {step}"));
                corio::yield_now().await;
            }
        });
        for step in 0..2 {
            log.borrow_mut().push(format!("main {step}"));
            corio::yield_now().await;
        }
        t.await.unwrap();
        tour.say(format!("interleaving: {:?}", log.borrow()));
        assert_eq!(*log.borrow(), ["main 0", "worker 0", "main 1", "worker 1"]);
    });

    // ---------------------------------------------------------------------------------
    tour.section("cancel: the task is dropped at its await point, destructors run first");
    corio::run(async {
        struct Cleanup(&'static str);
        impl Drop for Cleanup {
            fn drop(&mut self) {
                println!(
                    "             ... cleanup of {} runs (asyncio's finally:)",
                    self.0
                );
            }
        }
        let mut t = corio::task::Builder::new().name("downloader").spawn(async {
            let _c = Cleanup("downloader");
            std::future::pending::<()>().await; // waits forever
        });
        corio::yield_now().await;
        tour.say(format!(
            "task '{}' is suspended; cancelling with a reason",
            t.name().unwrap()
        ));
        let cancelled = t.cancel_with("user pressed stop").await;
        let err = t.await.unwrap_err();
        tour.say(format!("cancel() -> {cancelled}; awaiting it gives: {err}"));
        assert!(cancelled && err.is_cancelled());

        let mut finished = corio::spawn(async { "result" });
        corio::yield_now().await;
        let late = finished.cancel().await;
        tour.say(format!(
            "cancel() of a finished task -> {late}; its result is kept: {:?}",
            finished.await.unwrap()
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("panics: a failing task becomes a JoinError, the others carry on");
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // this section panics on purpose
    corio::run(async {
        let steady = corio::spawn(async {
            corio::yield_now().await;
            "steady task done"
        });
        let failing = corio::spawn(async { panic!("index out of range") });
        let err = failing.await.unwrap_err();
        tour.say(format!("failing task: {err}"));
        tour.say(steady.await.unwrap());
    });

    // ---------------------------------------------------------------------------------
    tour.section("unobserved failures: 'Task exception was never retrieved'");
    let reports = Arc::new(Mutex::new(Vec::new()));
    let r = reports.clone();
    let ex = corio::Builder::new()
        .on_unobserved_failure(move |f| r.lock().unwrap().push(f.to_string()))
        .build_local();
    ex.run(async {
        corio::task::Builder::new()
            .name("forgotten")
            .spawn(async { panic!("nobody awaited me") })
            .detach();
        corio::yield_now().await;
    });
    std::panic::set_hook(default_hook);
    for report in reports.lock().unwrap().iter() {
        tour.say(format!("reported: {report}"));
    }
    assert_eq!(ex.unobserved_failures(), 1);

    // ---------------------------------------------------------------------------------
    tour.section("a dropped Task handle detaches: the task keeps running");
    corio::run(async {
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        drop(corio::spawn(async move {
            corio::yield_now().await;
            *d.borrow_mut() = true;
        }));
        corio::yield_now().await;
        corio::yield_now().await;
        tour.say(format!(
            "handle dropped, task finished anyway: {}",
            done.borrow()
        ));
        assert!(*done.borrow());
    });

    // ---------------------------------------------------------------------------------
    tour.section("shutdown: run() cancels the tasks still alive before returning");
    let drops = Rc::new(RefCell::new(0));
    let d = drops.clone();
    let value = corio::run(async move {
        for _ in 0..3 {
            let d = d.clone();
            corio::spawn(async move {
                struct Count(Rc<RefCell<u32>>);
                impl Drop for Count {
                    fn drop(&mut self) {
                        *self.0.borrow_mut() += 1;
                    }
                }
                let _c = Count(d);
                std::future::pending::<()>().await;
            })
            .detach();
        }
        corio::yield_now().await;
        "main's value"
    });
    tour.say(format!(
        "run returned {value:?}; leftover tasks dropped: {}",
        drops.borrow()
    ));
    assert_eq!(*drops.borrow(), 3);

    // ---------------------------------------------------------------------------------
    tour.section("current_task, names, on_done");
    corio::run(async {
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        let t = corio::task::Builder::new().name("worker-1").spawn(async {
            let me = corio::current_task().expect("inside a task");
            format!(
                "{} '{}' spawned at {}",
                me.id(),
                me.name().unwrap(),
                me.location()
            )
        });
        t.on_done(move |status| *s.lock().unwrap() = Some(status));
        tour.say(t.await.unwrap());
        tour.say(format!("on_done saw: {:?}", seen.lock().unwrap().unwrap()));
    });

    // ---------------------------------------------------------------------------------
    tour.section("many tasks: 100 000 spawned and joined");
    let start = Instant::now();
    let n = 100_000u64;
    let sum = corio::run(async move {
        let tasks: Vec<_> = (0..n).map(|i| corio::spawn(async move { i })).collect();
        let mut sum = 0;
        for t in tasks {
            sum += t.await.unwrap();
        }
        sum
    });
    tour.say(format!(
        "sum {sum} in {:.2} ms ({:.0} ns per task)",
        start.elapsed().as_secs_f64() * 1e3,
        start.elapsed().as_nanos() as f64 / n as f64
    ));
    assert_eq!(sum, n * (n - 1) / 2);

    println!(
        "\ntour complete in {:.1} ms",
        tour.start.elapsed().as_secs_f64() * 1e3
    );
}
