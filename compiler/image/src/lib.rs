//! Loadable Epiphany images for `epyc build` and `epyc run`: the typed program is lowered to
//! CLIF with i32 pointers ([`epyc_lower`]), every function the entry reaches is compiled by
//! the Epiphany backend ([`epyc_epiphany`]), linked after the device runtime
//! ([`epyc_rt_device::link`]) and written as one ELF ([`elf`]) that every core of a
//! workgroup loads at the same local addresses.
//!
//! * [`compile`]: TIR -> relocatable sections (one per function and per string constant);
//! * [`lines`]: the code-address -> source-line table stored in the ELF;
//! * [`usage`]: memory used per region of the 32 KB, where code and data go ([`Placement`]),
//!   and the error for programs that do not fit;
//! * [`elf`]: the ELF writer (ELFCLASS32, little-endian, e_machine 0x1223).

pub mod compile;
pub mod elf;
pub mod lines;
pub mod usage;

use epyc_rt_device::link::{self, Image};
use epyc_tir::Program;
use std::fmt;

pub use usage::MemoryUsage;

/// Code generation options for an image.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub codegen: epyc_epiphany::Flags,
    /// Where code and data go (what the command line asked for).
    pub placement: Placement,
}

/// What moves to shared DRAM (ePython's placement flags). Code there is one copy that every
/// core fetches from, each instruction at the cost of an external read; data there is read
/// through the mesh to DRAM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// `-codeshared`: the program's functions (the runtime stays in local memory).
    pub code_shared: bool,
    /// `-datashared`: lists and strings are allocated in shared DRAM, and the program's
    /// constants (string literals) are placed there.
    pub data_shared: bool,
}

/// A linked program, ready to load on every core.
pub struct Built {
    /// The segments and symbols (what a device loader needs).
    pub image: Image,
    /// The image as an ELF file.
    pub elf: Vec<u8>,
    /// Bytes per region of local memory.
    pub usage: MemoryUsage,
    /// Source paths, indexed by the file part of a source position.
    pub files: Vec<String>,
    /// Code address -> source position of the program's code.
    pub lines: lines::LineTable,
    /// Where code and data went: as asked, or with the code moved to shared memory because
    /// it exceeds what a core can hold (then `warnings` says so).
    pub placement: Placement,
    /// Warnings for the user (ePython's automatic code placement).
    pub warnings: Vec<String>,
}

/// Why an image could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The program does not fit a core's local memory; the text says what is largest.
    TooLarge(String),
    /// A bug in epyc (lowering, code generation or linking failed).
    Internal(anyhow::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::TooLarge(text) => f.write_str(text),
            BuildError::Internal(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<anyhow::Error> for BuildError {
    fn from(e: anyhow::Error) -> Self {
        BuildError::Internal(e)
    }
}

/// Builds the image of `prog`.
pub fn build(prog: &Program, options: &Options) -> Result<Built, BuildError> {
    let code = compile::compile_program(prog, &options.codegen)?;
    let runtime = epyc_rt_device::runtime_object();
    let (placement, warnings) = usage::place(&runtime, &code, options.placement)?;
    let layout = code.layout(placement);
    let image = link::link_with(&runtime, &code.sections, code.globals_size, &layout)?;
    let usage = MemoryUsage::of(&image, &code, placement);
    let lines = lines::LineTable::of(&image, &code);
    let elf = elf::write(&image, &code, &usage, &lines, &prog.files)?;
    Ok(Built {
        image,
        elf,
        usage,
        files: prog.files.clone(),
        lines,
        placement,
        warnings,
    })
}
