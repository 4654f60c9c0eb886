//! What a multi-thread executor's shutdown reports: the tasks that did not finish in
//! time, and the workers still stuck in a poll.

use std::fmt;

use crate::snapshot::TaskSnapshot;

/// What [`Executor::shutdown`](crate::Executor::shutdown) could not finish within its timeout.
///
/// # Examples
///
/// ```
/// let ex = corio_executor::Builder::multi_thread().workers(1).build();
/// let r = ex.shutdown(std::time::Duration::from_millis(100));
/// assert!(r.is_clean());
/// assert_eq!(r.to_string(), "shutdown complete: every task finished");
/// ```
#[derive(Debug)]
pub struct ShutdownReport {
    pub(super) unfinished: Vec<TaskSnapshot>,
    pub(super) stuck_workers: usize,
}

impl ShutdownReport {
    /// Whether every task finished and every worker stopped.
    pub fn is_clean(&self) -> bool {
        self.unfinished.is_empty() && self.stuck_workers == 0
    }

    /// The tasks still alive at the deadline (typically blocked inside a poll).
    pub fn unfinished(&self) -> &[TaskSnapshot] {
        &self.unfinished
    }

    /// Workers that did not stop by the deadline (left running, detached).
    pub fn stuck_workers(&self) -> usize {
        self.stuck_workers
    }
}

impl fmt::Display for ShutdownReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("shutdown complete: every task finished");
        }
        write!(
            f,
            "shutdown timed out: {} task(s) unfinished, {} worker(s) still busy",
            self.unfinished.len(),
            self.stuck_workers
        )?;
        for t in &self.unfinished {
            write!(f, "\n  {t}")?;
        }
        Ok(())
    }
}
