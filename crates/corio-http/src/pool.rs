//! The connection pool: idle keep-alive connections per target, one shared HTTP/2
//! connection per target, and the `limit` / `limit_per_host` accounting.
//!
//! Every open connection holds a [`Slot`]; a request that finds neither an idle
//! connection nor a free slot waits (FIFO-ish, on an `event_listener::Event`) until a
//! connection comes back or closes. When the total limit is what blocks, an idle
//! connection to another target is closed to make room, so idle connections never starve
//! a new host.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use event_listener::Event;
use http_body_util::Full;
use hyper::client::conn::{http1, http2};

use crate::connect::Target;

pub(crate) type ReqBody = Full<Bytes>;

/// The sending half of a connection.
pub(crate) enum Sender {
    H1(http1::SendRequest<ReqBody>),
    H2(http2::SendRequest<ReqBody>),
}

impl Sender {
    fn is_closed(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_closed(),
            Sender::H2(s) => s.is_closed(),
        }
    }
}

/// The pool's limits and keep-alive policy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PoolConfig {
    /// 0: no limit.
    pub(crate) limit: usize,
    /// 0: no limit.
    pub(crate) limit_per_host: usize,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_idle_per_host: usize,
    /// Whether TLS connections may negotiate HTTP/2: then, until the first connection to
    /// a host says which protocol it speaks, the others wait for it instead of each
    /// opening a connection that HTTP/2 would not need.
    pub(crate) http2: bool,
}

struct Idle {
    sender: Sender,
    slot: Slot,
    since: Instant,
}

#[derive(Default)]
struct Host {
    open: usize,
    /// Connections being made now.
    connecting: usize,
    /// What ALPN chose on the last TLS connection (`None`: not known yet).
    speaks_h2: Option<bool>,
    idle: Vec<Idle>,
    h2: Option<(http2::SendRequest<ReqBody>, Slot)>,
}

#[derive(Default)]
struct State {
    total: usize,
    hosts: HashMap<Target, Host>,
}

pub(crate) struct Shared {
    config: PoolConfig,
    state: Mutex<State>,
    changed: Event,
}

/// Cheap to clone; all clones share the connections.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

/// The right to one open connection to a target; given back on drop.
///
/// It points to the pool weakly: idle connections (and so their slots) live inside the
/// pool, and a strong pointer would keep a dropped client's pool, and its sockets, alive.
pub(crate) struct Slot {
    shared: Weak<Shared>,
    target: Target,
    /// Counted in its host's `connecting` until the connection is made.
    connecting: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(shared) = self.shared.upgrade() else {
            return; // the pool is gone
        };
        {
            let mut st = shared.lock();
            st.total -= 1;
            if let Some(h) = st.hosts.get_mut(&self.target) {
                h.open -= 1;
                if self.connecting {
                    h.connecting -= 1;
                }
                if h.open == 0 && h.idle.is_empty() && h.h2.is_none() {
                    st.hosts.remove(&self.target);
                }
            }
        }
        shared.changed.notify(usize::MAX);
    }
}

/// A connection checked out for one request.
pub(crate) struct Pooled {
    pub(crate) sender: Sender,
    /// `None` for a shared HTTP/2 connection (the pool keeps its slot).
    slot: Option<Slot>,
    pub(crate) reused: bool,
}

impl Pooled {
    pub(crate) fn is_h2(&self) -> bool {
        matches!(self.sender, Sender::H2(_))
    }
}

/// What `checkout` found.
pub(crate) enum Checkout {
    Ready(Pooled),
    /// No idle connection, but a slot: the caller connects.
    Connect(Slot),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// The host's entry, made if missing (the key is cloned only then: this runs on
    /// every request).
    fn host(&mut self, target: &Target) -> &mut Host {
        if !self.hosts.contains_key(target) {
            self.hosts.insert(target.clone(), Host::default());
        }
        self.hosts.get_mut(target).expect("inserted above")
    }
}

impl Pool {
    pub(crate) fn new(config: PoolConfig) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                config,
                state: Mutex::new(State::default()),
                changed: Event::new(),
            }),
        }
    }

    /// An idle connection to `target`, or a slot to open one, waiting while the limits
    /// allow neither.
    ///
    /// Cancel safety: dropping the future loses nothing (it holds nothing while it waits).
    pub(crate) async fn checkout(&self, target: &Target) -> Checkout {
        loop {
            let listener = {
                let mut dropped = Vec::new();
                let mut st = self.shared.lock();
                let now = corio_timer::clock::now();
                let found = self.try_checkout(&mut st, target, now, &mut dropped);
                match found {
                    Some(c) => {
                        drop(st);
                        drop(dropped); // closes stale connections outside the lock
                        return c;
                    }
                    None => self.shared.changed.listen(),
                }
            };
            listener.await;
        }
    }

    fn try_checkout(
        &self,
        st: &mut State,
        target: &Target,
        now: Instant,
        dropped: &mut Vec<Idle>,
    ) -> Option<Checkout> {
        let cfg = self.shared.config;
        let host = st.host(target);
        if let Some((h2, _)) = &host.h2 {
            if !h2.is_closed() {
                return Some(Checkout::Ready(Pooled {
                    sender: Sender::H2(h2.clone()),
                    slot: None,
                    reused: true,
                }));
            }
            if let Some((h2, slot)) = host.h2.take() {
                // The slot is dropped by the caller, outside the lock.
                dropped.push(Idle {
                    sender: Sender::H2(h2),
                    slot,
                    since: now,
                });
            }
        }
        while let Some(idle) = host.idle.pop() {
            let expired = cfg
                .idle_timeout
                .is_some_and(|t| now.saturating_duration_since(idle.since) >= t);
            if idle.sender.is_closed() || expired {
                dropped.push(idle);
                continue;
            }
            return Some(Checkout::Ready(Pooled {
                sender: idle.sender,
                slot: Some(idle.slot),
                reused: true,
            }));
        }
        // Slots of the stale connections above are still counted; they are released
        // when `dropped` is dropped, which wakes the waiters again.
        if cfg.http2 && target.https && host.connecting > 0 && host.speaks_h2 != Some(false) {
            return None; // the connection being made may be HTTP/2, for everyone
        }
        let host_open = host.open;
        let per_host_ok = cfg.limit_per_host == 0 || host_open < cfg.limit_per_host;
        if !per_host_ok {
            return None;
        }
        if cfg.limit != 0 && st.total >= cfg.limit {
            // Close an idle connection to another target to make room.
            for (t, h) in st.hosts.iter_mut() {
                if t != target {
                    if let Some(idle) = h.idle.pop() {
                        dropped.push(idle);
                        break;
                    }
                }
            }
            return None;
        }
        st.total += 1;
        let host = st.hosts.get_mut(target).expect("entry made above");
        host.open += 1;
        host.connecting += 1;
        Some(Checkout::Connect(Slot {
            shared: Arc::downgrade(&self.shared),
            target: target.clone(),
            connecting: true,
        }))
    }

    /// A new connection, made with a slot from [`checkout`](Self::checkout). An HTTP/2
    /// connection becomes the target's shared one (if it has none yet).
    pub(crate) fn connected(&self, sender: Sender, mut slot: Slot) -> Pooled {
        {
            let mut st = self.shared.lock();
            let host = st.host(&slot.target);
            host.connecting -= 1;
            slot.connecting = false;
            if slot.target.https {
                host.speaks_h2 = Some(matches!(sender, Sender::H2(_)));
            }
        }
        self.shared.changed.notify(usize::MAX);
        match sender {
            Sender::H1(s) => Pooled {
                sender: Sender::H1(s),
                slot: Some(slot),
                reused: false,
            },
            Sender::H2(s) => {
                let mut st = self.shared.lock();
                let host = st.host(&slot.target);
                if host.h2.is_none() {
                    host.h2 = Some((s.clone(), slot));
                    drop(st);
                    self.shared.changed.notify(usize::MAX);
                    Pooled {
                        sender: Sender::H2(s),
                        slot: None,
                        reused: false,
                    }
                } else {
                    drop(st);
                    Pooled {
                        sender: Sender::H2(s),
                        slot: Some(slot),
                        reused: false,
                    }
                }
            }
        }
    }

    /// Gives a connection back after its response body was read to the end.
    pub(crate) fn put_back(&self, pooled: Pooled) {
        let Pooled { sender, slot, .. } = pooled;
        let (Sender::H1(s), Some(slot)) = (sender, slot) else {
            return; // HTTP/2: shared, nothing to give back
        };
        if s.is_closed() {
            return;
        }
        let max_idle = self.shared.config.max_idle_per_host;
        let since = corio_timer::clock::now();
        {
            let mut st = self.shared.lock();
            let host = st.host(&slot.target);
            if max_idle != 0 && host.idle.len() >= max_idle {
                drop(st);
                return; // dropped: closes, and the slot wakes the waiters
            }
            host.idle.push(Idle {
                sender: Sender::H1(s),
                slot,
                since,
            });
        }
        self.shared.changed.notify(usize::MAX);
    }

    /// Open connections: (total, idle), for tests and introspection.
    pub(crate) fn stats(&self) -> (usize, usize) {
        let st = self.shared.lock();
        let idle = st.hosts.values().map(|h| h.idle.len()).sum();
        (st.total, idle)
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (open, idle) = self.stats();
        f.debug_struct("Pool")
            .field("config", &self.shared.config)
            .field("open", &open)
            .field("idle", &idle)
            .finish()
    }
}
