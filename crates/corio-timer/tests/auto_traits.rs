//! Compile-time checks of the auto traits of every public type.

use corio_timer::*;

fn send_sync<T: Send + Sync>() {}
fn unpin<T: Unpin>() {}

#[test]
fn auto_traits() {
    send_sync::<Sleep>();
    unpin::<Sleep>();
    send_sync::<Interval>();
    unpin::<Interval>();
    send_sync::<Tick<'static>>();
    send_sync::<Timeout<std::future::Ready<()>>>();
    unpin::<Timeout<std::future::Ready<()>>>();
    send_sync::<Deadline>();
    send_sync::<DeadlineHandle>();
    send_sync::<WithDeadline<std::future::Ready<()>>>();
    send_sync::<TimerHandle>();
    send_sync::<TimerDriver<corio_core::ThreadParker>>();
    send_sync::<Advance>();
    send_sync::<RescheduleError>();
    send_sync::<MissedTickBehavior>();
}
