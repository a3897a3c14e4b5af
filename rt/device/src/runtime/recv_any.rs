//! `epyc_recv_any(src r0, pos r1, out r2)` (`RtFn::RecvAny`): the receive of code that
//! cannot know a message's type (byte code). Every message carries its tag in the postbox
//! (PROTOCOL.md, "Messages between cores"), so this is `epyc_recv` without the type check:
//! it stores the tag and the payload as a tagged value at `out` (`layout::VALUE_*`: tag word
//! at 0, payload word at 4); a str is copied into this core's heap before the sender is
//! released, as `epyc_recv_str` does.
//!
//! From a core off the chip (index `>= NCORES`) the message comes through the monitor
//! (request `OffRecvAny`: RESULT the tag, the reply buffer a str's object or the bits after a
//! length word) and joins the same store and copy, without the on-chip acknowledgement. One
//! routine for both keeps the interpreter's footprint small: it is charged to the interpreter,
//! the only code that receives without knowing the type.

use super::{epilogue, prologue};
use crate::protocol::BlockOp;
use epyc_rt_abi::Tag;

pub fn text() -> String {
    let regs = ["r4", "r5", "r6", "r7", "r8"];
    format!(
        r#"
.global _epyc_recv_any
_epyc_recv_any:
{pro}
 mov r4,r0
 mov r5,r1
 mov r6,r2
{divert}
 mov r0,#0
 mov r1,r4
 mov r12,r5
 mov r24,#{op_recv}
 bl __epyc_take
 mov r8,r2
; r0 bits (a str: its object), r1 tag, r8 the sequence number to acknowledge (0: none)
_recv_any_store:
 str r1,[r6]
 str r0,[r6,#1]
 sub r1,r1,#{tag_str}
 bne _recv_any_ack
 mov r7,r0
 bl __epyc_strlen
 str r0,[r6,#1]
 add r0,r0,#4
 mov r12,r5
 bl __epyc_alloc
 ldr r2,[r6,#1]
 str r0,[r6,#1]
 str r2,[r0]
 add r0,r0,#4
 add r1,r7,#4
 bl __epyc_memcpy
_recv_any_ack:
 sub r0,r8,#0
 beq _recv_any_done
 mov r0,#0
 mov r1,r4
 mov r2,r8
 bl __epyc_ack
_recv_any_done:
{epi}
_recv_any_offchip:
 mov r12,r5
 mov r20,r4
 mov r21,#{{E_RECV_MISSING}}
 mov r1,r4
 mov r0,#{{R_OffRecvAny}}
 bl __epyc_offreq
 mov r1,r0
 li r16,{{STATE}}
 ldr r0,[r16,#{{ST_REPLY}}]
 mov r8,#0
 sub r2,r1,#{tag_str}
 beq _recv_any_store
 ldr r0,[r0,#1]
 b _recv_any_store
"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        // After the prologue: the off-chip path shares the frame, the store and the copy.
        divert = super::offchip::divert("r4", "recv_any"),
        op_recv = BlockOp::Recv as u32,
        tag_str = Tag::Str as u32,
    )
}
