//! The interpreter's assembly parts: the entry `_epyc_main` (function 0 on an empty value
//! stack), the stack check of byte-code calls and the value stack itself. (Byte code's
//! `recv` is the runtime's `epyc_recv_any`.)

use super::{layout, VSTACK_BYTES, VSTACK_SYMBOL};
use crate::object::{Section, Symbol};
use crate::runtime::{epilogue, prologue};
use anyhow::Result;
use epyc_rt_abi::RtError;

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
/// A function number with `CALL_NATIVE_BIT` set is a native call (`CallNative` in the
/// device form): it goes to the mixed image's native dispatch (`native_call`).
fn call_text() -> String {
    format!(
        r#"
.global ___epyc_bc_call
___epyc_bc_call:
 li r16,{floor}
 sub r16,sp,r16
 bltu _bc_call_deep
 lsr r16,r2,#{native_bit}
 bne {natives}
 b ___epyc_bc_exec
_bc_call_deep:
 mov r0,#{overflow}
 mov r1,#0
 b _epyc_error
"#,
        floor = crate::memmap::STACK_LIMIT + NATIVE_STACK_RESERVE,
        overflow = RtError::StackOverflow as u32,
        native_bit = super::native_call::CALL_NATIVE_BIT.trailing_zeros(),
        natives = super::link_symbol(super::native_call::DISPATCH_SYMBOL),
    )
}

/// Bytes of the core's stack kept free below a new interpreter frame (its own frame and the
/// runtime functions it calls, error reporting included).
const NATIVE_STACK_RESERVE: u32 = 768;

pub fn sections() -> Result<Vec<Section>> {
    let entry = crate::asm::assemble(".text.bc_entry", &entry_text())?;
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
    Ok(vec![entry, call, vstack])
}
