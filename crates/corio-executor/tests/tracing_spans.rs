//! With the `tracing` feature, every task poll runs inside a `corio.task` span.
#![cfg(feature = "tracing")]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Default)]
struct Spans {
    next: AtomicU64,
    task_spans: AtomicUsize,
    names: Mutex<Vec<String>>,
}

struct Count(Arc<Spans>);

impl Subscriber for Count {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        if attrs.metadata().name() == "corio.task" {
            self.0.task_spans.fetch_add(1, Ordering::SeqCst);
            struct Name<'a>(&'a Mutex<Vec<String>>);
            impl tracing::field::Visit for Name<'_> {
                fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
                    if f.name() == "name" {
                        self.0.lock().unwrap().push(v.to_owned());
                    }
                }
                fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
            }
            attrs.record(&mut Name(&self.0.names));
        }
        Id::from_u64(self.0.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn every_task_poll_is_inside_a_corio_task_span() {
    let spans = Arc::new(Spans::default());
    let _guard = tracing::subscriber::set_default(Count(spans.clone()));
    corio_executor::run(async {
        let t = corio_executor::task::Builder::new()
            .name("traced")
            .spawn(async {
                corio_executor::yield_now().await;
            });
        t.await.unwrap();
    });
    assert_eq!(
        spans.task_spans.load(Ordering::SeqCst),
        2,
        "one span per poll"
    );
    assert_eq!(*spans.names.lock().unwrap(), ["traced", "traced"]);
}
