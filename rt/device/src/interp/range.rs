//! `range(start, stop, step)` as a value (service `Range`): a list of values, built by the
//! assembly routine `__epyc_bc_range`. `for i in range(...)` does not come here (`RangeNext` counts in the
//! frame).

use super::gen::*;
use crate::runtime::{epilogue, prologue};
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder};
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
    fill(g, r, start, stop, step);
}

/// Pushes the list of `range(start, stop, step)`.
fn fill(g: &mut Gen, r: &View, start: ir::Value, stop: ir::Value, step: ir::Value) {
    let pos = r.pos(g);
    let l = g
        .call(RANGE_SYMBOL, &[start, stop, step, pos], Some(I32))
        .expect("list");
    let lt = g.k((Tag::List as u32 | DYN << 8) as i64);
    r.push(g, lt, l);
}

/// `__epyc_bc_range(start, stop, step, pos) -> list of values`: the ints of `range(start,
/// stop, step)`; step 0 is the runtime error `range() arg 3 must not be zero` at `pos`.
/// Assembly (130 bytes; 216 as a generated function): the count is `ceil(span / |step|)`
/// for a positive span in the step's direction, else 0.
fn range_text() -> String {
    let regs = ["r4", "r5", "r6", "r7"];
    format!(
        r#"
.global ___epyc_bc_range
___epyc_bc_range:
 sub r2,r2,#0
 bne _range_counted
 mov r0,#{step_zero}
 mov r1,r3
 b _epyc_error
_range_counted:
{pro}
 mov r4,r0
 mov r5,r2
 mov r7,r3
 sub r1,r1,r0
 add r2,r2,#0
 bgt _range_up
 ; a negative step counts down: span and step both negated
 mov r0,#0
 sub r1,r0,r1
 sub r2,r0,r2
_range_up:
 ; a span of the wrong sign (or 0) is no value; else n = (span + |step| - 1) / |step|
 mov r0,#0
 add r1,r1,#0
 blte _range_alloc
 add r0,r1,r2
 sub r0,r0,#1
 mov r1,r2
 bl __epyc_udivmod
_range_alloc:
 mov r6,r0
 mov r1,#8
 mov r2,r7
 bl _epyc_list_new
 add r1,r0,#8
 mov r2,#{int}
_range_fill:
 sub r6,r6,#1
 blt _range_done
 str r2,[r1]
 str r4,[r1,#1]
 add r4,r4,r5
 add r1,r1,#8
 b _range_fill
_range_done:
{epi}"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        step_zero = RtError::RangeStepZero as u32,
        int = Tag::Int as u32,
    )
}

/// The range routine's section.
pub fn section() -> anyhow::Result<crate::object::Section> {
    crate::asm::assemble(".text.bc_range", &range_text())
}
