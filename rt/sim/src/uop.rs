//! The simulator's pre-decoded instruction: a small flat record built once per instruction word
//! (from `epiphany-isa`'s decoder, see `decode.rs`) and cached per core, so the execute loop is a
//! single `match` on `kind` with the operands already extracted.

/// What an instruction does (its semantics class, with the operand shape folded in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Not decoded yet (cache slot empty).
    Undecoded,
    /// An invalid encoding (fault when executed).
    Invalid,
    /// The PC is not in fetchable memory (never cached; faults when executed).
    BadFetch,
    Nop,
    Idle,
    Rti,
    Gie,
    Gid,
    /// `trap imm`.
    Trap,
    Swi,
    /// `bkpt` halts the core (debugger stop).
    Bkpt,
    /// `wand`: set STATUS bit 3.
    Wand,
    /// `unimpl`: the unimplemented-instruction exception.
    Unimpl,
    /// `b<cond> imm` (cond in `c`, byte offset in `imm`).
    Branch,
    /// `bl imm`.
    BranchLink,
    Jr,
    Jalr,
    /// `mov rd, #imm` (imm zero-extended).
    MovImm,
    /// `movt rd, #imm` (imm already shifted to bits 31:16).
    MovT,
    /// `mov<cond> rd, rn`.
    MovCond,
    /// `movts sreg, rn` (`imm` = group*16 + index, i.e. MMR offset (0xF0400 + 4*imm) for group 0..).
    Movts,
    /// `movfs rd, sreg`.
    Movfs,
    Add,
    Sub,
    And,
    Orr,
    Eor,
    Lsl,
    Lsr,
    Asr,
    AddImm,
    SubImm,
    LslImm,
    LsrImm,
    AsrImm,
    Bitr,
    Fadd,
    Fsub,
    Fmul,
    Fmadd,
    Fmsub,
    Float,
    Fix,
    Fabs,
    /// Load, address = rn + imm (imm in bytes, signed).
    LoadDisp,
    /// Load, address = rn ± rm (`c` bit 4 = subtract).
    LoadIdx,
    /// Load at rn, then rn ±= rm.
    LoadPostReg,
    /// Load at rn, then rn += imm.
    LoadPostImm,
    StoreDisp,
    StoreIdx,
    StorePostReg,
    StorePostImm,
    /// `testset rd, [rn, ±rm]`.
    Testset,
}

/// Access size codes as in the instruction's `f-wordsize` field.
pub const SIZE_BYTE: u8 = 0;
pub const SIZE_HALF: u8 = 1;
pub const SIZE_WORD: u8 = 2;
pub const SIZE_DOUBLE: u8 = 3;
/// Flag in `c` for index/post-modify forms: subtract rm instead of adding it.
pub const SUB_RM: u8 = 0x10;

/// One pre-decoded instruction. `c` holds the condition code (branches, moves) or the access
/// size (low 2 bits) plus [`SUB_RM`] (memory ops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uop {
    pub kind: Kind,
    pub rd: u8,
    pub rn: u8,
    pub rm: u8,
    pub c: u8,
    /// Instruction length in bytes (2 or 4).
    pub len: u8,
    pub imm: i32,
}

impl Uop {
    pub const UNDECODED: Uop = Uop {
        kind: Kind::Undecoded,
        rd: 0,
        rn: 0,
        rm: 0,
        c: 0,
        len: 2,
        imm: 0,
    };
    pub const BAD_FETCH: Uop = Uop {
        kind: Kind::BadFetch,
        rd: 0,
        rn: 0,
        rm: 0,
        c: 0,
        len: 2,
        imm: 0,
    };
    pub const INVALID: Uop = Uop {
        kind: Kind::Invalid,
        rd: 0,
        rn: 0,
        rm: 0,
        c: 0,
        len: 2,
        imm: 0,
    };

    pub fn new(kind: Kind, len: u8) -> Uop {
        Uop {
            kind,
            rd: 0,
            rn: 0,
            rm: 0,
            c: 0,
            len,
            imm: 0,
        }
    }
    pub fn size(&self) -> u8 {
        self.c & 3
    }
}
