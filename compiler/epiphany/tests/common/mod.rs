//! Test support: build CLIF with cranelift-frontend (i32 pointers), optimise it with the
//! Cranelift mid-end as the front end will, compile it with our backend, link functions and the
//! runtime routines the code needs into an image with a minimal start-up, and run it on the
//! simulator.
#![allow(dead_code)]

mod elf;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{
    types, AbiParam, ExtFuncData, ExternalName, FuncRef, Function, InstBuilder, Signature,
    UserFuncName, Value,
};
use cranelift_codegen::isa::{self, CallConv, TargetFrontendConfig};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use epiphany_isa::{encode, Inst, Op};
use epyc_epiphany::{
    compile_function, link::apply_reloc, CompiledFunction, Flags, RelocKind, RelocTarget,
};
use std::collections::{BTreeMap, HashMap};

#[allow(unused_imports)]
pub use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
#[allow(unused_imports)]
pub use cranelift_codegen::ir::types::{F32, I32};

pub fn sig(params: &[types::Type], rets: &[types::Type]) -> Signature {
    let mut s = Signature::new(CallConv::SystemV);
    s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    s.returns.extend(rets.iter().map(|&t| AbiParam::new(t)));
    s
}

/// Build a function named `name` with the given signature; `body` gets the builder and the
/// entry block's parameters, with the entry block current (and sealed later by us).
pub fn build(
    name: &str,
    params: &[types::Type],
    rets: &[types::Type],
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) -> Function {
    let mut func = Function::with_name_signature(UserFuncName::testcase(name), sig(params, rets));
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let args = b.block_params(entry).to_vec();
        body(&mut b, &args);
        b.seal_all_blocks();
        b.finalize(TargetFrontendConfig {
            default_call_conv: CallConv::SystemV,
            pointer_width: target_lexicon::PointerWidth::U32,
            page_size_align_log2: 12,
        });
    }
    func
}

/// Import function `name` with the given signature for calls.
pub fn import(
    b: &mut FunctionBuilder,
    name: &str,
    params: &[types::Type],
    rets: &[types::Type],
) -> FuncRef {
    let signature = b.import_signature(sig(params, rets));
    b.import_function(ExtFuncData {
        name: ExternalName::testcase(name),
        signature,
        colocated: true,
        patchable: false,
    })
}

/// The Cranelift mid-end, as the front end runs it (pulley32 only gives it i32 pointers).
pub fn optimize(func: Function) -> Function {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").unwrap();
    let isa = isa::lookup_by_name("pulley32")
        .unwrap()
        .finish(settings::Flags::new(flags))
        .unwrap();
    let mut ctx = Context::for_function(func);
    ctx.optimize(&*isa, &mut ControlPlane::default()).unwrap();
    ctx.func
}

fn symbol_of(t: &RelocTarget) -> String {
    match t {
        RelocTarget::Symbol(s) => s.clone(),
        RelocTarget::Func(ExternalName::TestCase(n)) => {
            n.to_string().trim_start_matches('%').to_string()
        }
        RelocTarget::Func(other) => panic!("test functions use testcase names, not {other:?}"),
    }
}

pub const CODE_START: u32 = 0x100;
pub const STACK_TOP: u32 = 0x7ff0;

/// A linked program: memory image from address 0, symbol addresses, compiled functions.
pub struct Program {
    pub image: Vec<u8>,
    pub symbols: BTreeMap<String, u32>,
    pub compiled: Vec<(String, CompiledFunction)>,
}

fn put(code: &mut Vec<u8>, i: Inst) {
    let w = encode(&i).unwrap();
    code.extend_from_slice(&w.to_le_bytes()[..i.size as usize]);
}

/// Link `funcs` (each optimised and compiled) plus the runtime routines they call, behind a
/// start-up that sets sp, calls `entry` and exits with its result (`trap 3`).
pub fn link(funcs: Vec<Function>, entry: &str, flags: &Flags) -> Program {
    link_with_data(funcs, entry, flags, &[])
}

/// `link`, plus data words placed after the code under the given symbols.
pub fn link_with_data(
    funcs: Vec<Function>,
    entry: &str,
    flags: &Flags,
    data: &[(&str, u32)],
) -> Program {
    let mut all: Vec<(String, Function)> = funcs
        .into_iter()
        .map(|f| (f.name.to_string().trim_start_matches('%').to_string(), f))
        .collect();
    // Add the runtime routines referenced (they may reference others).
    let mut compiled: Vec<(String, CompiledFunction)> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let (name, f) = all[i].clone();
        let cf = compile_function(&optimize(f.clone()), flags)
            .unwrap_or_else(|e| panic!("compiling {name}: {e:#}"));
        for r in &cf.relocs {
            let s = symbol_of(&r.target);
            if !all.iter().any(|(n, _)| *n == s) && !data.iter().any(|(n, _)| *n == s) {
                let routine = crate::common::runtime_routine(&s)
                    .unwrap_or_else(|| panic!("undefined symbol {s}"));
                all.push((s, routine));
            }
        }
        compiled.push((name.clone(), cf));
        i += 1;
    }
    // Start-up at 0x100: reset vector at 0 branches there.
    let mut image = Vec::new();
    put(
        &mut image,
        Inst {
            imm: CODE_START as i32,
            ..Inst::new(Op::B(epiphany_isa::Cond::Al), 4)
        },
    );
    image.resize(CODE_START as usize, 0);
    put(
        &mut image,
        Inst {
            rd: 13,
            imm: STACK_TOP as i32,
            ..Inst::new(Op::MovImm, 4)
        },
    );
    let call_at = image.len() as u32;
    put(&mut image, Inst::new(Op::Bl, 4));
    put(
        &mut image,
        Inst {
            imm: 3,
            ..Inst::new(Op::Trap, 2)
        },
    );
    while image.len() % 4 != 0 {
        image.push(0);
    }
    let mut symbols = BTreeMap::new();
    let mut placed = Vec::new();
    for (name, cf) in &compiled {
        let at = image.len() as u32;
        symbols.insert(name.clone(), at);
        image.extend_from_slice(&cf.code);
        placed.push(at);
    }
    for &(name, value) in data {
        symbols.insert(name.to_string(), image.len() as u32);
        image.extend_from_slice(&value.to_le_bytes());
    }
    apply_reloc(
        &mut image,
        call_at,
        RelocKind::Simm24,
        symbols[entry],
        call_at,
    )
    .unwrap();
    for ((_, cf), at) in compiled.iter().zip(placed) {
        for r in &cf.relocs {
            let target = symbols[&symbol_of(&r.target)];
            let place = at + r.offset;
            let value = (target as i64 + r.addend as i64) as u32;
            apply_reloc(&mut image, place, r.kind, value, place).unwrap();
        }
    }
    assert!(
        image.len() < STACK_TOP as usize - 0x1000,
        "program too large"
    );
    Program {
        image,
        symbols,
        compiled,
    }
}

pub struct Outcome {
    pub exit: i32,
    pub cycles: u64,
    pub output: Vec<u8>,
}

/// Write a linked program as an ELF and run it on one simulated core.
pub fn run(p: &Program) -> Outcome {
    let mut sim = epiphany_sim::Simulator::new(epiphany_sim::Config {
        rows: 1,
        cols: 1,
        max_cycles: Some(200_000_000),
        ..Default::default()
    })
    .unwrap();
    sim.load_elf(&elf::write_elf(&p.image, &p.symbols)).unwrap();
    let r = sim.run();
    if let Some(f) = &r.fault {
        let dump: String = p
            .compiled
            .iter()
            .map(|(n, cf)| {
                format!(
                    "{n} @ {:#x}:\n{}",
                    p.symbols[n],
                    epyc_epiphany::disassemble(cf)
                )
            })
            .collect();
        panic!("simulator fault: {f:?}\n{dump}");
    }
    let core = &r.cores[0];
    Outcome {
        exit: core.exit_code.expect("core did not exit"),
        cycles: core.cycles,
        output: r.output.clone(),
    }
}

/// Compile, link and run; returns main's result.
pub fn run_main(funcs: Vec<Function>) -> i32 {
    run(&link(funcs, "main", &Flags::default())).exit
}

/// Compile with `flags`, link and run; returns main's result and the cycle count.
pub fn run_main_with(funcs: Vec<Function>, flags: &Flags) -> (i32, u64) {
    let out = run(&link(funcs, "main", flags));
    (out.exit, out.cycles)
}

// ---- runtime routines written in CLIF (no multiply or divide instructions needed) ----------

/// CLIF source of the runtime routine `symbol`, if we have one.
pub fn runtime_routine(symbol: &str) -> Option<Function> {
    Some(match symbol {
        "___mulsi3" => build(symbol, &[I32, I32], &[I32], |b, a| {
            // shift-and-add: while b != 0 { if b & 1 { r += a }; a <<= 1; b >>= 1 }
            let head = b.create_block();
            let body = b.create_block();
            let exit = b.create_block();
            b.append_block_param(head, I32);
            b.append_block_param(head, I32);
            b.append_block_param(head, I32);
            b.append_block_param(exit, I32);
            let zero = b.ins().iconst(I32, 0);
            b.ins().jump(head, &[a[0].into(), a[1].into(), zero.into()]);
            b.switch_to_block(head);
            let p = b.block_params(head).to_vec();
            b.ins().brif(p[1], body, &[], exit, &[p[2].into()]);
            b.switch_to_block(body);
            let bit = b.ins().band_imm_s(p[1], 1);
            let sum = b.ins().iadd(p[2], p[0]);
            let r = b.ins().select(bit, sum, p[2]);
            let a2 = b.ins().ishl_imm_s(p[0], 1);
            let b2 = b.ins().ushr_imm_s(p[1], 1);
            b.ins().jump(head, &[a2.into(), b2.into(), r.into()]);
            b.switch_to_block(exit);
            let r = b.block_params(exit)[0];
            b.ins().return_(&[r]);
        }),
        "___udivsi3" | "___umodsi3" => {
            let want_rem = symbol == "___umodsi3";
            build(symbol, &[I32, I32], &[I32], |b, a| {
                udivmod(b, a[0], a[1], want_rem)
            })
        }
        "___divsi3" | "___modsi3" => {
            let want_rem = symbol == "___modsi3";
            build(symbol, &[I32, I32], &[I32], |b, a| {
                // |n| / |d| unsigned, then fix the sign (quotient: sign n^d; remainder: sign n)
                let udiv = import(
                    b,
                    if want_rem { "___umodsi3" } else { "___udivsi3" },
                    &[I32, I32],
                    &[I32],
                );
                let (n, d) = (a[0], a[1]);
                let an = b.ins().iabs(n);
                let ad = b.ins().iabs(d);
                let call = b.ins().call(udiv, &[an, ad]);
                let q = b.inst_results(call)[0];
                let s = if want_rem { n } else { b.ins().bxor(n, d) };
                let neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, s, 0);
                let nq = b.ins().ineg(q);
                let r = b.ins().select(neg, nq, q);
                b.ins().return_(&[r]);
            })
        }
        // Stands in for the runtime's report: exit status 77.
        "___epyc_stack_overflow" => build(symbol, &[], &[I32], |b, _| {
            let r = b.ins().iconst(I32, 77);
            b.ins().return_(&[r]);
        }),
        "___epyc_umulhi" => build(symbol, &[I32, I32], &[I32], |b, a| {
            let r = umulhi(b, a[0], a[1]);
            b.ins().return_(&[r]);
        }),
        "___epyc_smulhi" => build(symbol, &[I32, I32], &[I32], |b, a| {
            // signed high = unsigned high - (a < 0 ? b : 0) - (b < 0 ? a : 0)
            let u = umulhi(b, a[0], a[1]);
            let zero = b.ins().iconst(I32, 0);
            let an = b.ins().icmp_imm_s(IntCC::SignedLessThan, a[0], 0);
            let bn = b.ins().icmp_imm_s(IntCC::SignedLessThan, a[1], 0);
            let fa = b.ins().select(an, a[1], zero);
            let fb = b.ins().select(bn, a[0], zero);
            let r = b.ins().isub(u, fa);
            let r = b.ins().isub(r, fb);
            b.ins().return_(&[r]);
        }),
        _ => return None,
    })
}

/// High word of the unsigned 64-bit product from four 16x16 products (imul = ___mulsi3).
fn umulhi(b: &mut FunctionBuilder, x: Value, y: Value) -> Value {
    let xl = b.ins().band_imm_s(x, 0xffff);
    let xh = b.ins().ushr_imm_s(x, 16);
    let yl = b.ins().band_imm_s(y, 0xffff);
    let yh = b.ins().ushr_imm_s(y, 16);
    let ll = b.ins().imul(xl, yl);
    let lh = b.ins().imul(xl, yh);
    let hl = b.ins().imul(xh, yl);
    let hh = b.ins().imul(xh, yh);
    let ll_h = b.ins().ushr_imm_s(ll, 16);
    let lh_l = b.ins().band_imm_s(lh, 0xffff);
    let hl_l = b.ins().band_imm_s(hl, 0xffff);
    let mid = b.ins().iadd(ll_h, lh_l);
    let mid = b.ins().iadd(mid, hl_l);
    let lh_h = b.ins().ushr_imm_s(lh, 16);
    let hl_h = b.ins().ushr_imm_s(hl, 16);
    let mid_h = b.ins().ushr_imm_s(mid, 16);
    let r = b.ins().iadd(hh, lh_h);
    let r = b.ins().iadd(r, hl_h);
    b.ins().iadd(r, mid_h)
}

/// Restoring division, 32 steps, for unsigned n / d (d != 0).
fn udivmod(b: &mut FunctionBuilder, n: Value, d: Value, want_rem: bool) {
    let head = b.create_block();
    let exit = b.create_block();
    for _ in 0..4 {
        b.append_block_param(head, I32); // i, n, q, r
    }
    b.append_block_param(exit, I32);
    b.append_block_param(exit, I32);
    let zero = b.ins().iconst(I32, 0);
    let n32 = b.ins().iconst(I32, 32);
    b.ins()
        .jump(head, &[n32.into(), n.into(), zero.into(), zero.into()]);
    b.switch_to_block(head);
    let p = b.block_params(head).to_vec();
    let (i, n, q, r) = (p[0], p[1], p[2], p[3]);
    // r = r << 1 | n >> 31; n <<= 1; q <<= 1; if r >= d { r -= d; q |= 1 }
    let top = b.ins().ushr_imm_s(n, 31);
    let r1 = b.ins().ishl_imm_s(r, 1);
    let r1 = b.ins().bor(r1, top);
    let n1 = b.ins().ishl_imm_s(n, 1);
    let q1 = b.ins().ishl_imm_s(q, 1);
    let ge = b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, r1, d);
    let rs = b.ins().isub(r1, d);
    let r2 = b.ins().select(ge, rs, r1);
    let q1b = b.ins().bor_imm_s(q1, 1);
    let q2 = b.ins().select(ge, q1b, q1);
    let i1 = b.ins().iadd_imm_s(i, -1);
    b.ins().brif(
        i1,
        head,
        &[i1.into(), n1.into(), q2.into(), r2.into()],
        exit,
        &[q2.into(), r2.into()],
    );
    b.switch_to_block(exit);
    let res = b.block_params(exit)[if want_rem { 1 } else { 0 }];
    b.ins().return_(&[res]);
}

/// Every instruction of `cf` decodes (with the ISA crate's decoder) to an instruction that
/// re-encodes to the same word: the emitted code is well-formed.
pub fn check_round_trip(cf: &CompiledFunction) {
    let mut off = 0;
    while off < cf.code.len() {
        let mut w = [0u8; 4];
        let n = (cf.code.len() - off).min(4);
        w[..n].copy_from_slice(&cf.code[off..off + n]);
        let word = u32::from_le_bytes(w);
        let inst = epiphany_isa::decode(word)
            .unwrap_or_else(|| panic!("undecodable word {word:08x} at {off:#x}"));
        let again = encode(&inst).unwrap();
        let mask = if inst.size == 2 { 0xffff } else { u32::MAX };
        assert_eq!(
            again & mask,
            word & mask,
            "round trip at {off:#x}: {inst:?}"
        );
        off += inst.size as usize;
    }
}

/// Symbol name -> address map of a program, handy in failure messages.
pub fn symbols(p: &Program) -> HashMap<String, u32> {
    p.symbols.iter().map(|(k, v)| (k.clone(), *v)).collect()
}
