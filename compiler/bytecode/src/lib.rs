//! epyc byte code: the fallback for code the type specialiser cannot type, and the whole
//! program under `--interp`. See `FORMAT.md` beside this crate for the format; [`format`] is
//! its executable definition (instructions, image encoding and decoding).

pub mod compile;
pub mod format;

pub use compile::{compile_program, CompileError};

pub use format::{Const, Function, Module, Native, Op, Svc};
