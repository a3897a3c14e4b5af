//! The device runtime as assembly text, assembled into a [`RuntimeObject`] by [`crate::asm`].
//!
//! One file per job: [`start`] (reset vector, start-up), [`mailbox`] (requests to the monitor:
//! print, exit, errors, input, text conversions, maths, random), [`heap`] (allocation, strings,
//! lists), [`messaging`] (point-to-point over the mesh; [`recv_any`] its untyped receive), [`collective`] (sync, reduce, bcast),
//! [`intmath`] and [`floatmath`] (the helper routines the backend calls for what the chip
//! lacks). Register use: the GCC convention (r0-r3 arguments/result, r4-r11, r15, r32-r43
//! callee-saved); internal routines use r16-r27 as scratch and pass the source position in r12
//! and the blocked-operation code in r24.
//!
//! `{NAME}` in the text is replaced by the constant of that name ([`constants`]).

mod collective;
mod floatmath;
mod heap;
mod intmath;
mod mailbox;
mod messaging;
mod offchip;
mod recv_any;
mod start;

use crate::memmap::{self, state};
use crate::object::RuntimeObject;
use crate::protocol::{self, header, slot, BlockOp, Request};
use epyc_rt_abi::{RtError, Tag};

/// Every named constant the runtime text may use.
fn constants() -> Vec<(String, u32)> {
    let mut c: Vec<(String, u32)> = vec![
        ("STATE", memmap::STATE_BASE),
        ("STACK_TOP", memmap::STACK_TOP),
        ("HEAP_LOCAL_END", memmap::HEAP_LOCAL_END),
        ("MAILBOX", memmap::MAILBOX_BASE),
        ("REPLY_BASE", memmap::REPLY_BASE),
        ("DRAM_HEAP_BASE", memmap::DRAM_HEAP_BASE),
        ("DRAM_HEAP_STRIDE", memmap::DRAM_HEAP_STRIDE),
        ("HDR_BYTES", header::BYTES),
        ("H_NCORES", header::NCORES / 4),
        ("H_FIRST_ROW", header::FIRST_ROW / 4),
        ("H_FIRST_COL", header::FIRST_COL / 4),
        ("H_COLS", header::COLS / 4),
        ("H_GO", header::GO / 4),
        ("H_ALL_CORES", header::ALL_CORES / 4),
        ("S_STATE", slot::STATE / 4),
        ("S_REQ_SEQ", slot::REQ_SEQ / 4),
        ("S_ACK_SEQ", slot::ACK_SEQ / 4),
        ("S_REQ", slot::REQ / 4),
        ("S_A0", slot::A0 / 4),
        ("S_A1", slot::A1 / 4),
        ("S_A2", slot::A2 / 4),
        ("S_A3", slot::A3 / 4),
        ("S_RESULT", slot::RESULT / 4),
        ("S_BLOCK_OP", slot::BLOCK_OP / 4),
        ("S_BLOCK_PARTNER", slot::BLOCK_PARTNER / 4),
        ("S_BLOCK_POS", slot::BLOCK_POS / 4),
        ("S_BLOCK_COUNT", slot::BLOCK_COUNT / 4),
        ("ST_ACK", state::ACK / 4),
        ("ST_ACK_BYTES", state::ACK),
        ("ST_SEEN", state::SEEN / 4),
        ("ST_SENT", state::SENT / 4),
        ("ST_MY_INDEX", state::MY_INDEX / 4),
        ("ST_NCORES", state::NCORES / 4),
        ("ST_ALL_CORES", state::ALL_CORES / 4),
        ("ST_SLOT", state::SLOT / 4),
        ("ST_REPLY", state::REPLY / 4),
        ("ST_HEAP_PTR", state::HEAP_PTR / 4),
        ("ST_HEAP_END", state::HEAP_END / 4),
        ("ST_DHEAP_PTR", state::DHEAP_PTR / 4),
        ("ST_DHEAP_END", state::DHEAP_END / 4),
        ("ST_MY_BASE", state::MY_BASE / 4),
        ("ST_BLOCK_COUNT", state::BLOCK_COUNT / 4),
        ("ST_REQ_SEQ", state::REQ_SEQ / 4),
        ("ST_CORE_BASE", state::CORE_BASE / 4),
        ("ST_COLL_SEQ", state::COLL_SEQ / 4),
        ("STATE_COLL", memmap::STATE_BASE + state::COLL),
        ("STATE_CORE_BASE", memmap::STATE_BASE + state::CORE_BASE),
        ("SLOT_SHIFT", protocol::SLOT_BYTES.trailing_zeros()),
        ("RUNNING", protocol::CoreState::Running as u32),
        ("TAG_NONE", Tag::None as u32),
        ("TAG_BOOL", Tag::Bool as u32),
        ("TAG_INT", Tag::Int as u32),
        ("TAG_FLOAT", Tag::Float as u32),
        ("TAG_STR", Tag::Str as u32),
        ("E_SEND_MISSING", RtError::SendToMissingCore as u32),
        ("E_RECV_MISSING", RtError::RecvFromMissingCore as u32),
        (
            "E_SENDRECV_MISSING",
            RtError::SendrecvWithMissingCore as u32,
        ),
        ("E_OUT_OF_MEMORY", RtError::OutOfMemory as u32),
        ("E_TYPE", RtError::TypeError as u32),
        ("E_MATH_DOMAIN", RtError::MathDomain as u32),
        ("OP_SEND", BlockOp::Send as u32),
        ("OP_RECV", BlockOp::Recv as u32),
        ("OP_WAIT_SENT", BlockOp::WaitSent as u32),
        ("OP_SYNC", BlockOp::Sync as u32),
        ("OP_REDUCE", BlockOp::Reduce as u32),
        ("OP_BCAST", BlockOp::Bcast as u32),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect();
    for r in [
        Request::PrintScalar,
        Request::PrintStr,
        Request::Exit,
        Request::Error,
        Request::MessageTypeError,
        Request::Input,
        Request::FormatScalar,
        Request::FormatList,
        Request::Math,
        Request::PowF,
        Request::Random,
        Request::RandInt,
        Request::Seed,
        Request::Trap,
        Request::OffSend,
        Request::OffSendNb,
        Request::OffRecv,
        Request::OffProbe,
        Request::OffTestSent,
        Request::OffWaitSent,
        Request::OffSendRecv,
        Request::OffSync,
        Request::OffReduce,
        Request::OffBcast,
        Request::OffRecvAny,
        Request::Convert,
    ] {
        c.push((format!("R_{r:?}"), r as u32));
    }
    c
}

fn substitute(text: &str, consts: &[(String, u32)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find('}').expect("unclosed {NAME} in runtime text");
        let name = &after[..end];
        let value = consts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("runtime text names unknown constant {name}"))
            .1;
        out.push_str(&value.to_string());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Saves lr and `regs` in a new frame (keeping the callee's 8-byte scratch area at sp).
pub(crate) fn prologue(regs: &[&str]) -> String {
    let frame = (8 + 4 * (regs.len() as u32 + 1)).next_multiple_of(8);
    let mut s = format!(" sub sp,sp,#{frame}\n str lr,[sp,#2]\n");
    for (i, r) in regs.iter().enumerate() {
        s.push_str(&format!(" str {r},[sp,#{}]\n", 3 + i));
    }
    s
}

/// Restores what [`prologue`] saved and returns.
pub(crate) fn epilogue(regs: &[&str]) -> String {
    let frame = (8 + 4 * (regs.len() as u32 + 1)).next_multiple_of(8);
    let mut s = String::from(" ldr lr,[sp,#2]\n");
    for (i, r) in regs.iter().enumerate() {
        s.push_str(&format!(" ldr {r},[sp,#{}]\n", 3 + i));
    }
    s.push_str(&format!(" add sp,sp,#{frame}\n rts\n"));
    s
}

/// Starts a section `.text.NAME` at every `.global NAME` that does not follow another
/// `.global` line, so each routine is a section of its own and an image linker can keep only
/// the routines a program reaches.
fn split_into_sections(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut prev_global = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix(".global ") {
            if !prev_global {
                out.push_str(&format!(
                    ".section .text.{}\n",
                    name.trim().trim_start_matches('_')
                ));
            }
            prev_global = true;
        } else if !t.is_empty() && !t.starts_with(';') {
            prev_global = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The whole runtime text, before constant substitution.
fn source() -> String {
    split_into_sections(
        &[
            start::text(),
            start::stack_check_text(),
            mailbox::text(),
            heap::text(),
            messaging::text(),
            recv_any::text(),
            collective::text(),
            offchip::text(),
            intmath::text(),
            intmath::bits_text(),
            floatmath::text(),
            floatmath::rounding_text(),
        ]
        .join("\n"),
    )
}

/// The device runtime: `.ivt` (reset vector, at address 0) and `.text` (start-up code, every
/// `RtFn` symbol, the backend's helper routines).
pub fn runtime_object() -> RuntimeObject {
    let consts = constants();
    let text = crate::asm::assemble_sections(".text", &substitute(&source(), &consts))
        .unwrap_or_else(|e| panic!("the runtime's own assembly text is wrong: {e:#}"));
    let mut ivt = crate::asm::assemble(".ivt", &start::ivt_text())
        .unwrap_or_else(|e| panic!("the runtime's IVT text is wrong: {e:#}"));
    ivt.fixed_address = Some(memmap::IVT_BASE);
    ivt.data.resize(memmap::IVT_SIZE as usize, 0);
    let mut sections = vec![ivt];
    sections.extend(text);
    RuntimeObject { sections }
}

#[cfg(test)]
mod tests {
    use super::*;
    use epyc_rt_abi::RtFn;

    /// The symbols of `epyc_epiphany::Routine` (compiler/epiphany/src/runtime.rs), mirrored
    /// here so this crate does not build the backend.
    const BACKEND_ROUTINES: &[&str] = &[
        "___mulsi3",
        "___divsi3",
        "___udivsi3",
        "___modsi3",
        "___umodsi3",
        "___epyc_smulhi",
        "___epyc_umulhi",
        "___divsf3",
        "_sqrtf",
        "_floorf",
        "_ceilf",
        "_truncf",
        "_nearbyintf",
        "___floatunsisf",
        "___fixunssfsi",
        "___clzsi2",
        "___ctzsi2",
        "___popcountsi2",
        "___epyc_trap",
        "___epyc_stack_overflow",
        "___epyc_stack_limit",
    ];

    #[test]
    fn every_backend_routine_is_defined() {
        let obj = runtime_object();
        let globals = obj.global_symbols();
        for sym in BACKEND_ROUTINES {
            assert!(globals.iter().any(|(_, s, _)| s == sym), "{sym} missing");
        }
    }

    #[test]
    fn every_rtfn_is_defined() {
        let obj = runtime_object();
        let globals = obj.global_symbols();
        for f in RtFn::ALL {
            let sym = format!("_{}", f.symbol());
            assert!(globals.iter().any(|(_, s, _)| *s == sym), "{sym} missing");
        }
    }
}
