//! The sources: functions that make a stream.

pub(crate) mod interval;
pub(crate) mod iter;
#[cfg(feature = "sync")]
pub(crate) mod queue;
pub(crate) mod repeat_with;
pub(crate) mod unfold;
