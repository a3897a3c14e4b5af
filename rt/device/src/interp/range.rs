//! `range(start, stop, step)` as a value (service `Range`) and `array(n)` (`ArrayNew`): a
//! list of values, built off the
//! interpreter loop by `__epyc_bc_range` (a small function of its own, so the loop's registers
//! are not spent on it). `for i in range(...)` does not come here (`RangeNext` counts in the
//! frame).

use super::gen::*;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, Function, InstBuilder};
use epyc_rt_abi::{RtError, Tag};

pub const RANGE_SYMBOL: &str = "__epyc_bc_range";

/// The service: pops start, stop and step (ints or bools, else a type error) and pushes the
/// list.
pub fn service(g: &mut Gen, r: &View) {
    let (t3, step) = r.pop(g);
    let (t2, stop) = r.pop(g);
    let (t1, start) = r.pop(g);
    // Each tag less Bool is 0 or 1 for bool and int (as in `intlike`); so is their `or`
    // exactly when all three are.
    let d: Vec<ir::Value> = [t1, t2, t3]
        .iter()
        .map(|&t| g.b.ins().iadd_imm_s(t, -(Tag::Bool as i64)))
        .collect();
    let all = g.b.ins().bor(d[0], d[1]);
    let all = g.b.ins().bor(all, d[2]);
    let bad =
        g.b.ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, all, 2);
    r.type_error_if(g, bad);
    fill(g, r, start, stop, step, step);
}

/// Pushes the list of `start, start + inc ...` with as many values as `range(start, stop,
/// step)`.
fn fill(g: &mut Gen, r: &View, start: ir::Value, stop: ir::Value, step: ir::Value, inc: ir::Value) {
    let pos = r.pos(g);
    let l = g
        .call(RANGE_SYMBOL, &[start, stop, step, inc, pos], Some(I32))
        .expect("list");
    let lt = g.k((Tag::List as u32 | DYN << 8) as i64);
    r.push(g, lt, l);
}

/// `array(n)` (service `ArrayNew`, 7 dimensions, none for those not given): a list of `n`
/// int zeros, as the host's one-dimensional array. Arrays of more dimensions are a type
/// error on the device (indexing them needs several indices, which it does not run yet).
pub fn array_service(g: &mut Gen, r: &View) {
    let sp = r.sp(g);
    let base = g.b.ins().iadd_imm_s(sp, -56);
    r.set_sp(g, base);
    let t0 = g.ld(base, 0);
    let n = g.ld(base, 4);
    // Tags of the dimensions past the first: all none (tag 0).
    let mut more = g.ld(base, 8);
    for i in 2..7 {
        let t = g.ld(base, 8 * i);
        more = g.b.ins().bor(more, t);
    }
    let d = g.b.ins().iadd_imm_s(t0, -(Tag::Bool as i64));
    let bad =
        g.b.ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, d, 2);
    let some = g.b.ins().icmp_imm_s(IntCC::NotEqual, more, 0);
    let bad = g.b.ins().bor(bad, some);
    r.type_error_if(g, bad);
    let zero = g.k(0);
    let one = g.k(1);
    fill(g, r, zero, n, one, zero);
}

/// `__epyc_bc_range(start, stop, step, inc, pos) -> list of values`: as many ints as
/// `range(start, stop, step)`, from `start` by `inc` (`step` for a range, 0 for an array's
/// zeros); step 0 is the runtime error `range() arg 3 must not be zero` at `pos`.
pub fn range_function() -> (Function, Vec<&'static str>) {
    build_function(RANGE_SYMBOL, 5, true, |g, p| {
        let (start, stop, step, inc, pos) = (p[0], p[1], p[2], p[3], p[4]);
        let zero_step = g.b.create_block();
        let counted = g.b.create_block();
        let is_zero = g.b.ins().icmp_imm_s(IntCC::Equal, step, 0);
        g.b.ins().brif(is_zero, zero_step, &[], counted, &[]);
        g.b.switch_to_block(zero_step);
        let code = g.k(RtError::RangeStepZero as i64);
        g.call("epyc_error", &[code, pos], None);
        g.b.ins().trap(ir::TrapCode::user(1).expect("trap code"));
        g.b.switch_to_block(counted);
        // n = ceil(span / |step|) when the span (in the step's direction) is positive, else 0.
        let up = g.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, step, 0);
        let fwd = g.b.ins().isub(stop, start);
        let back = g.b.ins().isub(start, stop);
        let span = g.b.ins().select(up, fwd, back);
        let neg_step = g.b.ins().ineg(step);
        let mag = g.b.ins().select(up, step, neg_step);
        let zero = g.k(0);
        let positive = g.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, span, 0);
        let span = g.b.ins().select(positive, span, zero);
        let round = g.b.ins().iadd(span, mag);
        let round = g.b.ins().iadd_imm_s(round, -1);
        let n = g.b.ins().udiv(round, mag);
        let eight = g.k(8);
        let out = g
            .call("epyc_list_new", &[n, eight, pos], Some(I32))
            .expect("list");
        let data = epyc_rt_abi::layout::list_data(1, 8) as i64;
        let dst = g.b.ins().iadd_imm_s(out, data);
        let bytes = g.b.ins().ishl_imm_s(n, 3);
        let end = g.b.ins().iadd(dst, bytes);
        let head = g.b.create_block();
        g.b.append_block_param(head, I32);
        g.b.append_block_param(head, I32);
        let body = g.b.create_block();
        let done = g.b.create_block();
        g.b.ins().jump(head, &[dst.into(), start.into()]);
        g.b.switch_to_block(head);
        let (at, c) = (g.b.block_params(head)[0], g.b.block_params(head)[1]);
        let more = g.b.ins().icmp(IntCC::UnsignedLessThan, at, end);
        g.b.ins().brif(more, body, &[], done, &[]);
        g.b.switch_to_block(body);
        let int_tag = g.k(Tag::Int as i64);
        g.st(int_tag, at, 0);
        g.st(c, at, 4);
        let at8 = g.b.ins().iadd_imm_s(at, 8);
        let c2 = g.b.ins().iadd(c, inc);
        g.b.ins().jump(head, &[at8.into(), c2.into()]);
        g.b.switch_to_block(done);
        g.b.ins().return_(&[out]);
    })
}
