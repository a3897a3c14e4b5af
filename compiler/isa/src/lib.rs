//! The Epiphany instruction set as one table ([`table`]): every instruction form with its size,
//! fixed opcode bits and mask, semantic operation, operand fields (bit positions, widths,
//! signedness, scaling: [`Opnd`]) and GNU syntax. Everything else is driven by that table:
//!
//! - [`decode`]: fetched word -> [`Inst`] (semantic, `Copy`, 12 bytes; field meanings per
//!   [`Op`] are documented in [`inst`]); `None` where GNU objdump says `*unknown*`.
//! - [`disasm`] / [`disasm_word`]: GNU objdump syntax, branch targets as absolute addresses;
//!   [`disasm_hex_words`] for `epyc disasm --hex WORD...`.
//! - [`encode`] (exactly `inst.size`, round-trips `decode`) and [`encode_shortest`] (the
//!   16-bit form where it exists and fits, refusing what GNU as refuses: [`check_gnu`]).
//! - [`assemble_line`]: one GNU-syntax line -> [`Encoded`] word and size.
//!
//! Checked against GNU binutils 2.40 (shared/oracle/isa) by the tests. Imports nothing of ours.

mod asm;
mod disasm;
mod encode;
mod fields;
pub mod inst;
pub mod table;

pub use asm::{assemble_line, AsmError};
pub use disasm::{disasm, disasm_hex_words, disasm_word, UNKNOWN, UNKNOWN_SIZE};
pub use encode::{check_gnu, encode, encode_shortest, EncodeError, Encoded};
pub use fields::{gpr_name, parse_gpr, sreg_name, Opnd, SREG_NAMES};
pub use inst::{decode, sreg_address, AddrMode, Cond, Inst, Op, Width};
