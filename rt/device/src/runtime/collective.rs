//! Collectives over every core of the run, on message channel 1 (so they never take a
//! program's message): `sync` and `reduce` gather at core 0, which combines the values in core
//! order (as the host runtime does: ints with wrapping arithmetic, float sums from 0.0) and
//! sends the result to every core; `bcast` sends from the root to every other core.

use super::mailbox::entry;
use super::{epilogue, prologue};

const SAVED: &[&str] = &["r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11"];

pub fn text() -> String {
    let mut s = String::new();

    // __epyc_gather(bits r0, tag r1, op r2, pos r3, blocked-op r24) -> combined bits on every core.
    // op: ePython's reduce code (0 sum, 1 min, 2 max, 3 prod) or -1 for sync (no value).
    s += ".global __epyc_gather\n__epyc_gather:\n";
    s += &prologue(SAVED);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r11,r24
 li r16,{STATE}
 ldr r8,[r16,#{ST_MY_INDEX}]
 ldr r9,[r16,#{ST_NCORES}]
 add r8,r8,#0
 beq _gather_root
 ; a contributor: send to core 0, take the result
 mov r0,#1
 mov r1,#0
 mov r2,r4
 mov r3,r5
 mov r12,r7
 mov r24,r11
 bl __epyc_put
 mov r0,#1
 mov r1,#0
 mov r12,r7
 mov r24,r11
 bl __epyc_take
 mov r4,r0
 mov r0,#1
 mov r1,#0
 bl __epyc_ack
 b _gather_done
_gather_root:
 sub r0,r5,#{TAG_FLOAT}
 bne _gather_start
 sub r0,r6,#0
 bne _gather_start
 mov r0,#0
 fadd r4,r0,r4
_gather_start:
 mov r10,#1
_gather_take:
 sub r0,r10,r9
 bgte _gather_send
 mov r0,#1
 mov r1,r10
 mov r12,r7
 mov r24,r11
 bl __epyc_take
 mov r8,r0
 mov r3,r1
 mov r0,#1
 mov r1,r10
 bl __epyc_ack
 mov r0,r8
 mov r1,r3
 mov r2,r5
 mov r3,r7
 sub r16,r6,#0
 blt _gather_next
 bl __epyc_convert
 mov r1,r0
 mov r0,r4
 mov r2,r6
 mov r3,r5
 bl __epyc_combine
 mov r4,r0
_gather_next:
 add r10,r10,#1
 b _gather_take
_gather_send:
 mov r10,#1
_gather_send_loop:
 sub r0,r10,r9
 bgte _gather_done
 mov r0,#1
 mov r1,r10
 mov r2,r4
 mov r3,r5
 mov r12,r7
 mov r24,r11
 bl __epyc_put
 add r10,r10,#1
 b _gather_send_loop
_gather_done:
 mov r0,r4
"#;
    s += &epilogue(SAVED);

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
