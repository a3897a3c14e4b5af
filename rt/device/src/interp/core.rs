//! The interpreter's hot core, in assembly: `__epyc_bc_exec(module, globals, function,
//! frame)` runs one byte-code call. It keeps the interpreter state in callee-saved registers
//! and is direct-threaded: each handler ends with its own dispatch (`ldrb` of the next
//! opcode, a 16-bit handler offset from the table at the section's start, `jr`), so an
//! instruction costs one indirect jump and no bounds check (the layout check has already
//! refused any opcode the interpreter does not know; the table covers every opcode up to the
//! largest one it knows).
//!
//! The core runs the common cases inline: constants, locals, module variables, jumps, int and
//! float arithmetic and comparisons, `x ** 2`, `IndexRef` / `StoreIndexRef` on byte-code
//! lists. Anything else (other instructions, other operand types, every error) goes to the
//! generated code (`gen::step_function`), which runs that one instruction with the full
//! semantics and returns the next pc. A fast path that declines leaves the state as it found
//! it (pc back on the opcode, value stack untouched) before handing over.
//!
//! Registers: r4 pc, r5 value-stack top (one past the last value), r6 frame, r7 dispatch
//! table, r8 module variables, r9 module, r10 function entry; scratch r0 (the next opcode's
//! handler), r1-r3, r12, r16-r23. Values are (tag, payload) word pairs, 8-byte aligned, moved
//! with `ldrd`/`strd`.

use super::gen::{CALL_SYMBOL, EXEC_SYMBOL, POS_SYMBOL, STACK_HEADROOM, STEP_SYMBOL, UNSET};
use super::layout::{
    F_CODE, F_SHAPE, H_CONSTS, H_FENT, H_FUNCS, H_GLOBALS, H_LIMIT, H_NAMES, H_SP,
};
use anyhow::Result;
use epyc_bytecode::format::{Svc, DYN_ELEM};
use epyc_rt_abi::{RtError, Tag};
use std::fmt::Write;

/// The dispatch table (global: `la` names it through a relocation).
const TABLE: &str = "__epyc_bc_table";

/// Opcodes only the core runs (the generated step code has no handler for them).
pub const ASM_ONLY: &[u8] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15, 46, 47, 50, 60, 63, 64,
];

/// The next instruction's handler address into r0 (start it early, finish with [`GO`]).
pub const FETCH: &str = " ldrb r0,[r4],#1\n lsl r0,r0,#1\n ldrh r0,[r7,r0]\n";
/// Jumps to the handler [`FETCH`] found.
pub const GO: &str = " add r0,r0,r7\n jr r0\n";

fn next() -> String {
    format!("{FETCH}{GO}")
}

/// Tag word of a byte-code list (cells are values).
pub const DYN_LIST: u32 = Tag::List as u32 | DYN_ELEM << 8;
/// Tag pair classes `8 * tag(a) + tag(b)` of the arithmetic fast paths.
const INT_INT: u32 = 8 * Tag::Int as u32 + Tag::Int as u32;
const INT_FLOAT: u32 = 8 * Tag::Int as u32 + Tag::Float as u32;
const FLOAT_INT: u32 = 8 * Tag::Float as u32 + Tag::Int as u32;
const FLOAT_FLOAT: u32 = 8 * Tag::Float as u32 + Tag::Float as u32;

/// Function entry and exit: registers saved, the frame's locals past the parameters unset,
/// the value stack checked for `STACK_HEADROOM` values above them.
fn entry_exit() -> String {
    format!(
        r#"
.global {exec}
{exec}:
 sub sp,sp,#40
 strd r4,[sp,#1]
 strd r6,[sp,#2]
 strd r8,[sp,#3]
 str r10,[sp,#8]
 str lr,[sp,#9]
 mov r9,r0
 mov r8,r1
 mov r6,r3
 str r1,[r0,#{globals}]
 ldr r1,[r0,#{funcs}]
 lsl r2,r2,#4
 add r1,r1,r2
 add r10,r0,r1
 ldr r4,[r10,#{code}]
 ldr r2,[r10,#{shape}]
 add r4,r4,r9
 lsl r1,r2,#16
 lsr r1,r1,#24
 lsl r1,r1,#3
 add r5,r6,r1
 ldr r0,[r9,#{limit}]
 mov r1,#{headroom}
 add r1,r5,r1
 sub r0,r0,r1
 bltu bc_overflow
 lsl r3,r2,#24
 lsr r3,r3,#21
 add r3,r6,r3
 mov r0,#{unset}
 b bc_init_test
bc_init:
 str r0,[r3],#2
bc_init_test:
 sub r1,r3,r5
 bltu bc_init
 la r7,{table}
{next}
bc_overflow:
 bl bc_pos
 mov r1,r0
 mov r0,#{overflow}
 b _epyc_error
; A module variable never assigned (r1: its index * 8): `name 'x' is not defined`.
bc_unset:
 lsr r1,r1,#1
 ldr r2,[r9,#{names}]
 add r1,r1,r2
 ldr r1,[r9,r1]
 add r8,r1,r9
 bl bc_pos
 mov r2,r0
 mov r1,r8
 mov r0,#{not_defined}
 b _epyc_error_detail
; The encoded source position of the instruction before pc into r0 (the caller's lr is lost:
; for error paths only).
bc_pos:
 ldr r2,[r10,#{code}]
 add r2,r2,r9
 sub r2,r4,r2
 sub r2,r2,#1
 mov r0,r9
 mov r1,r10
 b {pos}
h_return:
 ldrd r2,[r5,#-1]
 strd r2,[r6]
bc_leave:
 ldrd r4,[sp,#1]
 ldrd r6,[sp,#2]
 ldrd r8,[sp,#3]
 ldr r10,[sp,#8]
 ldr lr,[sp,#9]
 add sp,sp,#40
 rts
h_return_none:
 mov r2,#{none}
 mov r3,#0
 strd r2,[r6]
 b bc_leave
"#,
        exec = link(EXEC_SYMBOL),
        pos = link(POS_SYMBOL),
        globals = H_GLOBALS / 4,
        funcs = H_FUNCS / 4,
        code = F_CODE / 4,
        shape = F_SHAPE / 4,
        limit = H_LIMIT / 4,
        headroom = STACK_HEADROOM * 8,
        unset = UNSET,
        overflow = RtError::StackOverflow as u32,
        not_defined = RtError::NameNotDefined as u32,
        names = H_NAMES / 4,
        none = Tag::None as u32,
        next = next(),
        table = TABLE,
    )
}

/// The hand-over to the generated code: `bc_slowN` with pc N bytes past the opcode.
fn slow() -> String {
    format!(
        r#"
bc_slow4:
 sub r4,r4,#1
bc_slow3:
 sub r4,r4,#1
bc_slow2:
 sub r4,r4,#1
bc_slow1:
 sub r4,r4,#1
 ldrb r1,[r4]
 add r1,r1,r7
 ldrb r1,[r1,#{map}]
 str r5,[r9,#{sp}]
 str r10,[r9,#{fent}]
 mov r0,r9
 mov r2,r6
 mov r3,r4
 bl {step}
 mov r4,r0
 ldr r5,[r9,#{sp}]
{next}"#,
        sp = H_SP / 4,
        fent = H_FENT / 4,
        map = 2 * (max_opcode() as usize + 1),
        step = link(STEP_SYMBOL),
        next = next(),
    )
}

/// Reads the `u16` operand into r1 (r2 clobbered).
const U16: &str = " ldrb r1,[r4],#1\n ldrb r2,[r4],#1\n lsl r2,r2,#8\n orr r1,r1,r2\n";
/// Reads the `i16` operand into r1 (r2 clobbered).
const I16: &str =
    " ldrb r1,[r4],#1\n ldrb r2,[r4],#1\n lsl r2,r2,#24\n asr r2,r2,#16\n orr r1,r1,r2\n";

/// Constants, variables and the stack.
fn moves() -> String {
    let n = next();
    format!(
        r#"
h_none:
 mov r2,#{none}
 mov r3,#0
 b bc_push23
h_true:
 mov r2,#{bool}
 mov r3,#1
 b bc_push23
h_false:
 mov r2,#{bool}
 mov r3,#0
 b bc_push23
h_int8:
 ldrb r3,[r4],#1
 mov r2,#{int}
 lsl r3,r3,#24
 asr r3,r3,#24
bc_push23:
 {FETCH} strd r2,[r5],#1
{GO}
h_const:
{U16} ldr r3,[r9,#{consts}]
 lsl r1,r1,#3
 add r1,r1,r3
 ldrd r2,[r9,r1]
 sub r1,r2,#{str}
 beq bc_const_str
{FETCH} strd r2,[r5],#1
{GO}bc_const_str:
 add r3,r3,r9
 b bc_push23
h_func:
{U16} mov r2,#{func}
 mov r3,r1
 b bc_push23
h_load:
 ldrb r1,[r4],#1
 {FETCH} lsl r1,r1,#3
 ldrd r2,[r6,r1]
 strd r2,[r5],#1
{GO}
h_store:
 ldrb r1,[r4],#1
 ldrd r2,[r5,#-1]
 lsl r1,r1,#3
 sub r5,r5,#8
 strd r2,[r6,r1]
{n}
h_loadg:
{U16} lsl r1,r1,#3
 ldrd r2,[r8,r1]
 sub r2,r2,#1
 blt bc_unset
{FETCH} strd r2,[r5],#1
{GO}
h_storeg:
{U16} ldrd r2,[r5,#-1]
 lsl r1,r1,#3
 sub r5,r5,#8
 add r2,r2,#1
 strd r2,[r8,r1]
{n}
h_pop:
 sub r5,r5,#8
{n}
h_dup:
 ldrd r2,[r5,#-1]
 b bc_push23
h_jump:
{I16} add r4,r4,r1
{n}
; Is / IsNot: the same tag word and payload.
h_is:
 mov r22,#0
 b bc_is
h_is_not:
 mov r22,#1
bc_is:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 eor r2,r2,r16
 eor r3,r3,r17
 orr r2,r2,r3
 mov r17,#0
 mov r16,#{bool}
 moveq r17,r16
 eor r17,r17,r22
 b bc_res
; `Svc coreid` and `Svc numcores` (no arguments); other services: the generated code.
h_svc:
 ldrb r1,[r4]
 sub r0,r1,#{coreid}
 beq bc_svc_coreid
 sub r0,r1,#{numcores}
 bne bc_slow1
 add r4,r4,#2
 bl _epyc_numcores
 b bc_svc_int
bc_svc_coreid:
 add r4,r4,#2
 bl _epyc_coreid
bc_svc_int:
 mov r3,r0
 mov r2,#{int}
 b bc_push23
; A byte-code call: the arguments on the value stack are the callee's frame; its result
; replaces the first of them.
h_call:
{U16} ldrb r2,[r4],#1
 lsl r2,r2,#3
 sub r5,r5,r2
 mov r2,r1
 mov r3,r5
 mov r1,r8
 mov r0,r9
 bl {call}
 add r5,r5,#8
{n}
h_rot3:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 ldrd r18,[r5,#-3]
 strd r16,[r5,#-1]
 strd r18,[r5,#-2]
 strd r2,[r5,#-3]
{n}
h_swap:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 strd r16,[r5,#-1]
 strd r2,[r5,#-2]
{n}
"#,
        none = Tag::None as u32,
        bool = Tag::Bool as u32,
        int = Tag::Int as u32,
        str = Tag::Str as u32,
        func = Tag::Func as u32,
        coreid = Svc::CoreId as u8,
        numcores = Svc::NumCores as u8,
        consts = H_CONSTS / 4,
        call = link(CALL_SYMBOL),
    )
}

/// `JumpIfFalse` on a bool or an int (other values, and `JumpIfTrue`, which is rarer in
/// loops: the generated code).
fn cond_jump() -> String {
    format!(
        r#"
h_jump_if_false:
 ldrd r16,[r5,#-1]
 sub r16,r16,#{bool}
 lsr r16,r16,#1
 bne bc_slow1
{I16} add r1,r4,r1
 sub r5,r5,#8
 sub r17,r17,#0
 moveq r4,r1
{n}"#,
        bool = Tag::Bool as u32,
        n = next()
    )
}

/// An arithmetic or comparison fast path: the two operands (a: r16, r17; b: r2, r3) as two
/// floats or two ints; `float` and `int` leave the result in r16, r17. Without `int`, two
/// ints go to the generated code. `inline` dispatches from the float path itself (worth its
/// 20 bytes where the float result's latency hides the dispatch), else it shares `bc_res`.
fn binary(s: &mut String, name: &str, float: &str, int: Option<&str>, inline: bool) {
    let float_end = if inline {
        format!("{FETCH} strd r16,[r5,#-2]\n sub r5,r5,#8\n{GO}")
    } else {
        " b bc_res\n".to_string()
    };
    write!(
        s,
        r#"
{name}:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 lsl r1,r16,#3
 add r1,r1,r2
 sub r12,r1,#{ff}
 bne {name}_n
{name}_f:
{float}{float_end}{name}_n:
"#,
        ff = FLOAT_FLOAT,
    )
    .expect("string");
    if let Some(int) = int {
        write!(
            s,
            r#" sub r12,r1,#{ii}
 bne {name}_m
{int} b bc_res
{name}_m:
"#,
            ii = INT_INT,
        )
        .expect("string");
    }
    // An int and a float as two floats, inline (a shared subroutine's call and return cost
    // more than the conversion); any other pair of types: the generated code.
    write!(
        s,
        r#" sub r12,r1,#{if_}
 bne {name}_fi
 float r17,r17
 mov r16,#{float}
 b {name}_f
{name}_fi:
 sub r12,r1,#{fi}
 bne bc_slow1
 float r3,r3
 b {name}_f
"#,
        if_ = INT_FLOAT,
        fi = FLOAT_INT,
        float = Tag::Float as u32,
    )
    .expect("string");
}

/// A comparison's result: bool 1 when condition `mv` holds after the compare, else 0.
fn compare_result(compare: &str, mv: &str) -> String {
    format!(
        "{compare} mov r17,#0\n mov r16,#{bool}\n {mv} r17,r16\n",
        bool = Tag::Bool as u32
    )
}

fn arithmetic() -> String {
    let mut s = String::new();
    write!(s, "bc_res:\n{FETCH} strd r16,[r5,#-2]\n sub r5,r5,#8\n{GO}").expect("string");
    binary(
        &mut s,
        "h_add",
        " fadd r17,r17,r3\n",
        Some(" add r17,r17,r3\n"),
        true,
    );
    binary(
        &mut s,
        "h_sub",
        " fsub r17,r17,r3\n",
        Some(" sub r17,r17,r3\n"),
        true,
    );
    binary(&mut s, "h_mul", " fmul r17,r17,r3\n", None, true);
    // Greater swaps the float operands: fsub sets only the zero and negative flags.
    // Equality and greater go to the generated code: rarer in loops, and the bytes are
    // scarce.
    for (name, icc, fcc, swap) in [
        ("h_lt", "movlt", "movblt", false),
        ("h_le", "movlte", "movblte", false),
    ] {
        let fsub = if swap {
            " fsub r12,r3,r17\n"
        } else {
            " fsub r12,r17,r3\n"
        };
        let float = compare_result(fsub, fcc);
        let int = compare_result(" sub r12,r17,r3\n", icc);
        binary(&mut s, name, &float, Some(&int), false);
    }
    // `x ** 2` of a float x: the square (as the generated code and native code compute it).
    write!(
        s,
        r#"
h_pow:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 sub r2,r2,#{int}
 bne bc_slow1
 sub r3,r3,#2
 bne bc_slow1
 sub r12,r16,#{float}
 bne bc_slow1
 fmul r17,r17,r17
 {FETCH} strd r16,[r5,#-2]
 sub r5,r5,#8
{GO}"#,
        int = Tag::Int as u32,
        float = Tag::Float as u32,
    )
    .expect("string");
    s
}

/// The value a `ref` operand (in `reg`) names into `pair` (even register, tag word and
/// payload); a module variable never assigned goes to the generated code (`bail`).
fn read_ref(reg: &str, pair: u8, bail: &str) -> String {
    format!(
        r#" lsl r0,{reg},#25
 lsr r0,r0,#22
 lsr r12,{reg},#7
 mov {reg},r6
 movne {reg},r8
 ldrd r{pair},[{reg},r0]
 sub r{pair},r{pair},r12
 blt {bail}
"#
    )
}

/// The address of cell `i + k` of a byte-code list (list r16, r17; index r18, r19; k r3) into
/// r19; any other list, index or an index out of range: the generated code.
fn cell(bail: &str) -> String {
    format!(
        r#" sub r0,r18,#{int}
 bne {bail}
 mov r0,#{dyn_list}
 sub r0,r16,r0
 bne {bail}
 ldrd r20,[r17]
 add r19,r19,r3
 sub r0,r21,#2
 bgteu {bail}
 sub r0,r19,r20
 bgteu {bail}
 lsl r19,r19,#3
 add r19,r19,r17
"#,
        int = Tag::Int as u32,
        dyn_list = DYN_LIST,
    )
}

/// `IndexRef` and `StoreIndexRef` share their operand code; r22 tells them apart.
fn index_refs() -> String {
    format!(
        r#"
h_store_index_ref:
 mov r22,#1
 b bc_index_ref
h_index_ref:
 mov r22,#0
bc_index_ref:
 ldrb r1,[r4],#1
 ldrb r2,[r4],#1
 ldrb r3,[r4],#1
 lsl r3,r3,#24
 asr r3,r3,#24
{list}{index}{cell} sub r22,r22,#0
 bne bc_store_cell
 ldrd r2,[r19,#1]
 b bc_push23
bc_store_cell:
 ldrd r2,[r5,#-1]
 sub r5,r5,#8
 strd r2,[r19,#1]
{n}"#,
        list = read_ref("r1", 16, "bc_slow4"),
        index = read_ref("r2", 18, "bc_slow4"),
        cell = cell("bc_slow4"),
        n = next()
    )
}

/// `Index 1` [list i → v] and `StoreIndex 1` [v list i →] on a byte-code list and an int
/// index in range (r22 tells them apart); anything else: the generated code.
fn indexes() -> String {
    format!(
        r#"
h_store_index:
 mov r22,#1
 b bc_index
h_index:
 mov r22,#0
bc_index:
 ldrd r18,[r5,#-1]
 ldrd r16,[r5,#-2]
 mov r3,#0
{cell} add r4,r4,#1
 sub r22,r22,#0
 bne bc_store_index
 ldrd r2,[r19,#1]
 sub r5,r5,#16
 b bc_push23
bc_store_index:
 ldrd r2,[r5,#-3]
 sub r5,r5,#24
 strd r2,[r19,#1]
{n}"#,
        cell = cell("bc_slow1"),
        n = next()
    )
}

/// Handler label of each opcode the core runs.
fn handlers() -> Vec<(u8, &'static str)> {
    vec![
        (0, "h_none"),
        (1, "h_true"),
        (2, "h_false"),
        (3, "h_int8"),
        (4, "h_const"),
        (5, "h_func"),
        (6, "h_load"),
        (7, "h_store"),
        (8, "h_loadg"),
        (9, "h_storeg"),
        (11, "h_pop"),
        (12, "h_dup"),
        (14, "h_rot3"),
        (15, "h_swap"),
        (20, "h_add"),
        (21, "h_sub"),
        (22, "h_mul"),
        (26, "h_pow"),
        (42, "h_lt"),
        (43, "h_le"),
        (46, "h_is"),
        (47, "h_is_not"),
        (50, "h_jump"),
        (51, "h_jump_if_false"),
        (60, "h_call"),
        (72, "h_index"),
        (73, "h_store_index"),
        (80, "h_svc"),
        (63, "h_return"),
        (64, "h_return_none"),
        (92, "h_index_ref"),
        (93, "h_store_index_ref"),
    ]
}

fn link(sym: &str) -> String {
    format!("_{sym}")
}

fn max_opcode() -> u8 {
    *super::handlers::OPCODES
        .iter()
        .chain(super::fused::DEVICE_OPCODES)
        .max()
        .expect("opcodes")
}

/// The opcodes the generated step code runs, in the order of its handler table: an opcode's
/// position here is the index the core passes it (any other opcode: `len()`, refused there).
pub fn slow_opcodes() -> Vec<u8> {
    super::handlers::OPCODES
        .iter()
        .copied()
        .filter(|c| !ASM_ONLY.contains(c))
        .collect()
}

/// The core's text: the dispatch table (a 16-bit offset from the table per opcode), the
/// step code's index of each opcode (a byte each), then the code.
pub fn text() -> String {
    let max = max_opcode();
    let mut hs = handlers();
    hs.extend(super::fused::handlers());
    let mut s = format!(".global {TABLE}\n{TABLE}:\n");
    for c in 0..=max {
        let h = hs
            .iter()
            .find(|(o, _)| *o == c)
            .map_or("bc_slow1", |(_, h)| h);
        writeln!(s, ".hdiff {h},{TABLE}").expect("string");
    }
    let stepped = slow_opcodes();
    for c in 0..=max {
        // A device-only IndexRef form hands its slow cases over as the plain instruction.
        let plain = super::fused::plain_of(c).unwrap_or(c);
        let i = stepped
            .iter()
            .position(|&o| o == plain)
            .unwrap_or(stepped.len());
        writeln!(s, ".byte {i}").expect("string");
    }
    s += ".align 2\n";
    s += &entry_exit();
    s += &slow();
    s += &moves();
    s += &cond_jump();
    s += &arithmetic();
    s += &index_refs();
    s += &indexes();
    s += &super::fused::text(&next());
    s
}

pub fn section() -> Result<crate::object::Section> {
    crate::asm::assemble(".text.bc_core", &text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asm_only_opcode_has_a_handler() {
        let hs = handlers();
        for c in ASM_ONLY {
            assert!(hs.iter().any(|(o, _)| o == c), "opcode {c}");
        }
    }
}
