//! The Epiphany instruction set as one table (`table`): the decoder, the disassembler (GNU
//! objdump syntax), the structured encoder and the GNU-syntax assembler-line parser are all
//! driven by it. Imports nothing of ours.

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
