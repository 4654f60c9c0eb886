//! Failures nobody observed: asyncio's "Task exception was never retrieved".

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::meta::TaskId;

/// A task panicked and its failure was never retrieved: its handle was dropped (detached)
/// without being awaited. Given to the hook set with
/// [`Builder::on_unobserved_failure`](crate::Builder::on_unobserved_failure); by default it
/// is printed to stderr.
///
/// A task that returns `Err(e)` has *returned a value*; corio cannot tell that value apart
/// from any other, so only panics are reported. Await the tasks whose errors matter.
///
/// # Examples
///
/// ```
/// use corio_executor::{Builder, UnobservedFailure};
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let ex = Builder::new()
///     .on_unobserved_failure(move |f: &UnobservedFailure| {
///         log.lock().unwrap().push(f.message().unwrap_or("").to_string())
///     })
///     .build_local();
/// ex.run(async {
///     corio_executor::spawn(async { panic!("nobody is listening") }).detach();
///     corio_executor::yield_now().await;
/// });
/// assert_eq!(*seen.lock().unwrap(), ["nobody is listening"]);
/// ```
pub struct UnobservedFailure {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) message: Option<String>,
}

impl UnobservedFailure {
    /// The failed task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The failed task's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The panic message, when the payload was a string.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Debug for UnobservedFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnobservedFailure")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("location", &self.location)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for UnobservedFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.id)?;
        if let Some(n) = &self.name {
            write!(f, " '{n}'")?;
        }
        write!(
            f,
            " (spawned at {}) panicked and nobody retrieved the failure",
            self.location
        )?;
        match &self.message {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

pub(crate) type Hook = Arc<dyn Fn(&UnobservedFailure) + Send + Sync + 'static>;

/// Where one executor's unobserved failures go.
pub(crate) struct Reporter {
    hook: Option<Hook>,
    count: AtomicUsize,
}

impl Reporter {
    pub(crate) fn new(hook: Option<Hook>) -> Self {
        Reporter {
            hook,
            count: AtomicUsize::new(0),
        }
    }

    pub(crate) fn report(&self, failure: &UnobservedFailure) {
        self.count.fetch_add(1, Ordering::Relaxed);
        match &self.hook {
            Some(h) => h(failure),
            None => eprintln!("corio: {failure}"),
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// The reporter of tasks that belong to no loop (the blocking pool's).
pub(crate) fn global_reporter() -> Arc<Reporter> {
    static GLOBAL: std::sync::OnceLock<Arc<Reporter>> = std::sync::OnceLock::new();
    GLOBAL.get_or_init(|| Arc::new(Reporter::new(None))).clone()
}
