//! Loadable Epiphany images for `epyc build` and `epyc run`: the typed program is lowered to
//! CLIF with i32 pointers ([`epyc_lower`]), every function the entry reaches is compiled by
//! the Epiphany backend ([`epyc_epiphany`]), linked after the device runtime
//! ([`epyc_rt_device::link`]) and written as one ELF ([`elf`]) that every core of a
//! workgroup loads at the same local addresses.
//!
//! * [`compile`]: TIR -> relocatable sections (one per function and per string constant);
//! * [`lines`]: the code-address -> source-line table stored in the ELF;
//! * [`usage`]: memory used per region of the 32 KB, and the error for programs that do not fit;
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
    usage::check_fits(&runtime, &code)?;
    let image = link::link(&runtime, &code.sections, code.globals_size)?;
    let usage = MemoryUsage::of(&image, &code);
    let lines = lines::LineTable::of(&image, &code);
    let elf = elf::write(&image, &code, &usage, &lines, &prog.files)?;
    Ok(Built {
        image,
        elf,
        usage,
        files: prog.files.clone(),
        lines,
    })
}
