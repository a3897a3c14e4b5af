//! epyc's Epiphany backend: optimised CLIF with i32 pointers -> Epiphany machine code.
//!
//! Pipeline (one file per job, like Cranelift's `isa/<arch>/`): [`lower`] selects `MInst`s
//! over virtual registers ([`inst`]), [`sched`] orders them for the pipeline (dual issue,
//! latencies), [`regalloc`] runs regalloc2 on them, [`emit`] lays out the frame ([`abi`]: GCC's
//! calling convention), turns counted loops into hardware loops when asked ([`hwloop`]),
//! encodes through `epiphany-isa` (branch relaxation, relocations, source locations).
//! Operations the chip has no instruction for call the routines named in [`runtime`].
//! [`link::apply_reloc`] resolves relocations for image builders; [`disassemble`] prints code.

pub mod abi;
mod early_compare;
pub mod emit;
pub mod hwloop;
pub mod inst;
pub mod link;
pub mod lower;
mod merge_blocks;
pub mod regalloc;
pub mod runtime;
pub mod sched;

pub use emit::{CompiledFunction, Reloc, RelocKind};
pub use inst::RelocTarget;
pub use runtime::Routine;

use anyhow::Result;
use cranelift_codegen::ir::Function;

/// Code generation options.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    /// Allow contracting `fmul` + `fadd`/`fsub` into `fmadd`/`fmsub` (one rounding instead of
    /// two, so results may differ in the last bit): `--fast-math`.
    pub fast_math: bool,
    /// Keep the instruction order of the CLIF (skip the list scheduler), for comparisons.
    pub no_schedule: bool,
    /// Turn counted single-block loops into hardware loops (see [`hwloop`]: modelled by our
    /// simulator, experimental on the chip, unused by GCC).
    pub hw_loops: bool,
    /// Check the stack in every prologue that allocates a frame: if the new sp is below the
    /// word at symbol [`runtime::STACK_LIMIT_SYMBOL`] (unsigned), call
    /// [`Routine::StackOverflow`], which reports the error and does not return. The runtime
    /// sets the limit with headroom for that routine's own frame.
    pub stack_check: bool,
}

/// Compile one function.
pub fn compile_function(func: &Function, flags: &Flags) -> Result<CompiledFunction> {
    let mut merged = func.clone();
    merge_blocks::merge_straight_line_blocks(&mut merged);
    let mut mf = lower::lower(&merged, flags)?;
    if !flags.no_schedule {
        sched::schedule(&mut mf);
    }
    let alloc = regalloc::allocate(&mf)?;
    emit::emit(&mf, &alloc, flags)
}

/// The machine code as text, one instruction per line (`offset: word  disassembly`), with
/// relocation targets noted; for debugging and `epyc disasm`.
pub fn disassemble(cf: &CompiledFunction) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let mut off = 0usize;
    while off < cf.code.len() {
        let mut b = [0u8; 4];
        let n = (cf.code.len() - off).min(4);
        b[..n].copy_from_slice(&cf.code[off..off + n]);
        let word = u32::from_le_bytes(b);
        let (text, size) = epiphany_isa::disasm_word(word, off as u32);
        let hex = if size == 2 {
            format!("{:04x}", word & 0xffff)
        } else {
            format!("{word:08x}")
        };
        let _ = write!(s, "{off:6x}:  {hex:<8}  {text}");
        if let Some(r) = cf.relocs.iter().find(|r| r.offset as usize == off) {
            let _ = write!(s, "    ; {:?} {:?}{:+}", r.kind, r.target, r.addend);
        }
        s.push('\n');
        off += size as usize;
    }
    s
}
