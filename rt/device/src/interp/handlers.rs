//! One handler per opcode: reads its operands, works on the operand stack, jumps back to the
//! dispatch. Arithmetic and comparisons share one block ([`binop_block`]) that classifies the
//! operand tags once (int/bool, number, str) and branches to the operation.

use super::gen::*;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, Value};
use epyc_bytecode::format::{Op, Svc};
use epyc_rt_abi::{RtError, Tag};

/// Opcodes the device interpreter runs (the layout check refuses the others).
pub const OPCODES: &[u8] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14,
    15, // constants, variables, Pop, Dup, Rot3, Swap
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, // arithmetic, `**`, unary
    40, 41, 42, 43, 44, 45, 46, 47, // compare
    50, 51, 52, 53, 54, // jumps
    60, 61, 63, 64, // Call, CallValue, Return, ReturnNone
    70, 72, 73, 74, 80, 81, 82, // List, Index, StoreIndex, Len, Svc, Raise, RangeNext
    92, 93, // superinstructions (IndexRef, StoreIndexRef)
];

/// Services the device interpreter runs.
pub const SERVICES: &[Svc] = &[
    Svc::Print,
    Svc::Str,
    Svc::CoreId,
    Svc::NumCores,
    Svc::IsHost,
    Svc::IsDevice,
    Svc::Send,
    Svc::Recv,
    Svc::SendRecv,
    Svc::Bcast,
    Svc::Reduce,
    Svc::Sync,
    Svc::Math,
    Svc::Abs,
    Svc::Random,
    Svc::RandInt,
    Svc::Seed,
    Svc::Probe,
    Svc::Exit,
    Svc::Range,
    Svc::SendNonBlocking,
    Svc::TestSent,
    Svc::WaitSent,
    Svc::ArrayNew,
    Svc::RecvFunc,
    Svc::NDim,
    Svc::Dim,
    Svc::Min,
    Svc::Max,
    Svc::Int,
    Svc::Float,
];

const BIN_OPS: [Op; 12] = [
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::FloorDiv,
    Op::Mod,
    Op::Eq,
    Op::Ne,
    Op::Lt,
    Op::Le,
    Op::Gt,
    Op::Ge,
];

fn bin_index(code: u8) -> Option<usize> {
    BIN_OPS.iter().position(|o| o.code() == code)
}

/// The shared binary-operation block: parameter = index into `BIN_OPS`.
pub fn binop_block(g: &mut Gen, r: &View) -> ir::Block {
    let blk = g.b.create_block();
    g.b.append_block_param(blk, I32);
    g.b.switch_to_block(blk);
    let which = g.b.block_params(blk)[0];
    let (tb, pb) = r.pop(g);
    let (ta, pa) = r.pop(g);
    let ta_word = ta;
    let ta = tag_of(g, ta);
    let tb = tag_of(g, tb);
    let ia = intlike(g, ta);
    let ib = intlike(g, tb);
    let both_int = g.b.ins().band(ia, ib);
    let ints = g.b.create_block();
    let not_ints = g.b.create_block();
    g.b.ins().brif(both_int, ints, &[], not_ints, &[]);

    // Floats (an int operand converts; int / int also comes here).
    let floats = g.b.create_block();
    g.b.switch_to_block(not_ints);
    let na = number(g, ta);
    let nb = number(g, tb);
    let both_num = g.b.ins().band(na, nb);
    let others = g.b.create_block();
    g.b.ins().brif(both_num, floats, &[], others, &[]);

    // Ints.
    g.b.switch_to_block(ints);
    let int_blocks: Vec<ir::Block> = BIN_OPS.iter().map(|_| g.b.create_block()).collect();
    table(g, which, &int_blocks, int_blocks[0]);
    for (op, blk) in BIN_OPS.iter().zip(&int_blocks) {
        g.b.switch_to_block(*blk);
        match op {
            Op::Add | Op::Sub | Op::Mul => {
                let v = match op {
                    Op::Add => g.b.ins().iadd(pa, pb),
                    Op::Sub => g.b.ins().isub(pa, pb),
                    _ => g.b.ins().imul(pa, pb),
                };
                r.push_k_next(g, Tag::Int, v);
            }
            // int / int floor-divides (D-rule of the dialect, as in sema).
            Op::Div | Op::FloorDiv | Op::Mod => {
                let z = g.b.ins().icmp_imm_s(IntCC::Equal, pb, 0);
                r.fail_if(g, z, RtError::DivisionByZero);
                let q = g.b.ins().sdiv(pa, pb);
                let qb = g.b.ins().imul(q, pb);
                let rem = g.b.ins().isub(pa, qb);
                // Python rounds toward minus infinity: adjust when the remainder's sign
                // differs from the divisor's.
                let x = g.b.ins().bxor(rem, pb);
                let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                let nz = g.b.ins().icmp_imm_s(IntCC::NotEqual, rem, 0);
                let adj = g.b.ins().band(neg, nz);
                let v = if *op != Op::Mod {
                    let q1 = g.b.ins().iadd_imm_s(q, -1);
                    g.b.ins().select(adj, q1, q)
                } else {
                    let r1 = g.b.ins().iadd(rem, pb);
                    g.b.ins().select(adj, r1, rem)
                };
                r.push_k_next(g, Tag::Int, v);
            }
            _ => {
                let c = g.b.ins().icmp(int_cc(*op), pa, pb);
                let c = g.b.ins().uextend(I32, c);
                r.push_k_next(g, Tag::Bool, c);
            }
        }
    }

    g.b.switch_to_block(floats);
    let fa = as_float(g, ta, pa);
    let fb = as_float(g, tb, pb);
    let float_blocks: Vec<ir::Block> = BIN_OPS.iter().map(|_| g.b.create_block()).collect();
    table(g, which, &float_blocks, float_blocks[0]);
    for (op, blk) in BIN_OPS.iter().zip(&float_blocks) {
        g.b.switch_to_block(*blk);
        let zero_check = |g: &mut Gen| {
            let bits = float_bits(g, fb);
            let mag = g.b.ins().band_imm_s(bits, 0x7fff_ffff);
            let z = g.b.ins().icmp_imm_s(IntCC::Equal, mag, 0);
            r.fail_if(g, z, RtError::DivisionByZero);
        };
        let v = match op {
            Op::Add => g.b.ins().fadd(fa, fb),
            Op::Sub => g.b.ins().fsub(fa, fb),
            Op::Mul => g.b.ins().fmul(fa, fb),
            Op::Div => {
                zero_check(g);
                g.b.ins().fdiv(fa, fb)
            }
            Op::FloorDiv | Op::Mod => {
                zero_check(g);
                let q = g.b.ins().fdiv(fa, fb);
                let q = g.b.ins().floor(q);
                if *op == Op::FloorDiv {
                    q
                } else {
                    let qb = g.b.ins().fmul(q, fb);
                    g.b.ins().fsub(fa, qb)
                }
            }
            _ => {
                let c = g.b.ins().fcmp(float_cc(*op), fa, fb);
                let c = g.b.ins().uextend(I32, c);
                r.push_k_next(g, Tag::Bool, c);
                continue;
            }
        };
        let bits = float_bits(g, v);
        r.push_k_next(g, Tag::Float, bits);
    }

    // Strings: `+` with a str converts the other side; comparisons of two strs.
    g.b.switch_to_block(others);
    let sa = g.b.ins().icmp_imm_s(IntCC::Equal, ta, Tag::Str as i64);
    let sb = g.b.ins().icmp_imm_s(IntCC::Equal, tb, Tag::Str as i64);
    let any_str = g.b.ins().bor(sa, sb);
    let is_add = g.b.ins().icmp_imm_s(IntCC::Equal, which, 0);
    let concat = g.b.ins().band(any_str, is_add);
    let cat = g.b.create_block();
    let rest = g.b.create_block();
    g.b.ins().brif(concat, cat, &[], rest, &[]);
    g.b.switch_to_block(cat);
    let a = g
        .call(TO_STR_SYMBOL, &[ta, pa, r.m()], Some(I32))
        .expect("str");
    let bs = g
        .call(TO_STR_SYMBOL, &[tb, pb, r.m()], Some(I32))
        .expect("str");
    let s = g.call("epyc_str_concat", &[a, bs], Some(I32)).expect("str");
    r.push_k_next(g, Tag::Str, s);
    g.b.switch_to_block(rest);
    // list * int, of a list of values.
    let is_mul = g.b.ins().icmp_imm_s(IntCC::Equal, which, 2);
    let dyn_list =
        g.b.ins()
            .icmp_imm_s(IntCC::Equal, ta_word, (Tag::List as u32 | DYN << 8) as i64);
    let rep = g.b.ins().band(is_mul, dyn_list);
    let rep = g.b.ins().band(rep, ib);
    let rep_b = g.b.create_block();
    let rest = g.b.create_block();
    g.b.ins().brif(rep, rep_b, &[], rest, &[]);
    g.b.switch_to_block(rep_b);
    let pos = r.pos(g);
    let l = g
        .call(REPEAT_SYMBOL, &[pa, pb, pos], Some(I32))
        .expect("list");
    let lt = g.k((Tag::List as u32 | DYN << 8) as i64);
    r.push_next(g, lt, l);
    g.b.switch_to_block(rest);
    // str * int, by the runtime's repetition.
    let str_rep = g.b.ins().band(is_mul, sa);
    let str_rep = g.b.ins().band(str_rep, ib);
    let srep_b = g.b.create_block();
    let rest = g.b.create_block();
    g.b.ins().brif(str_rep, srep_b, &[], rest, &[]);
    g.b.switch_to_block(srep_b);
    let s = g
        .call("epyc_str_repeat", &[pa, pb], Some(I32))
        .expect("str");
    r.push_k_next(g, Tag::Str, s);
    g.b.switch_to_block(rest);
    let both_str = g.b.ins().band(sa, sb);
    let is_cmp =
        g.b.ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, which, 6);
    let str_cmp = g.b.ins().band(both_str, is_cmp);
    let scmp = g.b.create_block();
    let identity = g.b.create_block();
    g.b.ins().brif(str_cmp, scmp, &[], identity, &[]);
    g.b.switch_to_block(scmp);
    let c = g.call("epyc_str_cmp", &[pa, pb], Some(I32)).expect("cmp");
    // Reuse the int comparison blocks on (cmp, 0).
    let zero = g.k(0);
    let int_tag = g.k(Tag::Int as i64);
    r.push(g, int_tag, c);
    r.push(g, int_tag, zero);
    g.b.ins().jump(blk, &[which.into()]);
    // Eq/Ne of other kinds (none == none, list identity); anything else is a type error.
    g.b.switch_to_block(identity);
    let is_eq = g.b.ins().icmp_imm_s(IntCC::Equal, which, 6);
    let is_ne = g.b.ins().icmp_imm_s(IntCC::Equal, which, 7);
    let eqne = g.b.ins().bor(is_eq, is_ne);
    let not_eqne = g.b.ins().bnot(eqne);
    let not_eqne = g.b.ins().band_imm_s(not_eqne, 1);
    r.type_error_if(g, not_eqne);
    let same_tag = g.b.ins().icmp(IntCC::Equal, ta, tb);
    let same_pay = g.b.ins().icmp(IntCC::Equal, pa, pb);
    let is_none = g.b.ins().icmp_imm_s(IntCC::Equal, ta, Tag::None as i64);
    let same_pay = g.b.ins().bor(same_pay, is_none);
    let same = g.b.ins().band(same_tag, same_pay);
    let v = g.b.ins().bxor(same, is_ne);
    let v = g.b.ins().uextend(I32, v);
    r.push_k_next(g, Tag::Bool, v);
    blk
}

/// `JumpIfFalse`, `JumpIfTrue` (opcode 51, 52) and their `Keep` forms (53, 54), `code` the
/// opcode: one block for the four, so the truth test is emitted once.
pub fn cond_jump(g: &mut Gen, r: &View, code: Value) {
    let off = r.i16(g);
    let pc = r.pc(g);
    let target = g.b.ins().iadd(pc, off);
    let sp = r.sp(g);
    let t = g.ld(sp, -8);
    let p = g.ld(sp, -4);
    let tv = truth_of(g, t, p);
    // Odd opcodes jump when false, even ones when true.
    let when_false = g.b.ins().band_imm_s(code, 1);
    let taken_c = g.b.ins().icmp(IntCC::NotEqual, tv, when_false);
    let popped = g.b.ins().iadd_imm_s(sp, -8);
    let taken = g.b.create_block();
    let fall = g.b.create_block();
    g.b.ins().brif(taken_c, taken, &[], fall, &[]);
    g.b.switch_to_block(taken);
    // The Keep forms leave the value when they jump.
    let keep =
        g.b.ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, code, 53);
    let nsp = g.b.ins().select(keep, sp, popped);
    r.set_sp(g, nsp);
    r.set_pc(g, target);
    r.next(g);
    g.b.switch_to_block(fall);
    r.set_sp(g, popped);
    r.next(g);
}

/// `CallValue argc` [f args -> r]: the arguments stay where they are as the callee's frame
/// (no moving them down over `f`); the result is then moved into `f`'s slot. A number called
/// with no arguments is its own value (D33: `pi()` of a module constant).
fn call_value(g: &mut Gen, r: &View) {
    let argc = r.u8(g);
    let sp = r.sp(g);
    let ab = g.b.ins().ishl_imm_s(argc, 3);
    let args = g.b.ins().isub(sp, ab);
    let ft = g.ld(args, -8);
    let fi = g.ld(args, -4);
    let t = tag_of(g, ft);
    let num = number(g, t);
    let no_args = g.b.ins().icmp_imm_s(IntCC::Equal, argc, 0);
    let constant = g.b.ins().band(num, no_args);
    let call = g.b.create_block();
    g.b.ins().brif(constant, r.dispatch(), &[], call, &[]);
    g.b.switch_to_block(call);
    let not_func = g.b.ins().icmp_imm_s(IntCC::NotEqual, ft, Tag::Func as i64);
    r.type_error_if(g, not_func);
    let funcs = g.ld(r.m(), super::layout::H_FUNCS);
    let fo = g.b.ins().ishl_imm_s(fi, 4);
    let fent = g.b.ins().iadd(funcs, fo);
    let fent = g.b.ins().iadd(r.m(), fent);
    let shape = g.ld(fent, super::layout::F_SHAPE);
    let nparams = g.b.ins().band_imm_s(shape, 0xff);
    let wrong = g.b.ins().icmp(IntCC::NotEqual, nparams, argc);
    r.type_error_if(g, wrong);
    let (m, gl) = (r.m(), r.globals(g));
    g.call(CALL_SYMBOL, &[m, gl, fi, args], None);
    let rt = g.ld(args, 0);
    let rp = g.ld(args, 4);
    let fslot = g.b.ins().iadd_imm_s(args, -8);
    r.set_sp(g, fslot);
    r.push_next(g, rt, rp);
}

fn slot_addr(g: &mut Gen, base: Value, index: Value) -> Value {
    let o = g.b.ins().ishl_imm_s(index, 3);
    g.b.ins().iadd(base, o)
}

/// Emits the handler of opcode `code` in the current block.
pub fn handler(g: &mut Gen, r: &View, code: u8, binop: ir::Block) {
    if let Some(i) = bin_index(code) {
        let k = g.k(i as i64);
        g.b.ins().jump(binop, &[k.into()]);
        return;
    }
    match code {
        26 => {
            super::power::handler(g, r);
            return;
        }
        10 => {
            let s = r.u8(g);
            let name = r.u16(g);
            let a = slot_addr(g, r.frame(), s);
            let t = g.ld(a, 0);
            let unset = g.b.ins().icmp_imm_s(IntCC::Equal, t, UNSET as i64);
            let ok = g.b.create_block();
            let bad = g.b.create_block();
            g.cold.push(bad);
            g.b.ins().brif(unset, bad, &[], ok, &[]);
            g.b.switch_to_block(bad);
            let consts = g.ld(r.m(), super::layout::H_CONSTS);
            let e = slot_addr(g, consts, name);
            let e = g.b.ins().iadd(r.m(), e);
            let off = g.ld(e, 4);
            let s = g.b.ins().iadd(r.m(), off);
            r.fail_detail(g, RtError::NameNotDefined, s);
            g.b.switch_to_block(ok);
        }
        27 | 28 => {
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let il = intlike(g, bt);
            let int_b = g.b.create_block();
            let other = g.b.create_block();
            g.b.ins().brif(il, int_b, &[], other, &[]);
            g.b.switch_to_block(int_b);
            let v = if code == 27 { g.b.ins().ineg(p) } else { p };
            r.push_k_next(g, Tag::Int, v);
            g.b.switch_to_block(other);
            let not_f = g.b.ins().icmp_imm_s(IntCC::NotEqual, bt, Tag::Float as i64);
            r.type_error_if(g, not_f);
            let v = if code == 27 {
                g.b.ins().bxor_imm_s(p, i32::MIN as i64)
            } else {
                p
            };
            r.push_k_next(g, Tag::Float, v);
            return;
        }
        29 => {
            let (t, p) = r.pop(g);
            let tv = truth_of(g, t, p);
            let v = g.b.ins().bxor_imm_s(tv, 1);
            r.push_k_next(g, Tag::Bool, v);
            return;
        }
        51..=54 => {
            let c = g.k(code as i64);
            g.b.ins().jump(r.cond_jump(), &[c.into()]);
            return;
        }
        61 => {
            call_value(g, r);
            return;
        }
        70 => super::lists::build(g, r),
        72 | 73 => {
            let k = r.u8(g);
            super::lists::index_k(g, r, k, code == 73);
            return;
        }
        92 | 93 => {
            super::superops::handler(g, r, code);
            return;
        }
        74 => {
            let (t, p) = r.pop(g);
            let bt = tag_of(g, t);
            let d = g.b.ins().iadd_imm_s(bt, -(Tag::Str as i64));
            let not_obj =
                g.b.ins()
                    .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, d, 2);
            r.type_error_if(g, not_obj);
            let n = g.ld(p, 0);
            r.push_k_next(g, Tag::Int, n);
            return;
        }
        80 => {
            let svc = r.u8(g);
            let _argc = r.u8(g);
            super::services::dispatch(g, r, svc);
            return;
        }
        81 => {
            let e = r.u8(g);
            let d = r.u16(g);
            let consts = g.ld(r.m(), super::layout::H_CONSTS);
            let a = slot_addr(g, consts, d);
            let a = g.b.ins().iadd(r.m(), a);
            let off = g.ld(a, 4);
            let s = g.b.ins().iadd(r.m(), off);
            let pos = r.pos(g);
            g.call("epyc_error_detail", &[e, s, pos], None);
            g.b.ins().trap(ir::TrapCode::user(1).expect("trap code"));
            return;
        }
        82 => {
            let base = r.u8(g);
            let off = r.i16(g);
            let a = slot_addr(g, r.frame(), base);
            let c = g.ld(a, 4);
            let stop = g.ld(a, 12);
            let step = g.ld(a, 20);
            let z = g.b.ins().icmp_imm_s(IntCC::Equal, step, 0);
            r.fail_if(g, z, RtError::RangeStepZero);
            let up = g.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, step, 0);
            let ge = g.b.ins().icmp(IntCC::SignedGreaterThanOrEqual, c, stop);
            let le = g.b.ins().icmp(IntCC::SignedLessThanOrEqual, c, stop);
            let done = g.b.ins().select(up, ge, le);
            let exit = g.b.create_block();
            let body = g.b.create_block();
            g.b.ins().brif(done, exit, &[], body, &[]);
            g.b.switch_to_block(exit);
            let pc = r.pc(g);
            let t = g.b.ins().iadd(pc, off);
            r.set_pc(g, t);
            r.next(g);
            g.b.switch_to_block(body);
            r.push_k(g, Tag::Int, c);
            let c2 = g.b.ins().iadd(c, step);
            g.st(c2, a, 4);
        }
        _ => unreachable!("opcode {code} listed in OPCODES without a handler"),
    }
    r.next(g);
}
