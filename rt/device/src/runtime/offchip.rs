//! Messages with cores off the chip: host virtual cores and a CPython host program, whose ids
//! follow the device cores' (`NCORES..ALL_CORES` in the runtime state). The mesh cannot reach
//! them, so each such operation is a monitor request (`protocol::Request::OffSend`, ...): the
//! core writes it into its mailbox slot and waits in its mailbox wait until the monitor has
//! performed it with the host runtime (the host core took the message, a message arrived, the
//! collective completed). Collectives go this way whenever the run has cores off the chip,
//! so that every core of the run takes part in one barrier and one reduction in core order.
//!
//! The message routines of `messaging` and `collective` start with a [`divert`] (or
//! [`divert_collective`]) test: a core index at or past `NCORES` (or, unsigned, a negative
//! one) jumps to the routine here with the arguments untouched; the fast on-chip path pays one
//! load, one subtraction and one branch. Core ids outside `0..ALL_CORES` end the core with
//! the same error as on the chip.

use super::{epilogue, prologue};

/// The test at the top of a point-to-point routine: core index in `reg`, off-chip twin
/// `_NAME_offchip`. Uses r16 only.
pub fn divert(reg: &str, name: &str) -> String {
    format!(
        " li r16,{{STATE}}\n ldr r16,[r16,#{{ST_NCORES}}]\n sub r16,{reg},r16\n bgteu _{name}_offchip\n"
    )
}

/// The test at the top of a collective: off-chip when the run has cores off the chip.
/// Uses r16 and r17 only.
pub fn divert_collective(name: &str) -> String {
    format!(
        " li r16,{{STATE}}\n ldr r17,[r16,#{{ST_NCORES}}]\n ldr r16,[r16,#{{ST_ALL_CORES}}]\n sub r16,r16,r17\n bne _{name}_offchip\n"
    )
}

/// The request every twin ends in: request code r0, A0..A2 in r1..r3, pos (A3) in r12, the
/// partner index to check in r20 and the error for an index outside `0..ALL_CORES` in r21.
/// Branched to (not called), so `__epyc_req` returns to the program with RESULT in r0.
fn offreq() -> String {
    String::from(
        r#".global __epyc_offreq
__epyc_offreq:
 li r16,{STATE}
 ldr r17,[r16,#{ST_ALL_CORES}]
 sub r17,r20,r17
 bgteu _offreq_missing
 ldr r17,[r16,#{ST_SLOT}]
 str r12,[r17,#{S_A3}]
 b __epyc_req
_offreq_missing:
 mov r0,r21
 mov r1,r12
 b _epyc_error
"#,
    )
}

/// A twin: `setup` moves the arguments into place (see [`offreq`]), then the request.
fn twin(name: &str, setup: &str) -> String {
    format!(".global _{name}_offchip\n_{name}_offchip:\n{setup} b __epyc_offreq\n")
}

pub fn text() -> String {
    let mut s = String::from("\n; Off-chip twins of the message routines (see offchip.rs).\n");
    s += &offreq();
    // (bits r0, tag r1, dest r2, pos r3): A0 bits, A1 tag, A2 dest.
    for (name, req) in [("epyc_send", "R_OffSend"), ("epyc_send_nb", "R_OffSendNb")] {
        s += &twin(
            name,
            &format!(
                " mov r12,r3\n mov r20,r2\n mov r21,#{{E_SEND_MISSING}}\n mov r3,r2\n mov r2,r1\n mov r1,r0\n mov r0,#{{{req}}}\n"
            ),
        );
    }
    // (dest r0, pos r1): A0 dest.
    for (name, req) in [
        ("epyc_test_sent", "R_OffTestSent"),
        ("epyc_wait_sent", "R_OffWaitSent"),
    ] {
        s += &twin(
            name,
            &format!(
                " mov r12,r1\n mov r20,r0\n mov r21,#{{E_SEND_MISSING}}\n mov r1,r0\n mov r0,#{{{req}}}\n"
            ),
        );
    }
    // (src r0, expected r1, pos r2): A0 src, A1 expected.
    s += &twin(
        "epyc_recv",
        " mov r12,r2\n mov r20,r0\n mov r21,#{E_RECV_MISSING}\n mov r2,r1\n mov r1,r0\n mov r0,#{R_OffRecv}\n",
    );
    // (src r0, pos r1): A0 src.
    s += &twin(
        "epyc_probe",
        " mov r12,r1\n mov r20,r0\n mov r21,#{E_RECV_MISSING}\n mov r1,r0\n mov r0,#{R_OffProbe}\n",
    );
    // (bits r0, tag r1, partner r2, expected r3, pos [sp,#2]): A1 = tag | expected << 8.
    s += &twin(
        "epyc_sendrecv",
        " ldr r12,[sp,#2]\n mov r20,r2\n mov r21,#{E_SENDRECV_MISSING}\n lsl r3,r3,#8\n orr r1,r1,r3\n mov r3,r2\n mov r2,r1\n mov r1,r0\n mov r0,#{R_OffSendRecv}\n",
    );
    // (str r0, dest r1, pos r2): an OffSend of tag str whose bits are the string's address
    // (a local address means this core's memory to the monitor).
    s += &twin(
        "epyc_send_str",
        " mov r12,r2\n mov r20,r1\n mov r21,#{E_SEND_MISSING}\n mov r3,r1\n mov r1,r0\n mov r2,#{TAG_STR}\n mov r0,#{R_OffSend}\n",
    );
    // (src r0, pos r1) -> a copy of the string in this core's heap (the monitor puts it in
    // the reply buffer).
    s += ".global _epyc_recv_str_offchip\n_epyc_recv_str_offchip:\n";
    s += &prologue(&[]);
    s += " mov r12,r1\n mov r20,r0\n mov r21,#{E_RECV_MISSING}\n mov r1,r0\n mov r2,#{TAG_STR}\n mov r0,#{R_OffRecv}\n bl __epyc_offreq\n bl __epyc_copy_reply\n";
    s += &epilogue(&[]);
    // (pos r0); (bits r0, tag r1, op r2, pos r3): no core to check (r20 = 0).
    s += &twin(
        "epyc_sync",
        " mov r12,r0\n mov r20,#0\n mov r0,#{R_OffSync}\n",
    );
    s += &twin(
        "epyc_reduce",
        " mov r12,r3\n mov r20,#0\n mov r3,r2\n mov r2,r1\n mov r1,r0\n mov r0,#{R_OffReduce}\n",
    );
    // (bits r0, tag r1, root r2, expected r3, pos [sp,#2]): A1 = tag | expected << 8.
    s += &twin(
        "epyc_bcast",
        " ldr r12,[sp,#2]\n mov r20,r2\n mov r21,#{E_SEND_MISSING}\n lsl r3,r3,#8\n orr r1,r1,r3\n mov r3,r2\n mov r2,r1\n mov r1,r0\n mov r0,#{R_OffBcast}\n",
    );
    s
}
