//! Compile-time Send / Sync / Unpin assertions for every public type.
#![allow(missing_docs, dead_code)]

use corio_sync::futures::*;
use corio_sync::*;

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

macro_rules! all {
    ($($t:ty),* $(,)?) => {
        #[test]
        fn send_sync_unpin() {
            $( send::<$t>(); sync::<$t>(); unpin::<$t>(); )*
        }
    };
}

all!(
    Semaphore,
    BoundedSemaphore,
    SemaphorePermit<'static>,
    OwnedSemaphorePermit,
    Acquire<'static>,
    AcquireOwned,
    AcquireError,
    TryAcquireError,
    BoundedReleaseError,
    Lock<u8>,
    LockGuard<'static, u8>,
    OwnedLockGuard<u8>,
    LockFuture<'static, u8>,
    OwnedLockFuture<u8>,
    TryLockError,
    RwLock<u8>,
    RwLockReadGuard<'static, u8>,
    RwLockWriteGuard<'static, u8>,
    Read<'static, u8>,
    Write<'static, u8>,
    Event,
    EventWait<'static>,
    Condition,
    CondWait<'static, u8>,
    CondWaitFor<'static, u8, fn(&mut u8) -> bool>,
    Barrier,
    BarrierWait<'static>,
    BarrierWaitResult,
    BrokenBarrier,
    Queue<u8>,
    LifoQueue<u8>,
    PriorityQueue<u8>,
    Get<'static, u8>,
    Put<'static, u8>,
    Join<'static, u8>,
    TryPutError<u8>,
    TryGetError,
    QueueShutDown<u8>,
    TaskDoneError,
    CancelToken,
    CancelDropGuard,
    WaitCancelled<'static>,
    oneshot::Sender<u8>,
    oneshot::Receiver<u8>,
    oneshot::RecvError,
    broadcast::Sender<u8>,
    broadcast::Receiver<u8>,
    broadcast::Recv<'static, u8>,
    broadcast::RecvError,
    broadcast::TryRecvError,
    broadcast::SendError<u8>,
    watch::Sender<u8>,
    watch::Receiver<u8>,
    watch::Changed<'static, u8>,
    watch::RecvError,
);

#[test]
fn watch_ref_is_sync() {
    sync::<watch::Ref<'static, u8>>();
}
