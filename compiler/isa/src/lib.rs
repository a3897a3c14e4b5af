//! The Epiphany instruction set as one table: encoder, decoder and disassembler are all driven by
//! it. Imports nothing of ours.

pub mod inst;
mod table;

pub use inst::{decode, sreg_address, AddrMode, Cond, Inst, Op, Width};
