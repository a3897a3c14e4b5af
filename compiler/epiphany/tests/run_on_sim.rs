//! CLIF functions compiled by the backend, linked with a minimal start-up and run on the
//! simulator; each result is compared with the same computation done in Rust on the host.

mod common;
use common::*;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, StackSlotData, StackSlotKind};

/// main() = f(args...) for a function `f` of i32 arguments, so constants are not folded away.
fn call_with(f: cranelift_codegen::ir::Function, name: &str, args: &[i32]) -> i32 {
    let n = args.len();
    let args = args.to_vec();
    let name_s = name.to_string();
    let main = build("main", &[], &[I32], move |b, _| {
        let callee = import(b, &name_s, &vec![I32; n], &[I32]);
        let vals: Vec<_> = args
            .iter()
            .map(|&a| b.ins().iconst(I32, a as i64))
            .collect();
        let c = b.ins().call(callee, &vals);
        let r = b.inst_results(c)[0];
        b.ins().return_(&[r]);
    });
    run_main(vec![main, f])
}

#[test]
fn integer_arithmetic() {
    let f = build("arith", &[I32, I32, I32], &[I32], |b, a| {
        let (x, y, z) = (a[0], a[1], a[2]);
        let s = b.ins().iadd(x, y);
        let d = b.ins().isub(s, z);
        let e = b.ins().bxor(d, x);
        let o = b.ins().bor(e, y);
        let n = b.ins().band(o, z);
        let sh = b.ins().ishl_imm_s(n, 3);
        let u = b.ins().ushr(sh, y);
        let v = b.ins().sshr_imm_s(x, 2);
        let w = b.ins().iadd(u, v);
        let big = b.ins().iconst(I32, 0x12345678);
        let r = b.ins().isub(w, big);
        let neg = b.ins().ineg(r);
        let m = b.ins().iadd_imm_s(neg, 1000);
        b.ins().return_(&[m]);
    });
    for &(x, y, z) in &[(7i32, 3i32, 100i32), (-50, 5, 12345), (1 << 30, 1, -7)] {
        let s = x.wrapping_add(y);
        let d = s.wrapping_sub(z);
        let e = d ^ x;
        let o = e | y;
        let n = o & z;
        let sh = n.wrapping_shl(3);
        let u = (sh as u32).wrapping_shr(y as u32) as i32;
        let v = x >> 2;
        let w = u.wrapping_add(v);
        let r = w.wrapping_sub(0x12345678);
        let want = r.wrapping_neg().wrapping_add(1000);
        assert_eq!(
            call_with(f.clone(), "arith", &[x, y, z]),
            want,
            "arith({x},{y},{z})"
        );
    }
}

#[test]
fn compares_and_branches() {
    // Classify (x, y): 1 if x < y signed, 2 if x <u y only, 3 if equal, else 4; plus min/max mix.
    let f = build("cmp", &[I32, I32], &[I32], |b, a| {
        let (x, y) = (a[0], a[1]);
        let lt = b.create_block();
        let not_lt = b.create_block();
        let ltu = b.create_block();
        let rest = b.create_block();
        let eq = b.create_block();
        let other = b.create_block();
        let join = b.create_block();
        b.append_block_param(join, I32);
        let c = b.ins().icmp(IntCC::SignedLessThan, x, y);
        b.ins().brif(c, lt, &[], not_lt, &[]);
        b.switch_to_block(lt);
        let one = b.ins().iconst(I32, 1);
        b.ins().jump(join, &[one.into()]);
        b.switch_to_block(not_lt);
        let c = b.ins().icmp(IntCC::UnsignedLessThan, x, y);
        b.ins().brif(c, ltu, &[], rest, &[]);
        b.switch_to_block(ltu);
        let two = b.ins().iconst(I32, 2);
        b.ins().jump(join, &[two.into()]);
        b.switch_to_block(rest);
        let c = b.ins().icmp(IntCC::Equal, x, y);
        b.ins().brif(c, eq, &[], other, &[]);
        b.switch_to_block(eq);
        let three = b.ins().iconst(I32, 3);
        b.ins().jump(join, &[three.into()]);
        b.switch_to_block(other);
        let four = b.ins().iconst(I32, 4);
        b.ins().jump(join, &[four.into()]);
        b.switch_to_block(join);
        let k = b.block_params(join)[0];
        let mx = b.ins().smax(x, y);
        let mn = b.ins().umin(x, y);
        let ge = b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, x, 10);
        let gev = b.ins().uextend(I32, ge);
        let t = b.ins().ishl_imm_s(k, 8);
        let t = b.ins().bxor(t, mx);
        let t = b.ins().iadd(t, mn);
        let t = b.ins().ishl_imm_s(t, 1);
        let r = b.ins().bor(t, gev);
        b.ins().return_(&[r]);
    });
    for &(x, y) in &[(1i32, 2i32), (-1, 2), (2, -1), (5, 5), (20, 3), (-8, -9)] {
        let k = if x < y {
            1
        } else if (x as u32) < (y as u32) {
            2
        } else if x == y {
            3
        } else {
            4
        };
        let t = ((k << 8) ^ x.max(y)).wrapping_add((x as u32).min(y as u32) as i32);
        let want = (t << 1) | (x >= 10) as i32;
        assert_eq!(call_with(f.clone(), "cmp", &[x, y]), want, "cmp({x},{y})");
    }
}

#[test]
fn loop_sum_with_select() {
    // sum over i in 0..n of (i odd ? i*3 : i ^ 5), rotated loop
    let f = build("loop", &[I32], &[I32], |b, a| {
        let n = a[0];
        let body = b.create_block();
        let exit = b.create_block();
        b.append_block_param(body, I32);
        b.append_block_param(body, I32);
        b.append_block_param(exit, I32);
        let zero = b.ins().iconst(I32, 0);
        let c = b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 0);
        b.ins()
            .brif(c, body, &[zero.into(), zero.into()], exit, &[zero.into()]);
        b.switch_to_block(body);
        let i = b.block_params(body)[0];
        let s = b.block_params(body)[1];
        let odd = b.ins().band_imm_s(i, 1);
        let t3 = b.ins().imul_imm_s(i, 3);
        let x5 = b.ins().bxor_imm_s(i, 5);
        let v = b.ins().select(odd, t3, x5);
        let s2 = b.ins().iadd(s, v);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp(IntCC::SignedLessThan, i2, n);
        b.ins()
            .brif(more, body, &[i2.into(), s2.into()], exit, &[s2.into()]);
        b.switch_to_block(exit);
        let r = b.block_params(exit)[0];
        b.ins().return_(&[r]);
    });
    for n in [0, 1, 10, 100] {
        let want: i32 = (0..n).map(|i| if i & 1 == 1 { i * 3 } else { i ^ 5 }).sum();
        assert_eq!(call_with(f.clone(), "loop", &[n]), want, "loop({n})");
    }
}

#[test]
fn recursion_and_stack_arguments() {
    // fib(n) recursive; sum6(a..f) takes two arguments on the stack.
    let fib = build("fib", &[I32], &[I32], |b, a| {
        let n = a[0];
        let rec = b.create_block();
        let base = b.create_block();
        let me = import(b, "fib", &[I32], &[I32]);
        let c = b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 2);
        b.ins().brif(c, base, &[], rec, &[]);
        b.switch_to_block(base);
        b.ins().return_(&[n]);
        b.switch_to_block(rec);
        let n1 = b.ins().iadd_imm_s(n, -1);
        let n2 = b.ins().iadd_imm_s(n, -2);
        let c1 = b.ins().call(me, &[n1]);
        let r1 = b.inst_results(c1)[0];
        let c2 = b.ins().call(me, &[n2]);
        let r2 = b.inst_results(c2)[0];
        let r = b.ins().iadd(r1, r2);
        b.ins().return_(&[r]);
    });
    let sum6 = build("sum6", &[I32; 6], &[I32], |b, a| {
        let mut acc = a[0];
        for (k, &v) in a[1..].iter().enumerate() {
            let sh = b.ins().ishl_imm_s(v, (k + 1) as i64);
            acc = b.ins().bxor(acc, sh);
        }
        b.ins().return_(&[acc]);
    });
    let main = build("main", &[], &[I32], |b, _| {
        let f = import(b, "fib", &[I32], &[I32]);
        let s = import(b, "sum6", &[I32; 6], &[I32]);
        let fifteen = b.ins().iconst(I32, 15);
        let c = b.ins().call(f, &[fifteen]);
        let r = b.inst_results(c)[0];
        let args: Vec<_> = (1..=6).map(|k| b.ins().iconst(I32, k * 11)).collect();
        let c = b.ins().call(s, &args);
        let r2 = b.inst_results(c)[0];
        let sh = b.ins().ishl_imm_s(r2, 16);
        let out = b.ins().bor(r, sh);
        b.ins().return_(&[out]);
    });
    fn fib_host(n: i32) -> i32 {
        if n < 2 {
            n
        } else {
            fib_host(n - 1) + fib_host(n - 2)
        }
    }
    let mut s6 = 11;
    for k in 2..=6 {
        s6 ^= (k * 11) << (k - 1);
    }
    let want = fib_host(15) | (s6 << 16);
    assert_eq!(run_main(vec![main, fib, sum6]), want);
}

#[test]
fn memory_bytes_halves_words_on_the_stack() {
    // Fill a 64-byte stack array with bytes i*37, read back as signed bytes, halves and words.
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 64, 3));
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        for i in 0..64i64 {
            let v = b.ins().iconst(I32, (i * 37) & 0xff);
            b.ins().istore8(flags, v, base, i as i32);
        }
        let mut acc = b.ins().iconst(I32, 0);
        for i in 0..8 {
            let sb = b.ins().sload8(I32, flags, base, i * 7);
            let uh = b.ins().uload16(I32, flags, base, i * 6);
            let w = b.ins().load(I32, flags, base, i * 8);
            let t = b.ins().iadd(sb, uh);
            let t = b.ins().bxor(t, w);
            acc = b.ins().iadd(acc, t);
        }
        b.ins().return_(&[acc]);
    });
    let mem: Vec<u8> = (0..64).map(|i| ((i * 37) & 0xff) as u8).collect();
    let mut acc = 0i32;
    for i in 0..8usize {
        let sb = mem[i * 7] as i8 as i32;
        let uh = u16::from_le_bytes([mem[i * 6], mem[i * 6 + 1]]) as i32;
        let w = i32::from_le_bytes(mem[i * 8..i * 8 + 4].try_into().unwrap());
        acc = acc.wrapping_add(sb.wrapping_add(uh) ^ w);
    }
    assert_eq!(run_main(vec![main]), acc);
}

#[test]
fn division_and_remainder_through_runtime_routines() {
    let f = build("divs", &[I32, I32], &[I32], |b, a| {
        let q = b.ins().sdiv(a[0], a[1]);
        let r = b.ins().srem(a[0], a[1]);
        let uq = b.ins().udiv(a[0], a[1]);
        let ur = b.ins().urem(a[0], a[1]);
        let by7 = b.ins().udiv_imm_s(a[0], 7);
        let t = b.ins().imul_imm_s(q, 1000);
        let t = b.ins().iadd(t, r);
        let t = b.ins().bxor(t, uq);
        let t = b.ins().iadd(t, ur);
        let t = b.ins().iadd(t, by7);
        b.ins().return_(&[t]);
    });
    for &(x, y) in &[(100i32, 7i32), (-100, 7), (12345, -13), (-5, -3), (7, 100)] {
        let t = (x / y).wrapping_mul(1000).wrapping_add(x % y);
        let t = t ^ ((x as u32) / (y as u32)) as i32;
        let t = t.wrapping_add(((x as u32) % (y as u32)) as i32);
        let want = t.wrapping_add(((x as u32) / 7) as i32);
        assert_eq!(call_with(f.clone(), "divs", &[x, y]), want, "divs({x},{y})");
    }
}

#[test]
fn many_live_values_force_spills() {
    // 80 values each returned by a call, all live until combined in reverse after the last
    // call: far more than the 21 callee-saved registers that survive calls.
    const N: i64 = 80;
    let g = build("g", &[I32, I32], &[I32], |b, a| {
        let t = b.ins().imul_imm_s(a[0], 3);
        let r = b.ins().bxor(t, a[1]);
        b.ins().return_(&[r]);
    });
    let f = build("spill", &[I32, I32], &[I32], |b, a| {
        let callee = import(b, "g", &[I32, I32], &[I32]);
        let mut vals = Vec::new();
        for k in 0..N {
            let x = b.ins().iadd_imm_s(a[0], k * 3 + 1);
            let c = b.ins().call(callee, &[x, a[1]]);
            vals.push(b.inst_results(c)[0]);
        }
        let mut acc = b.ins().iconst(I32, 0);
        for (k, &v) in vals.iter().enumerate().rev() {
            let t = b.ins().ishl_imm_s(acc, 1);
            let t2 = b.ins().iadd_imm_s(v, k as i64);
            acc = b.ins().bxor(t, t2);
        }
        b.ins().return_(&[acc]);
    });
    let (a0, a1) = (12i32, 0x5a5a);
    let vals: Vec<i32> = (0..N as i32)
        .map(|k| a0.wrapping_add(k * 3 + 1).wrapping_mul(3) ^ a1)
        .collect();
    let mut acc: i32 = 0;
    for (k, &v) in vals.iter().enumerate().rev() {
        acc = (acc << 1) ^ v.wrapping_add(k as i32);
    }
    // The allocator really had to spill.
    let cf = epyc_epiphany::compile_function(&optimize(f.clone()), &Default::default()).unwrap();
    assert!(cf.spill_slots > 0, "{}", epyc_epiphany::disassemble(&cf));
    let main = build("main", &[], &[I32], move |b, _| {
        let callee = import(b, "spill", &[I32, I32], &[I32]);
        let x = b.ins().iconst(I32, a0 as i64);
        let y = b.ins().iconst(I32, a1 as i64);
        let c = b.ins().call(callee, &[x, y]);
        let r = b.inst_results(c)[0];
        b.ins().return_(&[r]);
    });
    assert_eq!(run_main(vec![main, f, g]), acc);
}

#[test]
fn floats_convert_compare_and_loop() {
    // s = sum over i in 0..n of (float(i) * 0.5 + 1.25); if s > 10.0 then s - 3.0 else s * 2.0;
    // returns fix(s * 4.0) (truncating).
    let f = build("fl", &[I32], &[I32], |b, a| {
        let n = a[0];
        let body = b.create_block();
        let exit = b.create_block();
        b.append_block_param(body, I32);
        b.append_block_param(body, F32);
        b.append_block_param(exit, F32);
        let zero = b.ins().iconst(I32, 0);
        let fz = b.ins().f32const(0.0);
        b.ins().jump(body, &[zero.into(), fz.into()]);
        b.switch_to_block(body);
        let i = b.block_params(body)[0];
        let s = b.block_params(body)[1];
        let fi = b.ins().fcvt_from_sint(F32, i);
        let half = b.ins().f32const(0.5);
        let m = b.ins().fmul(fi, half);
        let c = b.ins().f32const(1.25);
        let t = b.ins().fadd(m, c);
        let s2 = b.ins().fadd(s, t);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp(IntCC::SignedLessThan, i2, n);
        b.ins()
            .brif(more, body, &[i2.into(), s2.into()], exit, &[s2.into()]);
        b.switch_to_block(exit);
        let s = b.block_params(exit)[0];
        let ten = b.ins().f32const(10.0);
        let gt = b.ins().fcmp(FloatCC::GreaterThan, s, ten);
        let three = b.ins().f32const(3.0);
        let two = b.ins().f32const(2.0);
        let a1 = b.ins().fsub(s, three);
        let a2 = b.ins().fmul(s, two);
        let r = b.ins().select(gt, a1, a2);
        let neg = b.ins().fneg(r);
        let ab = b.ins().fabs(neg);
        let four = b.ins().f32const(4.0);
        let x4 = b.ins().fmul(ab, four);
        let out = b.ins().fcvt_to_sint(I32, x4);
        b.ins().return_(&[out]);
    });
    for n in [1, 3, 7, 50] {
        let mut s = 0f32;
        for i in 0..n {
            s += i as f32 * 0.5 + 1.25;
        }
        let r = if s > 10.0 { s - 3.0 } else { s * 2.0 };
        let want = (r.abs() * 4.0) as i32;
        assert_eq!(call_with(f.clone(), "fl", &[n]), want, "fl({n})");
    }
}

#[test]
fn float_loop_cycle_count() {
    // The figure for the report: a float dot-product-like loop over a 64-element stack array.
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 256, 3));
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        // init: a[i] = float(i)
        let init = b.create_block();
        let loop_ = b.create_block();
        let done = b.create_block();
        b.append_block_param(init, I32);
        b.append_block_param(loop_, I32);
        b.append_block_param(loop_, F32);
        b.append_block_param(done, F32);
        let zero = b.ins().iconst(I32, 0);
        b.ins().jump(init, &[zero.into()]);
        b.switch_to_block(init);
        let i = b.block_params(init)[0];
        let fi = b.ins().fcvt_from_sint(F32, i);
        let off = b.ins().ishl_imm_s(i, 2);
        let p = b.ins().iadd(base, off);
        b.ins().store(flags, fi, p, 0);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 64);
        let fz = b.ins().f32const(0.0);
        b.ins()
            .brif(more, init, &[i2.into()], loop_, &[zero.into(), fz.into()]);
        b.switch_to_block(loop_);
        let i = b.block_params(loop_)[0];
        let s = b.block_params(loop_)[1];
        let off = b.ins().ishl_imm_s(i, 2);
        let p = b.ins().iadd(base, off);
        let x = b.ins().load(F32, flags, p, 0);
        let k = b.ins().f32const(0.25);
        let m = b.ins().fmul(x, k);
        let s2 = b.ins().fadd(s, m);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 64);
        b.ins()
            .brif(more, loop_, &[i2.into(), s2.into()], done, &[s2.into()]);
        b.switch_to_block(done);
        let s = b.block_params(done)[0];
        let r = b.ins().fcvt_to_sint(I32, s);
        b.ins().return_(&[r]);
    });
    let want = (0..64).map(|i| i as f32 * 0.25).sum::<f32>() as i32;
    for (fast_math, no_schedule, hw_loops) in [
        (false, true, false),
        (false, false, false),
        (true, false, false),
        (false, false, true),
        (true, false, true),
    ] {
        let flags = epyc_epiphany::Flags {
            fast_math,
            no_schedule,
            hw_loops,
            ..Default::default()
        };
        let p = link(vec![main.clone()], "main", &flags);
        let out = run(&p);
        assert_eq!(out.exit, want);
        let code: usize = p.compiled.iter().map(|(_, c)| c.code.len()).sum();
        eprintln!(
            "float loop (64 iterations init + 64 multiply-add), {flags:?}: {} cycles, {} bytes of code\n{}",
            out.cycles,
            code,
            epyc_epiphany::disassemble(&p.compiled[0].1)
        );
    }
}

#[test]
fn large_frames_use_long_offsets() {
    // A 12 KB stack array pushes the saved registers and stack arguments beyond the 8 KB reach
    // of a word displacement; a call inside needs lr saved and restored from there.
    let id = build("id7", &[I32; 7], &[I32], |b, a| {
        let r = b.ins().isub(a[6], a[0]);
        b.ins().return_(&[r]);
    });
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 12000, 3));
        let callee = import(b, "id7", &[I32; 7], &[I32]);
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        let v = b.ins().iconst(I32, 4321);
        b.ins().store(flags, v, base, 11996);
        let w = b.ins().iconst(I32, 99);
        b.ins().store(flags, w, base, 0);
        let args: Vec<_> = (0..7).map(|k| b.ins().iconst(I32, k * 1000)).collect();
        let c = b.ins().call(callee, &args);
        let r = b.inst_results(c)[0];
        let x = b.ins().load(I32, flags, base, 11996);
        let y = b.ins().load(I32, flags, base, 0);
        let t = b.ins().iadd(r, x);
        let t = b.ins().iadd(t, y);
        b.ins().return_(&[t]);
    });
    assert_eq!(run_main(vec![main, id]), 6000 + 4321 + 99);
}

#[test]
fn unrolled_float_kernel_scheduling() {
    // Four independent multiply-add chains per iteration (an unrolled dot product over 64
    // floats): room for the scheduler to hide FPU latency and pair IALU with FPU instructions.
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 256, 3));
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        let init = b.create_block();
        let body = b.create_block();
        let done = b.create_block();
        b.append_block_param(init, I32);
        b.append_block_param(body, I32);
        for _ in 0..4 {
            b.append_block_param(body, F32);
        }
        b.append_block_param(done, F32);
        let zero = b.ins().iconst(I32, 0);
        b.ins().jump(init, &[zero.into()]);
        b.switch_to_block(init);
        let i = b.block_params(init)[0];
        let fi = b.ins().fcvt_from_sint(F32, i);
        let off = b.ins().ishl_imm_s(i, 2);
        let p = b.ins().iadd(base, off);
        b.ins().store(flags, fi, p, 0);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 64);
        let fz = b.ins().f32const(0.0);
        b.ins().brif(
            more,
            init,
            &[i2.into()],
            body,
            &[zero.into(), fz.into(), fz.into(), fz.into(), fz.into()],
        );
        b.switch_to_block(body);
        let ps = b.block_params(body).to_vec();
        let off = b.ins().ishl_imm_s(ps[0], 2);
        let p = b.ins().iadd(base, off);
        let k = b.ins().f32const(0.5);
        let mut next = vec![];
        for j in 0..4 {
            let x = b.ins().load(F32, flags, p, 4 * j as i32);
            let m = b.ins().fmul(x, k);
            next.push(b.ins().fadd(ps[1 + j], m));
        }
        let i2 = b.ins().iadd_imm_s(ps[0], 4);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 64);
        let mut args: Vec<cranelift_codegen::ir::BlockArg> = vec![i2.into()];
        args.extend(
            next.iter()
                .map(|&v| cranelift_codegen::ir::BlockArg::from(v)),
        );
        let s01 = b.ins().fadd(next[0], next[1]);
        let s23 = b.ins().fadd(next[2], next[3]);
        let s = b.ins().fadd(s01, s23);
        b.ins().brif(more, body, &args, done, &[s.into()]);
        b.switch_to_block(done);
        let s = b.block_params(done)[0];
        let r = b.ins().fcvt_to_sint(I32, s);
        b.ins().return_(&[r]);
    });
    let want = (0..64).map(|i| i as f32 * 0.5).sum::<f32>() as i32;
    let mut cycles = Vec::new();
    for no_schedule in [true, false] {
        let flags = epyc_epiphany::Flags {
            no_schedule,
            ..Default::default()
        };
        let p = link(vec![main.clone()], "main", &flags);
        let out = run(&p);
        assert_eq!(out.exit, want);
        eprintln!(
            "unrolled kernel, {flags:?}: {} cycles\n{}",
            out.cycles,
            epyc_epiphany::disassemble(&p.compiled[0].1)
        );
        cycles.push(out.cycles);
    }
    assert!(
        cycles[1] <= cycles[0],
        "scheduling made it slower: {cycles:?}"
    );
}

#[test]
fn hardware_loops_run_the_right_number_of_iterations() {
    // do-while over i in i0.. while i + 1 < n (signed and unsigned), counting iterations and
    // summing i; compared with the same loop on the host, with and without hardware loops.
    for unsigned in [false, true] {
        let cc = if unsigned {
            IntCC::UnsignedLessThan
        } else {
            IntCC::SignedLessThan
        };
        let f = build("hw", &[I32, I32], &[I32], move |b, a| {
            let body = b.create_block();
            let exit = b.create_block();
            b.append_block_param(body, I32);
            b.append_block_param(body, I32);
            b.append_block_param(exit, I32);
            let zero = b.ins().iconst(I32, 0);
            b.ins().jump(body, &[a[0].into(), zero.into()]);
            b.switch_to_block(body);
            let i = b.block_params(body)[0];
            let s = b.block_params(body)[1];
            let t = b.ins().imul_imm_s(i, 3);
            let s2 = b.ins().iadd(s, t);
            let s2 = b.ins().iadd_imm_s(s2, 1000);
            let i2 = b.ins().iadd_imm_s(i, 1);
            let more = b.ins().icmp(cc, i2, a[1]);
            b.ins()
                .brif(more, body, &[i2.into(), s2.into()], exit, &[s2.into()]);
            b.switch_to_block(exit);
            let r = b.block_params(exit)[0];
            b.ins().return_(&[r]);
        });
        for &(i0, n) in &[
            (0i32, 10i32),
            (3, 4),
            (5, 5),
            (7, 2),
            (-5, 3),
            (0, 1),
            (0, 0),
            (-2, -1),
        ] {
            let mut i = i0;
            let mut s: i32 = 0;
            let mut iterations = 0;
            loop {
                iterations += 1;
                s = s.wrapping_add(i.wrapping_mul(3)).wrapping_add(1000);
                i = i.wrapping_add(1);
                let more = if unsigned {
                    (i as u32) < (n as u32)
                } else {
                    i < n
                };
                if !more {
                    break;
                }
            }
            let mut results = Vec::new();
            for hw_loops in [false, true] {
                let main = build("main", &[], &[I32], move |b, _| {
                    let callee = import(b, "hw", &[I32, I32], &[I32]);
                    let x = b.ins().iconst(I32, i0 as i64);
                    let y = b.ins().iconst(I32, n as i64);
                    let c = b.ins().call(callee, &[x, y]);
                    let r = b.inst_results(c)[0];
                    b.ins().return_(&[r]);
                });
                let flags = epyc_epiphany::Flags {
                    hw_loops,
                    ..Default::default()
                };
                let p = link(vec![main, f.clone()], "main", &flags);
                if hw_loops {
                    let text = epyc_epiphany::disassemble(&p.compiled[1].1);
                    assert!(text.contains("movts lc"), "no hardware loop:\n{text}");
                }
                results.push(run(&p));
            }
            for out in &results {
                assert_eq!(out.exit, s, "i0={i0} n={n} unsigned={unsigned}");
            }
            if iterations > 5 {
                assert!(
                    results[1].cycles < results[0].cycles,
                    "i0={i0} n={n}: {} vs {}",
                    results[1].cycles,
                    results[0].cycles
                );
            }
        }
    }
}

#[test]
fn pointer_bumping_loops_use_post_modify() {
    // Fill halves through a bumped pointer, then sum them through another bumped pointer.
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 200, 3));
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        let fill = b.create_block();
        let sum = b.create_block();
        let done = b.create_block();
        b.append_block_param(fill, I32);
        b.append_block_param(fill, I32);
        b.append_block_param(sum, I32);
        b.append_block_param(sum, I32);
        b.append_block_param(sum, I32);
        b.append_block_param(done, I32);
        let zero = b.ins().iconst(I32, 0);
        b.ins().jump(fill, &[base.into(), zero.into()]);
        b.switch_to_block(fill);
        let (p, i) = (b.block_params(fill)[0], b.block_params(fill)[1]);
        let v = b.ins().imul_imm_s(i, 1000);
        b.ins().istore16(flags, v, p, 0);
        let p2 = b.ins().iadd_imm_s(p, 2);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 100);
        b.ins().brif(
            more,
            fill,
            &[p2.into(), i2.into()],
            sum,
            &[base.into(), zero.into(), zero.into()],
        );
        b.switch_to_block(sum);
        let (p, i, s) = (
            b.block_params(sum)[0],
            b.block_params(sum)[1],
            b.block_params(sum)[2],
        );
        let x = b.ins().sload16(I32, flags, p, 0);
        let s2 = b.ins().iadd(s, x);
        let p2 = b.ins().iadd_imm_s(p, 2);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let more = b.ins().icmp_imm_s(IntCC::SignedLessThan, i2, 100);
        b.ins().brif(
            more,
            sum,
            &[p2.into(), i2.into(), s2.into()],
            done,
            &[s2.into()],
        );
        b.switch_to_block(done);
        let r = b.block_params(done)[0];
        b.ins().return_(&[r]);
    });
    let want: i32 = (0..100).map(|i: i32| (i * 1000) as i16 as i32).sum();
    for hw_loops in [false, true] {
        let flags = epyc_epiphany::Flags {
            hw_loops,
            ..Default::default()
        };
        let p = link(vec![main.clone()], "main", &flags);
        let text = epyc_epiphany::disassemble(&p.compiled[0].1);
        assert!(
            text.contains("strh") && text.contains("ldrh") && text.contains("],+0x1"),
            "{text}"
        );
        let out = run(&p);
        assert_eq!(out.exit, want, "{flags:?}");
        eprintln!("pointer loops {flags:?}: {} cycles\n{text}", out.cycles);
    }
}

#[test]
fn stack_check_stops_runaway_recursion() {
    // depth(n) = n == 0 ? 0 : depth(n - 1) + 1 needs a frame per level (lr is saved).
    let depth = build("depth", &[I32], &[I32], |b, a| {
        let me = import(b, "depth", &[I32], &[I32]);
        let (rec, base) = (b.create_block(), b.create_block());
        b.ins().brif(a[0], rec, &[], base, &[]);
        b.switch_to_block(base);
        b.ins().return_(&[a[0]]);
        b.switch_to_block(rec);
        let n1 = b.ins().iadd_imm_s(a[0], -1);
        let c = b.ins().call(me, &[n1]);
        let r = b.inst_results(c)[0];
        let r = b.ins().iadd_imm_s(r, 1);
        b.ins().return_(&[r]);
    });
    let main_of = |n: i64| {
        build("main", &[], &[I32], move |b, _| {
            let f = import(b, "depth", &[I32], &[I32]);
            let x = b.ins().iconst(I32, n);
            let c = b.ins().call(f, &[x]);
            let r = b.inst_results(c)[0];
            b.ins().return_(&[r]);
        })
    };
    let flags = epyc_epiphany::Flags {
        stack_check: true,
        ..Default::default()
    };
    let limit = [(epyc_epiphany::runtime::STACK_LIMIT_SYMBOL, 0x6000u32)];
    // Shallow recursion fits in the 8 KB between the limit and the stack top...
    let p = link_with_data(vec![main_of(300), depth.clone()], "main", &flags, &limit);
    assert_eq!(run(&p).exit, 300);
    // ...deep recursion is stopped by the check, not by corrupting memory.
    let p = link_with_data(vec![main_of(100_000), depth], "main", &flags, &limit);
    assert_eq!(run(&p).exit, 77);
}

#[test]
fn loops_whose_back_edge_swaps_values() {
    // (a, b) <- (b, a + b) while i < n, with a value (m) live only after the loop: the back
    // edge needs register copies (placed before the loop header, some of them dead), and the
    // loop's branch sits where both branch directions are laid out.
    let f = build("fib", &[I32, I32], &[I32], |b, a| {
        let (n, m) = (a[0], a[1]);
        let head = b.create_block();
        let exit = b.create_block();
        for _ in 0..3 {
            b.append_block_param(head, I32);
        }
        b.append_block_param(exit, I32);
        let (zero, one) = (b.ins().iconst(I32, 0), b.ins().iconst(I32, 1));
        b.ins().jump(head, &[zero.into(), one.into(), zero.into()]);
        b.switch_to_block(head);
        let p = b.block_params(head).to_vec();
        let (x, y, i) = (p[0], p[1], p[2]);
        let s = b.ins().iadd(x, y);
        let i2 = b.ins().iadd_imm_s(i, 1);
        let c = b.ins().icmp(IntCC::SignedLessThan, i2, n);
        b.ins()
            .brif(c, head, &[y.into(), s.into(), i2.into()], exit, &[s.into()]);
        b.switch_to_block(exit);
        let r = b.block_params(exit)[0];
        let r = b.ins().imul(r, m);
        b.ins().return_(&[r]);
    });
    for (n, m) in [(1, 3), (2, 5), (10, 1), (30, 7), (-4, 2)] {
        let (mut x, mut y, mut i) = (0i32, 1i32, 0i32);
        let s = loop {
            let s = x.wrapping_add(y);
            i += 1;
            if i < n {
                (x, y) = (y, s);
            } else {
                break s;
            }
        };
        assert_eq!(
            call_with(f.clone(), "fib", &[n, m]),
            s.wrapping_mul(m),
            "fib({n},{m})"
        );
    }
}

#[test]
fn neighbouring_elements_share_one_address() {
    // a[k] = k * k + 3 (words); then for i in 1..=14: sum += a[i-1] ^ (a[i] * 3) + a[i+1] and
    // a[i] = sum, with the addresses written as the front end does (base + ((i - 1) << 2) +
    // 8 etc.), so the backend computes base + (i << 2) once and puts the rest into
    // displacements, for loads and the store alike.
    let main = build("main", &[], &[I32], |b, _| {
        let slot =
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 72, 3));
        let base = b.ins().stack_addr(I32, slot, 0);
        let flags = MemFlagsData::trusted();
        for k in 0..16i64 {
            let v = b.ins().iconst(I32, k * k + 3);
            b.ins().store(flags, v, base, 8 + 4 * k as i32);
        }
        let head = b.create_block();
        let exit = b.create_block();
        b.append_block_param(head, I32);
        b.append_block_param(head, I32);
        b.append_block_param(exit, I32);
        let (one, zero) = (b.ins().iconst(I32, 1), b.ins().iconst(I32, 0));
        b.ins().jump(head, &[one.into(), zero.into()]);
        b.switch_to_block(head);
        let (i, sum) = (b.block_params(head)[0], b.block_params(head)[1]);
        let elem = |b: &mut cranelift_frontend::FunctionBuilder, idx| {
            let two = b.ins().iconst(I32, 2);
            let scaled = b.ins().ishl(idx, two);
            let p = b.ins().iadd(base, scaled);
            b.ins().iadd_imm_s(p, 8)
        };
        let one = b.ins().iconst(I32, 1);
        let im1 = b.ins().isub(i, one);
        let ip1 = b.ins().iadd(i, one);
        let (pm, p0, pp) = (elem(b, im1), elem(b, i), elem(b, ip1));
        let x = b.ins().load(I32, flags, pm, 0);
        let y = b.ins().load(I32, flags, p0, 0);
        let z = b.ins().load(I32, flags, pp, 0);
        let y3 = b.ins().imul_imm_s(y, 3);
        let t = b.ins().bxor(x, y3);
        let t = b.ins().iadd(t, z);
        let sum2 = b.ins().iadd(sum, t);
        b.ins().store(flags, sum2, p0, 0);
        let c = b.ins().icmp_imm_s(IntCC::SignedLessThan, ip1, 15);
        b.ins()
            .brif(c, head, &[ip1.into(), sum2.into()], exit, &[sum2.into()]);
        b.switch_to_block(exit);
        let r = b.block_params(exit)[0];
        b.ins().return_(&[r]);
    });
    let mut a: Vec<i32> = (0..16).map(|k| k * k + 3).collect();
    let mut sum = 0i32;
    for i in 1..15 {
        let t = (a[i - 1] ^ a[i].wrapping_mul(3)).wrapping_add(a[i + 1]);
        sum = sum.wrapping_add(t);
        a[i] = sum;
    }
    assert_eq!(run_main(vec![main]), sum);
}
