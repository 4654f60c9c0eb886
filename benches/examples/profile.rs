//! Runs one benchmark workload in a loop, for profilers (`perf record`, `valgrind
//! --tool=callgrind`): `cargo run --release -p corio-benches --example profile -- yield 50`.

fn main() {
    let mut args = std::env::args().skip(1);
    let workload = args.next().unwrap_or_else(|| "yield".into());
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let ex = corio::LocalExecutor::new();
    for _ in 0..rounds {
        match workload.as_str() {
            "yield" => ex.block_on(async {
                let tasks: Vec<_> = (0..100)
                    .map(|_| {
                        corio::spawn(async {
                            for _ in 0..1000 {
                                corio::yield_now().await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            }),
            "spawn" => ex.block_on(async {
                let tasks: Vec<_> = (0..10_000)
                    .map(|i| corio::spawn(async move { i }))
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            }),
            "run" => {
                for _ in 0..10_000 {
                    corio::run(async { 1 });
                }
            }
            other => panic!("unknown workload {other}: yield, spawn or run"),
        }
    }
}
