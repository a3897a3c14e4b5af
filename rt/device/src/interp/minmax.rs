//! `min(a, b)` and `max(a, b)` (services `Min`, `Max`, one block), as the host's: `b` when
//! `b < a` (min) or `b > a` (max), else `a`, by the comparison of `<`: ints and bools as
//! ints, any other numbers as floats (a NaN orders as equal), two strs bytewise, two nones
//! equal; any other pair is a type error. The comparison is an assembly routine
//! (`__epyc_bc_minmax(args, is max) -> 0 or TypeError`, the chosen value left in `a`'s slot).

use super::gen::*;
use crate::object::Section;
use crate::runtime::{epilogue, prologue};
use anyhow::Result;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder};
use epyc_bytecode::format::Svc;
use epyc_rt_abi::{RtError, Tag};

pub const MINMAX_SYMBOL: &str = "__epyc_bc_minmax";

fn minmax_text() -> String {
    let regs = ["r4", "r5"];
    format!(
        r#"
.global ___epyc_bc_minmax
___epyc_bc_minmax:
{pro}
 mov r4,r0
 mov r5,r1
 ldrd r2,[r4]
 ldrd r0,[r4,#1]
 ; r2/r3: a's tag and payload, r0/r1: b's; r0 becomes the sign of b - a
 sub r16,r2,#1
 sub r16,r16,#2
 bgteu _mm_not_ints
 sub r16,r0,#1
 sub r16,r16,#2
 bgteu _mm_not_ints
 mov r0,#0
 sub r1,r1,r3
 beq _mm_decide
 mov r0,#1
 bgt _mm_decide
 b _mm_less
_mm_not_ints:
 sub r16,r2,#1
 sub r16,r16,#3
 bgteu _mm_other
 sub r16,r0,#1
 sub r16,r16,#3
 bgteu _mm_other
 sub r16,r2,#{float}
 beq _mm_a_float
 float r3,r3
_mm_a_float:
 sub r16,r0,#{float}
 beq _mm_b_float
 float r1,r1
_mm_b_float:
 fsub r1,r1,r3
 ; the sign of the difference's bits: 0 for a zero or a NaN
 mov r0,#0
 lsl r16,r1,#1
 beq _mm_decide
 li r17,0xff000000
 sub r17,r16,r17
 bgtu _mm_decide
 mov r0,#1
 add r1,r1,#0
 bgte _mm_decide
_mm_less:
 mov r0,#0
 sub r0,r0,#1
 b _mm_decide
_mm_other:
 sub r16,r2,#{str}
 bne _mm_none
 sub r16,r0,#{str}
 bne _mm_type
 mov r0,r1
 mov r1,r3
 bl _epyc_str_cmp
 b _mm_decide
_mm_none:
 orr r16,r2,r0
 bne _mm_type
 mov r0,#0
_mm_decide:
 ; min takes b when it is less, max when it is greater
 sub r5,r5,#0
 beq _mm_min
 sub r0,r0,#0
 blte _mm_ok
 b _mm_take
_mm_min:
 sub r0,r0,#0
 bgte _mm_ok
_mm_take:
 ldrd r2,[r4,#1]
 strd r2,[r4]
_mm_ok:
 mov r0,#0
 b _mm_return
_mm_type:
 mov r0,#{type_error}
_mm_return:
{epi}"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        float = Tag::Float as u32,
        str = Tag::Str as u32,
        type_error = RtError::TypeError as u32,
    )
}

/// The routine's section.
pub fn section() -> Result<Section> {
    crate::asm::assemble(".text.bc_minmax", &minmax_text())
}

/// The service block (`svc`: Min or Max).
pub fn service(g: &mut Gen, r: &View, svc: ir::Value) {
    let is_max = g.b.ins().icmp_imm_s(IntCC::Equal, svc, Svc::Max as i64);
    let is_max = g.b.ins().uextend(I32, is_max);
    let sp = r.sp(g);
    let args = g.b.ins().iadd_imm_s(sp, -16);
    let e = g
        .call(MINMAX_SYMBOL, &[args, is_max], Some(I32))
        .expect("error code");
    r.type_error_if(g, e);
    let top = g.b.ins().iadd_imm_s(args, 8);
    r.set_sp(g, top);
}
