//! The hierarchical timing wheel: the data structure alone, with no clock and no locking.
//!
//! Time is counted in ticks (milliseconds since the driver's base instant). The wheel has
//! [`LEVELS`] levels of [`SLOTS`] slots; a slot of level `l` covers `64^l` ticks. An entry
//! lives in the level given by the highest 6-bit digit in which its deadline differs from
//! `elapsed` (the tick the wheel has processed up to), so every entry of level 0 expires
//! before any entry of level 1, and so on. When `elapsed` reaches the start of a slot of a
//! higher level, the slot's entries are re-filed one or more levels down ("cascade"). With
//! 11 levels of 6 bits the wheel spans every `u64` tick, so nothing ever overflows it.
//!
//! Entries are kept in a slab (a `Vec` with a free list) and linked into their slot by
//! index, in a doubly linked list: insert, cancel and reset are O(1) and allocate nothing
//! once the slab has grown to the peak number of live timers. Each slot's list is FIFO, and
//! cascading preserves the order, so timers with equal deadlines fire in the order they
//! were armed.

use std::task::Waker;

/// Levels of the wheel: 11 levels of 6 bits cover all 64 bits of a tick.
pub(crate) const LEVELS: usize = 11;
/// Slots per level.
pub(crate) const SLOTS: usize = 64;
const BITS: u32 = 6;
const NIL: u32 = u32::MAX;

/// Where an entry is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// On the free list; `next` links the free list.
    Free,
    /// Linked into `slot`, waiting for its deadline.
    Armed,
    /// Its deadline passed and the wheel fired it; its owner has not looked yet.
    Fired,
}

#[derive(Debug)]
struct Entry {
    deadline: u64,
    waker: Option<Waker>,
    prev: u32,
    next: u32,
    /// `level * SLOTS + slot` while armed.
    slot: u16,
    state: State,
}

/// What [`Wheel::poll`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryPoll {
    /// The entry fired.
    Fired,
    /// Still waiting; the waker was stored.
    Armed,
}

/// The wheel: see the module docs.
#[derive(Debug)]
pub(crate) struct Wheel {
    entries: Vec<Entry>,
    free: u32,
    /// Entries not on the free list.
    live: usize,
    /// Entries armed (linked into a slot).
    armed: usize,
    heads: [[u32; SLOTS]; LEVELS],
    tails: [[u32; SLOTS]; LEVELS],
    occupied: [u64; LEVELS],
    /// Every deadline `<= elapsed` has been fired.
    elapsed: u64,
}

fn level_for(elapsed: u64, deadline: u64) -> usize {
    let masked = (elapsed ^ deadline) | (SLOTS as u64 - 1);
    let significant = 63 - masked.leading_zeros();
    (significant / BITS) as usize
}

fn slot_for(deadline: u64, level: usize) -> usize {
    ((deadline >> (BITS * level as u32)) & (SLOTS as u64 - 1)) as usize
}

impl Wheel {
    /// An empty wheel at tick 0.
    pub(crate) fn new() -> Self {
        Wheel {
            entries: Vec::new(),
            free: NIL,
            live: 0,
            armed: 0,
            heads: [[NIL; SLOTS]; LEVELS],
            tails: [[NIL; SLOTS]; LEVELS],
            occupied: [0; LEVELS],
            elapsed: 0,
        }
    }

    /// The tick processed so far.
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Entries allocated (armed or fired, not yet removed by their owner).
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Entries waiting for their deadline.
    pub(crate) fn armed(&self) -> usize {
        self.armed
    }

    /// Arms a new entry for `deadline` (a deadline already passed fires on the next
    /// [`advance`](Self::advance)); returns its key.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Option<Waker>) -> u32 {
        let key = if self.free != NIL {
            let key = self.free;
            let e = &mut self.entries[key as usize];
            self.free = e.next;
            e.deadline = deadline;
            e.waker = waker;
            key
        } else {
            let key = u32::try_from(self.entries.len())
                .ok()
                .filter(|&k| k != NIL)
                .expect("more than 4 billion timers alive at once");
            self.entries.push(Entry {
                deadline,
                waker,
                prev: NIL,
                next: NIL,
                slot: 0,
                state: State::Free,
            });
            key
        };
        self.live += 1;
        self.link(key);
        key
    }

    /// Removes the entry for good (cancel, or the owner is done with it).
    pub(crate) fn remove(&mut self, key: u32) {
        let state = self.entries[key as usize].state;
        debug_assert_ne!(state, State::Free, "timer entry removed twice");
        if state == State::Free {
            return;
        }
        if state == State::Armed {
            self.unlink(key);
        }
        let free = self.free;
        let e = &mut self.entries[key as usize];
        e.state = State::Free;
        e.waker = None;
        e.next = free;
        e.prev = NIL;
        self.free = key;
        self.live -= 1;
    }

    /// Moves the entry to `deadline` and arms it again (whether it had fired or not); the
    /// stored waker is kept.
    pub(crate) fn reset(&mut self, key: u32, deadline: u64) {
        if self.entries[key as usize].state == State::Armed {
            self.unlink(key);
        }
        self.entries[key as usize].deadline = deadline;
        self.link(key);
    }

    /// Marks the entry fired now, without waking it (its owner found the deadline passed).
    pub(crate) fn fire_now(&mut self, key: u32) {
        if self.entries[key as usize].state == State::Armed {
            self.unlink(key);
            let e = &mut self.entries[key as usize];
            e.state = State::Fired;
            e.waker = None;
        }
    }

    /// Whether the entry fired; if not, stores `waker` (unless an equivalent one is stored).
    pub(crate) fn poll(&mut self, key: u32, waker: &Waker) -> EntryPoll {
        let e = &mut self.entries[key as usize];
        match e.state {
            State::Fired => EntryPoll::Fired,
            State::Armed => {
                match &mut e.waker {
                    Some(w) if w.will_wake(waker) => {}
                    slot => *slot = Some(waker.clone()),
                }
                EntryPoll::Armed
            }
            State::Free => unreachable!("polled a freed timer entry"),
        }
    }

    /// Whether the entry has fired.
    pub(crate) fn is_fired(&self, key: u32) -> bool {
        self.entries[key as usize].state == State::Fired
    }

    /// The start tick of the earliest non-empty slot, a lower bound of the next deadline
    /// (exact when the earliest entry is already in level 0).
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(_, _, start)| start)
    }

    /// `(level, slot, start tick)` of the earliest non-empty slot.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for level in 0..LEVELS {
            let occ = self.occupied[level];
            if occ == 0 {
                continue;
            }
            let shift = BITS * level as u32;
            let now_slot = ((self.elapsed >> shift) & (SLOTS as u64 - 1)) as u32;
            // Every entry of this level is at or after `elapsed`'s own slot of the level.
            let ahead = occ & (u64::MAX << now_slot);
            debug_assert_ne!(ahead, 0, "timer wheel invariant broken");
            let slot = if ahead != 0 { ahead } else { occ }.trailing_zeros() as u64;
            let span_mask = if shift + BITS >= 64 {
                u64::MAX
            } else {
                (1u64 << (shift + BITS)) - 1
            };
            let start = (self.elapsed & !span_mask) + (slot << shift);
            return Some((level, slot as usize, start.max(self.elapsed)));
        }
        None
    }

    /// Fires every entry whose deadline is `<= now`, in deadline order (equal deadlines in
    /// the order they were armed), pushing their wakers onto `wake`. Returns how many fired.
    pub(crate) fn advance(&mut self, now: u64, wake: &mut Vec<Waker>) -> usize {
        let mut fired = 0;
        while let Some((level, slot, start)) = self.next_slot() {
            if start > now {
                break;
            }
            self.elapsed = start;
            let mut cur = self.heads[level][slot];
            self.heads[level][slot] = NIL;
            self.tails[level][slot] = NIL;
            self.occupied[level] &= !(1u64 << slot);
            while cur != NIL {
                let next = self.entries[cur as usize].next;
                if level == 0 {
                    let e = &mut self.entries[cur as usize];
                    e.state = State::Fired;
                    e.prev = NIL;
                    e.next = NIL;
                    if let Some(w) = e.waker.take() {
                        wake.push(w);
                    }
                    self.armed -= 1;
                    fired += 1;
                } else {
                    // Cascade: re-file one or more levels down, keeping the order.
                    self.armed -= 1;
                    self.link(cur);
                }
                cur = next;
            }
        }
        if now > self.elapsed {
            self.elapsed = now;
        }
        fired
    }

    fn link(&mut self, key: u32) {
        let deadline = self.entries[key as usize].deadline.max(self.elapsed);
        let level = level_for(self.elapsed, deadline);
        let slot = slot_for(deadline, level);
        let tail = self.tails[level][slot];
        {
            let e = &mut self.entries[key as usize];
            e.state = State::Armed;
            e.slot = (level * SLOTS + slot) as u16;
            e.prev = tail;
            e.next = NIL;
        }
        if tail == NIL {
            self.heads[level][slot] = key;
            self.occupied[level] |= 1u64 << slot;
        } else {
            self.entries[tail as usize].next = key;
        }
        self.tails[level][slot] = key;
        self.armed += 1;
    }

    fn unlink(&mut self, key: u32) {
        let (prev, next, pos) = {
            let e = &self.entries[key as usize];
            (e.prev, e.next, e.slot as usize)
        };
        let (level, slot) = (pos / SLOTS, pos % SLOTS);
        if prev == NIL {
            self.heads[level][slot] = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NIL {
            self.tails[level][slot] = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
        if self.heads[level][slot] == NIL {
            self.occupied[level] &= !(1u64 << slot);
        }
        let e = &mut self.entries[key as usize];
        e.prev = NIL;
        e.next = NIL;
        self.armed -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fire(w: &mut Wheel, now: u64) -> usize {
        let mut v = Vec::new();
        w.advance(now, &mut v)
    }

    #[test]
    fn entry_is_small() {
        // The memory a pending timer costs in the wheel (plus its `Sleep`).
        assert!(std::mem::size_of::<Entry>() <= 40);
    }

    #[test]
    fn level_placement() {
        assert_eq!(level_for(0, 0), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(0, 4095), 1);
        assert_eq!(level_for(0, 4096), 2);
        assert_eq!(level_for(0, u64::MAX), 10);
        assert_eq!(level_for(100, 127), 0);
        assert_eq!(level_for(100, 128), 1);
    }

    #[test]
    fn fires_at_deadline_not_before() {
        let mut w = Wheel::new();
        let k = w.insert(10, None);
        assert_eq!(w.next_expiration(), Some(10));
        assert_eq!(fire(&mut w, 9), 0);
        assert!(!w.is_fired(k));
        assert_eq!(fire(&mut w, 10), 1);
        assert!(w.is_fired(k));
        assert_eq!(w.armed(), 0);
        assert_eq!(w.live(), 1);
        w.remove(k);
        assert_eq!(w.live(), 0);
        assert_eq!(w.next_expiration(), None);
    }

    #[test]
    fn cascades_across_every_level() {
        let mut w = Wheel::new();
        let deadlines = [
            1u64,
            63,
            64,
            65,
            4095,
            4096,
            262_143,
            262_144,
            1 << 30,
            1 << 40,
            1 << 62,
        ];
        let keys: Vec<u32> = deadlines.iter().map(|&d| w.insert(d, None)).collect();
        for (&d, &k) in deadlines.iter().zip(&keys) {
            assert_eq!(fire(&mut w, d - 1), 0, "fired early: {d}");
            assert!(!w.is_fired(k));
            assert_eq!(fire(&mut w, d), 1, "did not fire: {d}");
            assert!(w.is_fired(k));
        }
        assert_eq!(w.armed(), 0);
    }

    #[test]
    fn big_jump_fires_in_deadline_order() {
        let mut w = Wheel::new();
        // Deadlines spread over several levels, inserted out of order.
        let deadlines = [5000u64, 3, 70, 300_000, 70, 64 * 64 * 64 * 64, 1];
        let keys: Vec<u32> = deadlines.iter().map(|&d| w.insert(d, None)).collect();
        let mut order = Vec::new();
        let mut now = 0;
        while let Some(next) = w.next_expiration() {
            now = next;
            fire(&mut w, now);
            for (i, &k) in keys.iter().enumerate() {
                if w.is_fired(k) && !order.contains(&i) {
                    order.push(i);
                }
            }
        }
        assert!(now >= 64 * 64 * 64 * 64);
        let got: Vec<u64> = order.iter().map(|&i| deadlines[i]).collect();
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(got, sorted);
        assert_eq!(order.len(), deadlines.len());
        // Equal deadlines: the order they were armed.
        let p1 = order.iter().position(|&i| i == 2).unwrap();
        let p2 = order.iter().position(|&i| i == 4).unwrap();
        assert!(p1 < p2);
    }

    #[test]
    fn remove_and_reset_across_levels() {
        let mut w = Wheel::new();
        let a = w.insert(1 << 20, None);
        let b = w.insert(1 << 20, None);
        w.remove(a);
        assert_eq!(w.armed(), 1);
        w.reset(b, 5);
        assert_eq!(w.next_expiration(), Some(5));
        assert_eq!(fire(&mut w, 5), 1);
        w.reset(b, 1 << 25);
        assert_eq!(fire(&mut w, (1 << 25) - 1), 0);
        assert_eq!(fire(&mut w, 1 << 25), 1);
        // A deadline already passed fires at the next advance.
        w.reset(b, 2);
        let now = w.elapsed();
        assert_eq!(fire(&mut w, now), 1);
        w.remove(b);
        assert_eq!(w.live(), 0);
        // The freed slots are reused.
        let c = w.insert(u64::MAX, None);
        assert!(c == a || c == b);
    }
}
