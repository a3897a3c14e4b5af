//! The helper routines the backend calls (`epyc_epiphany::Routine` symbols) against Rust's
//! results for the same inputs, run on the simulator. Floats avoid denormals (the Epiphany
//! FPU flushes them to zero).

mod common;
use common::{lines_of, run};

/// Deterministic pseudo-random words (xorshift32).
fn words(seed: u32, n: usize) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        })
        .collect()
}

/// Normal floats of moderate exponent (results stay normal), both signs.
fn floats(seed: u32, n: usize) -> Vec<f32> {
    words(seed, n)
        .into_iter()
        .map(|w| {
            let exp = 100 + (w >> 23) % 55;
            f32::from_bits((w & 0x807f_ffff) | exp << 23)
        })
        .collect()
}

/// Calls `routine` on each argument pair and checks the printed results.
fn check(routine: &str, args: &[(u32, u32)], want: impl Fn(u32, u32) -> u32) {
    let mut body = String::new();
    for (a, b) in args {
        body += &format!(" li r0,{a}\n li r1,{b}\n bl {routine}\n bl _epyc_print_int\n");
    }
    let o = run(&body, 1, 1);
    assert_eq!(o.status, 0, "{}", o.stderr);
    let got = lines_of(&o.stdout, 0);
    assert_eq!(got.len(), args.len(), "{}", o.stdout);
    for ((a, b), g) in args.iter().zip(got) {
        let w = want(*a, *b) as i32;
        assert_eq!(g, w.to_string(), "{routine}({a:#x}, {b:#x})");
    }
}

fn int_pairs() -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = words(7, 40)
        .chunks(2)
        .map(|c| (c[0], c[1] >> (c[0] % 31)))
        .collect();
    v.extend([
        (100, 7),
        (0xffff_ff9c, 7),
        (100, 0xffff_fff9),
        (0x8000_0000, 1),
        (0x8000_0000, 0xffff_ffff),
        (0, 5),
        (0xffff_ffff, 0xffff_ffff),
        (12345, 1),
    ]);
    v.retain(|(_, b)| *b != 0);
    v
}

#[test]
fn integer_multiply_divide_modulo() {
    let pairs = int_pairs();
    check("___mulsi3", &pairs, |a, b| a.wrapping_mul(b));
    check("___udivsi3", &pairs, |a, b| a / b);
    check("___umodsi3", &pairs, |a, b| a % b);
    check("___divsi3", &pairs, |a, b| {
        (a as i32).wrapping_div(b as i32) as u32
    });
    check("___modsi3", &pairs, |a, b| {
        (a as i32).wrapping_rem(b as i32) as u32
    });
    check("___epyc_umulhi", &pairs, |a, b| {
        ((a as u64 * b as u64) >> 32) as u32
    });
    check("___epyc_smulhi", &pairs, |a, b| {
        ((a as i32 as i64 * b as i32 as i64) >> 32) as u32
    });
}

#[test]
fn bit_counting() {
    let mut v: Vec<(u32, u32)> = words(3, 20)
        .into_iter()
        .map(|w| (w >> (w % 32), 0))
        .collect();
    v.extend([(0, 0), (1, 0), (0x8000_0000, 0), (0xffff_ffff, 0)]);
    check("___clzsi2", &v, |a, _| a.leading_zeros());
    check("___ctzsi2", &v, |a, _| a.trailing_zeros());
    check("___popcountsi2", &v, |a, _| a.count_ones());
}

#[test]
fn float_division_is_correctly_rounded() {
    let xs = floats(11, 60);
    let mut pairs: Vec<(u32, u32)> = xs
        .chunks(2)
        .map(|c| (c[0].to_bits(), c[1].to_bits()))
        .collect();
    for (a, b) in [
        (1.0f32, 3.0f32),
        (2.0, 3.0),
        (-7.0, 2.0),
        (0.0, 5.0),
        (-0.0, 5.0),
        (5.0, 0.0),
        (-5.0, 0.0),
        (f32::INFINITY, 2.0),
        (2.0, f32::INFINITY),
        (1.0, 1.0),
        (1e30, 1e-10),
        (1e-30, 1e10),
    ] {
        pairs.push((a.to_bits(), b.to_bits()));
    }
    check("___divsf3", &pairs, |a, b| {
        let q = f32::from_bits(a) / f32::from_bits(b);
        // The FPU flushes denormal results to zero.
        if q.is_subnormal() {
            q.to_bits() & 0x8000_0000
        } else {
            q.to_bits()
        }
    });
    // 0/0 and inf/inf are NaNs.
    let nan = [
        (0u32, 0u32),
        (f32::INFINITY.to_bits(), f32::INFINITY.to_bits()),
    ];
    let mut body = String::new();
    for (a, b) in nan {
        body += &format!(" li r0,{a}\n li r1,{b}\n bl ___divsf3\n bl _epyc_print_float\n");
    }
    let o = run(&body, 1, 1);
    assert_eq!(lines_of(&o.stdout, 0), ["nan", "nan"]);
}

#[test]
fn square_root_is_correctly_rounded() {
    let mut v: Vec<(u32, u32)> = floats(5, 40)
        .into_iter()
        .map(|x| (x.abs().to_bits(), 0))
        .collect();
    for x in [
        0.0f32,
        -0.0,
        1.0,
        2.0,
        4.0,
        0.25,
        1e30,
        3e-30,
        f32::INFINITY,
        16777215.0,
    ] {
        v.push((x.to_bits(), 0));
    }
    check("_sqrtf", &v, |a, _| f32::from_bits(a).sqrt().to_bits());
    check("_sqrtf", &[((-4.0f32).to_bits(), 0)], |_, _| 0x7fc0_0000);
}

#[test]
fn rounding_and_conversions() {
    let mut v: Vec<(u32, u32)> = floats(9, 30)
        .into_iter()
        .map(|x| ((x * 1e6).to_bits(), 0))
        .collect();
    for x in [
        0.0f32, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.3, -0.3, 0.7, -0.7, 3.0, -3.0, 8388607.5,
        8388608.0, 1e20, -1e20, 4.5, 5.5, 0.49999997,
    ] {
        v.push((x.to_bits(), 0));
    }
    check("_floorf", &v, |a, _| f32::from_bits(a).floor().to_bits());
    check("_ceilf", &v, |a, _| f32::from_bits(a).ceil().to_bits());
    check("_truncf", &v, |a, _| f32::from_bits(a).trunc().to_bits());
    check("_nearbyintf", &v, |a, _| {
        f32::from_bits(a).round_ties_even().to_bits()
    });
    check("___fixunssfsi", &v, |a, _| f32::from_bits(a) as u32);
    let us: Vec<(u32, u32)> = words(13, 30)
        .into_iter()
        .chain([0, 1, 0x8000_0000, 0xffff_ffff, 0xffff_ff7f, 0x8000_0081])
        .map(|w| (w, 0))
        .collect();
    check("___floatunsisf", &us, |a, _| (a as f32).to_bits());
}
