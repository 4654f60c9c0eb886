//! Issue 21, item 9: `StreamWriter` hands each partial write the rest of its buffer in
//! place; it does not move the unwritten remainder to the front after every write, which
//! made one large `write_all` through a sink that takes 64 KiB at a time quadratic.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_net::StreamWriter;
use futures::io::AsyncWrite;

const KIB: usize = 1024;

/// A sink that accepts at most `per_write` bytes per call, optionally returning `Pending`
/// every `pending_every` calls, and counts the bytes the writer moved between calls: when
/// a call's slice does not start where the previous one's accepted bytes ended, the writer
/// relocated what it still had to write (its length is counted as moved).
struct Sink {
    got: Vec<u8>,
    per_write: usize,
    pending_every: Option<usize>,
    calls: usize,
    next_at: Option<(*const u8, usize)>,
    moved: usize,
}

impl Sink {
    fn new(per_write: usize) -> Self {
        Sink {
            got: Vec::new(),
            per_write,
            pending_every: None,
            calls: 0,
            next_at: None,
            moved: 0,
        }
    }
}

impl AsyncWrite for Sink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.calls += 1;
        if let Some(k) = self.pending_every {
            if self.calls % k == 0 {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        if let Some((at, left)) = self.next_at {
            // The same data still waiting, now somewhere else: it was moved.
            if at != buf.as_ptr() && buf.len() >= left {
                self.moved += left;
            }
        }
        let n = buf.len().min(self.per_write);
        self.got.extend_from_slice(&buf[..n]);
        self.next_at = Some((buf[n..].as_ptr(), buf.len() - n));
        Poll::Ready(Ok(n))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn write_all_32_mib_through_a_64_kib_sink_arrives_intact_without_moving_the_rest() {
    let data = pattern(32 * KIB * KIB, 0x9E37_79B9);
    let mut w = StreamWriter::new(Sink::new(64 * KIB));
    futures::executor::block_on(w.write_all(&data)).unwrap();
    assert_eq!(w.buffered(), 0);
    let sink = w.get_ref();
    assert_eq!(sink.calls, 512);
    assert!(
        sink.got == data,
        "the bytes arrived changed or out of order"
    );
    // Linear: no byte still to be written was ever copied elsewhere between two writes
    // (the quadratic version moved about 8 GiB here).
    assert_eq!(sink.moved, 0);
}

/// The same 32 MiB queued behind bytes already buffered, so that it goes through the
/// writer's buffer.
#[test]
fn write_all_32_mib_behind_buffered_bytes_arrives_intact_without_moving_the_rest() {
    let data = pattern(32 * KIB * KIB, 0x85EB_CA6B);
    let mut w = StreamWriter::new(Sink::new(64 * KIB));
    w.write(b"head");
    futures::executor::block_on(w.write_all(&data)).unwrap();
    assert_eq!(w.buffered(), 0);
    let sink = w.get_ref();
    assert_eq!(&sink.got[..4], b"head");
    assert!(
        sink.got[4..] == data[..],
        "the bytes arrived changed or out of order"
    );
    assert_eq!(sink.moved, 0);
}

/// A `write_all` cancelled part-way (the stream said `Pending`) leaves exactly the unwritten
/// rest buffered, and what follows arrives after it.
#[test]
fn cancelled_write_all_buffers_the_unwritten_rest_in_order() {
    let data = pattern(1024 * KIB, 7);
    let mut sink = Sink::new(64 * KIB);
    sink.pending_every = Some(4); // three writes, then Pending
    let mut w = StreamWriter::new(sink);
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    {
        let mut fut = Box::pin(w.write_all(&data));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    } // cancelled
    assert_eq!(w.get_ref().got.len(), 3 * 64 * KIB);
    assert_eq!(w.buffered(), data.len() - 3 * 64 * KIB);
    futures::executor::block_on(async {
        w.write_all(b"tail").await.unwrap();
    });
    let got = &w.get_ref().got;
    assert!(
        got[..data.len()] == data[..],
        "the bytes arrived changed or out of order"
    );
    assert_eq!(&got[data.len()..], b"tail");
}

/// Interrupted drains (cancelled at a `Pending`) followed by more buffered writes: the
/// bytes still arrive in order, and the writer moves at most as many bytes as it has
/// written (amortised compaction), never the remainder at each write.
#[test]
fn interleaved_writes_and_cancelled_drains_keep_order_and_move_little() {
    let chunks: Vec<Vec<u8>> = (0..64)
        .map(|i| pattern(100 * KIB + i * 7, i as u32 + 1))
        .collect();
    let mut sink = Sink::new(24 * KIB);
    sink.pending_every = Some(3);
    let mut w = StreamWriter::new(sink);
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut expected = Vec::new();
    for chunk in &chunks {
        w.write(chunk);
        expected.extend_from_slice(chunk);
        // One poll of drain: writes until the sink says Pending, then is dropped
        // (cancelled), leaving the rest buffered.
        let mut drain = Box::pin(w.drain());
        let _ = drain.as_mut().poll(&mut cx);
    }
    futures::executor::block_on(async {
        while w.buffered() > 0 {
            // Pending every third call: the executor's waker was woken, poll again.
            w.drain().await.unwrap();
        }
    });
    let sink = w.get_ref();
    assert!(
        sink.got == expected,
        "the bytes arrived changed or out of order"
    );
    assert!(
        sink.moved <= expected.len(),
        "moved {} bytes to write {}",
        sink.moved,
        expected.len()
    );
}
