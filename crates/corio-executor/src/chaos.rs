//! Randomness for chaos mode and for choosing whom to steal from: small, fast, seeded
//! generators (never for anything that needs real randomness).

/// One step of a xorshift generator: cheap randomness for the seeded test order and for
/// choosing whom to steal from. `state` must be non-zero.
#[inline]
pub(crate) fn xorshift(state: &std::cell::Cell<u64>) -> u64 {
    let mut x = state.get();
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.set(x);
    x
}

thread_local! {
    static CHAOS_RNG: std::cell::Cell<u64> = const { std::cell::Cell::new(0x2545_F491_4F6C_DD1D) };
}

/// Chaos mode's coin: true `per_mille` times out of 1 000, from a per-thread generator.
pub(crate) fn chaos_roll(per_mille: u32) -> bool {
    CHAOS_RNG.with(|r| xorshift(r) % 1000 < u64::from(per_mille))
}

/// Restarts this thread's chaos coin from a loop's seed, so that the spurious wake-ups,
/// like the ready-queue order, change with the seed and replay with it.
pub(crate) fn seed_chaos_roll(seed: u64) {
    // Never 0: xorshift would stay there.
    CHAOS_RNG.with(|r| r.set((seed.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15) | 1));
}

/// splitmix64: a good mixer for turning small, consecutive seeds into unrelated states.
pub(crate) fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
