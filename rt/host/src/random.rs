//! The `random` module's generator, deterministic so runs and golden tests are reproducible.
//!
//! Generator: xorshift64* (Vigna 2014: `x ^= x >> 12; x ^= x << 25; x ^= x >> 27;` output
//! `x * 0x2545F4914F6CDD1D`). State from a seed: SplitMix64 of the seed (sign-extended to 64
//! bits), never zero. Each core starts seeded with its core id; `seed(s)` reseeds the calling
//! core only. `random()` is the top 24 bits of an output / 2^24 (exact in float32, in [0, 1));
//! `randint()` is the top 31 bits (0 ..= 2^31-1).
//!
//! The functions on a state ([`seed_state`], [`next`], [`uniform`], [`randint`]) are public so
//! that other runtimes (the device monitor, which answers its cores' random requests) draw
//! exactly the same numbers as host cores.

use crate::core;

/// The generator state for `seed` (a core's state at start is `seed_state(core id)`).
pub fn seed_state(seed: i32) -> u64 {
    let mut z = (seed as i64 as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    if z == 0 {
        0x9E37_79B9_7F4A_7C15
    } else {
        z
    }
}

/// The next raw 64-bit output of the generator at `state`, advancing it.
pub fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// `random()`: the top 24 bits of the next output / 2^24, in [0, 1).
pub fn uniform(state: &mut u64) -> f32 {
    (next(state) >> 40) as f32 / (1u32 << 24) as f32
}

/// `randint()`: the top 31 bits of the next output, 0 ..= 2^31-1.
pub fn randint(state: &mut u64) -> i32 {
    (next(state) >> 33) as i32
}

/// Runs `draw` on the calling core's generator state.
pub(crate) fn with_core_state<T>(draw: impl FnOnce(&mut u64) -> T) -> T {
    let ctx = core::current();
    let mut s = ctx.rng.get();
    let v = draw(&mut s);
    ctx.rng.set(s);
    v
}

#[no_mangle]
pub extern "C" fn epyc_random() -> f32 {
    with_core_state(uniform)
}

#[no_mangle]
pub extern "C" fn epyc_randint() -> i32 {
    with_core_state(randint)
}

#[no_mangle]
pub extern "C" fn epyc_seed(seed: i32) {
    core::current().rng.set(seed_state(seed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (seed_state(7), seed_state(7));
        for _ in 0..100 {
            assert_eq!(next(&mut a), next(&mut b));
        }
        assert_ne!(seed_state(0), seed_state(1));
    }

    #[test]
    fn ranges() {
        epyc_seed(3);
        for _ in 0..10_000 {
            let r = epyc_random();
            assert!((0.0..1.0).contains(&r));
            assert!(epyc_randint() >= 0);
        }
    }
}
