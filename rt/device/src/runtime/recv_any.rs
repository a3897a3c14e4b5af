//! `epyc_recv_any(src r0, pos r1, out r2)` (`RtFn::RecvAny`): the receive of code that
//! cannot know a message's type (byte code). Every message carries its tag in the postbox
//! (PROTOCOL.md, "Messages between cores"), so this is `epyc_recv` without the type check:
//! it stores the tag and the payload as a tagged value at `out` (`layout::VALUE_*`: tag word
//! at 0, payload word at 4); a str is copied into this core's heap before the sender is
//! released, as `epyc_recv_str` does.

use super::{epilogue, prologue};
use crate::protocol::BlockOp;
use epyc_rt_abi::{RtError, Tag};

pub fn text() -> String {
    let regs = ["r4", "r5", "r6", "r7", "r8", "r9", "r10"];
    format!(
        r#"
.global _epyc_recv_any
_epyc_recv_any:
{divert}{pro}
 mov r4,r0
 mov r5,r1
 mov r10,r2
 mov r2,r1
 mov r1,#{missing}
 bl __epyc_check_core
 mov r0,#0
 mov r1,r4
 mov r12,r5
 mov r24,#{op_recv}
 bl __epyc_take
 mov r6,r0
 mov r7,r1
 mov r8,r2
 str r7,[r10]
 str r6,[r10,#1]
 sub r0,r7,#{tag_str}
 bne _recv_any_ack
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
 str r7,[r10,#1]
_recv_any_ack:
 mov r0,#0
 mov r1,r4
 mov r2,r8
 bl __epyc_ack
{epi}"#,
        divert = super::offchip::divert("r0", "epyc_recv_any"),
        pro = prologue(&regs),
        epi = epilogue(&regs),
        missing = RtError::RecvFromMissingCore as u32,
        op_recv = BlockOp::Recv as u32,
        tag_str = Tag::Str as u32,
    )
}
