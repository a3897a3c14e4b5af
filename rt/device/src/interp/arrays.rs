//! Arrays of several dimensions (`array(3, 4)`, `a[i][j]`, `ndim`, `dim`), as the host
//! interpreter has them: a list whose header holds its sizes (`layout::LIST_*`), cells in row
//! order. Indexing (every `Index` / `StoreIndex`, one index or several), `array` and
//! `ndim`/`dim` are routines written in assembly (296, 238 and 102 bytes): as generated
//! functions the same work took about 1.5 times the bytes, and indexing in the step code
//! (which now only calls the routine) took 500 bytes more.
//!
//! * `__epyc_bc_index(first, k, is store) -> 0 or an RtError code`: `Index k` / `StoreIndex
//!   k` with the list at `first - 8` and the k indices from `first` (the value to store below
//!   the list), as the host's `index`: each index an int (else a type error), negative
//!   counting from the end of its dimension, below its size (else `IndexOutOfRange`); more
//!   indices than dimensions is `TooManyIndexes`, fewer (a row) is not on the device (a type
//!   error). Cells of values (byte code's lists) or typed 4-byte cells (native code's, read
//!   with the element's tag; an int stored into a float cell converts, another kind is a
//!   type error). A read leaves the value in the list's slot.
//! * `__epyc_bc_array(args, pos) -> list, or 0 for a type error`: `array(d1 .. d7)` from the
//!   7 values at `args`, as the host's `ArrayNew`: a none size is 1 and is no dimension past
//!   the last size given, a negative size is 0, a float truncates, anything else is a type
//!   error; the cells are int zeros. Each size is written over its value's payload, then
//!   copied into the header.
//! * `__epyc_bc_dims(args, is dim) -> int, or -1 for a type error`: `ndim(l)` (args: l) or
//!   `dim(l, d)` (args: l, d), as the host's: the number of dimensions, the size of
//!   dimension d; 0 for a value that is not a list or a dimension it does not have; d must
//!   be a number (for a list; a float truncates).

use super::gen::*;
use crate::object::Section;
use crate::runtime::{epilogue, prologue};
use anyhow::Result;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder};
use epyc_rt_abi::{layout, RtError, Tag};

pub const INDEX_SYMBOL: &str = "__epyc_bc_index";
pub const ARRAY_SYMBOL: &str = "__epyc_bc_array";
pub const DIMS_SYMBOL: &str = "__epyc_bc_dims";

/// CONFIG with the FPU's opcodes in integer mode (bits 19:17 = 100: `fmul` is IMUL) or in
/// truncating mode (bit 0: `fix` rounds toward zero, as the host's `f as i32`), around one
/// instruction; r24/r25 scratch.
pub fn in_config_mode(bits: u32, inst: &str) -> String {
    format!(
        " movfs r24,config\n li r25,{bits}\n orr r25,r24,r25\n movts config,r25\n {inst}\n \
         movts config,r24\n"
    )
}

fn index_text() -> String {
    format!(
        r#"
.global ___epyc_bc_index
___epyc_bc_index:
 strd r4,[sp]
 mov r16,r2
 lsl r1,r1,#3
 add r1,r0,r1
 sub r18,r0,#8
 ldr r12,[r18]
 ldr r19,[r18,#1]
 lsl r4,r12,#24
 lsr r4,r4,#24
 sub r4,r4,#{list}
 bne _ix_type
 ; the sizes: one dimension's is the length, more are in the header
 ldr r20,[r19,#{ndim}]
 mov r2,r19
 sub r4,r20,#1
 bgt _ix_multi
 mov r20,#1
 b _ix_sized
_ix_multi:
 add r2,r2,#{dims}
_ix_sized:
 sub r4,r1,r0
 lsl r5,r20,#3
 sub r4,r5,r4
 blt _ix_too_many
 mov r21,r4
 mov r3,#0
_ix_next:
 sub r4,r0,r1
 beq _ix_cell
 ldr r4,[r0]
 sub r4,r4,#1
 sub r4,r4,#2
 bgteu _ix_type
 ldr r4,[r0,#1]
 ldr r5,[r2]
 add r2,r2,#4
 add r4,r4,#0
 bgte _ix_in
 add r4,r4,r5
_ix_in:
 sub r23,r4,r5
 bgteu _ix_out
{mul} add r3,r3,r4
 add r0,r0,#8
 b _ix_next
_ix_cell:
 ; fewer indices than dimensions (a row) is not on the device
 sub r21,r21,#0
 bne _ix_type
 ; header: 8 bytes, 8 + 4 ndim for ndim > 1; value cells (element tag 15) aligned to 8
 lsr r12,r12,#8
 mov r4,#15
 and r5,r12,r4
 mov r4,#8
 sub r0,r20,#1
 beq _ix_header
 lsl r0,r20,#2
 add r4,r4,r0
_ix_header:
 sub r0,r5,#15
 bne _ix_typed
 add r4,r4,#7
 lsr r4,r4,#3
 lsl r4,r4,#3
 lsl r3,r3,#3
 add r3,r3,r4
 add r3,r3,r19
 sub r0,r16,#0
 bne _ix_store_value
 ldrd r4,[r3]
 strd r4,[r18]
 b _ix_ok
_ix_store_value:
 ldrd r4,[r18,#-1]
 strd r4,[r3]
 b _ix_ok
_ix_typed:
 lsl r3,r3,#2
 add r3,r3,r4
 add r3,r3,r19
 ; a typed cell's value: the element tag, and the inner path for a list element
 lsr r4,r12,#4
 lsl r4,r4,#8
 orr r4,r4,r5
 sub r0,r16,#0
 bne _ix_store_typed
 ldr r5,[r3]
 strd r4,[r18]
 b _ix_ok
_ix_store_typed:
 ldrd r0,[r18,#-1]
 ; an int or a bool into a float cell converts; any other kind must be the element's
 sub r4,r5,#{float}
 bne _ix_kind
 sub r4,r0,#1
 sub r4,r4,#2
 bgteu _ix_kind
 float r1,r1
 mov r0,r5
_ix_kind:
 lsl r0,r0,#24
 lsr r0,r0,#24
 sub r0,r0,r5
 bne _ix_type
 str r1,[r3]
_ix_ok:
 mov r0,#0
 b _ix_return
_ix_too_many:
 mov r0,#{too_many}
 b _ix_return
_ix_out:
 mov r0,#{out}
 b _ix_return
_ix_type:
 mov r0,#{type_error}
_ix_return:
 ldrd r4,[sp]
 rts
"#,
        list = Tag::List as u32,
        float = Tag::Float as u32,
        ndim = layout::LIST_NDIM / 4,
        dims = layout::LIST_DIMS,
        mul = in_config_mode(1 << 19, "fmul r3,r3,r5"),
        too_many = RtError::TooManyIndexes as u32,
        out = RtError::IndexOutOfRange as u32,
        type_error = RtError::TypeError as u32,
    )
}

fn array_text() -> String {
    let regs = ["r4", "r5", "r6", "r7"];
    format!(
        r#"
.global ___epyc_bc_array
___epyc_bc_array:
{pro}
 mov r4,r0
 mov r7,r1
 mov r2,r0
 add r3,r0,#56
 mov r5,#0
 mov r6,#1
_array_next:
 ldr r0,[r2]
 ldr r1,[r2,#1]
 sub r0,r0,#{none}
 beq _array_none
 sub r0,r0,#{float}
 bne _array_int
{trunc} b _array_size
_array_int:
 add r0,r0,#2
 sub r0,r0,#2
 bgteu _array_type
_array_size:
 add r1,r1,#0
 bgte _array_given
 mov r1,#0
_array_given:
 sub r5,r2,r4
 lsr r5,r5,#3
 add r5,r5,#1
 b _array_store
_array_none:
 mov r1,#1
_array_store:
 str r1,[r2,#1]
{mul} add r2,r2,#8
 sub r0,r2,r3
 bne _array_next
 ; one dimension at least; ndim > 1: (ndim + 1) / 2 cells more for the sizes
 mov r3,#0
 sub r0,r5,#1
 bgt _array_multi
 mov r5,#1
 b _array_alloc
_array_multi:
 add r3,r5,#1
 lsr r3,r3,#1
_array_alloc:
 add r0,r6,r3
 mov r1,#8
 mov r2,r7
 mov r7,r3
 bl _epyc_list_new
 str r6,[r0]
 str r5,[r0,#1]
 sub r1,r7,#0
 beq _array_tags
 mov r2,r0
 mov r3,r4
_array_dim:
 ldr r1,[r3,#1]
 str r1,[r2,#2]
 add r2,r2,#4
 add r3,r3,#8
 sub r5,r5,#1
 bne _array_dim
_array_tags:
 ; the cells: int zeros (the payloads are zero already)
 lsl r7,r7,#3
 add r2,r0,r7
 add r2,r2,#8
 mov r1,#{int}
_array_cell:
 sub r6,r6,#1
 blt _array_done
 str r1,[r2]
 add r2,r2,#8
 b _array_cell
_array_type:
 mov r0,#0
_array_done:
{epi}"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        none = Tag::None as u32,
        float = Tag::Float as u32,
        int = Tag::Int as u32,
        trunc = in_config_mode(1, "fix r1,r1"),
        mul = in_config_mode(1 << 19, "fmul r6,r6,r1"),
    )
}

fn dims_text() -> String {
    format!(
        r#"
.global ___epyc_bc_dims
___epyc_bc_dims:
 ldr r2,[r0]
 ldr r3,[r0,#1]
 lsl r2,r2,#24
 lsr r2,r2,#24
 sub r2,r2,#{list}
 bne _dims_zero
 ldr r2,[r3,#{ndim}]
 sub r1,r1,#0
 bne _dims_dim
 mov r0,r2
 rts
_dims_dim:
 ldr r1,[r0,#3]
 ldr r0,[r0,#2]
 sub r0,r0,#{float}
 bne _dims_int
{trunc} b _dims_number
_dims_int:
 add r0,r0,#2
 sub r0,r0,#2
 bgteu _dims_type
_dims_number:
 sub r0,r1,r2
 bgteu _dims_zero
 sub r0,r2,#1
 beq _dims_len
 lsl r1,r1,#2
 add r3,r3,r1
 ldr r0,[r3,#{dims}]
 rts
_dims_len:
 ldr r0,[r3]
 rts
_dims_zero:
 mov r0,#0
 rts
_dims_type:
 mov r0,#0
 sub r0,r0,#1
 rts
"#,
        list = Tag::List as u32,
        float = Tag::Float as u32,
        ndim = layout::LIST_NDIM / 4,
        dims = layout::LIST_DIMS / 4,
        trunc = in_config_mode(1, "fix r1,r1"),
    )
}

/// The three routines, a section each.
pub fn sections() -> Result<Vec<Section>> {
    Ok(vec![
        crate::asm::assemble(".text.bc_index", &index_text())?,
        crate::asm::assemble(".text.bc_array", &array_text())?,
        crate::asm::assemble(".text.bc_dims", &dims_text())?,
    ])
}

/// `array(d1 .. d7)` (service `ArrayNew`, 7 values, none for sizes not given).
pub fn array_service(g: &mut Gen, r: &View) {
    let sp = r.sp(g);
    let base = g.b.ins().iadd_imm_s(sp, -56);
    r.set_sp(g, base);
    let pos = r.pos(g);
    let l = g.call(ARRAY_SYMBOL, &[base, pos], Some(I32)).expect("list");
    let bad = g.b.ins().icmp_imm_s(IntCC::Equal, l, 0);
    r.type_error_if(g, bad);
    let lt = g.k((Tag::List as u32 | DYN << 8) as i64);
    r.push(g, lt, l);
}

/// `ndim(l)` / `dim(l, d)` (services `NDim`, `Dim`, one block).
pub fn dims_service(g: &mut Gen, r: &View, svc: ir::Value) {
    let is_dim =
        g.b.ins()
            .icmp_imm_s(IntCC::Equal, svc, epyc_bytecode::format::Svc::Dim as i64);
    let is_dim = g.b.ins().uextend(I32, is_dim);
    let sp = r.sp(g);
    let extra = g.b.ins().ishl_imm_s(is_dim, 3);
    let args = g.b.ins().isub(sp, extra);
    let args = g.b.ins().iadd_imm_s(args, -8);
    r.set_sp(g, args);
    let v = g
        .call(DIMS_SYMBOL, &[args, is_dim], Some(I32))
        .expect("int");
    let bad = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0);
    r.type_error_if(g, bad);
    r.push_k(g, Tag::Int, v);
}
