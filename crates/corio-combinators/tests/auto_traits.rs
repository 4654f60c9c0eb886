//! Compile-time Send/Sync/Unpin assertions for the public types.

use std::future::Ready;

use corio_combinators::*;

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

type R = Ready<Result<u8, ()>>;
type B = std::pin::Pin<Box<dyn std::future::Future<Output = Result<u8, ()>> + Send>>;

#[test]
fn auto_traits() {
    send::<Gather<R>>();
    unpin::<Gather<R>>();
    send::<GatherSettled<R>>();
    send::<TryGather<R, u8>>();
    unpin::<TryGather<R, u8>>();
    send::<Wait<B>>();
    unpin::<Wait<B>>();
    send::<WaitFor<R>>();
    send::<AsCompleted<R>>();
    unpin::<AsCompleted<R>>();
    send::<AsCompletedTimeout<R>>();
    send::<Race<R, R>>();
    sync::<Race<R, R>>();
    send::<Select<R, R>>();
    send::<AbortOnDrop<corio_core::SpawnedTask>>();
    send::<WaitForTask<corio_core::SpawnedTask>>();
    // TaskGroup and TaskGroupFuture own their children's futures, which may be `!Send`:
    // a group stays on the thread whose loop runs its children. A child's handle moves.
    send::<GroupTask<u8>>();
    sync::<GroupTask<u8>>();
    unpin::<GroupTask<u8>>();
    send::<TaskGroupError<String>>();
    send::<GroupSpawnError>();
    sync::<GroupSpawnError>();
    send::<Either<u8, u8>>();
    unpin::<Shield<u8>>();
}
