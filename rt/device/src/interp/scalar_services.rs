//! Services on scalars that need no runtime state beyond a call: `abs`, the core's random
//! numbers, the flags of another core (`probe`, `test_sent`, `wait_sent`), `recvfunc`'s error
//! and `int()` / `float()`.

use super::gen::*;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use epyc_bytecode::format::Svc;
use epyc_rt_abi::Tag;

/// `abs(v)`: ints (and bools) wrap as the host's `wrapping_abs`; floats clear the sign.
pub fn abs(g: &mut Gen, r: &View) {
    let (t, p) = r.pop(g);
    let bt = tag_of(g, t);
    let num = number(g, bt);
    let not_num = g.b.ins().bxor_imm_s(num, 1);
    r.type_error_if(g, not_num);
    let isf = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Float as i64);
    let neg = g.b.ins().ineg(p);
    let is_neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, p, 0);
    let iabs = g.b.ins().select(is_neg, neg, p);
    let fabs = g.b.ins().band_imm_s(p, 0x7fff_ffff);
    let v = g.b.ins().select(isf, fabs, iabs);
    let ti = g.k(Tag::Int as i64);
    let tr = g.b.ins().select(isf, bt, ti);
    r.push(g, tr, v);
}

/// `random()`, `randint()`, `seed(n)`: the core's deterministic generator in the runtime.
pub fn random(g: &mut Gen, r: &View, s: Svc) {
    match s {
        Svc::Random => {
            let f = g.call("epyc_random", &[], Some(F32)).expect("float");
            let bits = float_bits(g, f);
            r.push_k(g, Tag::Float, bits);
        }
        Svc::RandInt => {
            let v = g.call("epyc_randint", &[], Some(I32)).expect("int");
            r.push_k(g, Tag::Int, v);
        }
        _ => {
            let (_, seed) = r.pop(g);
            g.call("epyc_seed", &[seed], None);
            let z = g.k(0);
            r.push_k(g, Tag::None, z);
        }
    }
}

/// `probe(src)`, `test_sent(dest)`, `wait_sent(dest)` -> bool, by the runtime routine `sym`
/// taking (core, pos) at `routine`.
pub fn core_flag(g: &mut Gen, r: &View, sig: ir::SigRef, routine: ir::Value) {
    let (_, core) = r.pop(g);
    let pos = r.pos(g);
    let call = g.b.ins().call_indirect(sig, routine, &[core, pos]);
    let v = g.b.inst_results(call)[0];
    let b = g.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0);
    let b = g.b.ins().uextend(I32, b);
    r.push_k(g, Tag::Bool, b);
}

/// `recvfunc(src)` received a value of another kind (tag word `t`): `Message of the wrong
/// type: expected function, got <kind>` (the texts are the module's, by tag).
pub fn recv_func_error(g: &mut Gen, r: &View, t: ir::Value) {
    let table = g.ld(r.m(), super::layout::H_EXPECTED_FUNC);
    let bt = g.b.ins().band_imm_s(t, 7);
    let o = g.b.ins().ishl_imm_s(bt, 2);
    let e = g.b.ins().iadd(table, o);
    let e = g.b.ins().iadd(r.m(), e);
    let text = g.ld(e, 0);
    let text = g.b.ins().iadd(r.m(), text);
    r.fail_detail(g, epyc_rt_abi::RtError::MessageType, text);
}

/// `int(v)` / `float(v)` (services `Int`, `Float`, one block), as the host's: a number
/// converts (a float to an int truncates), a str is read by the monitor (request `Convert`:
/// Python's syntax, the host's type error when it is no number), anything else is a type
/// error.
pub fn convert(g: &mut Gen, r: &View, svc: ir::Value) {
    let (t, p) = r.pop(g);
    let bt = tag_of(g, t);
    let to_float = g.b.ins().icmp_imm_s(IntCC::Equal, svc, Svc::Float as i64);
    let (ft, it) = (g.k(Tag::Float as i64), g.k(Tag::Int as i64));
    let want = g.b.ins().select(to_float, ft, it);
    let done = g.b.create_block();
    g.b.append_block_param(done, I32);
    let text = g.b.create_block();
    let number_b = g.b.create_block();
    let is_str = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Str as i64);
    g.b.ins().brif(is_str, text, &[], number_b, &[]);
    g.b.switch_to_block(text);
    let pos = r.pos(g);
    let req = g.k(crate::protocol::Request::Convert as i64);
    let bits = g
        .call("_epyc_req", &[req, p, want, pos], Some(I32))
        .expect("bits");
    g.b.ins().jump(done, &[bits.into()]);
    g.b.switch_to_block(number_b);
    let num = number(g, bt);
    let not_num = g.b.ins().bxor_imm_s(num, 1);
    r.type_error_if(g, not_num);
    let f = as_float(g, bt, p);
    let fbits = float_bits(g, f);
    let asf = g.b.ins().bitcast(F32, MemFlagsData::new(), p);
    let trunc = g.b.ins().fcvt_to_sint_sat(I32, asf);
    let isf = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Float as i64);
    let i = g.b.ins().select(isf, trunc, p);
    let v = g.b.ins().select(to_float, fbits, i);
    g.b.ins().jump(done, &[v.into()]);
    g.b.switch_to_block(done);
    let v = g.b.block_params(done)[0];
    r.push(g, want, v);
}
