//! Settings shared by both executors, fixed when the loop is built.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::meta::{TaskId, TaskMeta, TaskStatus};
use crate::report::Reporter;

/// Builds a worker's (or a loop's) driver stack around its thread parker.
pub(crate) type MakeDriver =
    Arc<dyn Fn(corio_core::ThreadParker) -> Box<dyn corio_core::Driver> + Send + Sync>;

/// asyncio's `slow_callback_duration`: one poll longer than this is reported in debug mode.
pub(crate) const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(100);

/// A borrowed view of a task, as hooks see it.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// let names = Arc::new(Mutex::new(Vec::new()));
/// let n = names.clone();
/// let ex = corio_executor::Builder::new()
///     .on_spawn(move |t| n.lock().unwrap().push(t.name().unwrap_or("?").to_owned()))
///     .build_local();
/// ex.run(async {
///     let t = corio_executor::task::Builder::new().name("job").spawn(async {});
///     t.await.unwrap();
/// });
/// assert_eq!(*names.lock().unwrap(), ["job"]);
/// ```
#[derive(Clone, Copy)]
pub struct TaskView<'a> {
    meta: &'a TaskMeta,
}

impl<'a> TaskView<'a> {
    pub(crate) fn new(meta: &'a TaskMeta) -> Self {
        TaskView { meta }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.meta.id
    }

    /// The task's name, if it has one.
    pub fn name(&self) -> Option<&'a str> {
        self.meta.name()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.meta.location
    }
}

impl fmt::Debug for TaskView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskView")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("location", &self.location())
            .finish()
    }
}

pub(crate) type TaskHook = Box<dyn Fn(TaskView<'_>) + Send + Sync + 'static>;
pub(crate) type DoneHook = Box<dyn Fn(TaskView<'_>, TaskStatus) + Send + Sync + 'static>;

#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) on_spawn: Option<TaskHook>,
    pub(crate) on_poll_start: Option<TaskHook>,
    pub(crate) on_poll_end: Option<TaskHook>,
    pub(crate) on_complete: Option<DoneHook>,
}

impl Hooks {
    pub(crate) fn is_empty(&self) -> bool {
        self.on_spawn.is_none()
            && self.on_poll_start.is_none()
            && self.on_poll_end.is_none()
            && self.on_complete.is_none()
    }
}

pub(crate) struct Config {
    pub(crate) reporter: Arc<Reporter>,
    /// Slow-poll threshold when debug mode is on.
    pub(crate) debug: Option<Duration>,
    pub(crate) eager: bool,
    pub(crate) hooks: Option<Hooks>,
    /// Chaos mode: out of 1 000 polls that return `Pending`, how many also wake the task
    /// at once (a spurious wake-up, which correct futures must tolerate).
    pub(crate) spurious_per_mille: u32,
}

impl Config {
    pub(crate) fn hooks(&self) -> Option<&Hooks> {
        self.hooks.as_ref()
    }
}

/// Whether `CORIO_DEBUG` asks for debug mode (`1`, `true`, `yes`, `on`).
pub(crate) fn debug_from_env() -> bool {
    matches!(
        std::env::var("CORIO_DEBUG")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Ok("1" | "true" | "yes" | "on")
    )
}

/// Chaos mode asked for by the environment, for running a whole test suite under it:
/// `CORIO_CHAOS=<seed>` (decimal or `0x` hex) turns it on for every single-thread loop the
/// process builds without an explicit [`Builder::seed`](crate::Builder::seed), and
/// `CORIO_CHAOS_SPURIOUS=<per mille>` sets the spurious wake-up rate (default 50).
///
/// Read once per process. Each loop built gets its own seed, derived from the base seed,
/// the name of the thread that builds it and how many loops that thread built before, so
/// that two loops of one test do not share a schedule while a rerun with the same base
/// seed replays every one of them. Per thread, not per process: the test harness runs
/// tests on threads named after them, in parallel and in no fixed order, and a test's
/// schedules must not depend on which other tests ran before it, or a failure seen in a
/// whole run would not replay with `-- --exact <test>`.
pub(crate) fn chaos_from_env() -> Option<(u64, u32)> {
    use std::cell::Cell;
    use std::sync::OnceLock;
    static BASE: OnceLock<Option<(u64, u32)>> = OnceLock::new();
    thread_local! {
        static BUILT: Cell<u64> = const { Cell::new(0) };
    }
    let (base, spurious) = (*BASE.get_or_init(|| {
        let seed = parse_u64(&std::env::var("CORIO_CHAOS").ok()?).unwrap_or_else(|| {
            panic!("CORIO_CHAOS must be a seed (decimal or 0x hex), e.g. CORIO_CHAOS=7")
        });
        let spurious = match std::env::var("CORIO_CHAOS_SPURIOUS") {
            Ok(v) => parse_u64(&v).filter(|&p| p <= 1000).unwrap_or_else(|| {
                panic!("CORIO_CHAOS_SPURIOUS must be a rate out of 1 000, got {v:?}")
            }) as u32,
            Err(_) => 50,
        };
        Some((seed, spurious))
    }))?;
    let n = BUILT.with(|built| built.replace(built.get() + 1));
    // FNV-1a of the thread's name: stable across runs and builds.
    let name = std::thread::current()
        .name()
        .unwrap_or("")
        .bytes()
        .fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        });
    Some((
        base ^ name ^ n.wrapping_mul(0xD6E8_FEB8_6659_FD93),
        spurious,
    ))
}

fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}
