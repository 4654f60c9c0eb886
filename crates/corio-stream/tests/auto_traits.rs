//! Compile-time assertions of Send / Sync / Unpin for the public types.

use std::future::Ready;
use std::time::Instant;

use corio_stream::*;

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

type SendFut = Ready<u8>;
type SendStream = Iter<std::vec::IntoIter<u8>>;

#[test]
fn send_sync_unpin() {
    send::<Generator<u8, SendFut>>();
    sync::<Generator<u8, SendFut>>();
    unpin::<Generator<u8, SendFut>>(); // Unpin when the body is
    send::<TryGenerator<u8, Ready<Result<(), ()>>>>();
    send::<Co<u8>>();
    unpin::<Generator<u8, SendFut, LocalSlot<u8>>>();
    sync::<Co<u8>>();
    send::<Yield<'static, u8>>();
    unpin::<Yield<'static, std::marker::PhantomPinned>>();

    send::<SendStream>();
    sync::<SendStream>();
    unpin::<SendStream>();
    send::<IntervalStream>();
    sync::<IntervalStream>();
    unpin::<IntervalStream>();
    send::<FromQueue<'static, u8>>();
    sync::<FromQueue<'static, u8>>();
    unpin::<FromQueue<'static, u8>>();

    type Futs = Map<SendStream, fn(u8) -> SendFut>;
    send::<BufferUnordered<Futs>>();
    sync::<BufferUnordered<Futs>>();
    unpin::<BufferUnordered<Futs>>();
    send::<Buffered<Futs>>();
    sync::<Buffered<Futs>>();
    send::<ForEachConcurrent<SendStream, fn(u8) -> Ready<()>, Ready<()>>>();
    send::<ChunksTimeout<SendStream>>();
    sync::<ChunksTimeout<SendStream>>();
    send::<Throttle<SendStream>>();
    send::<TimeoutStream<SendStream>>();
    send::<Merge<SendStream, SendStream>>();
    send::<Zip<SendStream, SendStream>>();
    send::<Flatten<Iter<std::vec::IntoIter<SendStream>>, SendStream>>();
    send::<Collect<SendStream, Vec<u8>>>();
    send::<Fold<SendStream, u8, fn(u8, u8) -> u8>>();
    send::<Next<'static, SendStream>>();
    unpin::<Next<'static, Generator<u8, std::future::Pending<()>>>>();
    let _ = Instant::now();
}
