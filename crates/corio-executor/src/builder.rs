//! Configuring an event loop.

use std::fmt;
use std::sync::Arc;

use corio_core::{Driver, ThreadParker};

use crate::local::{Local, LocalExecutor};
use crate::report::{Hook, UnobservedFailure};

type MakeDriver = Box<dyn FnOnce(ThreadParker) -> Box<dyn Driver>>;

/// Builds an event loop with options.
///
/// # Examples
///
/// ```
/// use corio_executor::Builder;
///
/// let ex = Builder::new()
///     .on_unobserved_failure(|f| eprintln!("lost failure: {f}"))
///     .build_local();
/// assert_eq!(ex.block_on(async { 3 }), 3);
/// ```
#[must_use = "a Builder does nothing until .build_local() is called"]
pub struct Builder {
    driver: Option<MakeDriver>,
    hook: Option<Hook>,
}

impl Builder {
    /// The defaults: a thread parker as the driver, failures reported on stderr.
    pub fn new() -> Self {
        Builder {
            driver: None,
            hook: None,
        }
    }

    /// Installs a driver stack, built on top of the thread parker it is given: the timer
    /// wheel and the I/O reactor are installed this way, by the `corio` facade.
    ///
    /// # Examples
    ///
    /// ```
    /// use corio_core::{Driver, ThreadParker, Unparker};
    /// use std::time::Duration;
    ///
    /// struct Logged(ThreadParker);
    /// impl Driver for Logged {
    ///     fn park(&mut self, t: Option<Duration>) { self.0.park(t) }
    ///     fn unparker(&self) -> Unparker { self.0.unparker() }
    /// }
    ///
    /// let ex = corio_executor::Builder::new()
    ///     .driver(|parker| Box::new(Logged(parker)))
    ///     .build_local();
    /// assert_eq!(ex.block_on(async { 1 }), 1);
    /// ```
    pub fn driver(mut self, make: impl FnOnce(ThreadParker) -> Box<dyn Driver> + 'static) -> Self {
        self.driver = Some(Box::new(make));
        self
    }

    /// Where failures nobody observed go (asyncio's "Task exception was never
    /// retrieved"); by default they are printed on stderr. See [`UnobservedFailure`].
    pub fn on_unobserved_failure(
        mut self,
        hook: impl Fn(&UnobservedFailure) + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Builds a single-thread [`LocalExecutor`].
    pub fn build_local(self) -> LocalExecutor {
        let driver = self.driver.map(|make| make(ThreadParker::new()));
        LocalExecutor::from_local(Local::new(driver, self.hook))
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("custom_driver", &self.driver.is_some())
            .field("failure_hook", &self.hook.is_some())
            .finish()
    }
}
