//! Random straight-line f32 programs (fixed seeds) on the simulator against the host: FPU
//! arithmetic, compares feeding selects, min/max, sign operations and conversions. Values are
//! small dyadic numbers, so single operations round the same way on both sides.

mod common;
use common::*;
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;

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

const OPS: usize = 14;
const CONSTS: [f32; 5] = [0.5, -0.75, 1.5, 3.0, -2.0];

fn host(op: usize, x: f32, y: f32, c: f32) -> f32 {
    match op {
        0 => x + y,
        1 => x - y,
        2 => x * c,
        3 => -x,
        4 => x.abs(),
        5 => {
            if x < y {
                x
            } else {
                y
            }
        } // fmin as the backend defines it
        6 => {
            if y < x {
                x
            } else {
                y
            }
        } // fmax
        7 => {
            if x <= y {
                x + c
            } else {
                y
            }
        }
        8 => {
            if x == y {
                c
            } else {
                x
            }
        }
        9 => {
            if x > y {
                x - y
            } else {
                y - x
            }
        }
        10 => (x as i32) as f32,
        11 => x.copysign(y),
        12 => x * y * 0.125,
        _ => x + c,
    }
}

fn clif(b: &mut FunctionBuilder, op: usize, x: Value, y: Value, c: f32) -> Value {
    let k = b.ins().f32const(c);
    match op {
        0 => b.ins().fadd(x, y),
        1 => b.ins().fsub(x, y),
        2 => b.ins().fmul(x, k),
        3 => b.ins().fneg(x),
        4 => b.ins().fabs(x),
        5 => b.ins().fmin(x, y),
        6 => b.ins().fmax(x, y),
        7 => {
            let c = b.ins().fcmp(FloatCC::LessThanOrEqual, x, y);
            let t = b.ins().fadd(x, k);
            b.ins().select(c, t, y)
        }
        8 => {
            let c = b.ins().fcmp(FloatCC::Equal, x, y);
            b.ins().select(c, k, x)
        }
        9 => {
            let c = b.ins().fcmp(FloatCC::GreaterThan, x, y);
            let d1 = b.ins().fsub(x, y);
            let d2 = b.ins().fsub(y, x);
            b.ins().select(c, d1, d2)
        }
        10 => {
            let i = b.ins().fcvt_to_sint_sat(I32, x);
            b.ins().fcvt_from_sint(F32, i)
        }
        11 => b.ins().fcopysign(x, y),
        12 => {
            let m = b.ins().fmul(x, y);
            let e = b.ins().f32const(0.125);
            b.ins().fmul(m, e)
        }
        _ => b.ins().fadd(x, k),
    }
}

fn check_seed(seed: u64) {
    let mut rng = Rng(seed);
    let steps = 10 + rng.below(15);
    let plan: Vec<(usize, u64, u64, f32)> = (0..steps)
        .map(|_| {
            (
                rng.below(OPS),
                rng.next(),
                rng.next(),
                CONSTS[rng.below(CONSTS.len())],
            )
        })
        .collect();
    let params: [f32; 3] = std::array::from_fn(|_| (rng.below(4000) as f32 - 2000.0) / 8.0);
    let mut vals = params.to_vec();
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
        .take(5)
        .fold(0i32, |acc, v| acc.rotate_left(7) ^ v.to_bits() as i32);
    let plan2 = plan.clone();
    let f = build("frand", &[F32, F32, F32], &[I32], move |b, a| {
        let mut vals: Vec<Value> = a.to_vec();
        for &(op, x, y, c) in &plan2 {
            let (x, y) = (vals[x as usize % vals.len()], vals[y as usize % vals.len()]);
            let v = clif(b, op, x, y, c);
            vals.push(v);
        }
        let mut acc = b.ins().iconst(I32, 0);
        for &v in vals.iter().rev().take(5) {
            let r = b.ins().rotl_imm_s(acc, 7);
            let bits = b
                .ins()
                .bitcast(I32, cranelift_codegen::ir::MemFlagsData::new(), v);
            acc = b.ins().bxor(r, bits);
        }
        b.ins().return_(&[acc]);
    });
    let main = build("main", &[], &[I32], move |b, _| {
        let callee = import(b, "frand", &[F32, F32, F32], &[I32]);
        let args: Vec<_> = params.iter().map(|&p| b.ins().f32const(p)).collect();
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
fn random_float_programs_match_the_host() {
    for seed in 1..=120u64 {
        check_seed(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    }
}
