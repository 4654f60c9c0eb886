//! Readiness wakes exactly the task waiting on that socket and direction.
mod common;

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use corio_net::UnixStream;
use futures::{AsyncReadExt, AsyncWriteExt};

/// Counts the polls of the future it wraps.
struct Counted<F> {
    polls: Rc<Cell<u32>>,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

fn counted<F: Future>(f: F) -> (Rc<Cell<u32>>, Counted<F>) {
    let polls = Rc::new(Cell::new(0));
    (
        polls.clone(),
        Counted {
            polls,
            inner: Box::pin(f),
        },
    )
}

async fn settle() {
    for _ in 0..20 {
        corio_executor::yield_now().await;
    }
}

#[test]
fn a_readable_event_wakes_only_the_reader_of_that_socket() {
    common::run(async {
        let (mut a1, mut a2) = UnixStream::pair().unwrap();
        let (mut b1, mut b2) = UnixStream::pair().unwrap();
        let (ra, fa) = counted(async move {
            let mut buf = [0; 4];
            a1.read_exact(&mut buf).await.unwrap();
            buf
        });
        let (rb, fb) = counted(async move {
            let mut buf = [0; 4];
            b1.read_exact(&mut buf).await.unwrap();
            buf
        });
        let ta = corio_executor::spawn(fa);
        let tb = corio_executor::spawn(fb);
        settle().await;
        assert_eq!((ra.get(), rb.get()), (1, 1), "both wait after one poll");

        a2.write_all(b"aaaa").await.unwrap();
        assert_eq!(&ta.await.unwrap(), b"aaaa");
        settle().await;
        assert_eq!(
            ra.get(),
            2,
            "the reader of a was polled once more, and done"
        );
        assert_eq!(rb.get(), 1, "the reader of b was not woken");

        b2.write_all(b"bbbb").await.unwrap();
        assert_eq!(&tb.await.unwrap(), b"bbbb");
        assert_eq!(rb.get(), 2);
    });
}

#[test]
fn read_and_write_directions_wake_separately() {
    common::run(async {
        let (a, mut peer) = UnixStream::pair().unwrap();
        let a = Rc::new(a);
        // Fill a's send buffer so that a writer has to wait.
        let chunk = vec![1u8; 64 * 1024];
        let mut queued = 0usize;
        loop {
            use futures::FutureExt;
            match (&*a).write(&chunk).now_or_never() {
                Some(Ok(n)) => queued += n,
                Some(Err(e)) => panic!("{e}"),
                None => break,
            }
        }
        let aw = a.clone();
        let (writes, fw) = counted(async move {
            (&*aw).write_all(b"tail").await.unwrap();
        });
        let ar = a.clone();
        let (reads, fr) = counted(async move {
            let mut buf = [0; 2];
            (&*ar).read_exact(&mut buf).await.unwrap();
            buf
        });
        let tw = corio_executor::spawn(fw);
        let tr = corio_executor::spawn(fr);
        settle().await;
        assert_eq!((writes.get(), reads.get()), (1, 1));

        // Data for the reader: only the reader wakes.
        peer.write_all(b"hi").await.unwrap();
        assert_eq!(&tr.await.unwrap(), b"hi");
        settle().await;
        assert_eq!(writes.get(), 1, "the writer was not woken by readability");

        // Room for the writer: the peer drains.
        let mut sink = vec![0u8; queued + 4];
        peer.read_exact(&mut sink).await.unwrap();
        tw.await.unwrap();
        assert!(writes.get() >= 2);
        assert_eq!(&sink[queued..], b"tail");
    });
}
