//! Random structured programs with branches and counted loops (fixed seeds), built through
//! cranelift-frontend variables (so the CLIF has block parameters, critical edges and loops),
//! compiled with and without scheduling and hardware loops, run on the simulator and compared
//! with a direct interpretation of the same program on the host.

mod common;
use common::*;
use cranelift_codegen::ir::InstBuilder;
use cranelift_frontend::{FunctionBuilder, Variable};

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

const VARS: usize = 6;

#[derive(Clone, Debug)]
enum Stmt {
    /// v[dst] = op(v[a], v[b])
    Assign(usize, usize, usize, usize),
    /// if v[a] <cc> v[b] { then } else { els }
    If(usize, usize, usize, Vec<Stmt>, Vec<Stmt>),
    /// repeat `n` times (n >= 1, a do-while counted with i + 1 < n)
    Loop(i32, Vec<Stmt>),
}

fn gen(rng: &mut Rng, depth: u32, len: usize) -> Vec<Stmt> {
    let mut out = Vec::new();
    for _ in 0..len {
        out.push(match rng.below(if depth < 2 { 6 } else { 4 }) {
            0..=3 => Stmt::Assign(
                rng.below(VARS),
                rng.below(6),
                rng.below(VARS),
                rng.below(VARS),
            ),
            4 => {
                let (cc, a, b) = (rng.below(4), rng.below(VARS), rng.below(VARS));
                let (nt, ne) = (1 + rng.below(3), rng.below(3));
                let t = gen(rng, depth + 1, nt);
                let e = gen(rng, depth + 1, ne);
                Stmt::If(cc, a, b, t, e)
            }
            _ => {
                let n = 1 + rng.below(6) as i32;
                let len = 1 + rng.below(3);
                Stmt::Loop(n, gen(rng, depth + 1, len))
            }
        });
    }
    out
}

fn op_host(op: usize, x: i32, y: i32) -> i32 {
    match op {
        0 => x.wrapping_add(y),
        1 => x.wrapping_sub(y) ^ 0x1234,
        2 => x.wrapping_mul(y | 1),
        3 => x ^ (y >> 3),
        4 => x.max(y).wrapping_add(7),
        _ => x.wrapping_shl(y as u32 & 7).wrapping_add(1),
    }
}

fn cc_host(cc: usize, x: i32, y: i32) -> bool {
    match cc {
        0 => x < y,
        1 => (x as u32) <= (y as u32),
        2 => x == y,
        _ => x != y,
    }
}

fn run_host(stmts: &[Stmt], v: &mut [i32; VARS]) {
    for s in stmts {
        match s {
            Stmt::Assign(d, op, a, b) => v[*d] = op_host(*op, v[*a], v[*b]),
            Stmt::If(cc, a, b, t, e) => {
                if cc_host(*cc, v[*a], v[*b]) {
                    run_host(t, v)
                } else {
                    run_host(e, v)
                }
            }
            Stmt::Loop(n, body) => {
                for _ in 0..*n {
                    run_host(body, v);
                }
            }
        }
    }
}

fn emit(b: &mut FunctionBuilder, stmts: &[Stmt], vars: &[Variable]) {
    for s in stmts {
        match s {
            Stmt::Assign(d, op, a, c) => {
                let (x, y) = (b.use_var(vars[*a]), b.use_var(vars[*c]));
                let r = match op {
                    0 => b.ins().iadd(x, y),
                    1 => {
                        let t = b.ins().isub(x, y);
                        b.ins().bxor_imm_s(t, 0x1234)
                    }
                    2 => {
                        let o = b.ins().bor_imm_s(y, 1);
                        b.ins().imul(x, o)
                    }
                    3 => {
                        let t = b.ins().sshr_imm_s(y, 3);
                        b.ins().bxor(x, t)
                    }
                    4 => {
                        let m = b.ins().smax(x, y);
                        b.ins().iadd_imm_s(m, 7)
                    }
                    _ => {
                        let k = b.ins().band_imm_s(y, 7);
                        let t = b.ins().ishl(x, k);
                        b.ins().iadd_imm_s(t, 1)
                    }
                };
                b.def_var(vars[*d], r);
            }
            Stmt::If(cc, a, c, t, e) => {
                let (x, y) = (b.use_var(vars[*a]), b.use_var(vars[*c]));
                let cond = [
                    IntCC::SignedLessThan,
                    IntCC::UnsignedLessThanOrEqual,
                    IntCC::Equal,
                    IntCC::NotEqual,
                ][*cc];
                let c = b.ins().icmp(cond, x, y);
                let (tb, eb, join) = (b.create_block(), b.create_block(), b.create_block());
                b.ins().brif(c, tb, &[], eb, &[]);
                b.switch_to_block(tb);
                emit(b, t, vars);
                b.ins().jump(join, &[]);
                b.switch_to_block(eb);
                emit(b, e, vars);
                b.ins().jump(join, &[]);
                b.switch_to_block(join);
            }
            Stmt::Loop(n, body) => {
                let i = b.declare_var(I32);
                let zero = b.ins().iconst(I32, 0);
                b.def_var(i, zero);
                let (head, exit) = (b.create_block(), b.create_block());
                b.ins().jump(head, &[]);
                b.switch_to_block(head);
                emit(b, body, vars);
                let iv = b.use_var(i);
                let i2 = b.ins().iadd_imm_s(iv, 1);
                b.def_var(i, i2);
                let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, *n as i64);
                b.ins().brif(more, head, &[], exit, &[]);
                b.switch_to_block(exit);
            }
        }
    }
}

/// Returns whether the hardware-loop build used a hardware loop.
fn check_seed(seed: u64) -> bool {
    let mut rng = Rng(seed);
    let len = 3 + rng.below(5);
    let prog = gen(&mut rng, 0, len);
    let params: [i32; 2] = [rng.next() as i32, (rng.next() % 1000) as i32];
    let mut v = [params[0], params[1], 1, 2, 3, -4];
    run_host(&prog, &mut v);
    let want = v.iter().fold(0i32, |acc, &x| acc.rotate_left(3) ^ x);
    let prog2 = prog.clone();
    let f = build("cf", &[I32, I32], &[I32], move |b, a| {
        let vars: Vec<Variable> = (0..VARS).map(|_| b.declare_var(I32)).collect();
        b.def_var(vars[0], a[0]);
        b.def_var(vars[1], a[1]);
        for (k, init) in [(2, 1), (3, 2), (4, 3), (5, -4)] {
            let c = b.ins().iconst(I32, init);
            b.def_var(vars[k], c);
        }
        emit(b, &prog2, &vars);
        let mut acc = b.ins().iconst(I32, 0);
        for &var in &vars {
            let x = b.use_var(var);
            let r = b.ins().rotl_imm_s(acc, 3);
            acc = b.ins().bxor(r, x);
        }
        b.ins().return_(&[acc]);
    });
    let main = build("main", &[], &[I32], move |b, _| {
        let callee = import(b, "cf", &[I32, I32], &[I32]);
        let args: Vec<_> = params
            .iter()
            .map(|&p| b.ins().iconst(I32, p as i64))
            .collect();
        let c = b.ins().call(callee, &args);
        let r = b.inst_results(c)[0];
        b.ins().return_(&[r]);
    });
    let mut used_hw_loop = false;
    for flags in [
        epyc_epiphany::Flags::default(),
        epyc_epiphany::Flags {
            no_schedule: true,
            ..Default::default()
        },
        epyc_epiphany::Flags {
            hw_loops: true,
            ..Default::default()
        },
    ] {
        let p = link(vec![main.clone(), f.clone()], "main", &flags);
        if flags.hw_loops {
            used_hw_loop = p
                .compiled
                .iter()
                .any(|(_, cf)| epyc_epiphany::disassemble(cf).contains("movts lc"));
        }
        let got = run(&p).exit;
        assert_eq!(
            got, want,
            "seed {seed} {flags:?}: {prog:?} params {params:?}"
        );
    }
    used_hw_loop
}

#[test]
fn random_control_flow_programs_match_the_host() {
    let mut with_hw_loops = 0;
    for seed in 1..=100u64 {
        with_hw_loops += check_seed(seed.wrapping_mul(0xA076_1D64_78BD_642F) | 1) as u32;
    }
    // The hardware-loop conversion really happened in some of them.
    assert!(
        with_hw_loops > 5,
        "only {with_hw_loops} programs used hardware loops"
    );
    eprintln!("{with_hw_loops} of 100 programs used hardware loops");
}
