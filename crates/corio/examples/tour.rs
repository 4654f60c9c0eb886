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

    // ---------------------------------------------------------------------------------
    tour.section("multi-thread executor: spawn_send spreads work over the workers");
    let ex = corio::Builder::multi_thread().workers(2).build();
    let threads = ex.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                corio::spawn_send(async {
                    let t0 = Instant::now();
                    while t0.elapsed() < std::time::Duration::from_millis(2) {
                        std::hint::spin_loop(); // CPU work, enough for both workers to join in
                    }
                    std::thread::current().name().unwrap().to_owned()
                })
            })
            .collect();
        let mut names = std::collections::BTreeSet::new();
        for t in tasks {
            names.insert(t.await.unwrap());
        }
        names
    });
    tour.say(format!(
        "8 CPU-bound tasks ran on {threads:?}; {:?}",
        ex.metrics()
    ));

    // ---------------------------------------------------------------------------------
    tour.section("to_thread: blocking code runs on the blocking pool, the loop stays free");
    corio::run(async {
        let t0 = Instant::now();
        let a = corio::to_thread(|| std::thread::sleep(std::time::Duration::from_millis(20)));
        let b = corio::to_thread(|| std::thread::sleep(std::time::Duration::from_millis(20)));
        let mut turns = 0u32;
        while !(a.is_finished() && b.is_finished()) {
            corio::yield_now().await; // the loop keeps turning meanwhile
            turns += 1;
        }
        a.await.unwrap();
        b.await.unwrap();
        tour.say(format!(
            "two 20 ms blocking sleeps finished together in {:.1} ms; the loop turned {turns} times meanwhile",
            t0.elapsed().as_secs_f64() * 1e3
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("Handle: a plain thread submits work to the loop and waits for it");
    corio::run(async {
        let handle = corio::Handle::current();
        let worker = std::thread::spawn(move || handle.spawn(async { 6 * 7 }).join_blocking());
        // Wait for the thread without blocking the loop (which runs the submitted task
        // meanwhile): join it on the blocking pool.
        let got = corio::to_thread(move || worker.join().unwrap())
            .await
            .unwrap();
        tour.say(format!("the thread got {:?}", got.unwrap()));
    });

    // ---------------------------------------------------------------------------------
    tour.section("Semaphore: at most 3 of 10 'downloads' at once (async with sem:)");
    corio::run(async {
        let sem = Rc::new(corio::Semaphore::new(3));
        let active = Rc::new(RefCell::new((0u32, 0u32))); // (now, peak)
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let sem = sem.clone();
                let active = active.clone();
                corio::spawn(async move {
                    let _permit = sem.acquire().await.unwrap(); // released on drop
                    {
                        let mut a = active.borrow_mut();
                        a.0 += 1;
                        a.1 = a.1.max(a.0);
                    }
                    corio::yield_now().await; // the "download"
                    active.borrow_mut().0 -= 1;
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        tour.say(format!("peak concurrency: {}", active.borrow().1));
        assert_eq!(active.borrow().1, 3);
    });

    // ---------------------------------------------------------------------------------
    tour.section("Queue: producers and consumers, task_done and join");
    corio::run(async {
        let q = Rc::new(corio::Queue::new(4));
        let handled = Rc::new(RefCell::new(Vec::new()));
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let q = q.clone();
                let handled = handled.clone();
                corio::spawn(async move {
                    while let Ok(item) = q.get().await {
                        handled.borrow_mut().push((w, item));
                        q.task_done().unwrap();
                    }
                })
            })
            .collect();
        for item in 0..10 {
            q.put(item).await.unwrap(); // waits while 4 items are queued
        }
        q.join().await; // every item put has been marked done
        tour.say(format!("all 10 items handled: {:?}", handled.borrow()));
        q.shutdown(false); // the consumers' get() now returns an error and they stop
        for w in workers {
            w.await.unwrap();
        }
    });

    // ---------------------------------------------------------------------------------
    tour.section("Event: one set() wakes every waiter");
    corio::run(async {
        let ev = Rc::new(corio::Event::new());
        let waiters: Vec<_> = (0..3)
            .map(|i| {
                let ev = ev.clone();
                corio::spawn(async move {
                    ev.wait().await;
                    i
                })
            })
            .collect();
        corio::yield_now().await;
        tour.say("3 tasks wait on the event; setting it");
        ev.set();
        let mut woke = Vec::new();
        for w in waiters {
            woke.push(w.await.unwrap());
        }
        tour.say(format!("woken: {woke:?}"));
    });

    // ---------------------------------------------------------------------------------
    tour.section("sleep: three tasks sleeping concurrently take the longest, not the sum");
    corio::run(async {
        let t0 = Instant::now();
        let sleeps: Vec<_> = [30u64, 10, 20]
            .into_iter()
            .map(|ms| {
                corio::spawn(async move {
                    corio::sleep(std::time::Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        let mut woke = Vec::new();
        for s in sleeps {
            woke.push(s.await.unwrap());
        }
        tour.say(format!(
            "slept {woke:?} ms concurrently in {:.1} ms",
            t0.elapsed().as_secs_f64() * 1e3
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("timeout: asyncio.timeout, with a deadline that moves");
    corio::run(async {
        let slow = corio::sleep(std::time::Duration::from_secs(3600));
        let r = corio::timeout(std::time::Duration::from_millis(10), slow).await;
        tour.say(format!("an hour-long sleep under a 10 ms timeout: {r:?}"));
        let mut t = std::pin::pin!(corio::timeout(std::time::Duration::from_millis(5), async {
            corio::sleep(std::time::Duration::from_millis(15)).await;
            "made it"
        }));
        t.as_mut().reschedule(Some(
            corio::clock::now() + std::time::Duration::from_millis(50),
        ));
        tour.say(format!("5 ms timeout rescheduled to 50 ms: {:?}", t.await));
    });

    // ---------------------------------------------------------------------------------
    tour.section("virtual time: a test loop sleeps an hour in no time");
    let wall = Instant::now();
    let virtual_elapsed = corio::Builder::new().start_paused(true).run(async {
        let t0 = corio::clock::now();
        corio::sleep(std::time::Duration::from_secs(3600)).await;
        corio::clock::now() - t0
    });
    tour.say(format!(
        "slept {:?} of virtual time in {:.2} ms of real time",
        virtual_elapsed,
        wall.elapsed().as_secs_f64() * 1e3
    ));

    // ---------------------------------------------------------------------------------
    tour.section("gather: results in input order, whatever the completion order");
    corio::run(async {
        let (a, b) = corio::gather!(
            async {
                corio::sleep(std::time::Duration::from_millis(10)).await;
                "slow"
            },
            async { 42 }
        )
        .await;
        tour.say(format!("gather!(slow, fast) = ({a:?}, {b})"));
        let settled =
            corio::gather_settled(["7", "x"].map(|s| async move { s.parse::<u8>() })).await;
        tour.say(format!(
            "gather_settled (return_exceptions=True): {settled:?}"
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("as_completed and wait: in completion order, and (done, pending)");
    corio::run(async {
        use corio::StreamExt;
        let delays = [30u64, 10, 20];
        let futs = delays.map(|ms| async move {
            corio::sleep(std::time::Duration::from_millis(ms)).await;
            ms
        });
        let order: Vec<_> = corio::as_completed(futs).collect().await;
        tour.say(format!("as_completed over {delays:?} ms yields {order:?}"));
        let tasks: Vec<_> = delays
            .iter()
            .map(|&ms| {
                corio::spawn(async move {
                    corio::sleep(std::time::Duration::from_millis(ms)).await;
                    ms
                })
            })
            .collect();
        let (done, pending) = corio::wait(tasks, corio::ReturnWhen::FirstCompleted).await;
        tour.say(format!(
            "wait(FIRST_COMPLETED): done {:?}, {} still pending (handed back to the caller)",
            done.iter()
                .map(|(i, r)| (*i, r.as_ref().ok().copied()))
                .collect::<Vec<_>>(),
            pending.len()
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("TaskGroup: the first failure cancels the siblings; every failure reported");
    corio::run(async {
        let t0 = Instant::now();
        let r = corio::task_group(|tg| async move {
            tg.spawn(async {
                corio::sleep(std::time::Duration::from_millis(5)).await;
                Err::<(), _>("a child failed".to_string())
            })
            .unwrap();
            tg.spawn(async {
                corio::sleep(std::time::Duration::from_secs(3600)).await;
                Ok(())
            })
            .unwrap();
            Ok::<_, String>(())
        })
        .await;
        tour.say(format!(
            "group result after {:.1} ms (the hour-long sibling was cancelled): {}",
            t0.elapsed().as_secs_f64() * 1e3,
            r.unwrap_err()
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("async generators: a paginated API consumed as it arrives, 3 requests at a time");
    corio::run(async {
        use corio::StreamExt;
        let t0 = Instant::now();
        let body_steps = Rc::new(RefCell::new(0u32));
        let steps = body_steps.clone();
        // `async def ids(): ... yield id`: the body runs only when the consumer asks.
        let ids = corio::generate(move |co| async move {
            for page in 0..3u32 {
                corio::sleep(std::time::Duration::from_millis(10)).await; // fetch a page
                *steps.borrow_mut() += 1;
                for i in 0..4 {
                    co.yield_(page * 100 + i).await;
                }
            }
        });
        let mut ids = std::pin::pin!(ids);
        let first = ids.next().await;
        tour.say(format!(
            "first id {first:?}; pages fetched so far: {}",
            body_steps.borrow()
        ));
        // The web-scraping pattern: a concurrency-limited map over the rest.
        let details: Vec<String> = ids
            .map(|id| async move {
                corio::sleep(std::time::Duration::from_millis(5)).await; // fetch the item
                format!("#{id}")
            })
            .buffer_unordered(3)
            .collect()
            .await;
        tour.say(format!(
            "{} more items fetched at most 3 at a time in {:.1} ms",
            details.len(),
            t0.elapsed().as_secs_f64() * 1e3
        ));
    });

    // ---------------------------------------------------------------------------------
    tour.section("networking: start_server and open_connection on loopback");
    corio::run(async {
        let server = corio::start_server("127.0.0.1:0", |mut reader, mut writer| async move {
            let mut line = String::new();
            while reader.read_line(&mut line).await.unwrap_or(0) > 0 {
                let _ = writer.write_all(line.to_uppercase().as_bytes()).await;
                line.clear();
            }
        })
        .await
        .unwrap();
        let addr = server.local_addr().unwrap();
        let t0 = Instant::now();
        let replies = corio::gather((0..100).map(|i| async move {
            let (mut r, mut w) = corio::open_connection(addr).await.unwrap();
            w.write_all(format!("client {i}\n").as_bytes())
                .await
                .unwrap();
            let mut reply = String::new();
            r.read_line(&mut reply).await.unwrap();
            reply
        }))
        .await;
        tour.say(format!(
            "100 concurrent connections answered in {:.1} ms; e.g. {:?}",
            t0.elapsed().as_secs_f64() * 1e3,
            replies[7].trim_end()
        ));
        server
            .shutdown(std::time::Duration::from_secs(1))
            .await
            .unwrap();
        tour.say("server shut down gracefully (stopped accepting, handlers finished)");
    });

    // ---------------------------------------------------------------------------------
    tour.section("HTTP: aiohttp's ClientSession and aiohttp.web, as corio::http");
    corio::run(async {
        use corio::http::{Client, Server, server};
        let site =
            Server::bind("127.0.0.1:0")
                .await
                .unwrap()
                .serve(|req: server::Request| async move {
                    corio::sleep(std::time::Duration::from_millis(5)).await; // the server "works"
                    server::text(format!("page {}", req.uri().path()))
                });
        let base = format!("http://{}", site.local_addr());
        // One session (pool) for all requests, at most 5 connections to the host at once.
        let client = Client::builder().limit_per_host(5).build().unwrap();
        let t0 = Instant::now();
        let pages = corio::gather((0..50).map(|i| {
            let (client, url) = (client.clone(), format!("{base}/{i}"));
            async move { client.get(&url).send().await?.text().await }
        }))
        .await;
        let ok = pages.iter().filter(|p| p.is_ok()).count();
        tour.say(format!(
            "50 pages over keep-alive, 5 connections at most: {ok} fetched in {:.1} ms \
             (5 ms each, so about 50 ms); e.g. {:?}",
            t0.elapsed().as_secs_f64() * 1e3,
            pages[7].as_deref().unwrap_or("error")
        ));
        let cut_off = site.shutdown(std::time::Duration::from_secs(1)).await;
        tour.say(format!(
            "server shut down gracefully ({cut_off} connections cut off)"
        ));
    });

    // ---------------------------------------------------------------------------------
    #[cfg(unix)]
    {
        tour.section("subprocesses: create_subprocess_exec, with pipes, wait and a timeout");
        corio::run(async {
            use corio::process::{Command, Stdio};
            // `cat` as an echo peer: write its stdin, read its stdout, on the loop.
            let mut cat = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = cat.stdin.take().unwrap();
            stdin.write_all(b"meow\n").await.unwrap();
            drop(stdin); // end of input: cat exits
            let out = cat.wait_with_output().await.unwrap();
            tour.say(format!(
                "cat echoed {:?} and exited with {}",
                String::from_utf8_lossy(&out.stdout).trim_end(),
                out.status
            ));
            assert_eq!(out.stdout, b"meow\n");

            // Ten children at once; none needs a thread to be waited for.
            let t0 = Instant::now();
            let outputs = corio::gather((0..10).map(|i| async move {
                let out = Command::shell(format!("echo child {i}")).output().await;
                String::from_utf8(out.unwrap().stdout).unwrap()
            }))
            .await;
            tour.say(format!(
                "10 concurrent `sh -c` children in {:.1} ms: {:?} ... {:?}",
                t0.elapsed().as_secs_f64() * 1e3,
                outputs[0].trim_end(),
                outputs[9].trim_end()
            ));

            // A child that outlives its timeout is killed and reaped: no zombie.
            let mut sleeper = Command::new("sleep").arg("60").spawn().unwrap();
            let waited = corio::timeout(std::time::Duration::from_millis(20), sleeper.wait()).await;
            assert!(waited.is_err());
            sleeper.kill().unwrap();
            let status = sleeper.wait().await.unwrap();
            tour.say(format!(
                "`sleep 60` timed out after 20 ms, killed: {status}"
            ));
        });
    }

    println!(
        "\ntour complete in {:.1} ms",
        tour.start.elapsed().as_secs_f64() * 1e3
    );
}
