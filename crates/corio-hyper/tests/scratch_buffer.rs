//! `CorioIo`'s reads share one scratch buffer per thread; a read whose reader underneath
//! is itself reading through a `CorioIo` on the same thread finds the buffer busy and uses
//! one of its own. Either way the bytes arrive whole and in order.

use std::pin::Pin;
use std::task::{Context, Poll};

use corio_hyper::CorioIo;
use futures::io::Cursor;
use hyper::rt::Read as _;

/// Reads everything `io` gives through hyper's `Read`, `chunk` bytes at most per call.
fn read_all<R: hyper::rt::Read + Unpin>(io: &mut R, chunk: usize) -> Vec<u8> {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut out = Vec::new();
    loop {
        let mut storage = vec![0u8; chunk];
        let mut rb = hyper::rt::ReadBuf::new(&mut storage);
        match Pin::new(&mut *io).poll_read(&mut cx, rb.unfilled()) {
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                if n == 0 {
                    return out;
                }
                out.extend_from_slice(&storage[..n]);
            }
            Poll::Ready(Err(e)) => panic!("read failed: {e}"),
            Poll::Pending => panic!("an in-memory reader is never pending"),
        }
    }
}

/// A `futures_io` reader that reads through a `CorioIo` of its own: while the outer
/// `CorioIo` holds the thread's buffer, the inner one must use another.
struct Nested(CorioIo<Cursor<Vec<u8>>>);

impl futures_io::AsyncRead for Nested {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        let mut rb = hyper::rt::ReadBuf::new(buf);
        match Pin::new(&mut self.0).poll_read(cx, rb.unfilled()) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(rb.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn reads_arrive_whole_through_the_shared_buffer() {
    let data = pattern(100_000);
    // Chunks below, at and above the 16 KiB scratch buffer.
    for chunk in [1, 4096, 16 * 1024, 40_000] {
        let mut io = CorioIo::new(Cursor::new(data.clone()));
        assert_eq!(read_all(&mut io, chunk), data, "chunk {chunk}");
    }
}

#[test]
fn two_connections_read_in_turn_keep_their_own_bytes() {
    let (a, b) = (
        pattern(50_000),
        pattern(70_000).into_iter().rev().collect::<Vec<_>>(),
    );
    let mut io_a = CorioIo::new(Cursor::new(a.clone()));
    let mut io_b = CorioIo::new(Cursor::new(b.clone()));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        for (io, got) in [(&mut io_a, &mut got_a), (&mut io_b, &mut got_b)] {
            let mut storage = vec![0u8; 1000];
            let mut rb = hyper::rt::ReadBuf::new(&mut storage);
            assert!(
                Pin::new(&mut *io)
                    .poll_read(&mut cx, rb.unfilled())
                    .is_ready()
            );
            let n = rb.filled().len();
            got.extend_from_slice(&storage[..n]);
        }
    }
    assert_eq!(got_a, a);
    assert_eq!(got_b, b);
}

#[test]
fn a_nested_read_uses_a_buffer_of_its_own() {
    let data = pattern(60_000);
    let mut io = CorioIo::new(Nested(CorioIo::new(Cursor::new(data.clone()))));
    assert_eq!(read_all(&mut io, 16 * 1024), data);
    assert_eq!(
        read_all(&mut CorioIo::new(Cursor::new(Vec::new())), 10),
        Vec::<u8>::new()
    );
}
