//! Host virtual cores backend: TIR -> CLIF (epyc-lower, 64-bit pointers) -> native code with
//! cranelift-jit, linked against the host runtime (`epyc-rt-host`).
//!
//! The JIT module owns the code; [`CompiledProgram`] keeps it alive and frees it when
//! dropped, so the [`HostProgram`] it hands out must not outlive it.

mod boxed;
pub mod exports;
mod jit;
mod to_byte_code;

use anyhow::Result;
use epyc_rt_host::HostProgram;
use epyc_tir::Program;

pub use boxed::{compile_exports, compile_exports_calling, tag_of, BoxedFn, Export, NativeExports};
pub use jit::CompiledProgram;

/// Compiles `prog` for the host, linked against the host runtime.
pub fn compile(prog: &Program) -> Result<CompiledProgram> {
    compile_with_symbols(prog, &epyc_rt_host::symbols())
}

/// Compiles `prog` for the host, resolving runtime functions through `symbols`
/// (symbol, address). Every `RtFn` the program calls must be among them.
pub fn compile_with_symbols(
    prog: &Program,
    symbols: &[(&str, *const u8)],
) -> Result<CompiledProgram> {
    jit::compile(prog, symbols)
}

impl CompiledProgram {
    /// The program in the form the host runtime runs. Valid while `self` lives.
    pub fn host_program(&self) -> HostProgram {
        HostProgram {
            entry: self.entry(),
            globals_size: self.globals_size(),
            files: self.files().to_vec(),
        }
    }
}
