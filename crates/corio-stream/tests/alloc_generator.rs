//! No allocation per yielded item: a counting global allocator (this test binary only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use corio_stream::{Stream, generate};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_generator_allocates_once_not_per_item() {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let before = ALLOCS.load(Ordering::SeqCst);
    let mut s = std::pin::pin!(generate(|co| async move {
        for i in 0..10_000u32 {
            co.yield_(i).await;
        }
    }));
    let mut n = 0;
    while let Poll::Ready(Some(_)) = s.as_mut().poll_next(&mut cx) {
        n += 1;
    }
    let allocs = ALLOCS.load(Ordering::SeqCst) - before;
    assert_eq!(n, 10_000);
    assert_eq!(allocs, 1, "one shared slot per generator, none per item");
}
