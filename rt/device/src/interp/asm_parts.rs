//! The interpreter's assembly parts: the entry `_epyc_main` (function 0 on an empty value
//! stack), the stack check of byte-code calls, `__epyc_bc_recv` (receive a message of any tag, as byte code's `recv` needs: the
//! runtime's `epyc_recv` wants the expected tag) and the value stack itself.

use super::{layout, VSTACK_BYTES, VSTACK_SYMBOL};
use crate::object::{Section, Symbol};
use crate::protocol::BlockOp;
use crate::runtime::{epilogue, prologue};
use anyhow::Result;
use epyc_rt_abi::{RtError, Tag};

fn entry_text() -> String {
    format!(
        r#"
.global _epyc_main
_epyc_main:
{pro}
 mov r1,r0
 la r0,{module}
 la r3,{vstack}
 li r2,{bytes}
 add r2,r3,r2
 str r2,[r0,#{limit}]
 mov r2,#0
 bl ___epyc_bc_exec
{epi}"#,
        pro = prologue(&[]),
        epi = epilogue(&[]),
        module = super::MODULE_SYMBOL,
        vstack = VSTACK_SYMBOL,
        bytes = VSTACK_BYTES,
        limit = layout::H_LIMIT / 4,
    )
}

/// `__epyc_bc_call(module, globals, function, frame)`: the interpreter for a byte-code call,
/// once the core's own stack (one interpreter frame per byte-code call) has room for it and
/// the runtime functions it calls; else the stack-overflow error. Leaf until the tail jump.
fn call_text() -> String {
    format!(
        r#"
.global ___epyc_bc_call
___epyc_bc_call:
 li r16,{floor}
 sub r16,sp,r16
 bltu _bc_call_deep
 b ___epyc_bc_exec
_bc_call_deep:
 mov r0,#{overflow}
 mov r1,#0
 b _epyc_error
"#,
        floor = crate::memmap::STACK_LIMIT + NATIVE_STACK_RESERVE,
        overflow = RtError::StackOverflow as u32,
    )
}

/// Bytes of the core's stack kept free below a new interpreter frame (its own frame and the
/// runtime functions it calls, error reporting included).
const NATIVE_STACK_RESERVE: u32 = 768;

/// `__epyc_bc_recv(src r0, pos r1, out r2)`: stores the tag and payload of the next message
/// from `src` at `out`; a str is copied into this core's heap before the sender is released.
fn recv_text() -> String {
    let regs = ["r4", "r5", "r6", "r7", "r8", "r9", "r10"];
    format!(
        r#"
.global ___epyc_bc_recv
___epyc_bc_recv:
{pro}
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
 bne _bc_recv_ack
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
_bc_recv_ack:
 mov r0,#0
 mov r1,r4
 mov r2,r8
 bl __epyc_ack
{epi}"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        missing = RtError::RecvFromMissingCore as u32,
        op_recv = BlockOp::Recv as u32,
        tag_str = Tag::Str as u32,
    )
}

pub fn sections() -> Result<Vec<Section>> {
    let entry = crate::asm::assemble(".text.bc_entry", &entry_text())?;
    let recv = crate::asm::assemble(".text.bc_recv", &recv_text())?;
    let call = crate::asm::assemble(".text.bc_call", &call_text())?;
    let vstack = Section {
        name: ".bss.bc_vstack".into(),
        data: vec![0; VSTACK_BYTES as usize],
        align: 8,
        fixed_address: None,
        symbols: vec![Symbol {
            name: VSTACK_SYMBOL.into(),
            offset: 0,
            global: true,
        }],
        relocs: vec![],
    };
    Ok(vec![entry, recv, call, vstack])
}
