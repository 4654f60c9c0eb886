use std::fmt;
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use corio_sync::Queue;
use corio_sync::futures::Get;
use futures_core::{FusedStream, Stream};

/// A stream of a [`Queue`]'s items, got one at a time until the queue is shut down and
/// drained (asyncio: `while True: item = await q.get()` ending at `QueueShutDown`).
///
/// The stream borrows the queue; share the queue in an `Arc` and build the stream in the
/// consuming task. It does not call [`Queue::task_done`]: a consumer that uses
/// [`Queue::join`] calls it after handling each item.
///
/// # Cancel safety
///
/// No item is ever lost. Dropping a pending `next()` keeps the stream's place in the
/// queue's line of getters (the next `next()` resumes it); dropping the stream itself,
/// even after the queue reserved an item for it, hands that item to the next getter
/// (the queue's own guarantee, kept through the adapter).
///
/// # Ordering
///
/// The queue's order (FIFO for [`Queue`]); getters are served in the order they asked.
///
/// # Examples
///
/// A real-time feed: a producer puts events as they happen, the consumer handles them as
/// they arrive.
///
/// ```
/// use corio_stream::{StreamExt, from_queue};
/// use corio_sync::Queue;
/// use std::sync::Arc;
///
/// corio_executor::run(async {
///     let feed = Arc::new(Queue::new(16));
///     let producer = corio_executor::spawn({
///         let feed = feed.clone();
///         async move {
///             for tick in 0..5 {
///                 feed.put(tick).await.unwrap();
///                 corio_executor::yield_now().await;
///             }
///             feed.shutdown(false); // the feed ends; queued items still drain
///         }
///     });
///     let mut events = from_queue(&feed);
///     let mut seen = Vec::new();
///     while let Some(tick) = events.next().await {
///         seen.push(tick);
///     }
///     assert_eq!(seen, [0, 1, 2, 3, 4]);
///     producer.await.unwrap();
/// });
/// ```
pub fn from_queue<T>(queue: &Queue<T>) -> FromQueue<'_, T> {
    FromQueue {
        queue,
        get: None,
        done: false,
    }
}

/// The stream of [`from_queue`].
///
/// # Examples
///
/// ```
/// let q = corio_sync::Queue::<u8>::new(0);
/// let s: corio_stream::FromQueue<'_, u8> = corio_stream::from_queue(&q);
/// # drop(s);
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct FromQueue<'a, T> {
    queue: &'a Queue<T>,
    get: Option<Get<'a, T>>,
    done: bool,
}

impl<T> fmt::Debug for FromQueue<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromQueue")
            .field("waiting", &self.get.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Unpin for FromQueue<'_, T> {}

impl<T> Stream for FromQueue<'_, T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let queue = this.queue;
        let get = this.get.get_or_insert_with(|| queue.get());
        let out = ready!(Pin::new(get).poll(cx));
        this.get = None;
        match out {
            Ok(item) => Poll::Ready(Some(item)),
            Err(_shut_down) => {
                this.done = true;
                Poll::Ready(None)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else {
            (self.queue.qsize(), None)
        }
    }
}

impl<T> FusedStream for FromQueue<'_, T> {
    fn is_terminated(&self) -> bool {
        self.done
    }
}
