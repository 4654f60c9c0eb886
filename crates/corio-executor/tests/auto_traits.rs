//! Compile-time checks of which public types are Send, Sync and Unpin.

use corio_executor::*;

fn is_send<T: Send>() {}
fn is_sync<T: Sync>() {}
fn is_unpin<T: Unpin>() {}

#[test]
fn public_types_have_the_expected_auto_traits() {
    is_send::<Task<u32>>();
    is_sync::<Task<u32>>();
    is_unpin::<Task<std::marker::PhantomPinned>>();
    is_send::<TaskId>();
    is_sync::<TaskId>();
    is_send::<JoinError>();
    is_send::<Cancelled>();
    is_sync::<Cancelled>();
    is_send::<SpawnError>();
    is_sync::<UnobservedFailure>();
    is_send::<YieldNow>();
    is_unpin::<YieldNow>();
    is_send::<CurrentTask>();
    is_send::<task::Builder>();
    // Whatever the output: an AbortHandle never touches it.
    is_send::<AbortHandle>();
    is_sync::<AbortHandle>();
    is_unpin::<AbortHandle>();
}

/// `LocalExecutor` runs `!Send` futures, so it must itself stay on its thread.
#[test]
fn local_executor_is_not_send() {
    trait AmbiguousIfSend<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfSend<()> for T {}
    #[allow(dead_code)]
    struct Invalid;
    impl<T: ?Sized + Send> AmbiguousIfSend<Invalid> for T {}
    // Compiles only if `LocalExecutor: !Send` (otherwise the call is ambiguous).
    <LocalExecutor as AmbiguousIfSend<_>>::some_item();
}
