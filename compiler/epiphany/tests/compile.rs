//! Compile-only checks: the emitted code decodes back through the ISA crate, unsupported input
//! gives a clear error, source locations are recorded, and narrow types / jump tables / traps run.

mod common;
use common::*;
use cranelift_codegen::ir::{types, InstBuilder, JumpTableData, SourceLoc};
use epyc_epiphany::{compile_function, disassemble, Flags};

fn sample_functions() -> Vec<cranelift_codegen::ir::Function> {
    let mut v = Vec::new();
    for name in ["___mulsi3", "___udivsi3", "___divsi3", "___epyc_smulhi"] {
        v.push(runtime_routine(name).unwrap());
    }
    v.push(build("mix", &[I32, F32], &[F32], |b, a| {
        let f = b.ins().fcvt_from_sint(F32, a[0]);
        let s = b.ins().fmul(f, a[1]);
        let c = b.ins().fcmp(FloatCC::LessThan, s, a[1]);
        let t = b.ins().fsub(s, a[1]);
        let r = b.ins().select(c, s, t);
        b.ins().return_(&[r]);
    }));
    v
}

#[test]
fn emitted_code_round_trips_through_the_decoder() {
    for f in sample_functions() {
        let cf = compile_function(&optimize(f.clone()), &Flags::default()).unwrap();
        assert!(!cf.code.is_empty());
        check_round_trip(&cf);
        let text = disassemble(&cf);
        assert!(!text.contains("*unknown*"), "{}:\n{text}", f.name);
    }
}

#[test]
fn unsupported_types_give_a_clear_error() {
    let f = build("wide", &[types::I64], &[types::I64], |b, a| {
        let r = b.ins().iadd(a[0], a[0]);
        b.ins().return_(&[r]);
    });
    let err = compile_function(&optimize(f), &Flags::default()).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("unsupported") && msg.contains("i64"), "{msg}");
}

#[test]
fn source_locations_map_to_code_offsets() {
    let f = build("locs", &[I32, I32], &[I32], |b, a| {
        b.set_srcloc(SourceLoc::new(10));
        let x = b.ins().iadd(a[0], a[1]);
        b.set_srcloc(SourceLoc::new(20));
        let y = b.ins().bxor(x, a[0]);
        b.set_srcloc(SourceLoc::new(30));
        b.ins().return_(&[y]);
    });
    let cf = compile_function(&f, &Flags::default()).unwrap();
    let lines: Vec<u32> = cf.srclocs.iter().map(|(_, l)| l.bits()).collect();
    assert!(
        lines.contains(&10) && lines.contains(&20) && lines.contains(&30),
        "{:?}",
        cf.srclocs
    );
    let offsets: Vec<u32> = cf.srclocs.iter().map(|(o, _)| *o).collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{:?}", cf.srclocs);
    assert!(offsets.iter().all(|&o| (o as usize) < cf.code.len()));
}

#[test]
fn narrow_integer_types_and_jump_tables_run() {
    // i8 arithmetic with wrap-around, signed compare of i8, and a br_table on x % 4.
    let f = build("narrow", &[I32], &[I32], |b, a| {
        let x8 = b.ins().ireduce(types::I8, a[0]);
        let y8 = b.ins().iadd_imm_s(x8, 100); // wraps in 8 bits
        let neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, y8, 0);
        let ext = b.ins().sextend(I32, y8);
        let negv = b.ins().uextend(I32, neg);
        let k = b.ins().band_imm_s(a[0], 3);
        let blocks: Vec<_> = (0..4).map(|_| b.create_block()).collect();
        let default = b.create_block();
        let join = b.create_block();
        b.append_block_param(join, I32);
        let pool = &mut b.func.dfg.value_lists;
        let calls: Vec<_> = blocks
            .iter()
            .map(|&bl| cranelift_codegen::ir::BlockCall::new(bl, [], pool))
            .collect();
        let dcall = cranelift_codegen::ir::BlockCall::new(default, [], pool);
        let jt = b.create_jump_table(JumpTableData::new(dcall, &calls));
        b.ins().br_table(k, jt);
        for (i, &bl) in blocks.iter().enumerate() {
            b.switch_to_block(bl);
            let c = b.ins().iconst(I32, (i as i64 + 1) * 1000);
            b.ins().jump(join, &[c.into()]);
        }
        b.switch_to_block(default);
        let c = b.ins().iconst(I32, 0);
        b.ins().jump(join, &[c.into()]);
        b.switch_to_block(join);
        let base = b.block_params(join)[0];
        let r = b.ins().iadd(base, ext);
        let n = b.ins().ishl_imm_s(negv, 16);
        let r = b.ins().bor(r, n);
        b.ins().return_(&[r]);
    });
    for x in [0i32, 1, 27, 30, 155, -3] {
        let y8 = (x as i8).wrapping_add(100);
        let want = (((x & 3) + 1) * 1000 + y8 as i32) | (((y8 < 0) as i32) << 16);
        let main = build("main", &[], &[I32], move |b, _| {
            let callee = import(b, "narrow", &[I32], &[I32]);
            let v = b.ins().iconst(I32, x as i64);
            let c = b.ins().call(callee, &[v]);
            let r = b.inst_results(c)[0];
            b.ins().return_(&[r]);
        });
        assert_eq!(run_main(vec![main, f.clone()]), want, "narrow({x})");
    }
}

#[test]
fn large_functions_compile_quickly() {
    // 4000 dependent and independent integer operations in one block.
    let f = build("big", &[I32, I32], &[I32], |b, a| {
        let mut vals = vec![a[0], a[1]];
        for k in 0..4000usize {
            let x = vals[k % vals.len()];
            let y = vals[(k * 7 + 3) % vals.len()];
            let v = if k % 3 == 0 {
                b.ins().iadd(x, y)
            } else {
                b.ins().bxor(x, y)
            };
            vals.push(v);
        }
        let mut acc = vals[0];
        for &v in vals.iter().rev().take(64) {
            acc = b.ins().iadd(acc, v);
        }
        b.ins().return_(&[acc]);
    });
    let f = optimize(f);
    let start = std::time::Instant::now();
    let cf = compile_function(&f, &Flags::default()).unwrap();
    let took = start.elapsed();
    eprintln!("{} bytes of code in {took:?}", cf.code.len());
    check_round_trip(&cf);
    // Generous even for an unoptimised build on a loaded machine.
    assert!(took.as_secs_f64() < 20.0, "compiling took {took:?}");
}
