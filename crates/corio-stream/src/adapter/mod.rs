//! The adapters of [`StreamExt`](crate::StreamExt), one per file.

pub(crate) mod buffer_unordered;
pub(crate) mod buffered;
pub(crate) mod chunks;
pub(crate) mod chunks_timeout;
pub(crate) mod collect;
pub(crate) mod enumerate;
pub(crate) mod filter;
pub(crate) mod flatten;
pub(crate) mod fold;
pub(crate) mod for_each_concurrent;
pub(crate) mod map;
pub(crate) mod merge;
pub(crate) mod next;
pub(crate) mod skip;
pub(crate) mod take;
pub(crate) mod take_while;
pub(crate) mod then;
pub(crate) mod throttle;
pub(crate) mod timeout;
pub(crate) mod zip;
