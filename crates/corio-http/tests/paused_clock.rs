//! The client and server on a loop whose clock is paused (`start_paused`): plain
//! exchanges must not trip the client's default total timeout while bytes are in flight.
//!
//! corio-timer's paused driver jumps only when the loop is idle: when its poll of the
//! reactor woke no task (corio-core's `Driver::woke_tasks`). It used to jump in the same
//! park that woke the tasks an exchange was waiting for, and the client's five-minute total
//! timeout fired in virtual time before the answer came.

mod common;

use std::time::Duration;

use common::run_paused;
use corio_http::{Client, Server};

#[test]
fn a_plain_get_on_the_paused_clock() {
    run_paused(async {
        let server = Server::bind("127.0.0.1:0")
            .await
            .unwrap()
            .serve(|_req| async { corio_http::server::text("hi") });
        let url = format!("http://{}/", server.local_addr());
        let client = Client::new();
        for _ in 0..20 {
            let r = client.get(&url).send().await.unwrap();
            assert_eq!(r.text().await.unwrap(), "hi");
        }
        assert_eq!(server.shutdown(Duration::from_secs(5)).await, 0);
    });
}
