//! The decoded form of one Epiphany instruction: what the simulator pre-decodes into, what the
//! backend builds and hands to the encoder, and what the disassembler prints.
//!
//! `Inst` is semantic: `op` says what the instruction does, the other fields are its operands
//! with every encoding detail already undone (register numbers are full 0..63 whatever the
//! instruction size, immediates are sign-extended, memory displacements are scaled to bytes,
//! branch displacements are byte offsets). `size` keeps the encoded length (2 or 4) because it
//! matters for timing, for `bl`/`jalr` return addresses and for re-encoding the same word.
//!
//! # Field meaning per `Op`
//!
//! Unused fields are 0 (and `sub` is false) unless said otherwise. "pc" is the address of the
//! instruction itself.
//!
//! | `op` | meaning |
//! |---|---|
//! | `B(cond)` | if `cond` holds: pc = pc + `imm` (`imm` = signed byte offset, even). `Cond::Al` = unconditional `b`. |
//! | `Bl` | r14 = pc + `size`; pc = pc + `imm` |
//! | `Jr` | pc = r`rn` (the 32-bit `jr r14` prints as `rts`) |
//! | `Jalr` | r14 = pc + `size`; pc = r`rn` |
//! | `Load{width, mode}` | r`rd` = zero-extended memory at the effective address (see `AddrMode`); `Double`: r`rd` = word at ea, r`rd`+1 = word at ea+4 (rd even, ea 8-aligned) |
//! | `Store{width, mode}` | memory at ea = low `width` bytes of r`rd` (`Double`: r`rd` then r`rd`+1) |
//! | `Testset{width}` | ea = r`rn` ± r`rm` (minus when `sub`); `tmp = mem(ea); if tmp == 0 { mem(ea) = rd }; rd = tmp`. `width` is Byte, Half or Word. |
//! | `Add`,`Sub`,`And`,`Orr`,`Eor` | r`rd` = r`rn` op r`rm`; flags AZ AN, and AC AV (AVS) for add/sub, AC=AV=0 for logic |
//! | `Asr`,`Lsr`,`Lsl` | r`rd` = r`rn` shifted by (r`rm` & 31); AZ AN, AC=AV=0 |
//! | `AddImm`,`SubImm` | r`rd` = r`rn` ± `imm` (`imm` signed: −4..3 16-bit, −1024..1023 32-bit); flags as Add/Sub with `imm` as the second operand |
//! | `AsrImm`,`LsrImm`,`LslImm` | r`rd` = r`rn` shifted by `imm` (0..31); AZ AN, AC=AV=0 |
//! | `Bitr` | r`rd` = bit-reverse(r`rn`); AZ AN, AC=AV=0 |
//! | `Fext`,`Fdep`,`Lfsr` | r`rd`, r`rn`, r`rm`: Epiphany-IV extensions, not E16G301 hardware (treat as invalid when executing) |
//! | `Mov(cond)` | if `cond` holds: r`rd` = r`rn`; `Cond::Al` = plain `mov rd,rn`; no flags |
//! | `MovImm` | r`rd` = `imm` (0..65535, zero-extended); no flags |
//! | `Movt` | r`rd` = (r`rd` & 0xFFFF) \| (`imm` << 16), `imm` 0..65535; no flags |
//! | `Movts` | special register `imm` = r`rd` (note: the GPR is in `rd`, as CGEN encodes it) |
//! | `Movfs` | r`rd` = special register `imm` |
//! | `Fadd`,`Fsub`,`Fmul` | r`rd` = r`rn` op r`rm` (float; integer ops when CONFIG.ARITHMODE is integer) |
//! | `Fmadd`,`Fmsub` | r`rd` = r`rd` ± r`rn` * r`rm` |
//! | `Float`,`Fix`,`Fabs` | r`rd` = convert/abs(r`rn`). `rm` holds the encoding's unused rm field (ignored) |
//! | `Frecip`,`Fsqrt` | r`rd` = f(r`rn`): not E16G301 hardware (treat as invalid); `rm` as for `Fix` |
//! | `Trap` | simulator service `imm` (0..63), see shared/oracle/README.md |
//! | `Swi` | software interrupt (IVT entry 1); `imm` = the 6-bit number field (GNU as only accepts 0) |
//! | `Nop`,`Snop`,`Idle`,`Bkpt`,`Mbkpt`,`Rti`,`Wand`,`Sync`,`Gie`,`Gid`,`Unimpl` | as named; no operands |
//!
//! Special register numbers (`Movts`/`Movfs` `imm`) are `group * 64 + index`: group 0 = core
//! registers (config 0, status 1, pc 2, debug 3, iab 4, lc 5, ls 6, le 7, iret 8, imask 9,
//! ilat 10, ilatst 11, ilatcl 12, ipend 13, ctimer0 14, ctimer1 15, hstatus 16), group 1 = DMA
//! (dma0config 0 .. dma1status 15), group 2 = MEM (memconfig, memstatus, memprotect,
//! memreserve), group 3 = MESH (meshconfig, coreid, meshmulticast, swreset). Its memory-mapped
//! address is [`sreg_address`]. The 16-bit forms reach only group 0, index 0..7.
//!
//! # Addressing modes (`Load`, `Store`)
//!
//! | `mode` | effective address | then |
//! |---|---|---|
//! | `Disp` | r`rn` + `imm` (`imm` signed bytes, already scaled by the access width) | — |
//! | `PostDisp` | r`rn` | r`rn` = r`rn` + `imm` |
//! | `Index` | r`rn` + r`rm`, or r`rn` − r`rm` when `sub` | — |
//! | `PostIndex` | r`rn` | r`rn` = r`rn` + r`rm`, or − r`rm` when `sub` |
//!
//! For `Disp`/`PostDisp` the sign is already in `imm`; `sub` only records the encoded sign bit so
//! that a displacement of `-0` re-encodes and prints as GNU does (`[r1,-0x0]`). A simulator never
//! needs to look at `sub` for those two modes.

/// Condition codes, numbered as in the instruction encoding (bits 7:4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cond {
    /// AZ
    Eq = 0,
    /// !AZ
    Ne = 1,
    /// AC & !AZ
    Gtu = 2,
    /// AC
    Gteu = 3,
    /// !AC | AZ
    Lteu = 4,
    /// !AC
    Ltu = 5,
    /// !AZ & (AV == AN)
    Gt = 6,
    /// AV == AN
    Gte = 7,
    /// AV != AN
    Lt = 8,
    /// AZ | (AV != AN)
    Lte = 9,
    /// BZ
    Beq = 10,
    /// !BZ
    Bne = 11,
    /// BN & !BZ
    Blt = 12,
    /// BN | BZ
    Blte = 13,
    /// always
    Al = 14,
}

impl Cond {
    /// All conditions in encoding order (index = code).
    pub const ALL: [Cond; 15] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Gtu,
        Cond::Gteu,
        Cond::Lteu,
        Cond::Ltu,
        Cond::Gt,
        Cond::Gte,
        Cond::Lt,
        Cond::Lte,
        Cond::Beq,
        Cond::Bne,
        Cond::Blt,
        Cond::Blte,
        Cond::Al,
    ];

    /// The condition with encoding `code` (0..14); 15 is branch-and-link, not a condition.
    pub fn from_code(code: u32) -> Option<Cond> {
        Cond::ALL.get(code as usize).copied()
    }

    /// The 4-bit encoding.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The suffix used in mnemonics (`beq`, `movgtu`); empty for `Al`.
    pub fn suffix(self) -> &'static str {
        match self {
            Cond::Eq => "eq",
            Cond::Ne => "ne",
            Cond::Gtu => "gtu",
            Cond::Gteu => "gteu",
            Cond::Lteu => "lteu",
            Cond::Ltu => "ltu",
            Cond::Gt => "gt",
            Cond::Gte => "gte",
            Cond::Lt => "lt",
            Cond::Lte => "lte",
            Cond::Beq => "beq",
            Cond::Bne => "bne",
            Cond::Blt => "blt",
            Cond::Blte => "blte",
            Cond::Al => "",
        }
    }
}

/// Memory access width, numbered as the encoding's `wordsize` field (bits 6:5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Width {
    Byte = 0,
    Half = 1,
    Word = 2,
    Double = 3,
}

impl Width {
    pub const ALL: [Width; 4] = [Width::Byte, Width::Half, Width::Word, Width::Double];

    /// Bytes accessed (1, 2, 4, 8).
    pub fn bytes(self) -> u32 {
        1 << (self as u32)
    }

    /// log2 of `bytes()`: the scale applied to encoded displacements.
    pub fn shift(self) -> u32 {
        self as u32
    }

    /// The mnemonic suffix: `b`, `h`, `` or `d` (`ldrb`, `ldrh`, `ldr`, `ldrd`).
    pub fn suffix(self) -> &'static str {
        ["b", "h", "", "d"][self as usize]
    }
}

/// How a load or store forms its address; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AddrMode {
    Disp,
    PostDisp,
    Index,
    PostIndex,
}

/// What an instruction does. See the module documentation for each variant's operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    B(Cond),
    Bl,
    Jr,
    Jalr,
    Load { width: Width, mode: AddrMode },
    Store { width: Width, mode: AddrMode },
    Testset { width: Width },
    Add,
    Sub,
    And,
    Orr,
    Eor,
    Asr,
    Lsr,
    Lsl,
    AddImm,
    SubImm,
    AsrImm,
    LsrImm,
    LslImm,
    Bitr,
    Fext,
    Fdep,
    Lfsr,
    Mov(Cond),
    MovImm,
    Movt,
    Movts,
    Movfs,
    Fadd,
    Fsub,
    Fmul,
    Fmadd,
    Fmsub,
    Float,
    Fix,
    Fabs,
    Frecip,
    Fsqrt,
    Trap,
    Swi,
    Nop,
    Snop,
    Idle,
    Bkpt,
    Mbkpt,
    Rti,
    Wand,
    Sync,
    Gie,
    Gid,
    Unimpl,
}

/// One decoded instruction. `Copy` and 12 bytes, so a simulator can pre-decode a whole
/// program into a flat array of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Inst {
    pub op: Op,
    /// Encoded length in bytes: 2 or 4.
    pub size: u8,
    /// Destination register (the source register for stores, `testset` and `movts`).
    pub rd: u8,
    /// First source / base register.
    pub rn: u8,
    /// Second source / index register.
    pub rm: u8,
    /// Subtract the index (`Index`/`PostIndex`/`Testset`), or the encoded sign bit of a
    /// displacement (see the module documentation).
    pub sub: bool,
    /// Immediate, displacement (bytes) or special register number, as documented per `Op`.
    pub imm: i32,
}

impl Inst {
    /// An instruction with no operands set (all zero), of the given op and size.
    pub fn new(op: Op, size: u8) -> Inst {
        Inst {
            op,
            size,
            rd: 0,
            rn: 0,
            rm: 0,
            sub: false,
            imm: 0,
        }
    }
}

/// Memory-mapped address (inside a core's 1 MB window) of special register number `sreg`
/// (`group * 64 + index`, as in `Movts`/`Movfs`).
pub fn sreg_address(sreg: u32) -> u32 {
    0xF0400 + (sreg >> 6) * 0x100 + (sreg & 63) * 4
}

/// Decode one instruction. `word` is as fetched: the halfword at the lower address in bits
/// 15:0, the next one in bits 31:16; a 16-bit instruction uses only bits 15:0 (the upper half
/// is ignored). `None` for an encoding GNU objdump calls `*unknown*`.
pub fn decode(word: u32) -> Option<Inst> {
    crate::table::decode(word)
}
