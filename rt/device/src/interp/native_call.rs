//! `CallNative u16 u8` on the device (issue 6, mixed programs): byte code calling native
//! functions linked into the same image.
//!
//! The interpreter itself spends almost nothing on it (its 12 KB are nearly all taken): the
//! device form of the module ([`super::layout::encode`]) writes `CallNative k argc` as
//! `Call (CALL_NATIVE_BIT | k) argc`, and the byte-code call routine `__epyc_bc_call`
//! (`asm_parts`, two instructions more) sends a function number with [`CALL_NATIVE_BIT`] set
//! to [`DISPATCH_SYMBOL`] instead of the interpreter. A mixed image defines it with its
//! natives ([`table_sections`]): it jumps to entry `k` of the table [`TABLE_SYMBOL`] (a `b`
//! per native), which branches to a stub made for that native function, program code like
//! the host JIT's boxed wrappers. A stub is entered as a byte-code call is (`r0` module, `r1` the
//! module variables, `r3` the arguments' frame) and
//!
//! * checks every argument's tag word against the parameter's (a none parameter takes a
//!   none; [`KIND_INT_NON_NEG`] an int >= 0, for specialisations made for non-negative
//!   literals),
//! * calls the native function with the ABI of compiled code: the native code's globals
//!   (after the module variables in the core's globals block), then the payload words of the
//!   parameters that have a value (int and bool i32, float f32 bits, str a pointer), the
//!   first three in r1-r3 and the rest on the stack as GCC passes them,
//! * boxes the result with the declared tag into the frame's first slot, where a byte-code
//!   call leaves its result (bool masked to 0/1, none's payload 0).
//!
//! Arguments that do not fit go to the [`NativeEntry::fallback`]: the next specialisation of
//! the same function, the byte-code function itself (as on host cores: an int is not
//! converted for a float parameter, so the byte code computes Python's result for the int),
//! or a `Type error` (a native with no byte-code twin) at the native function's definition.

use crate::object::Section;
use anyhow::{bail, Result};
use epyc_rt_abi::{RtError, Tag};
use std::fmt::Write;

/// Where `__epyc_bc_call` sends native calls: code that jumps to entry `k` of the table
/// [`TABLE_SYMBOL`]. Only a mixed image has that code (a byte-code-only image never makes a
/// native call, so its symbol names an empty section there).
pub const DISPATCH_SYMBOL: &str = "__epyc_bc_native";
/// The table of native functions: entry `k` (4 bytes, a `b`) at `TABLE_SYMBOL + 4 k`.
pub const TABLE_SYMBOL: &str = "__epyc_bc_natives";
/// The function-number bit of a byte-code call that is a native call (device form).
pub const CALL_NATIVE_BIT: u16 = 0x8000;
/// Parameter kind: an int >= 0 (a specialisation made for non-negative literals).
pub const KIND_INT_NON_NEG: u8 = 7;
/// A word counting the native calls made (in images built to count them: the evidence
/// `EPYC_MIXED_STATS=1` prints, as the host interpreter's counter).
pub const CALLS_SYMBOL: &str = "__epyc_bc_native_calls";
/// Argument words a call passes in registers (r0-r3: the globals base takes r0).
const REG_ARGS: usize = 4;

/// What runs when the arguments of a native call do not fit the native function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// Native entry `k` (another specialisation of the same function).
    Native(u16),
    /// Byte-code function `f` (the function the natives specialise).
    ByteCode(u16),
    /// `Type error` at the native function's definition.
    TypeError,
}

/// One native function of a mixed image.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeEntry {
    /// ELF symbol of the compiled function.
    pub symbol: String,
    /// Per parameter: a value tag or [`KIND_INT_NON_NEG`].
    pub kinds: Vec<u8>,
    /// Tag of the result ([`Tag::None`] when it returns nothing).
    pub ret: Tag,
    pub fallback: Fallback,
    /// Encoded source position (`epyc_rt_abi::pos`) of the function's definition, for
    /// [`Fallback::TypeError`].
    pub pos: u32,
}

fn entry_symbol(k: usize) -> String {
    format!("__epyc_bc_native{k}")
}

/// The stub of entry `k` as assembly text (see the module docs); the native function is
/// called through a placeholder name, renamed in the relocation (compiled functions'
/// symbols such as `_fib$i` are not assembler names).
fn stub_text(k: usize, e: &NativeEntry, globals_offset: u32, count: bool) -> Result<String> {
    let values = e.kinds.iter().filter(|&&t| t != Tag::None as u8).count();
    // Argument words past r3 go to the outgoing area at sp + 8 (abi.rs's frame); lr and r4
    // are saved above it.
    let stack_words = (1 + values).saturating_sub(REG_ARGS);
    let lr_word = 2 + stack_words;
    let frame = (4 * (lr_word + 2)).next_multiple_of(8);
    let miss = format!("_bcn_miss{k}");
    let mut t = String::new();
    let _ = writeln!(t, ".global {0}\n{0}:", entry_symbol(k));
    for (j, &kind) in e.kinds.iter().enumerate() {
        let tag = match kind {
            KIND_INT_NON_NEG => Tag::Int as u8,
            t if Tag::from_u32(t as u32).is_some() => t,
            _ => bail!("native function {}: bad parameter kind {kind}", e.symbol),
        };
        let _ = writeln!(
            t,
            " ldr r16,[r3,#{}]\n sub r16,r16,#{tag}\n bne {miss}",
            2 * j
        );
        if kind == KIND_INT_NON_NEG {
            let _ = writeln!(
                t,
                " ldr r16,[r3,#{}]\n sub r16,r16,#0\n blt {miss}",
                2 * j + 1
            );
        }
    }
    if count {
        let _ = writeln!(
            t,
            " la r16,{}\n ldr r17,[r16]\n add r17,r17,#1\n str r17,[r16]",
            super::link_symbol(CALLS_SYMBOL)
        );
    }
    let _ = writeln!(
        t,
        " sub sp,sp,#{frame}\n str lr,[sp,#{lr_word}]\n str r4,[sp,#{}]\n mov r4,r3\n \
         li r16,{globals_offset}\n add r0,r1,r16",
        lr_word + 1
    );
    let value_params = e
        .kinds
        .iter()
        .enumerate()
        .filter(|(_, &t)| t != Tag::None as u8);
    for (word, (j, _)) in (1..).zip(value_params) {
        let payload = 2 * j + 1;
        if word < REG_ARGS {
            let _ = writeln!(t, " ldr r{word},[r4,#{payload}]");
        } else {
            let out = 2 + word - REG_ARGS;
            let _ = writeln!(t, " ldr r16,[r4,#{payload}]\n str r16,[sp,#{out}]");
        }
    }
    let _ = writeln!(t, " bl {}", placeholder(k));
    match e.ret {
        Tag::None => t.push_str(" mov r0,#0\n"),
        Tag::Bool => t.push_str(" mov r16,#1\n and r0,r0,r16\n"),
        _ => {}
    }
    let _ = writeln!(
        t,
        " mov r16,#{}\n str r16,[r4]\n str r0,[r4,#1]\n ldr lr,[sp,#{lr_word}]\n \
         ldr r4,[sp,#{}]\n add sp,sp,#{frame}\n rts\n{miss}:",
        e.ret as u32,
        lr_word + 1
    );
    match e.fallback {
        Fallback::Native(next) => {
            let _ = writeln!(t, " b {}", entry_symbol(next as usize));
        }
        Fallback::ByteCode(f) => {
            // The stack was checked by `__epyc_bc_call` on the way here.
            let _ = writeln!(
                t,
                " li r2,{f}\n b {}",
                super::link_symbol(super::gen::EXEC_SYMBOL)
            );
        }
        Fallback::TypeError => {
            let _ = writeln!(
                t,
                " ldr r1,[r0,#{text}]\n add r1,r1,r0\n mov r0,#{code}\n li r2,{pos}\n \
                 b _epyc_error_detail",
                text = super::layout::H_TYPE_TEXT / 4,
                code = RtError::TypeError as u32,
                pos = e.pos,
            );
        }
    }
    Ok(t)
}

fn placeholder(k: usize) -> String {
    format!("__epyc_bc_native_code{k}")
}

/// The table and the stubs of `entries` (the table empty for a program without native
/// functions: `__epyc_bc_call` names it in every image). `globals_offset`: where the native
/// code's globals start in the core's globals block; `count`: the stubs count the calls
/// they make in [`CALLS_SYMBOL`].
pub fn table_sections(
    entries: &[NativeEntry],
    globals_offset: u32,
    count: bool,
) -> Result<Vec<Section>> {
    if entries.len() > CALL_NATIVE_BIT as usize {
        bail!(
            "{} native functions (at most {CALL_NATIVE_BIT})",
            entries.len()
        );
    }
    let dispatch = super::link_symbol(DISPATCH_SYMBOL);
    if entries.is_empty() {
        let empty = format!(".global {dispatch}\n{dispatch}:\n");
        return Ok(vec![crate::asm::assemble(".text.bc_natives", &empty)?]);
    }
    // r2 = CALL_NATIVE_BIT | k: (k << 17) >> 15 is the entry's offset (4 bytes an entry).
    let bit = CALL_NATIVE_BIT.trailing_zeros();
    let mut table = format!(
        ".global {dispatch}\n{dispatch}:\n la r16,{table}\n lsl r2,r2,#{}\n lsr r2,r2,#{}\n \
         add r16,r16,r2\n jr r16\n.global {table}\n{table}:\n",
        32 - bit,
        32 - bit - 2,
        table = super::link_symbol(TABLE_SYMBOL),
    );
    // Entries branch to another section: always the 4-byte form.
    let mut stubs = String::new();
    for (k, e) in entries.iter().enumerate() {
        if let Fallback::Native(next) = e.fallback {
            if next as usize >= entries.len() {
                bail!("native function {}: no native entry {next}", e.symbol);
            }
        }
        let _ = writeln!(table, " b {}", entry_symbol(k));
        stubs.push_str(&stub_text(k, e, globals_offset, count)?);
    }
    let table = crate::asm::assemble(".text.bc_natives", &table)?;
    let mut stubs = crate::asm::assemble(".text.bc_native_stubs", &stubs)?;
    for r in &mut stubs.relocs {
        if let Some(k) = (0..entries.len()).find(|&k| r.symbol == placeholder(k)) {
            r.symbol = entries[k].symbol.clone();
        }
    }
    let mut sections = vec![table, stubs];
    if count {
        sections.push(Section {
            name: ".data.bc_native_calls".into(),
            data: vec![0; 4],
            align: 4,
            fixed_address: None,
            symbols: vec![crate::object::Symbol {
                name: super::link_symbol(CALLS_SYMBOL),
                offset: 0,
                global: true,
            }],
            relocs: vec![],
        });
    }
    Ok(sections)
}
