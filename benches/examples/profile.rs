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
            // `executor/spawn_join_10k`'s smol function: async-executor's `LocalExecutor`
            // under smol's `block_on`, the loop in a spawned task.
            "spawn-smol" => {
                let smol = std::rc::Rc::new(async_executor::LocalExecutor::new());
                let inner = smol.clone();
                async_io::block_on(smol.run(smol.spawn(async move {
                    let tasks: Vec<_> =
                        (0..10_000).map(|i| inner.spawn(async move { i })).collect();
                    for t in tasks {
                        t.await;
                    }
                })));
            }
            // `stream/map_filter_1m` with corio's adapters and with tokio-stream's.
            "map-filter" => {
                let sum = ex.block_on(async {
                    use corio::StreamExt;
                    corio::stream::iter(0..1_000_000u64)
                        .map(|x| x * 3)
                        .filter(|x| x % 2 == 0)
                        .fold(0u64, |a, x| a.wrapping_add(x))
                        .await
                });
                std::hint::black_box(sum);
            }
            "map-filter-tokio" => {
                let sum = ex.block_on(async {
                    use tokio_stream::StreamExt;
                    tokio_stream::iter(0..1_000_000u64)
                        .map(|x| x * 3)
                        .filter(|x| x % 2 == 0)
                        .fold(0u64, |a, x| a.wrapping_add(x))
                        .await
                });
                std::hint::black_box(sum);
            }
            // The same chain with a map and predicate the compiler cannot see through
            // (`x * 3` is even exactly when `x` is, which lets it unroll tokio-stream's
            // loop in pairs): which adapters are cheaper when that does not apply.
            "map-filter-mod3" => {
                let sum = ex.block_on(async {
                    use corio::StreamExt;
                    corio::stream::iter(0..1_000_000u64)
                        .map(|x| x ^ (x >> 3))
                        .filter(|x| x % 3 != 0)
                        .fold(0u64, |a, x| a.wrapping_add(x))
                        .await
                });
                std::hint::black_box(sum);
            }
            "map-filter-mod3-tokio" => {
                let sum = ex.block_on(async {
                    use tokio_stream::StreamExt;
                    tokio_stream::iter(0..1_000_000u64)
                        .map(|x| x ^ (x >> 3))
                        .filter(|x| x % 3 != 0)
                        .fold(0u64, |a, x| a.wrapping_add(x))
                        .await
                });
                std::hint::black_box(sum);
            }
            // `stream/generator_1m`: corio's `generate`, async-stream's `stream!` and the
            // hand-written `futures::stream::unfold`, each summed with `next().await`.
            "generator" => {
                let sum = ex.block_on(async {
                    let s = corio::generate(|co| async move {
                        for i in 0..1_000_000u64 {
                            co.yield_(i).await;
                        }
                    });
                    sum_corio(std::pin::pin!(s)).await
                });
                std::hint::black_box(sum);
            }
            "generator-async-stream" => {
                let sum = ex.block_on(async {
                    let s = async_stream::stream! {
                        for i in 0..1_000_000u64 {
                            yield i;
                        }
                    };
                    sum_futures(std::pin::pin!(s)).await
                });
                std::hint::black_box(sum);
            }
            "generator-unfold" => {
                let sum = ex.block_on(async {
                    let s = futures::stream::unfold(0u64, |i| async move {
                        (i < 1_000_000).then_some((i, i + 1))
                    });
                    sum_futures(std::pin::pin!(s)).await
                });
                std::hint::black_box(sum);
            }
            "pingpong" => ex.block_on(async {
                let (tx1, rx1) = async_channel::bounded::<u32>(1);
                let (tx2, rx2) = async_channel::bounded::<u32>(1);
                let pong = corio::spawn(async move {
                    while let Ok(v) = rx1.recv().await {
                        if tx2.send(v + 1).await.is_err() {
                            break;
                        }
                    }
                });
                let ping = corio::spawn(async move {
                    let mut v = 0;
                    for _ in 0..10_000 {
                        tx1.send(v).await.unwrap();
                        v = rx2.recv().await.unwrap();
                    }
                    v
                });
                ping.await.unwrap();
                pong.await.unwrap();
            }),
            "chain" => {
                fn chain(n: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = u32>>> {
                    Box::pin(async move {
                        if n == 0 {
                            0
                        } else {
                            corio::spawn(chain(n - 1)).await.unwrap() + 1
                        }
                    })
                }
                ex.block_on(chain(1000));
            }
            "tokio-pingpong" => corio_benches::tokio_current_thread().block_on(async {
                let (tx1, rx1) = async_channel::bounded::<u32>(1);
                let (tx2, rx2) = async_channel::bounded::<u32>(1);
                let pong = tokio::spawn(async move {
                    while let Ok(v) = rx1.recv().await {
                        if tx2.send(v + 1).await.is_err() {
                            break;
                        }
                    }
                });
                let ping = tokio::spawn(async move {
                    let mut v = 0;
                    for _ in 0..10_000 {
                        tx1.send(v).await.unwrap();
                        v = rx2.recv().await.unwrap();
                    }
                    v
                });
                ping.await.unwrap();
                pong.await.unwrap();
            }),
            "mt-fanout" => {
                let mt = corio::Builder::multi_thread().workers(2).build();
                mt.block_on(async {
                    let ts: Vec<_> = (0..100_000u64)
                        .map(|i| corio::spawn_send(async move { i }))
                        .collect();
                    for t in ts {
                        t.await.unwrap();
                    }
                });
            }
            "smol-fanout" => {
                let ex = std::sync::Arc::new(async_executor::Executor::new());
                let (stop_tx, stop_rx) = async_channel::bounded::<()>(1);
                let threads: Vec<_> = (0..2)
                    .map(|_| {
                        let ex = ex.clone();
                        let stop = stop_rx.clone();
                        std::thread::spawn(move || {
                            futures_lite::future::block_on(ex.run(stop.recv())).ok();
                        })
                    })
                    .collect();
                futures_lite::future::block_on(async {
                    let ts: Vec<_> = (0..100_000u64)
                        .map(|i| ex.spawn(async move { i }))
                        .collect();
                    for t in ts {
                        t.await;
                    }
                });
                drop(stop_tx);
                for t in threads {
                    t.join().unwrap();
                }
            }
            "tokio-chain" => {
                fn chain(
                    n: u32,
                ) -> std::pin::Pin<Box<dyn std::future::Future<Output = u32> + Send>>
                {
                    Box::pin(async move {
                        if n == 0 {
                            0
                        } else {
                            tokio::spawn(chain(n - 1)).await.unwrap() + 1
                        }
                    })
                }
                corio_benches::tokio_current_thread().block_on(chain(1000));
            }
            "pq" => {
                ex.block_on(async {
                    let q = corio::PriorityQueue::new(0);
                    for k in keys() {
                        q.put(k).await.unwrap();
                    }
                    for _ in 0..10_000 {
                        std::hint::black_box(q.get().await.unwrap());
                    }
                });
            }
            "pq-heap" => {
                ex.block_on(async {
                    let q = std::sync::Mutex::new(std::collections::BinaryHeap::new());
                    for k in keys() {
                        q.lock().unwrap().push(std::cmp::Reverse(k));
                    }
                    for _ in 0..10_000 {
                        std::hint::black_box(q.lock().unwrap().pop().unwrap().0);
                    }
                });
            }
            "gen" => ex.block_on(async {
                use corio::StreamExt;
                let s = std::pin::pin!(corio::generate(|co| async move {
                    for i in 0..100_000u64 {
                        co.yield_(i).await;
                    }
                }));
                let (mut s, mut sum) = (s, 0u64);
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                std::hint::black_box(sum);
            }),
            "unfold" => ex.block_on(async {
                use futures::StreamExt;
                let s = std::pin::pin!(futures::stream::unfold(0u64, |i| async move {
                    (i < 100_000).then_some((i, i + 1))
                }));
                let (mut s, mut sum) = (s, 0u64);
                while let Some(x) = s.next().await {
                    sum = sum.wrapping_add(x);
                }
                std::hint::black_box(sum);
            }),
            "lock" => ex.block_on(contend(100, corio::Lock::new(0u64), |m| {
                Box::pin(async move {
                    *m.lock().await += 1;
                    corio::yield_now().await;
                })
            })),
            "lock-futures" => ex.block_on(contend(100, futures::lock::Mutex::new(0u64), |m| {
                Box::pin(async move {
                    *m.lock().await += 1;
                    corio::yield_now().await;
                })
            })),
            "sem" => ex.block_on(contend(1000, corio::Semaphore::new(10), |s| {
                Box::pin(async move {
                    let _p = s.acquire().await.unwrap();
                    corio::yield_now().await;
                })
            })),
            "sem-tokio" => ex.block_on(contend(1000, tokio::sync::Semaphore::new(10), |s| {
                Box::pin(async move {
                    let _p = s.acquire().await.unwrap();
                    corio::yield_now().await;
                })
            })),
            "sem-async-lock" => ex.block_on(contend(1000, async_lock::Semaphore::new(10), |s| {
                Box::pin(async move {
                    let _p = s.acquire().await;
                    corio::yield_now().await;
                })
            })),
            "event" => ex.block_on(async {
                let e = std::rc::Rc::new(corio::Event::new());
                let ts: Vec<_> = (0..1000)
                    .map(|_| {
                        let e = e.clone();
                        corio::spawn(async move { e.wait().await })
                    })
                    .collect();
                corio::yield_now().await;
                e.set();
                for t in ts {
                    t.await.unwrap();
                }
            }),
            // The oneshot workload of `sync_channels.rs` on corio's loop, with corio's
            // oneshot or with `futures`' (the same executor under both, so only the
            // channel differs).
            "oneshot" => ex.block_on(oneshot_10k(corio::oneshot::channel::<u64>)),
            "oneshot-futures" => {
                ex.block_on(oneshot_10k(futures::channel::oneshot::channel::<u64>))
            }
            // `timer/timeout_100k_ready`, 100 000 timeouts around ready futures, on corio's
            // loop with corio's timeout or with smol's idiom (`future.or(Timer::after(d))`).
            "timeout-ready" => ex.block_on(async {
                let mut s = 0usize;
                for i in 0..100_000 {
                    s += corio::timeout(std::time::Duration::from_secs(1), std::future::ready(i))
                        .await
                        .unwrap();
                }
                std::hint::black_box(s);
            }),
            "timeout-ready-smol" => ex.block_on(async {
                let mut s = 0usize;
                for i in 0..100_000 {
                    s += smol_timeout_ready(i).await;
                }
                std::hint::black_box(s);
            }),
            // `combinators/gather_10k_ready` as the bench runs it: a loop with its drivers,
            // the gather in a spawned task; and its `FuturesUnordered` twin the same way.
            "gather-ready" => {
                let ex = corio::Builder::new().build_local();
                let out = ex.block_on(ex.spawn(corio::gather((0..10_000).map(std::future::ready))));
                assert_eq!(out.unwrap().len(), 10_000);
            }
            "gather-ready-fu" => {
                use futures::StreamExt;
                let ex = corio::Builder::new().build_local();
                let out = ex.block_on(
                    ex.spawn(
                        (0..10_000)
                            .map(std::future::ready)
                            .collect::<futures::stream::FuturesUnordered<_>>()
                            .collect::<Vec<_>>(),
                    ),
                );
                assert_eq!(out.unwrap().len(), 10_000);
            }
            // `combinators/gather_10k_shuffled_wakes`: 10 000 children, each awaiting a
            // `futures` oneshot that a driver task completes in a shuffled order, yielding
            // after each send.
            "gather-shuffled" => {
                let ex = corio::Builder::new().build_local();
                let out = ex.block_on(ex.spawn(async {
                    let (rxs, txs) = shuffled_oneshots(10_000);
                    let _driver = corio::spawn(async move {
                        for (i, tx) in txs.into_iter().enumerate() {
                            tx.send(i).unwrap();
                            futures_lite::future::yield_now().await;
                        }
                    });
                    corio::gather(rxs.into_iter().map(|rx| async move { rx.await.unwrap() })).await
                }));
                assert_eq!(out.unwrap().len(), 10_000);
            }
            // `combinators/task_group_10k_children`: 10 000 children in one group, every
            // output collected through its handle.
            "task-group" => {
                let outputs = ex.block_on(ex.spawn(corio::task_group(|tg| async move {
                    let children: Vec<_> = (0..10_000)
                        .map(|i| tg.spawn(async move { Ok(i) }).unwrap())
                        .collect();
                    let mut outputs = Vec::with_capacity(children.len());
                    for child in children {
                        outputs.push(child.await.unwrap());
                    }
                    Ok::<_, ()>(outputs)
                })));
                assert_eq!(outputs.unwrap().unwrap().len(), 10_000);
            }
            // `combinators/wait_for_10k_ready` as the bench runs it: a loop with its drivers,
            // the 10 000 awaits in a spawned task; and smol's idiom the same way.
            "wait-for-ready" => {
                let ex = corio::Builder::new().build_local();
                let d = std::time::Duration::from_secs(1);
                let s = ex.block_on(ex.spawn(async move {
                    let mut s = 0usize;
                    for i in 0..10_000 {
                        s += corio::wait_for(std::future::ready(i), d).await.unwrap();
                    }
                    s
                }));
                std::hint::black_box(s.unwrap());
            }
            "wait-for-ready-smol" => {
                let ex = async_executor::LocalExecutor::new();
                let s = async_io::block_on(ex.run(ex.spawn(async move {
                    let mut s = 0usize;
                    for i in 0..10_000 {
                        s += smol_timeout_ready(i).await;
                    }
                    s
                })));
                std::hint::black_box(s);
            }
            "run" => {
                for _ in 0..10_000 {
                    corio::run(async { 1 });
                }
            }
            // executor/block_on_ready_multi_thread: `Executor::block_on` of a ready
            // future from a plain thread, 10 000 times.
            "block-on-mt" => {
                let mt = corio::Builder::multi_thread().workers(2).build();
                for _ in 0..10_000 {
                    std::hint::black_box(mt.block_on(async { 1 }));
                }
            }
            "block-on-mt-tokio" => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                for _ in 0..10_000 {
                    std::hint::black_box(rt.block_on(async { 1 }));
                }
            }
            other => panic!(
                "unknown workload {other}: yield, spawn, pingpong, chain, run, pq, pq-heap, gen, \
                 unfold, lock, lock-futures, sem, sem-tokio, sem-async-lock, event, oneshot, \
                 oneshot-futures, timeout-ready, timeout-ready-smol, wait-for-ready, \
                 wait-for-ready-smol, task-group, block-on-mt, block-on-mt-tokio, gather-ready, gather-ready-fu, gather-shuffled, spawn-smol, map-filter, \
                 map-filter-tokio, map-filter-mod3, map-filter-mod3-tokio, generator, generator-async-stream or generator-unfold"
            ),
        }
    }
}

/// Sums a stream of `u64` with `while let Some(x) = s.next().await` and corio's `next`,
/// as the generator bench does.
async fn sum_corio(mut s: std::pin::Pin<&mut impl futures::Stream<Item = u64>>) -> u64 {
    use corio::StreamExt;
    let mut sum = 0u64;
    while let Some(x) = s.next().await {
        sum = sum.wrapping_add(x);
    }
    sum
}

/// [`sum_corio`] with futures' `next`, as the bench sums its peers.
async fn sum_futures(mut s: std::pin::Pin<&mut impl futures::Stream<Item = u64>>) -> u64 {
    use futures::StreamExt;
    let mut sum = 0u64;
    while let Some(x) = s.next().await {
        sum = sum.wrapping_add(x);
    }
    sum
}

/// One iteration of a contention workload, over the shared resource.
type Step<R> = fn(std::rc::Rc<R>) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

/// The shape of the lock and semaphore benches: `tasks` tasks share one resource, each
/// running `step` on it 100 times (take it, yield while holding it). `step` is boxed:
/// the comparison is between the resources, and every one pays the same box.
async fn contend<R: 'static>(tasks: usize, resource: R, step: Step<R>) {
    let resource = std::rc::Rc::new(resource);
    let ts: Vec<_> = (0..tasks)
        .map(|_| {
            let r = resource.clone();
            corio::spawn(async move {
                for _ in 0..100 {
                    step(r.clone()).await;
                }
            })
        })
        .collect();
    for t in ts {
        t.await.unwrap();
    }
}

/// The keys of the priority-queue bench: 10 000 pseudo-random values.
fn keys() -> impl Iterator<Item = u64> {
    (0..10_000u64).map(|i| i.wrapping_mul(2654435761) % 100_003)
}

/// 10 000 tasks each await their own oneshot; then every sender sends.
async fn oneshot_10k<S, R, E>(channel: fn() -> (S, R))
where
    S: OneshotSend,
    R: std::future::Future<Output = Result<u64, E>> + 'static,
    E: std::fmt::Debug,
{
    let mut txs = Vec::with_capacity(10_000);
    let mut ts = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let (tx, rx) = channel();
        txs.push(tx);
        ts.push(corio::spawn(async move { rx.await.unwrap() }));
    }
    for (i, tx) in txs.into_iter().enumerate() {
        tx.send_value(i as u64);
    }
    for t in ts {
        t.await.unwrap();
    }
}

/// The one method both oneshot senders share.
trait OneshotSend {
    fn send_value(self, v: u64);
}

impl OneshotSend for corio::oneshot::Sender<u64> {
    fn send_value(self, v: u64) {
        self.send(v).unwrap();
    }
}

impl OneshotSend for futures::channel::oneshot::Sender<u64> {
    fn send_value(self, v: u64) {
        self.send(v).unwrap();
    }
}

/// smol's timeout idiom, `future.or(Timer::after(d))`, around a ready future (no timer is
/// built for it), as `timer/timeout_100k_ready` and `combinators/wait_for_10k_ready` use it.
async fn smol_timeout_ready(i: usize) -> usize {
    use futures_lite::FutureExt;
    async { Ok(std::future::ready(i).await) }
        .or(async {
            async_io::Timer::after(std::time::Duration::from_secs(1)).await;
            Err(())
        })
        .await
        .unwrap()
}

/// `n` receivers, and their senders in a fixed shuffled order (the combinators bench's
/// Fisher-Yates over xorshift64).
#[allow(clippy::type_complexity)]
fn shuffled_oneshots(
    n: usize,
) -> (
    Vec<futures::channel::oneshot::Receiver<usize>>,
    Vec<futures::channel::oneshot::Sender<usize>>,
) {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..n).map(|_| futures::channel::oneshot::channel()).unzip();
    let mut txs: Vec<Option<_>> = txs.into_iter().map(Some).collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let txs = order.iter().map(|&i| txs[i].take().unwrap()).collect();
    (rxs, txs)
}
