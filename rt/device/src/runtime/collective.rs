//! Collectives over every core of the run. `sync` and `reduce` are all-to-all rounds through
//! the `COLL` slots of the runtime state (memmap): each core posts its value into every core
//! with remote writes only, then combines all values in core order from its own memory (as
//! the host runtime does: ints with wrapping arithmetic, float sums from 0.0), so every core
//! computes the same bits without a gather/scatter round trip. `bcast` sends from the root to
//! every other core on message channel 1 (so it never takes a program's message).

use super::mailbox::entry;
use super::{epilogue, prologue};

const SAVED: &[&str] = &["r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11"];

pub fn text() -> String {
    let mut s = String::new();

    // __epyc_gather(bits r0, tag r1, op r2, pos r3, blocked-op r24) -> combined bits on every core.
    // op: ePython's reduce code (0 sum, 1 min, 2 max, 3 prod) or -1 for sync (no value).
    // Every core posts `{bits, key}` into its slot of round parity in every core (remote
    // writes only, itself included), then combines the slots of cores 0..n in that order from
    // its own memory: the same values in the same order give the same bits on every core.
    // Core 0's slot (and any slot that is not there yet or has another type) goes through the
    // general element code at _gather_take; the others through a loop specialised for the
    // op and core 0's type (see `gather_fast_loops`).
    s += ".global __epyc_gather\n__epyc_gather:\n";
    s += &prologue(SAVED);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r11,r24
 li r16,{STATE}
 ldr r8,[r16,#{ST_COLL_SEQ}]
 add r8,r8,#1
 str r8,[r16,#{ST_COLL_SEQ}]
 ldr r10,[r16,#{ST_MY_INDEX}]
 ldr r19,[r16,#{ST_NCORES}]
 ; r9 = this round's slots: STATE_COLL + (parity * 16) * 8
 lsl r9,r8,#31
 lsr r9,r9,#24
 li r17,{STATE_COLL}
 add r9,r9,r17
 ; r17 = my slot of this round, r8 = key without tag, r1 = key with my tag
 lsl r17,r10,#3
 add r17,r17,r9
 lsl r8,r8,#4
 orr r1,r8,r5
 li r18,{STATE_CORE_BASE}
_gather_post:
 ldr r20,[r18]
 add r18,r18,#4
 add r20,r20,r17
 str r4,[r20]
 str r1,[r20,#1]
 sub r19,r19,#1
 bne _gather_post
 mov r10,#0
 b _gather_take
"#;
    s += &gather_fast_loops();
    s += r#"
_gather_take:
 ldr r0,[r9,#1]
 lsr r0,r0,#4
 lsl r0,r0,#4
 sub r0,r0,r8
 beq _gather_got
 add r0,r9,#4
 mov r1,r8
 mov r2,r11
 mov r3,r10
 mov r12,r7
 bl __epyc_wait_key
_gather_got:
 ldr r1,[r9,#1]
 lsl r1,r1,#28
 lsr r1,r1,#28
 ldr r0,[r9]
 add r10,r10,#0
 bne _gather_other
 ; core 0's value starts the result and fixes its type (float sums start from 0.0)
 mov r5,r1
 mov r4,r0
 sub r0,r5,#{TAG_FLOAT}
 bne _gather_next
 sub r0,r6,#0
 bne _gather_next
 mov r0,#0
 fadd r4,r0,r4
 b _gather_next
_gather_other:
 sub r16,r6,#0
 blt _gather_next
 sub r16,r1,r5
 beq _gather_combine
 ; a type other than core 0's: an int widens to float, anything else is core 0's error
 li r16,{STATE}
 ldr r16,[r16,#{ST_MY_INDEX}]
 add r16,r16,#0
 bne _gather_check
 mov r2,r5
 mov r3,r7
 bl __epyc_convert
 b _gather_combine
_gather_check:
 sub r16,r1,#{TAG_INT}
 bne _gather_park
 sub r16,r5,#{TAG_FLOAT}
 bne _gather_park
 float r0,r0
_gather_combine:
 mov r1,r0
 mov r0,r4
 mov r2,r6
 mov r3,r5
 bl __epyc_combine
 mov r4,r0
_gather_next:
 add r9,r9,#8
 add r10,r10,#1
 b _gather_dispatch
_gather_done:
 mov r0,r4
"#;
    s += &epilogue(SAVED);
    s += r#"
; Core 0 reports the type error of a mismatched reduce and the monitor ends the run; the
; other cores wait here (blocked on core 0) rather than report it again.
_gather_park:
 li r0,{STATE_COLL}
 mov r1,#1
 mov r2,r11
 mov r3,#0
 mov r12,r7
 bl __epyc_wait_key
 b _gather_park

"#;

    s += r#"
; __epyc_combine(acc r0, v r1, op r2, tag r3) -> acc op v
.global __epyc_combine
__epyc_combine:
 sub r16,r3,#{TAG_FLOAT}
 beq _combine_float
 sub r16,r2,#0
 bne _combine_int_min
 add r0,r0,r1
 rts
_combine_int_min:
 sub r16,r2,#1
 bne _combine_int_max
 sub r16,r0,r1
 movgt r0,r1
 rts
_combine_int_max:
 sub r16,r2,#2
 bne _combine_int_prod
 sub r16,r0,r1
 movlt r0,r1
 rts
_combine_int_prod:
 b ___mulsi3
_combine_float:
 sub r16,r2,#0
 bne _combine_float_min
 fadd r0,r0,r1
 rts
_combine_float_min:
 sub r16,r2,#1
 bne _combine_float_max
 fsub r16,r1,r0
 movblt r0,r1
 rts
_combine_float_max:
 sub r16,r2,#2
 bne _combine_float_prod
 fsub r16,r0,r1
 movblt r0,r1
 rts
_combine_float_prod:
 fmul r0,r0,r1
 rts
"#;

    // (pos)
    s += &entry("epyc_sync");
    s += &super::offchip::divert_collective("epyc_sync");
    s += &prologue(&[]);
    s += r#"
 mov r3,r0
 mov r0,#0
 mov r1,#{TAG_NONE}
 mov r2,#0
 sub r2,r2,#1
 mov r24,#{OP_SYNC}
 bl __epyc_gather
"#;
    s += &epilogue(&[]);

    // (bits, tag, op, pos)
    s += &entry("epyc_reduce");
    s += &super::offchip::divert_collective("epyc_reduce");
    s += &prologue(&["r4", "r5", "r6", "r7"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 sub r16,r6,#0
 blt _reduce_bad_op
 sub r16,r6,#3
 bgt _reduce_bad_op
 sub r16,r5,#{TAG_FLOAT}
 beq _reduce_tag_ok
 sub r16,r5,#{TAG_INT}
 beq _reduce_tag_ok
 sub r16,r5,#{TAG_BOOL}
 beq _reduce_tag_ok
_reduce_bad_op:
 mov r0,#{E_TYPE}
 mov r1,r7
 b _epyc_error
_reduce_tag_ok:
 mov r24,#{OP_REDUCE}
 bl __epyc_gather
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7"]);

    // (bits, tag, root, expected, pos [stack]) -> root's bits
    s += &entry("epyc_bcast");
    s += &super::offchip::divert_collective("epyc_bcast");
    s += " ldr r16,[sp,#2]\n";
    s += &prologue(SAVED);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r8,r16
 mov r0,r6
 mov r1,#{E_SEND_MISSING}
 mov r2,r8
 bl __epyc_check_core
 li r16,{STATE}
 ldr r9,[r16,#{ST_MY_INDEX}]
 ldr r10,[r16,#{ST_NCORES}]
 sub r0,r9,r6
 beq _bcast_root
 mov r0,#1
 mov r1,r6
 mov r12,r8
 mov r24,#{OP_BCAST}
 bl __epyc_take
 mov r4,r0
 mov r5,r1
 mov r0,#1
 mov r1,r6
 bl __epyc_ack
 b _bcast_done
_bcast_root:
 mov r11,#0
_bcast_loop:
 sub r0,r11,r10
 bgte _bcast_done
 sub r0,r11,r6
 beq _bcast_next
 mov r0,#1
 mov r1,r11
 mov r2,r4
 mov r3,r5
 mov r12,r8
 mov r24,#{OP_BCAST}
 bl __epyc_put
_bcast_next:
 add r11,r11,#1
 b _bcast_loop
_bcast_done:
 mov r0,r4
 mov r1,r5
 mov r2,r7
 mov r3,r8
 bl __epyc_convert
"#;
    s += &epilogue(SAVED);
    s
}

/// The combining loops of `__epyc_gather` for sync and sums, and the dispatch to them
/// (`_gather_dispatch`, after each element the general code handled: r4 = result, r5 = core
/// 0's tag, r6 = op, r8 = round key, r9 = slot k, r10 = k). A loop takes slot after slot
/// (r19 = slots left) while each is already there with core 0's type (its key is `r8 | r5`),
/// combining with one instruction; the first slot that is not goes back to the general code
/// (`_gather_take`, k recomputed), which waits for it, converts or reports it, and
/// dispatches again.
fn gather_fast_loops() -> String {
    // (label, combine r4 with the value in r1): the common cases only, to keep the runtime
    // small; min, max and products go through the general code.
    const LOOPS: &[(&str, &str)] = &[
        ("sync", ""),
        ("float_sum", " fadd r4,r4,r1\n"),
        ("int_sum", " add r4,r4,r1\n"),
    ];
    let mut s = String::from(
        r#"
_gather_dispatch:
 li r16,{STATE}
 ldr r19,[r16,#{ST_NCORES}]
 sub r19,r19,r10
 blte _gather_done
 orr r22,r8,r5
 sub r16,r6,#0
 blt _gather_sync
 bne _gather_take
 sub r16,r5,#{TAG_FLOAT}
 beq _gather_float_sum
 sub r16,r5,#{TAG_INT}
 beq _gather_int_sum
 b _gather_take
_gather_resume:
 li r16,{STATE}
 ldr r10,[r16,#{ST_NCORES}]
 sub r10,r10,r19
 b _gather_take
"#,
    );
    for (name, combine) in LOOPS {
        s += &format!(
            "_gather_{name}:\n ldr r0,[r9,#1]\n ldr r1,[r9]\n sub r0,r0,r22\n bne _gather_resume\n\
             {combine} add r9,r9,#8\n sub r19,r19,#1\n bne _gather_{name}\n b _gather_done\n"
        );
    }
    s
}
