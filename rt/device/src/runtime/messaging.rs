//! Point-to-point messages over the mesh. Each core has, in its local memory, one postbox per
//! sender and channel (`memmap::state`); a sender waits until its previous message to that
//! core was taken, writes tag and bits remotely into the receiver's postbox and then the
//! sequence number; the receiver spins on its own (local) postbox, takes the message and
//! writes the sequence number back into the sender's ACK word. Spins are local reads; every
//! wait records what it waits for in the mailbox slot so the monitor can find deadlocks.
//! Strings travel as the global address of the sender's string: the receiver copies the bytes
//! before acknowledging (the sender is still waiting, so the string cannot change).
//!
//! A wait first spins a little without telling anyone (most messages arrive within a few
//! dozen cycles); only then does it write its blocked record to the mailbox slot, an
//! off-chip store the monitor's deadlock detection reads.
//!
//! Internal routines take the source position in r12 and the blocked-operation code in r24.

use super::mailbox::entry;
use super::{epilogue, prologue};

pub fn text() -> String {
    let mut s = String::from(
        r#"
; __epyc_wait_key(addr r0, key r1, op r2, partner r3, pos r12): until [addr] without its low
; four bits (a value tag) == key (the collectives' slots).
.global __epyc_wait_key
__epyc_wait_key:
 mov r21,#0
 sub r21,r21,#16
 b __epyc_wait_masked
; __epyc_wait_eq(addr r0, value r1, op r2, partner r3, pos r12): until [addr] == value.
.global __epyc_wait_eq
__epyc_wait_eq:
 mov r21,#0
 sub r21,r21,#1
 b __epyc_wait_masked
; __epyc_wait_masked(addr r0, value r1, op r2, partner r3, pos r12, mask r21): until
; [addr] & mask == value; a while quietly, then with a blocked record for the monitor.
.global __epyc_wait_masked
__epyc_wait_masked:
 mov r20,#64
_wait_eq_quick:
 ldr r16,[r0]
 and r16,r16,r21
 sub r16,r16,r1
 beq _wait_eq_done
 sub r20,r20,#1
 bne _wait_eq_quick
 li r17,{STATE}
 ldr r18,[r17,#{ST_SLOT}]
 str r3,[r18,#{S_BLOCK_PARTNER}]
 str r12,[r18,#{S_BLOCK_POS}]
 ldr r19,[r17,#{ST_BLOCK_COUNT}]
 add r19,r19,#1
 str r19,[r17,#{ST_BLOCK_COUNT}]
 str r19,[r18,#{S_BLOCK_COUNT}]
 str r2,[r18,#{S_BLOCK_OP}]
_wait_eq_spin:
 ldr r16,[r0]
 and r16,r16,r21
 sub r16,r16,r1
 bne _wait_eq_spin
 mov r16,#0
 str r16,[r18,#{S_BLOCK_OP}]
_wait_eq_done:
 rts

; __epyc_wait_ne(addr r0, value r1, op r2, partner r3, pos r12): until [addr] != value.
.global __epyc_wait_ne
__epyc_wait_ne:
 mov r20,#64
_wait_ne_quick:
 ldr r16,[r0]
 sub r16,r16,r1
 bne _wait_ne_done
 sub r20,r20,#1
 bne _wait_ne_quick
 li r17,{STATE}
 ldr r18,[r17,#{ST_SLOT}]
 str r3,[r18,#{S_BLOCK_PARTNER}]
 str r12,[r18,#{S_BLOCK_POS}]
 ldr r19,[r17,#{ST_BLOCK_COUNT}]
 add r19,r19,#1
 str r19,[r17,#{ST_BLOCK_COUNT}]
 str r19,[r18,#{S_BLOCK_COUNT}]
 str r2,[r18,#{S_BLOCK_OP}]
_wait_ne_spin:
 ldr r16,[r0]
 sub r16,r16,r1
 beq _wait_ne_spin
 mov r16,#0
 str r16,[r18,#{S_BLOCK_OP}]
_wait_ne_done:
 rts

; __epyc_check_core(index r0, error r1, pos r2): RtError `error` unless 0 <= index < ncores.
.global __epyc_check_core
__epyc_check_core:
 li r16,{STATE}
 ldr r16,[r16,#{ST_NCORES}]
 sub r16,r0,r16
 bgteu _check_core_bad
 rts
_check_core_bad:
 mov r0,r1
 mov r1,r2
 b _epyc_error

; __epyc_put(ch r0, dest r1, bits r2, tag r3, pos r12, op r24) -> r0 = seq, r1 = &ACK word.
.global __epyc_put
__epyc_put:
"#,
    );
    let saved = ["r4", "r5", "r6", "r7", "r8", "r9"];
    s += &prologue(&saved);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r8,r12
 mov r9,r24
 li r16,{STATE}
 lsl r0,r4,#4
 add r0,r0,r5
 lsl r0,r0,#2
 add r17,r0,r16
 ldr r1,[r17,#{ST_SENT}]
 add r0,r17,#{ST_ACK_BYTES}
 mov r2,r9
 mov r3,r5
 mov r12,r8
 bl __epyc_wait_eq
 li r16,{STATE}
 lsl r0,r4,#4
 add r0,r0,r5
 lsl r0,r0,#2
 add r17,r0,r16
 ldr r18,[r17,#{ST_SENT}]
 add r18,r18,#1
 str r18,[r17,#{ST_SENT}]
 lsl r0,r5,#2
 add r0,r0,r16
 ldr r20,[r0,#{ST_CORE_BASE}]
 ldr r21,[r16,#{ST_MY_INDEX}]
 lsl r0,r4,#4
 add r0,r0,r21
 lsl r0,r0,#4
 add r0,r0,r16
 add r20,r20,r0
 str r7,[r20,#1]
 str r6,[r20,#2]
 str r18,[r20]
 mov r0,r18
 add r1,r17,#{ST_ACK_BYTES}
"#;
    s += &epilogue(&saved);

    s += r#"
; __epyc_take(ch r0, src r1, pos r12, op r24) -> r0 = bits, r1 = tag, r2 = seq (not yet acked).
.global __epyc_take
__epyc_take:
"#;
    s += &prologue(&["r4", "r5"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 li r16,{STATE}
 lsl r0,r4,#4
 add r0,r0,r5
 lsl r17,r0,#2
 add r17,r17,r16
 lsl r0,r0,#4
 add r0,r0,r16
 ldr r1,[r17,#{ST_SEEN}]
 mov r2,r24
 mov r3,r5
 bl __epyc_wait_ne
 li r16,{STATE}
 lsl r0,r4,#4
 add r0,r0,r5
 lsl r17,r0,#2
 add r17,r17,r16
 lsl r18,r0,#4
 add r18,r18,r16
 ldr r2,[r18]
 str r2,[r17,#{ST_SEEN}]
 ldr r0,[r18,#2]
 ldr r1,[r18,#1]
"#;
    s += &epilogue(&["r4", "r5"]);

    s += r#"
; __epyc_ack(ch r0, src r1, seq r2): tell `src` its message was taken. Leaf.
.global __epyc_ack
__epyc_ack:
 li r16,{STATE}
 lsl r17,r1,#2
 add r17,r17,r16
 ldr r17,[r17,#{ST_CORE_BASE}]
 ldr r18,[r16,#{ST_MY_INDEX}]
 lsl r0,r0,#4
 add r0,r0,r18
 lsl r0,r0,#2
 add r0,r0,r16
 add r0,r0,r17
 str r2,[r0,#{ST_ACK}]
 rts

; __epyc_convert(bits r0, tag r1, expected r2, pos r3) -> bits as the expected type.
.global __epyc_convert
__epyc_convert:
 sub r16,r1,r2
 beq _convert_done
 sub r16,r1,#{TAG_INT}
 bne _convert_bad
 sub r16,r2,#{TAG_FLOAT}
 bne _convert_bad
 float r0,r0
_convert_done:
 rts
_convert_bad:
 mov r16,r1
 mov r1,r2
 mov r2,r16
 mov r0,#{R_MessageTypeError}
 b __epyc_req_final

; __epyc_global(ptr r0) -> the global address of a pointer into this core's memory. Leaf.
.global __epyc_global
__epyc_global:
 lsr r16,r0,#20
 bne _global_done
 add r16,r0,#0
 beq _global_done
 li r16,{STATE}
 ldr r16,[r16,#{ST_MY_BASE}]
 orr r0,r0,r16
_global_done:
 rts
"#;

    // (bits, tag, dest, pos)
    s += &entry("epyc_send");
    s += &super::offchip::divert("r2", "epyc_send");
    s += &prologue(&["r4", "r5", "r6", "r7"]);
    s += SEND_PUT;
    s += r#"
 mov r1,r0
 add r0,r1,#0
 ; wait for the receiver to take it
 li r16,{STATE}
 lsl r0,r6,#2
 add r0,r0,r16
 add r0,r0,#{ST_ACK_BYTES}
 mov r2,#{OP_SEND}
 mov r3,r6
 mov r12,r7
 bl __epyc_wait_eq
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7"]);

    // (bits, tag, dest, pos): the same without waiting for the receiver.
    s += &entry("epyc_send_nb");
    s += &super::offchip::divert("r2", "epyc_send_nb");
    s += &prologue(&["r4", "r5", "r6", "r7"]);
    s += SEND_PUT;
    s += &epilogue(&["r4", "r5", "r6", "r7"]);

    // (dest, pos) -> 1 if the last non-blocking send to dest was taken.
    s += &entry("epyc_test_sent");
    s += &super::offchip::divert("r0", "epyc_test_sent");
    s += &prologue(&["r4"]);
    s += r#"
 mov r4,r0
 mov r2,r1
 mov r1,#{E_SEND_MISSING}
 bl __epyc_check_core
 li r16,{STATE}
 lsl r0,r4,#2
 add r0,r0,r16
 ldr r1,[r0,#{ST_SENT}]
 ldr r2,[r0,#{ST_ACK}]
 mov r0,#0
 sub r1,r1,r2
 bne _test_sent_no
 mov r0,#1
_test_sent_no:
"#;
    s += &epilogue(&["r4"]);

    // (dest, pos) -> 1 once taken.
    s += &entry("epyc_wait_sent");
    s += &super::offchip::divert("r0", "epyc_wait_sent");
    s += &prologue(&["r4", "r5"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r2,r1
 mov r1,#{E_SEND_MISSING}
 bl __epyc_check_core
 li r16,{STATE}
 lsl r0,r4,#2
 add r0,r0,r16
 ldr r1,[r0,#{ST_SENT}]
 add r0,r0,#{ST_ACK_BYTES}
 mov r2,#{OP_WAIT_SENT}
 mov r3,r4
 mov r12,r5
 bl __epyc_wait_eq
 mov r0,#1
"#;
    s += &epilogue(&["r4", "r5"]);

    // (src, expected tag, pos) -> bits
    s += &entry("epyc_recv");
    s += &super::offchip::divert("r0", "epyc_recv");
    s += &prologue(&["r4", "r5", "r6", "r7", "r8"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r1,#{E_RECV_MISSING}
 bl __epyc_check_core
 mov r0,#0
 mov r1,r4
 mov r12,r6
 mov r24,#{OP_RECV}
 bl __epyc_take
 mov r7,r0
 mov r8,r1
 mov r0,#0
 mov r1,r4
 bl __epyc_ack
 mov r0,r7
 mov r1,r8
 mov r2,r5
 mov r3,r6
 bl __epyc_convert
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7", "r8"]);

    // (src, pos) -> 1 if a message from src is waiting.
    s += &entry("epyc_probe");
    s += &super::offchip::divert("r0", "epyc_probe");
    s += &prologue(&["r4"]);
    s += r#"
 mov r4,r0
 mov r2,r1
 mov r1,#{E_RECV_MISSING}
 bl __epyc_check_core
 li r16,{STATE}
 lsl r17,r4,#2
 add r17,r17,r16
 ldr r1,[r17,#{ST_SEEN}]
 lsl r18,r4,#4
 add r18,r18,r16
 ldr r2,[r18]
 mov r0,#0
 sub r1,r1,r2
 beq _probe_none
 mov r0,#1
_probe_none:
"#;
    s += &epilogue(&["r4"]);

    // (bits, tag, partner, expected, pos [stack]) -> partner's bits
    s += &entry("epyc_sendrecv");
    s += SENDRECV_FAST;
    // Partners the fast path does not take (off the chip, missing, or a previous message
    // not yet taken) come here; those off the chip go to the off-chip twin.
    s += "_sendrecv_general:\n";
    s += &super::offchip::divert("r2", "epyc_sendrecv");
    s += " ldr r16,[sp,#2]\n";
    s += &prologue(&["r4", "r5", "r6", "r7", "r8"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r8,r16
 mov r0,r6
 mov r1,#{E_SENDRECV_MISSING}
 mov r2,r8
 bl __epyc_check_core
 mov r0,#0
 mov r1,r6
 mov r2,r4
 mov r3,r5
 mov r12,r8
 mov r24,#{OP_SEND}
 bl __epyc_put
 mov r0,#0
 mov r1,r6
 mov r12,r8
 mov r24,#{OP_RECV}
 bl __epyc_take
 mov r4,r0
 mov r5,r1
 mov r0,#0
 mov r1,r6
 bl __epyc_ack
 ; not waiting for the partner to take ours (as the host runtime's exchange): the partner
 ; is taking it in its own sendrecv, and a later send to it waits for that ACK first
 mov r0,r4
 mov r1,r5
 mov r2,r7
 mov r3,r8
 bl __epyc_convert
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7", "r8"]);

    // (str, dest, pos)
    s += &entry("epyc_send_str");
    s += &super::offchip::divert("r1", "epyc_send_str");
    s += &prologue(&["r4", "r5", "r6"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r0,r5
 mov r1,#{E_SEND_MISSING}
 mov r2,r6
 bl __epyc_check_core
 mov r0,r4
 bl __epyc_global
 mov r2,r0
 mov r0,#0
 mov r1,r5
 mov r3,#{TAG_STR}
 mov r12,r6
 mov r24,#{OP_SEND}
 bl __epyc_put
 mov r1,r0
 mov r0,r1
 li r16,{STATE}
 lsl r0,r5,#2
 add r0,r0,r16
 add r0,r0,#{ST_ACK_BYTES}
 mov r2,#{OP_SEND}
 mov r3,r5
 mov r12,r6
 bl __epyc_wait_eq
"#;
    s += &epilogue(&["r4", "r5", "r6"]);

    // (src, pos) -> a copy of the string in this core's heap
    s += &entry("epyc_recv_str");
    s += &super::offchip::divert("r0", "epyc_recv_str");
    s += &prologue(&["r4", "r5", "r6", "r7", "r8", "r9"]);
    s += r#"
 mov r4,r0
 mov r5,r1
 mov r2,r1
 mov r1,#{E_RECV_MISSING}
 bl __epyc_check_core
 mov r0,#0
 mov r1,r4
 mov r12,r5
 mov r24,#{OP_RECV}
 bl __epyc_take
 mov r6,r0
 mov r7,r1
 mov r8,r2
 sub r0,r7,#{TAG_STR}
 beq _recv_str_copy
 mov r0,#0
 mov r1,r4
 mov r2,r8
 bl __epyc_ack
 mov r0,r6
 mov r1,r7
 mov r2,#{TAG_STR}
 mov r3,r5
 bl __epyc_convert
_recv_str_copy:
 mov r0,r6
 bl __epyc_strlen
 mov r9,r0
 add r0,r0,#4
 mov r12,r5
 bl __epyc_alloc
 mov r7,r0
 str r9,[r7]
 add r0,r7,#4
 add r1,r6,#4
 mov r2,r9
 bl __epyc_memcpy
 mov r0,#0
 mov r1,r4
 mov r2,r8
 bl __epyc_ack
 mov r0,r7
"#;
    s += &epilogue(&["r4", "r5", "r6", "r7", "r8", "r9"]);
    s
}

/// The first half of `epyc_send` and `epyc_send_nb` (bits, tag, dest, pos in r0-r3): keep the
/// arguments in r4-r7, check the destination core, and post the value into its postbox.
const SEND_PUT: &str = r#"
 mov r4,r0
 mov r5,r1
 mov r6,r2
 mov r7,r3
 mov r0,r6
 mov r1,#{E_SEND_MISSING}
 mov r2,r7
 bl __epyc_check_core
 mov r0,#0
 mov r1,r6
 mov r2,r4
 mov r3,r5
 mov r12,r7
 mov r24,#{OP_SEND}
 bl __epyc_put
"#;

/// `epyc_sendrecv`'s fast path, without calls or a frame (a chain of sendrecvs from core to core
/// pays its latency once per core): when the partner exists and our previous message to it
/// was taken, post ours (tag, bits, then seq) and spin on the partner's postbox; take the value
/// and ACK it as soon as its sequence number shows. Anything else (a missing partner, an
/// unacknowledged previous message) goes to the general path, which reports errors and waits
/// for the ACK. A partner still silent after a quick spin gets the blocked record every wait
/// writes.
const SENDRECV_FAST: &str = r#"
 li r16,{STATE}
 ldr r17,[r16,#{ST_NCORES}]
 ldr r21,[r16,#{ST_MY_INDEX}]
 sub r17,r2,r17
 bgteu _sendrecv_general
 lsl r17,r2,#2
 add r17,r17,r16
 ldr r18,[r17,#{ST_SENT}]
 ldr r19,[r17,#{ST_ACK}]
 ldr r20,[r17,#{ST_CORE_BASE}]
 lsl r22,r21,#4
 sub r19,r19,r18
 bne _sendrecv_general
 add r18,r18,#1
 str r18,[r17,#{ST_SENT}]
 add r22,r22,r16
 add r22,r22,r20
 str r1,[r22,#1]
 str r0,[r22,#2]
 str r18,[r22]
 ; r22 = the partner's postbox here, r21 = our ACK word in the partner (ready before the
 ; wait, so that the partner's value is taken and acknowledged in a few cycles)
 lsl r22,r2,#4
 ldr r19,[r17,#{ST_SEEN}]
 lsl r21,r21,#2
 add r22,r22,r16
 add r21,r21,r16
 add r21,r21,r20
 mov r23,#64
_sendrecv_spin:
 ldr r18,[r22]
 sub r23,r23,#1
 beq _sendrecv_block
 sub r0,r18,r19
 beq _sendrecv_spin
_sendrecv_got:
 str r18,[r17,#{ST_SEEN}]
 ldr r1,[r22,#1]
 ldr r0,[r22,#2]
 str r18,[r21,#{ST_ACK}]
 sub r19,r1,r3
 bne _sendrecv_convert
 rts
_sendrecv_convert:
 mov r2,r3
 ldr r3,[sp,#2]
 b __epyc_convert
_sendrecv_block:
 ; still nothing: record what we wait for (the monitor's deadlock detection reads it, as
 ; __epyc_wait_ne writes it), spin on, and clear it when the message is here
 ldr r23,[r16,#{ST_SLOT}]
 str r2,[r23,#{S_BLOCK_PARTNER}]
 ldr r24,[sp,#2]
 str r24,[r23,#{S_BLOCK_POS}]
 ldr r24,[r16,#{ST_BLOCK_COUNT}]
 add r24,r24,#1
 str r24,[r16,#{ST_BLOCK_COUNT}]
 str r24,[r23,#{S_BLOCK_COUNT}]
 mov r24,#{OP_RECV}
 str r24,[r23,#{S_BLOCK_OP}]
_sendrecv_blocked:
 ldr r18,[r22]
 sub r0,r18,r19
 beq _sendrecv_blocked
 mov r24,#0
 str r24,[r23,#{S_BLOCK_OP}]
 b _sendrecv_got
"#;
