//! Random straight-line integer programs (fixed seeds): each is built as CLIF, optimised,
//! compiled, run on the simulator and compared with the same operations evaluated in Rust.

mod common;
use common::*;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const OPS: usize = 26;

/// Apply operation `op` to host values, as CLIF defines it.
fn host(op: usize, x: i32, y: i32, c: i32) -> i32 {
    let (ux, uy) = (x as u32, y as u32);
    let d = y | 1; // divisors are forced odd (non-zero)
    match op {
        0 => x.wrapping_add(y),
        1 => x.wrapping_sub(y),
        2 => x & y,
        3 => x | y,
        4 => x ^ y,
        5 => x.wrapping_shl(uy & 31),
        6 => (ux.wrapping_shr(uy & 31)) as i32,
        7 => x.wrapping_shr(uy & 31),
        8 => ux.rotate_left(uy & 31) as i32,
        9 => ux.rotate_right(uy & 31) as i32,
        10 => x.wrapping_mul(y),
        11 => (ux / d as u32) as i32,
        12 => (ux % d as u32) as i32,
        13 => x.wrapping_div(d),
        14 => x.wrapping_rem(d),
        15 => {
            if x < y {
                x
            } else {
                y ^ 0x55
            }
        }
        16 => x.max(y),
        17 => ux.min(uy) as i32,
        18 => x.wrapping_abs(),
        19 => x.wrapping_neg(),
        20 => !x,
        21 => x.wrapping_add(c),
        22 => x as i8 as i32,
        23 => x as u16 as i32,
        24 => (ux > uy) as i32,
        _ => x.wrapping_mul(c),
    }
}

/// Emit operation `op` as CLIF.
fn clif(
    b: &mut cranelift_frontend::FunctionBuilder,
    op: usize,
    x: Value,
    y: Value,
    c: i32,
) -> Value {
    let d = b.ins().bor_imm_s(y, 1);
    match op {
        0 => b.ins().iadd(x, y),
        1 => b.ins().isub(x, y),
        2 => b.ins().band(x, y),
        3 => b.ins().bor(x, y),
        4 => b.ins().bxor(x, y),
        5 => b.ins().ishl(x, y),
        6 => b.ins().ushr(x, y),
        7 => b.ins().sshr(x, y),
        8 => b.ins().rotl(x, y),
        9 => b.ins().rotr(x, y),
        10 => b.ins().imul(x, y),
        11 => b.ins().udiv(x, d),
        12 => b.ins().urem(x, d),
        13 => b.ins().sdiv(x, d),
        14 => b.ins().srem(x, d),
        15 => {
            let c = b.ins().icmp(IntCC::SignedLessThan, x, y);
            let y2 = b.ins().bxor_imm_s(y, 0x55);
            b.ins().select(c, x, y2)
        }
        16 => b.ins().smax(x, y),
        17 => b.ins().umin(x, y),
        18 => b.ins().iabs(x),
        19 => b.ins().ineg(x),
        20 => b.ins().bnot(x),
        21 => b.ins().iadd_imm_s(x, c as i64),
        22 => {
            let n = b.ins().ireduce(types::I8, x);
            b.ins().sextend(I32, n)
        }
        23 => {
            let n = b.ins().ireduce(types::I16, x);
            b.ins().uextend(I32, n)
        }
        24 => {
            let c = b.ins().icmp(IntCC::UnsignedGreaterThan, x, y);
            b.ins().uextend(I32, c)
        }
        _ => b.ins().imul_imm_s(x, c as i64),
    }
}

fn check_seed(seed: u64) {
    let mut rng = Rng(seed);
    let steps = 12 + rng.below(20);
    let mut plan = Vec::new();
    for _ in 0..steps {
        let op = rng.below(OPS);
        let c = [1, -1, 7, 100, 0x12345, -0x7f000000, 31][rng.below(7)];
        plan.push((op, rng.next(), rng.next(), c));
    }
    let params: [i32; 3] = [
        rng.next() as i32,
        (rng.next() % 200) as i32 - 100,
        rng.next() as i32 >> 5,
    ];
    // host
    let mut vals: Vec<i32> = params.to_vec();
    for &(op, a, b2, c) in &plan {
        let (x, y) = (
            vals[a as usize % vals.len()],
            vals[b2 as usize % vals.len()],
        );
        vals.push(host(op, x, y, c));
    }
    let want = vals
        .iter()
        .rev()
        .take(6)
        .fold(0i32, |acc, &v| acc.rotate_left(5) ^ v);
    // CLIF
    let plan2 = plan.clone();
    let f = build("rand", &[I32, I32, I32], &[I32], move |b, a| {
        let mut vals: Vec<Value> = a.to_vec();
        for &(op, x, y, c) in &plan2 {
            let (x, y) = (vals[x as usize % vals.len()], vals[y as usize % vals.len()]);
            let v = clif(b, op, x, y, c);
            vals.push(v);
        }
        let mut acc = b.ins().iconst(I32, 0);
        for &v in vals.iter().rev().take(6) {
            let r = b.ins().rotl_imm_s(acc, 5);
            acc = b.ins().bxor(r, v);
        }
        b.ins().return_(&[acc]);
    });
    let main = build("main", &[], &[I32], move |b, _| {
        let callee = import(b, "rand", &[I32, I32, I32], &[I32]);
        let args: Vec<_> = params
            .iter()
            .map(|&p| b.ins().iconst(I32, p as i64))
            .collect();
        let c = b.ins().call(callee, &args);
        let r = b.inst_results(c)[0];
        b.ins().return_(&[r]);
    });
    for flags in [
        epyc_epiphany::Flags::default(),
        epyc_epiphany::Flags {
            no_schedule: true,
            ..Default::default()
        },
    ] {
        let (got, _) = run_main_with(vec![main.clone(), f.clone()], &flags);
        assert_eq!(
            got, want,
            "seed {seed} {flags:?}: plan {plan:?}, params {params:?}"
        );
    }
}

#[test]
fn random_integer_programs_match_the_host() {
    for seed in 1..=200u64 {
        check_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    }
}
