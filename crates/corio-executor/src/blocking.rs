//! Blocking code on threads: asyncio's `to_thread` and `run_in_executor`.

#[cfg(corio_loom)]
use loom::sync::{Condvar, Mutex};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
#[cfg(not(corio_loom))]
use std::sync::{Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use async_task::Runnable;

use crate::context;
use crate::meta::TaskMeta;
use crate::task_handle::Task;
use crate::wrapper::TaskFuture;

/// A bounded pool of threads for blocking work, grown on demand and shrunk when idle.
///
/// [`spawn_blocking`] and [`to_thread`] use a process-wide pool of at most 512 threads,
/// each exiting after 10 s without work. Build your own pool to bound a kind of work
/// separately (say, 4 threads for a disk).
///
/// A job queued beyond the limit waits for a free thread. A job aborted before it starts
/// never runs. A job that has started cannot be interrupted: it may check
/// [`CancelFlag::is_cancelled`] (see [`spawn_blocking_with`]) and stop early, and the
/// caller may stop waiting for it by dropping its [`Task`] (abandoning it: the thread
/// finishes the job and its result is dropped).
///
/// # Examples
///
/// ```
/// use corio_executor::BlockingPool;
/// use std::time::Duration;
///
/// let disk = BlockingPool::new(2, Duration::from_secs(1));
/// corio_executor::run(async move {
///     let size = disk.spawn(|| std::fs::metadata("Cargo.toml").map(|m| m.len()));
///     assert!(size.await.unwrap().unwrap() > 0);
/// });
/// ```
#[derive(Clone)]
pub struct BlockingPool {
    inner: Arc<Pool>,
}

struct Pool {
    state: Mutex<PoolState>,
    cvar: Condvar,
    max_threads: usize,
    keep_alive: Duration,
}

struct PoolState {
    jobs: VecDeque<Runnable<TaskMeta>>,
    threads: usize,
    /// Threads waiting for a job that no submission has claimed yet.
    idle: usize,
    /// Idle threads a submission has claimed (and notified) that have not woken yet. The
    /// submitter moves a thread from `idle` to here at once, under the lock: were `idle`
    /// left for the woken thread to decrement, a second job submitted before it runs would
    /// count the same thread again and wait behind the first job (a deadlock when the
    /// first waits for the second).
    claimed: usize,
    next_name: usize,
    /// The loom model's way to let its threads end (the pool itself never stops them
    /// but by the keep-alive timeout, which loom does not model).
    #[cfg(corio_loom)]
    closing: bool,
}

/// What a submission did to get its job run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handoff {
    /// Woke an idle thread, now promised to this job.
    Claimed,
    /// Started a new thread.
    Started,
    /// Queued it behind the jobs already running (every thread busy, at the maximum).
    Queued,
}

/// How a [`BlockingPool`] is doing, for monitoring and tests.
///
/// # Examples
///
/// ```
/// let pool = corio_executor::BlockingPool::new(1, std::time::Duration::from_millis(10));
/// assert_eq!(pool.stats().threads, 0); // threads start on demand
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// Threads alive.
    pub threads: usize,
    /// Threads waiting for work.
    pub idle: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
}

impl BlockingPool {
    /// A pool of at most `max_threads` threads, each exiting after `keep_alive` without
    /// work.
    ///
    /// # Panics
    ///
    /// When `max_threads` is 0.
    pub fn new(max_threads: usize, keep_alive: Duration) -> Self {
        assert!(
            max_threads > 0,
            "BlockingPool::new: max_threads must be at least 1"
        );
        BlockingPool {
            inner: Arc::new(Pool {
                state: Mutex::new(PoolState {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    claimed: 0,
                    next_name: 0,
                    #[cfg(corio_loom)]
                    closing: false,
                }),
                cvar: Condvar::new(),
                max_threads,
                keep_alive,
            }),
        }
    }

    /// The process-wide pool behind [`spawn_blocking`] and [`to_thread`].
    pub fn global() -> &'static BlockingPool {
        static GLOBAL: OnceLock<BlockingPool> = OnceLock::new();
        GLOBAL.get_or_init(|| BlockingPool::new(512, Duration::from_secs(10)))
    }

    /// Runs `f` on a pool thread; await the returned task for its result.
    #[track_caller]
    pub fn spawn<F, R>(&self, f: F) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.spawn_with(move |_| f())
    }

    /// Runs `f` on a pool thread, giving it a [`CancelFlag`] to check.
    #[track_caller]
    pub fn spawn_with<F, R>(&self, f: F) -> Task<R>
    where
        F: FnOnce(&CancelFlag) -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = TaskMeta::new(None, Location::caller());
        meta.mark_send();
        let pool = self.inner.clone();
        let job = Job(Some(f));
        // SAFETY: the conditions of `spawn_unchecked`: the future (`Job` of a `Send`
        // closure) is `Send`, so its runnable may run anywhere; it is `'static` and
        // borrows nothing; the schedule function is `Send + Sync + 'static`.
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |_: &TaskMeta| TaskFuture::new(job),
                move |r| Pool::push(&pool, r),
            )
        };
        let waker = runnable.waker();
        runnable.schedule();
        Task::new(task, waker)
    }

    /// Threads, idle threads and queued jobs right now.
    pub fn stats(&self) -> PoolStats {
        let s = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        PoolStats {
            threads: s.threads,
            idle: s.idle,
            queued: s.jobs.len(),
        }
    }
}

impl Pool {
    fn push(this: &Arc<Pool>, job: Runnable<TaskMeta>) {
        let _ = Self::hand_off(this, job);
    }

    fn hand_off(this: &Arc<Pool>, job: Runnable<TaskMeta>) -> Handoff {
        let mut s = this.state.lock().unwrap_or_else(|e| e.into_inner());
        s.jobs.push_back(job);
        #[cfg(corio_loom)]
        let stale = crate::mutation::active(crate::mutation::Mutation::PoolStaleIdleCount);
        #[cfg(not(corio_loom))]
        let stale = false;
        if s.idle > 0 {
            if !stale {
                s.idle -= 1;
                s.claimed += 1;
            }
            this.cvar.notify_one();
            Handoff::Claimed
        } else if s.threads < this.max_threads {
            s.threads += 1;
            s.next_name += 1;
            let name = format!("corio-blocking-{}", s.next_name);
            drop(s);
            let pool = this.clone();
            #[cfg(not(corio_loom))]
            let started = std::thread::Builder::new()
                .name(name)
                .spawn(move || pool.work());
            #[cfg(corio_loom)]
            let started = loom::thread::Builder::new()
                .name(name)
                .spawn(move || pool.work());
            if started.is_err() {
                // No thread: the job waits for a running one; with none, say why.
                let mut s = this.state.lock().unwrap_or_else(|e| e.into_inner());
                s.threads -= 1;
                if s.threads == 0 {
                    panic!("corio: could not start a blocking-pool thread, and none is running");
                }
                return Handoff::Queued;
            }
            Handoff::Started
        } else {
            Handoff::Queued
        }
    }

    fn work(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(job) = s.jobs.pop_front() {
                drop(s);
                crate::job::run(job);
                s = self.state.lock().unwrap_or_else(|e| e.into_inner());
                continue;
            }
            #[cfg(corio_loom)]
            if s.closing {
                s.threads -= 1;
                return;
            }
            s.idle += 1;
            let (guard, timeout) = self
                .cvar
                .wait_timeout(s, self.keep_alive)
                .unwrap_or_else(|e| e.into_inner());
            s = guard;
            // Woken for a claim (whichever waiter wakes takes it: they are all alike), or
            // by the timeout or spuriously, still counted as idle.
            if s.claimed > 0 {
                s.claimed -= 1;
            } else {
                s.idle -= 1;
            }
            if timeout.timed_out() && s.jobs.is_empty() {
                s.threads -= 1;
                return;
            }
        }
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool")
            .field("max_threads", &self.inner.max_threads)
            .field("keep_alive", &self.inner.keep_alive)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Tells a blocking job whether its task was cancelled (aborted) while it runs: check it
/// between steps of long work and return early. See [`spawn_blocking_with`].
///
/// # Examples
///
/// See [`spawn_blocking_with`].
#[derive(Debug)]
pub struct CancelFlag {
    _priv: (),
}

impl CancelFlag {
    /// Whether the job's task has been asked to stop.
    pub fn is_cancelled(&self) -> bool {
        context::with_current_task(|m| m.is_some_and(|m| m.cancel_requested()))
    }
}

struct Job<F>(Option<F>);

impl<F> Unpin for Job<F> {}

impl<F: FnOnce(&CancelFlag) -> R, R> Future for Job<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        let f = self.0.take().expect("a blocking job runs once");
        // The call graph shows the job as a task running on its thread.
        let job = corio_core::callgraph::enabled()
            .then(|| context::with_current_task(|m| m.map(|m| (m.id.as_u64(), m.location))))
            .flatten();
        if let Some((id, at)) = job {
            corio_core::callgraph::poll_started(id, Some("to_thread"), at);
        }
        let out = f(&CancelFlag { _priv: () });
        if let Some((id, _)) = job {
            corio_core::callgraph::poll_ended(id);
            corio_core::callgraph::task_ended(id);
        }
        Poll::Ready(out)
    }
}

/// Runs blocking code on the process-wide [`BlockingPool`] and returns a [`Task`] for its
/// result (asyncio's `run_in_executor(None, f)`).
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let t = corio_executor::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(5)); // fine here
///         "slept without blocking the loop"
///     });
///     assert_eq!(t.await.unwrap(), "slept without blocking the loop");
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    BlockingPool::global().spawn(f)
}

/// asyncio's `to_thread`: the same as [`spawn_blocking`].
///
/// # Examples
///
/// ```
/// corio_executor::run(async {
///     let n = corio_executor::to_thread(|| (1..=10).product::<u64>()).await.unwrap();
///     assert_eq!(n, 3_628_800);
/// });
/// ```
#[track_caller]
pub fn to_thread<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    BlockingPool::global().spawn(f)
}

/// [`spawn_blocking`] for jobs that cooperate with cancellation: `f` gets a
/// [`CancelFlag`] and may return early once its task is aborted.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// corio_executor::run(async {
///     let (started_tx, started) = futures::channel::oneshot::channel();
///     let t = corio_executor::spawn_blocking_with(move |flag| {
///         let _ = started_tx.send(());
///         let mut steps = 0u32;
///         while !flag.is_cancelled() {
///             std::thread::sleep(Duration::from_millis(1));
///             steps += 1;
///         }
///         steps
///     });
///     started.await.unwrap();
///     t.abort(); // the job sees the flag and returns
///     // A started job keeps its result.
///     assert!(t.await.is_ok());
/// });
/// ```
#[track_caller]
pub fn spawn_blocking_with<F, R>(f: F) -> Task<R>
where
    F: FnOnce(&CancelFlag) -> R + Send + 'static,
    R: Send + 'static,
{
    BlockingPool::global().spawn_with(f)
}

#[cfg(all(test, corio_loom))]
mod tests {
    use super::*;
    use crate::mutation::{Mutation, with};
    use loom::sync::atomic::{AtomicBool, Ordering};

    fn job(
        pool: &Arc<Pool>,
        work: impl Future<Output = ()> + Send + 'static,
    ) -> Runnable<TaskMeta> {
        let meta = TaskMeta::new(None, Location::caller());
        meta.mark_send();
        let pool = pool.clone();
        // SAFETY: as in `spawn_with`: the future is `Send + 'static` and borrows
        // nothing; the schedule function is `Send + Sync + 'static`.
        let (runnable, task) = unsafe {
            async_task::Builder::new().metadata(meta).spawn_unchecked(
                move |_: &TaskMeta| TaskFuture::new(work),
                move |r| Pool::push(&pool, r),
            )
        };
        task.detach();
        runnable
    }

    /// One thread idle in the pool; job A, which holds its thread until job B has been
    /// submitted, then B. B must get a thread of its own: were both to count the one idle
    /// thread, B would wait behind A (in the program this models, A waits for B: a
    /// deadlock). The woken thread runs concurrently with B's submission.
    fn model() {
        loom::model(|| {
            let pool = Arc::new(Pool {
                state: Mutex::new(PoolState {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    claimed: 0,
                    next_name: 0,
                    closing: false,
                }),
                cvar: Condvar::new(),
                max_threads: 3,
                keep_alive: Duration::from_secs(1),
            });
            // Warm up: one thread, idle once its first job is done.
            assert_eq!(
                Pool::hand_off(&pool, job(&pool, async {})),
                Handoff::Started
            );
            while pool.state.lock().unwrap().idle == 0 {
                loom::thread::yield_now();
            }
            let b_submitted = Arc::new(AtomicBool::new(false));
            let flag = b_submitted.clone();
            let a = Pool::hand_off(
                &pool,
                job(&pool, async move {
                    while !flag.load(Ordering::SeqCst) {
                        loom::thread::yield_now();
                    }
                }),
            );
            let b = Pool::hand_off(&pool, job(&pool, async {}));
            b_submitted.store(true, Ordering::SeqCst);
            assert!(
                a == Handoff::Claimed && b == Handoff::Started,
                "two jobs were handed the one idle thread ({a:?}, {b:?})"
            );
            let mut s = pool.state.lock().unwrap();
            s.closing = true;
            drop(s);
            pool.cvar.notify_all();
        });
    }

    #[test]
    fn loom_blocking_pool_hands_each_job_its_own_thread() {
        model();
    }

    #[test]
    #[should_panic(expected = "two jobs were handed the one idle thread")]
    fn loom_blocking_pool_mutation_twin_stale_idle_count() {
        with(Mutation::PoolStaleIdleCount, model);
    }
}
