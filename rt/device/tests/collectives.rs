//! Repeated collectives on 16 simulated cores: 1000 rounds of `reduce` with every operation,
//! int and float, interleaved with `sync`, give the host runtime's results on every core.
//! The device runs them as all-to-all rounds over two alternating slot buffers, so many
//! rounds in a row are what would show a slot overwritten before it was read.

mod common;
use common::{lines_of, run};
use epyc_rt_abi::Tag;

const ROUNDS: i32 = 1000;
const CORES: i32 = 16;
/// The float contributions are the int ones times this (small enough that products of 16
/// values stay finite, so no NaN payloads are compared).
const SCALE: f32 = 0.001;

/// Core `core`'s int value in round `round` (mixed signs, zero for some cores).
fn int_value(round: i32, core: i32) -> i32 {
    round * 13 - core * 7 - 50
}

/// The host runtime's reduce (rt/host/src/collective.rs `reduce`): core order, ints wrapping,
/// float32, sums from 0.0.
fn host_reduce_int(values: &[i32], op: i32) -> i32 {
    let mut it = values.iter().copied();
    let first = it.next().unwrap();
    match op {
        0 => it.fold(first, i32::wrapping_add),
        1 => it.fold(first, i32::min),
        2 => it.fold(first, i32::max),
        _ => it.fold(first, i32::wrapping_mul),
    }
}

fn host_reduce_float(values: &[f32], op: i32) -> f32 {
    let mut it = values.iter().copied();
    let first = it.next().unwrap();
    match op {
        0 => it.fold(0.0f32 + first, |s, v| s + v),
        1 => it.fold(first, |m, v| if v < m { v } else { m }),
        2 => it.fold(first, |m, v| if v > m { v } else { m }),
        _ => it.fold(first, |p, v| p * v),
    }
}

/// What every core folds its results into: rotate left by 5, xor the result's bits.
fn mix(checksum: u32, bits: u32) -> u32 {
    checksum.rotate_left(5) ^ bits
}

fn expected_checksum() -> u32 {
    let mut cs = 0u32;
    for round in 0..ROUNDS {
        let ints: Vec<i32> = (0..CORES).map(|c| int_value(round, c)).collect();
        let floats: Vec<f32> = ints.iter().map(|&v| v as f32 * SCALE).collect();
        for op in 0..4 {
            cs = mix(cs, host_reduce_int(&ints, op) as u32);
            cs = mix(cs, host_reduce_float(&floats, op).to_bits());
        }
    }
    cs
}

#[test]
fn thousand_rounds_of_every_reduce_match_the_host_on_16_cores() {
    let (int, float) = (Tag::Int as u32, Tag::Float as u32);
    let body = format!(
        " sub sp,sp,#32\n str r5,[sp,#1]\n str r6,[sp,#2]\n str r8,[sp,#3]\n \
         str r9,[sp,#4]\n str r10,[sp,#5]\n \
         bl _epyc_coreid\n mov r5,r0\n mov r4,#0\n mov r6,#0\n\
         round:\n lsl r9,r4,#3\n lsl r0,r4,#2\n add r9,r9,r0\n add r9,r9,r4\n \
         lsl r0,r5,#3\n sub r0,r0,r5\n sub r9,r9,r0\n sub r9,r9,#50\n \
         float r10,r9\n li r0,{scale}\n fmul r10,r10,r0\n mov r8,#0\n\
         ops:\n mov r0,r9\n mov r1,#{int}\n mov r2,r8\n mov r3,#1\n bl _epyc_reduce\n \
         lsl r1,r6,#5\n lsr r2,r6,#27\n orr r1,r1,r2\n eor r6,r1,r0\n \
         mov r0,r10\n mov r1,#{float}\n mov r2,r8\n mov r3,#2\n bl _epyc_reduce\n \
         lsl r1,r6,#5\n lsr r2,r6,#27\n orr r1,r1,r2\n eor r6,r1,r0\n \
         add r8,r8,#1\n sub r0,r8,#4\n blt ops\n \
         mov r0,#3\n bl _epyc_sync\n \
         add r4,r4,#1\n li r0,{ROUNDS}\n sub r0,r4,r0\n blt round\n \
         mov r0,r6\n bl _epyc_print_int\n \
         ldr r5,[sp,#1]\n ldr r6,[sp,#2]\n ldr r8,[sp,#3]\n ldr r9,[sp,#4]\n ldr r10,[sp,#5]\n \
         add sp,sp,#32\n",
        scale = SCALE.to_bits(),
    );
    let o = run(&body, 4, 4);
    assert_eq!(o.status, 0, "{}", o.stderr);
    let want = (expected_checksum() as i32).to_string();
    for core in 0..CORES as u32 {
        assert_eq!(
            lines_of(&o.stdout, core),
            std::slice::from_ref(&want),
            "core {core}"
        );
    }
}
