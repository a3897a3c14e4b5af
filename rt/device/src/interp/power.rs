//! `**` (opcode `Pow`): int ** non-negative int stays an int (square-and-multiply, wrapping as
//! the host interpreter's `int_pow`); any other pair of numbers is float32 `epyc_powf`, the
//! runtime routine native code calls, except `x ** 2.0`: the square, as native code.

use super::gen::*;
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types::*,
    InstBuilder,
};
use epyc_rt_abi::Tag;

/// Emits the handler in the current block; it ends by jumping to the dispatch.
pub fn handler(g: &mut Gen, r: &View) {
    let (tb, pb) = r.pop(g);
    let (ta, pa) = r.pop(g);
    let ta = tag_of(g, ta);
    let tb = tag_of(g, tb);
    let ia = intlike(g, ta);
    let ib = intlike(g, tb);
    let both_int = g.b.ins().band(ia, ib);
    let nonneg = g.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, pb, 0);
    let int_case = g.b.ins().band(both_int, nonneg);
    let head = g.b.create_block();
    for _ in 0..3 {
        g.b.append_block_param(head, I32);
    }
    let floats = g.b.create_block();
    let one = g.k(1);
    g.b.ins().brif(
        int_case,
        head,
        &[one.into(), pa.into(), pb.into()],
        floats,
        &[],
    );

    // (acc, base, exp): while exp > 0 { if exp odd { acc *= base } base *= base; exp >>= 1 }
    g.b.switch_to_block(head);
    let [acc, base, exp] = [0, 1, 2].map(|i| g.b.block_params(head)[i]);
    let more = g.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, exp, 0);
    let body = g.b.create_block();
    let done = g.b.create_block();
    g.b.ins().brif(more, body, &[], done, &[]);
    g.b.switch_to_block(body);
    let odd = g.b.ins().band_imm_s(exp, 1);
    let times = g.b.ins().imul(acc, base);
    let acc2 = g.b.ins().select(odd, times, acc);
    let base2 = g.b.ins().imul(base, base);
    let exp2 = g.b.ins().sshr_imm_s(exp, 1);
    g.b.ins()
        .jump(head, &[acc2.into(), base2.into(), exp2.into()]);
    g.b.switch_to_block(done);
    r.push_k_next(g, Tag::Int, acc);

    g.b.switch_to_block(floats);
    let na = number(g, ta);
    let nb = number(g, tb);
    let both_num = g.b.ins().band(na, nb);
    let not_num = g.b.ins().bxor_imm_s(both_num, 1);
    r.type_error_if(g, not_num);
    let fa = as_float(g, ta, pa);
    let fb = as_float(g, tb, pb);
    // `x ** 2.0` is the correctly rounded square, as native code computes it (epyc-lower's
    // `float_pow`), and needs no request to the host.
    let two = g.b.ins().f32const(2.0);
    let is_two = g.b.ins().fcmp(FloatCC::Equal, fb, two);
    let square = g.b.create_block();
    let general = g.b.create_block();
    g.b.ins().brif(is_two, square, &[], general, &[]);
    g.b.switch_to_block(square);
    let sq = g.b.ins().fmul(fa, fa);
    let bits = float_bits(g, sq);
    r.push_k_next(g, Tag::Float, bits);
    g.b.switch_to_block(general);
    let f = g.call("epyc_powf", &[fa, fb], Some(F32)).expect("float");
    let bits = float_bits(g, f);
    r.push_k_next(g, Tag::Float, bits);
}
