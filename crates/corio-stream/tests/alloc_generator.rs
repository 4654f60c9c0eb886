//! No allocation per yielded item: a counting global allocator (this test binary only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::task::{Context, Poll};

use corio_stream::{Stream, generate_send};

struct Counting;

thread_local! {
    // Per thread: the test harness's own threads allocate now and then (it failed once
    // in a loaded CI run when a process-wide count caught one of those).
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn allocs() -> usize {
    ALLOCS.with(Cell::get)
}

// SAFETY: every call is forwarded to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: the thread-local may be gone while a thread exits.
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
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
    let before = allocs();
    let mut s = std::pin::pin!(generate_send(|co| async move {
        for i in 0..10_000u32 {
            co.yield_(i).await;
        }
    }));
    let mut n = 0;
    while let Poll::Ready(Some(_)) = s.as_mut().poll_next(&mut cx) {
        n += 1;
    }
    let allocs = allocs() - before;
    assert_eq!(n, 10_000);
    assert_eq!(allocs, 1, "one shared slot per generator, none per item");
}
