//! Fused instruction sequences of the device form: the layout marks the start of a common
//! sequence (a loop's `i += k`, its `while i < n` test) by rewriting the first instruction's
//! opcode to a device-only one; the byte code after it is untouched. The core's handler of a
//! fused opcode reads the operands of the whole sequence where they are and runs it at once
//! when the operands are ints; otherwise it runs the first instruction's own handler (same
//! operand bytes), and the rest of the sequence follows as plain instructions. So every type
//! and error keeps the plain sequence's meaning, the host's byte code is the same, the
//! generated slow path never sees a fused opcode, and a jump into the middle of a sequence
//! still lands on a plain instruction.

use epyc_bytecode::format::{Op, GLOBAL_REF};
use epyc_rt_abi::Tag;

/// `Load s; Int8 k; Add; Store s`.
pub const INC_LOCAL: u8 = 84;
/// `LoadG g; Int8 k; Add; StoreG g`.
pub const INC_GLOBAL: u8 = 85;
/// `Load a; Load b; Lt|Le; JumpIfFalse off`.
pub const CMP_JUMP_LOCAL: u8 = 86;
/// `LoadG a; LoadG b; Lt|Le; JumpIfFalse off`.
pub const CMP_JUMP_GLOBAL: u8 = 87;
/// `IndexRef` / `StoreIndexRef` whose two refs are frame slots, or both module variables
/// (same operands: these only tell the core which kind of variable to read).
pub const INDEX_REF_LOCAL: u8 = 88;
pub const INDEX_REF_GLOBAL: u8 = 89;
pub const STORE_INDEX_REF_LOCAL: u8 = 90;
pub const STORE_INDEX_REF_GLOBAL: u8 = 91;
/// `Load s; Int8 k; Add; Store s; Jump off` and `LoadG g; Int8 k; Add; StoreG g; Jump off`:
/// a loop's step and its jump back to the test, one dispatch instead of two.
pub const INC_LOCAL_JUMP: u8 = 94;
pub const INC_GLOBAL_JUMP: u8 = 95;
/// `Int8 2; Pow`: the square of a float.
pub const SQUARE: u8 = 96;
/// `Int8 k; Mul`: a float times a small int.
pub const MUL_K: u8 = 97;
/// `LoadG g; Sub|Mul`: a number minus or times a float module variable.
pub const GLOBAL_OP: u8 = 98;
/// `Add; Store s`: an accumulation into a local.
pub const ADD_STORE: u8 = 99;
/// Every device-only opcode (none is an opcode of the byte-code format).
pub const DEVICE_OPCODES: &[u8] = &[
    INC_LOCAL,
    INC_GLOBAL,
    CMP_JUMP_LOCAL,
    CMP_JUMP_GLOBAL,
    INDEX_REF_LOCAL,
    INDEX_REF_GLOBAL,
    STORE_INDEX_REF_LOCAL,
    STORE_INDEX_REF_GLOBAL,
    INC_LOCAL_JUMP,
    INC_GLOBAL_JUMP,
    SQUARE,
    MUL_K,
    GLOBAL_OP,
    ADD_STORE,
];

/// The format's opcode a device-only opcode stands for where the generated code may meet it
/// (the `IndexRef` forms hand their slow cases over with pc on their opcode).
pub fn plain_of(code: u8) -> Option<u8> {
    let index_ref = Op::IndexRef {
        list: 0,
        i: 0,
        k: 0,
    }
    .code();
    let store = Op::StoreIndexRef {
        list: 0,
        i: 0,
        k: 0,
    }
    .code();
    match code {
        INDEX_REF_LOCAL | INDEX_REF_GLOBAL => Some(index_ref),
        STORE_INDEX_REF_LOCAL | STORE_INDEX_REF_GLOBAL => Some(store),
        // Its fallback is `Add`'s handler, whose slow cases hand over with pc on this opcode.
        ADD_STORE => Some(Op::Add.code()),
        _ => None,
    }
}

/// The `IndexRef` form naming one kind of variable, if both refs are of one kind.
fn index_ref_kind(op: Op) -> Option<u8> {
    let (list, i, store) = match op {
        Op::IndexRef { list, i, .. } => (list, i, false),
        Op::StoreIndexRef { list, i, .. } => (list, i, true),
        _ => return None,
    };
    let global = |r: u8| r >= GLOBAL_REF;
    Some(match (global(list), global(i), store) {
        (false, false, false) => INDEX_REF_LOCAL,
        (true, true, false) => INDEX_REF_GLOBAL,
        (false, false, true) => STORE_INDEX_REF_LOCAL,
        (true, true, true) => STORE_INDEX_REF_GLOBAL,
        _ => return None,
    })
}

/// The fused opcode of the sequence starting at `ops[0]`, if it is one.
fn fused(ops: &[(usize, Op)]) -> Option<u8> {
    let w: Vec<Op> = ops.iter().take(5).map(|o| o.1).collect();
    match w.as_slice() {
        [Op::Load { slot: a }, Op::Int8 { .. }, Op::Add, Op::Store { slot: b }, Op::Jump { .. }]
            if a == b =>
        {
            Some(INC_LOCAL_JUMP)
        }
        [Op::LoadG { global: a }, Op::Int8 { .. }, Op::Add, Op::StoreG { global: b }, Op::Jump { .. }]
            if a == b =>
        {
            Some(INC_GLOBAL_JUMP)
        }
        [Op::Int8 { v: 2 }, Op::Pow, ..] => Some(SQUARE),
        [Op::Int8 { .. }, Op::Mul, ..] => Some(MUL_K),
        [Op::LoadG { .. }, Op::Sub | Op::Mul, ..] => Some(GLOBAL_OP),
        [Op::Add, Op::Store { .. }, ..] => Some(ADD_STORE),
        _ => fused4(&w),
    }
}

/// The four-instruction sequences.
fn fused4(w: &[Op]) -> Option<u8> {
    match w.get(..4)? {
        [Op::Load { slot: a }, Op::Int8 { .. }, Op::Add, Op::Store { slot: b }] if a == b => {
            Some(INC_LOCAL)
        }
        [Op::LoadG { global: a }, Op::Int8 { .. }, Op::Add, Op::StoreG { global: b }] if a == b => {
            Some(INC_GLOBAL)
        }
        [Op::Load { .. }, Op::Load { .. }, Op::Lt | Op::Le, Op::JumpIfFalse { .. }] => {
            Some(CMP_JUMP_LOCAL)
        }
        [Op::LoadG { .. }, Op::LoadG { .. }, Op::Lt | Op::Le, Op::JumpIfFalse { .. }] => {
            Some(CMP_JUMP_GLOBAL)
        }
        _ => None,
    }
}

/// Marks the fused sequences of a function's (checked) `ops` in its device `code`.
pub fn mark(ops: &[(usize, Op)], code: &mut [u8]) {
    for i in 0..ops.len() {
        if let Some(op) = fused(&ops[i..]).or_else(|| index_ref_kind(ops[i].1)) {
            code[ops[i].0] = op;
        }
    }
}

/// The core's handlers: (opcode, label) and their text. On entry r4 is at the first
/// instruction's first operand byte.
pub fn handlers() -> Vec<(u8, &'static str)> {
    vec![
        (INC_LOCAL, "h_inc_local"),
        (INC_GLOBAL, "h_inc_global"),
        (INC_LOCAL_JUMP, "h_inc_local_jump"),
        (INC_GLOBAL_JUMP, "h_inc_global_jump"),
        (SQUARE, "h_square"),
        (MUL_K, "h_mul_k"),
        (GLOBAL_OP, "h_global_op"),
        (ADD_STORE, "h_add_store"),
        (CMP_JUMP_LOCAL, "h_cmp_jump_local"),
        (CMP_JUMP_GLOBAL, "h_cmp_jump_global"),
        (INDEX_REF_LOCAL, "h_index_ref_local"),
        (INDEX_REF_GLOBAL, "h_index_ref_global"),
        (STORE_INDEX_REF_LOCAL, "h_store_index_ref_local"),
        (STORE_INDEX_REF_GLOBAL, "h_store_index_ref_global"),
    ]
}

/// `list[i + k]` of two frame slots (`global` false) or two module variables (tag + 1,
/// ref - 0x80): a byte-code list (one dimension) and an int index in range run here;
/// anything else joins the core's general `IndexRef` code (`bc_index_ref`, r22 the kind).
fn index_ref(global: bool) -> String {
    let (suffix, base, bias) = if global {
        ("global", "r8", 1)
    } else {
        ("local", "r6", 0)
    };
    // A module variable's ref has bit 7 set: shifted out with the index's scaling.
    let scale = if global {
        " lsl r1,r1,#25\n lsl r2,r2,#25\n lsr r1,r1,#22\n lsr r2,r2,#22\n"
    } else {
        " lsl r1,r1,#3\n lsl r2,r2,#3\n"
    };
    // The load and the store each have their own copy (the load, the hotter, saves the
    // test of which it is, and sets r22, which tells the general code which it is, only
    // when it declines).
    let body = |bail: &str| {
        format!(
            r#" ldrb r1,[r4]
 ldrb r2,[r4,#1]
 ldrb r3,[r4,#2]
{scale} ldrd r16,[{base},r1]
 ldrd r18,[{base},r2]
 lsl r3,r3,#24
 asr r3,r3,#24
 mov r0,#{list}
 sub r0,r16,r0
 sub r12,r18,#{int}
 orr r0,r0,r12
 bne {bail}
 ldrd r20,[r17]
 add r19,r19,r3
 sub r0,r21,#2
 bgteu {bail}
 sub r0,r19,r20
 bgteu {bail}
 lsl r19,r19,#3
 add r19,r19,r17
 add r4,r4,#3
"#,
            list = super::core::DYN_LIST + bias,
            int = Tag::Int as u32 + bias,
        )
    };
    format!(
        r#"
h_store_index_ref_{suffix}:
 mov r22,#1
{store} b bc_store_cell
bc_index_ref_{suffix}_declined:
 mov r22,#0
 b bc_index_ref
h_index_ref_{suffix}:
{load} ldrd r2,[r19,#1]
{fetch} strd r2,[r5],#1
{go}"#,
        store = body("bc_index_ref"),
        load = body(&format!("bc_index_ref_{suffix}_declined")),
        fetch = super::core::FETCH,
        go = super::core::GO,
    )
}

/// The handlers' assembly (`next`: the dispatch of the following instruction).
pub fn text(next: &str) -> String {
    index_ref(false)
        + &index_ref(true)
        + &format!(
            r#"
; [Int8 2] [Pow] of a float on the stack: its square, as `Pow` computes it (anything else:
; the plain `Int8`, and `Pow` after it).
h_square:
 ldrd r16,[r5,#-1]
 sub r12,r16,#{float}
 bne h_int8
 add r4,r4,#2
 fmul r17,r17,r17
{fetch} strd r16,[r5,#-1]
{go}
; [Int8 k] [Mul] of a float on the stack: k as a float, as `Mul` converts it.
h_mul_k:
 ldrd r16,[r5,#-1]
 sub r12,r16,#{float}
 bne h_int8
 ldrb r3,[r4]
 lsl r3,r3,#24
 asr r3,r3,#24
 float r3,r3
 add r4,r4,#2
 fmul r17,r17,r3
{fetch} strd r16,[r5,#-1]
{go}
; [LoadG g] [Sub|Mul]: g at +0, the operator at +2; g a float (tag + 1) and the stack's top a
; float or an int (converted, as the operators convert it); anything else: the plain `LoadG`.
h_global_op:
 ldrb r1,[r4]
 ldrb r2,[r4,#1]
 lsl r2,r2,#8
 orr r1,r1,r2
 lsl r1,r1,#3
 ldrd r2,[r8,r1]
 ldrd r16,[r5,#-1]
 sub r12,r2,#{float1}
 bne h_loadg
 sub r12,r16,#{float}
 beq bc_global_op_ff
 sub r12,r16,#{int}
 bne h_loadg
 float r17,r17
 mov r16,#{float}
bc_global_op_ff:
 ldrb r0,[r4,#2]
 add r4,r4,#3
 sub r0,r0,#{mul}
 beq bc_global_op_mul
 fsub r17,r17,r3
 b bc_global_op_out
bc_global_op_mul:
 fmul r17,r17,r3
bc_global_op_out:
{fetch} strd r16,[r5,#-1]
{go}
; [Add] [Store s] of two floats: s at +1, 2 bytes on (anything else: the plain `Add`).
h_add_store:
 ldrd r2,[r5,#-1]
 ldrd r16,[r5,#-2]
 lsl r1,r16,#3
 add r1,r1,r2
 sub r12,r1,#{ff}
 bne h_add
 ldrb r1,[r4,#1]
 fadd r17,r17,r3
 add r4,r4,#2
 lsl r1,r1,#3
 sub r5,r5,#16
{fetch} strd r16,[r6,r1]
{go}
; [Load s] [Int8 k] [Add] [Store s]: s at +0, k at +2, 6 bytes to the next instruction
; (r22); with [Jump off] after it: off at +7, the jump's base 9 bytes on.
h_inc_local:
 add r22,r4,#6
 b bc_inc_local
h_inc_local_jump:
 ldrb r1,[r4,#7]
 ldrb r2,[r4,#8]
 add r22,r4,#9
 lsl r2,r2,#24
 asr r2,r2,#16
 orr r1,r1,r2
 add r22,r22,r1
bc_inc_local:
 ldrb r1,[r4]
 ldrb r3,[r4,#2]
 lsl r1,r1,#3
 ldrd r16,[r6,r1]
 lsl r3,r3,#24
 asr r3,r3,#24
 sub r0,r16,#2
 bne h_load
 add r17,r17,r3
 strd r16,[r6,r1]
 mov r4,r22
{next}
; [LoadG g] [Int8 k] [Add] [StoreG g]: g at +0, k at +3, 8 bytes on (r22); with [Jump off]
; after it: off at +9, the jump's base 11 bytes on. Module variables hold tag + 1.
h_inc_global:
 add r22,r4,#8
 b bc_inc_global
h_inc_global_jump:
 ldrb r1,[r4,#9]
 ldrb r2,[r4,#10]
 add r22,r4,#11
 lsl r2,r2,#24
 asr r2,r2,#16
 orr r1,r1,r2
 add r22,r22,r1
bc_inc_global:
 ldrb r1,[r4]
 ldrb r2,[r4,#1]
 ldrb r3,[r4,#3]
 lsl r2,r2,#8
 orr r1,r1,r2
 lsl r1,r1,#3
 ldrd r16,[r8,r1]
 lsl r3,r3,#24
 asr r3,r3,#24
 sub r0,r16,#3
 bne h_loadg
 add r17,r17,r3
 strd r16,[r8,r1]
 mov r4,r22
{next}
; [Load a] [Load b] [Lt|Le] [JumpIfFalse off]: a +0, b +2, compare +3, off +5, 7 bytes on.
h_cmp_jump_local:
 ldrb r1,[r4]
 ldrb r2,[r4,#2]
 lsl r1,r1,#3
 lsl r2,r2,#3
 ldrd r16,[r6,r1]
 ldrd r2,[r6,r2]
 sub r0,r16,#2
 bne h_load
 sub r0,r2,#2
 bne h_load
 ldrb r12,[r4,#3]
 ldrb r1,[r4,#5]
 ldrb r0,[r4,#6]
 add r4,r4,#7
 b bc_cmp_jump
; [LoadG a] [LoadG b] [Lt|Le] [JumpIfFalse off]: a +0, b +3, compare +5, off +7, 9 bytes on.
h_cmp_jump_global:
 ldrb r1,[r4]
 ldrb r0,[r4,#1]
 ldrb r2,[r4,#3]
 ldrb r3,[r4,#4]
 lsl r0,r0,#8
 lsl r3,r3,#8
 orr r1,r1,r0
 orr r2,r2,r3
 lsl r1,r1,#3
 lsl r2,r2,#3
 ldrd r16,[r8,r1]
 ldrd r2,[r8,r2]
 sub r0,r16,#3
 bne h_loadg
 sub r0,r2,#3
 bne h_loadg
 ldrb r12,[r4,#5]
 ldrb r1,[r4,#7]
 ldrb r0,[r4,#8]
 add r4,r4,#9
; a r17, b r3, the compare's opcode r12, the offset's bytes r1 (low) r0 (high), r4 the next
; instruction: jump unless the compare holds.
bc_cmp_jump:
 lsl r0,r0,#24
 asr r0,r0,#16
 orr r1,r1,r0
 add r1,r4,r1
 sub r12,r12,#{lt}
 beq bc_cmp_jump_lt
 sub r0,r17,r3
 movgt r4,r1
{next}
bc_cmp_jump_lt:
 sub r0,r17,r3
 movgte r4,r1
{next}"#,
            lt = Op::Lt.code(),
            float = Tag::Float as u32,
            float1 = Tag::Float as u32 + 1,
            int = Tag::Int as u32,
            mul = Op::Mul.code(),
            ff = 9 * Tag::Float as u32,
            fetch = super::core::FETCH,
            go = super::core::GO,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_opcodes_are_not_byte_code() {
        for &c in DEVICE_OPCODES {
            assert!(Op::decode(&[c, 0, 0, 0, 0], &mut 0).is_err(), "opcode {c}");
        }
    }

    #[test]
    fn marks_only_whole_sequences_of_one_variable() {
        let ops = |v: &[Op]| {
            let mut code = Vec::new();
            let mut out = Vec::new();
            for op in v {
                out.push((code.len(), *op));
                op.encode(&mut code);
            }
            (out, code)
        };
        let (o, mut c) = ops(&[
            Op::Load { slot: 1 },
            Op::Int8 { v: 1 },
            Op::Add,
            Op::Store { slot: 1 },
            Op::Load { slot: 1 },
            Op::Int8 { v: 1 },
            Op::Add,
            Op::Store { slot: 2 },
        ]);
        mark(&o, &mut c);
        assert_eq!(c[0], INC_LOCAL);
        assert_eq!(c[o[4].0], Op::Load { slot: 0 }.code());
    }

    #[test]
    fn a_step_followed_by_a_jump_is_one_sequence() {
        let mut code = Vec::new();
        let mut o = Vec::new();
        for op in [
            Op::LoadG { global: 3 },
            Op::Int8 { v: 1 },
            Op::Add,
            Op::StoreG { global: 3 },
            Op::Jump { off: -20 },
        ] {
            o.push((code.len(), op));
            op.encode(&mut code);
        }
        mark(&o, &mut code);
        assert_eq!(code[0], INC_GLOBAL_JUMP);
        // Where the handler (r4 one past the opcode) reads the jump: its opcode 8 bytes on,
        // its offset 9, its base 11.
        assert_eq!(o[4].0, 1 + 8);
        assert_eq!(code.len(), 1 + 11);
    }
}
