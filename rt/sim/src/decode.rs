//! Bridge from `epiphany-isa`'s decoder (the single source of truth for encodings) to the
//! simulator's pre-decoded [`Uop`], and the disassembly used in reports and traces.

use crate::mem::Mem;
use crate::uop::{Kind, Uop, SUB_RM};
use epiphany_isa::{sreg_address, AddrMode, Inst, Op};

/// Decode an instruction word (low halfword first) into a `Uop`. Invalid encodings and the
/// instructions E16G301 hardware does not have become `Kind::Invalid` (of the decoded length).
pub fn decode(word: u32) -> Uop {
    match epiphany_isa::decode(word) {
        Some(inst) => from_inst(&inst),
        None => Uop {
            len: if word & 8 != 0 { 4 } else { 2 },
            ..Uop::INVALID
        },
    }
}

fn from_inst(i: &Inst) -> Uop {
    let mut u = Uop {
        kind: Kind::Invalid,
        rd: i.rd & 63,
        rn: i.rn & 63,
        rm: i.rm & 63,
        c: 0,
        len: i.size,
        imm: i.imm,
    };
    let sub = if i.sub { SUB_RM } else { 0 };
    u.kind = match i.op {
        Op::B(cond) => {
            u.c = cond.code() as u8;
            Kind::Branch
        }
        Op::Bl => Kind::BranchLink,
        Op::Jr => Kind::Jr,
        Op::Jalr => Kind::Jalr,
        Op::Load { width, mode } => {
            u.c = width as u8;
            match mode {
                AddrMode::Disp => Kind::LoadDisp,
                AddrMode::PostDisp => Kind::LoadPostImm,
                AddrMode::Index => {
                    u.c |= sub;
                    Kind::LoadIdx
                }
                AddrMode::PostIndex => {
                    u.c |= sub;
                    Kind::LoadPostReg
                }
            }
        }
        Op::Store { width, mode } => {
            u.c = width as u8;
            match mode {
                AddrMode::Disp => Kind::StoreDisp,
                AddrMode::PostDisp => Kind::StorePostImm,
                AddrMode::Index => {
                    u.c |= sub;
                    Kind::StoreIdx
                }
                AddrMode::PostIndex => {
                    u.c |= sub;
                    Kind::StorePostReg
                }
            }
        }
        Op::Testset { width } => {
            u.c = width as u8 | sub;
            Kind::Testset
        }
        Op::Add => Kind::Add,
        Op::Sub => Kind::Sub,
        Op::And => Kind::And,
        Op::Orr => Kind::Orr,
        Op::Eor => Kind::Eor,
        Op::Asr => Kind::Asr,
        Op::Lsr => Kind::Lsr,
        Op::Lsl => Kind::Lsl,
        Op::AddImm => Kind::AddImm,
        Op::SubImm => Kind::SubImm,
        Op::AsrImm => Kind::AsrImm,
        Op::LsrImm => Kind::LsrImm,
        Op::LslImm => Kind::LslImm,
        Op::Bitr => Kind::Bitr,
        Op::Mov(cond) => {
            u.c = cond.code() as u8;
            Kind::MovCond
        }
        Op::MovImm => {
            u.imm = i.imm & 0xFFFF;
            Kind::MovImm
        }
        Op::Movt => {
            u.imm = ((i.imm as u32 & 0xFFFF) << 16) as i32;
            Kind::MovT
        }
        // The simulator's Movts reads its GPR from `rn`; the register is the MMR offset.
        Op::Movts => {
            u.rn = u.rd;
            u.imm = sreg_address(i.imm as u32 & 0xFF) as i32;
            Kind::Movts
        }
        Op::Movfs => {
            u.imm = sreg_address(i.imm as u32 & 0xFF) as i32;
            Kind::Movfs
        }
        Op::Fadd => Kind::Fadd,
        Op::Fsub => Kind::Fsub,
        Op::Fmul => Kind::Fmul,
        Op::Fmadd => Kind::Fmadd,
        Op::Fmsub => Kind::Fmsub,
        Op::Float => Kind::Float,
        Op::Fix => Kind::Fix,
        Op::Fabs => Kind::Fabs,
        Op::Trap => Kind::Trap,
        Op::Swi => Kind::Swi,
        Op::Nop | Op::Snop | Op::Sync | Op::Mbkpt => Kind::Nop,
        Op::Idle => Kind::Idle,
        Op::Bkpt => Kind::Bkpt,
        Op::Rti => Kind::Rti,
        Op::Wand => Kind::Wand,
        Op::Gie => Kind::Gie,
        Op::Gid => Kind::Gid,
        Op::Unimpl => Kind::Unimpl,
        // Not E16G301 hardware (spec §2.6).
        Op::Fext | Op::Fdep | Op::Lfsr | Op::Frecip | Op::Fsqrt => Kind::Invalid,
    };
    u
}

/// Disassembly of one instruction word in GNU objdump syntax (from the ISA crate), with the
/// word in hex; `pc` resolves branch targets.
pub fn disasm_word(word: u32, pc: u32) -> String {
    let (text, size) = epiphany_isa::disasm_word(word, pc);
    if size == 2 {
        format!("{:04x}      {text}", word & 0xFFFF)
    } else {
        format!("{word:08x}  {text}")
    }
}

/// The instruction at `pc` of core `idx`, disassembled (for reports and traces).
pub fn describe(mem: &Mem, idx: usize, pc: u32) -> String {
    match mem.fetch_word(idx, pc) {
        Some(word) => disasm_word(word, pc),
        None => "<not in memory>".to_string(),
    }
}
