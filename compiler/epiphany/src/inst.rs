//! Machine instructions over virtual registers: what instruction selection produces, what the
//! register allocator sees (one `MInst` = one regalloc2 instruction) and what emission expands
//! into Epiphany instructions.
//!
//! An `MInst` may expand into several machine instructions; it may then use the two emission
//! scratch registers (`abi::SCRATCH0` = r63 and `abi::SCRATCH1` = r62) between them, which the
//! allocator never hands out. Flags never live across `MInst`s: every instruction that reads
//! flags (branch, conditional move) carries its own compare, so the allocator's moves, spills
//! and reloads (mov/ldr/str, none of which writes flags) can go anywhere.

use cranelift_codegen::ir::{ExternalName, SourceLoc};
use epiphany_isa::{Cond, Width};
use regalloc2::PReg;

/// A register operand: a virtual register before allocation, a physical one (0..63) after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reg(pub u32);

/// Index of a machine block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MBlock(pub u32);

/// Where a call or address relocation points.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RelocTarget {
    /// A function named in the CLIF (`call fn0`), as the CLIF names it.
    Func(ExternalName),
    /// A symbol by name (runtime routines, data symbols).
    Symbol(String),
}

/// Two-register integer ALU operations (all set AZ/AN, add/sub also AC/AV).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluOp {
    Add,
    Sub,
    And,
    Orr,
    Eor,
    Asr,
    Lsr,
    Lsl,
}

/// Register-immediate ALU operations: add/sub take simm11, shifts 0..31.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluImmOp {
    Add,
    Sub,
    Asr,
    Lsr,
    Lsl,
}

/// FPU two-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpuOp {
    Fadd,
    Fsub,
    Fmul,
}

/// One-operand operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// signed int -> float (FPU)
    Float,
    /// |x| (FPU; flushes a denormal to zero, as the FPU does)
    Fabs,
    /// bit reverse (IALU)
    Bitr,
}

/// The compare that sets the flags read by a branch, select or set-condition. Emitted into the
/// scratch register r63 (`sub r63, a, b` / `fsub r63, a, b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// `sub r63, a, b`: integer conditions.
    Int { a: Reg, b: Reg },
    /// `sub r63, a, #imm` (imm in −1024..1023).
    IntImm { a: Reg, imm: i32 },
    /// `fsub r63, a, b`: float conditions (Beq, Bne, Blt, Blte).
    Float { a: Reg, b: Reg },
    /// `lsl r63, a, #shift`: AZ tells whether the low `32 - shift` bits are zero.
    Test { a: Reg, shift: u8 },
}

/// One machine instruction over (virtual) registers.
#[derive(Clone, Debug, PartialEq)]
pub enum MInst {
    /// Defines the incoming register arguments at function entry (no code).
    Args {
        defs: Vec<(Reg, PReg)>,
    },
    Alu {
        op: AluOp,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    AluImm {
        op: AluImmOp,
        rd: Reg,
        rn: Reg,
        imm: i32,
    },
    Fpu {
        op: FpuOp,
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// `fmadd`/`fmsub`: rd = acc ± rn * rm; rd is allocated to acc's register.
    FpuMac {
        sub: bool,
        rd: Reg,
        acc: Reg,
        rn: Reg,
        rm: Reg,
    },
    Unary {
        op: UnaryOp,
        rd: Reg,
        rn: Reg,
    },
    /// float -> int truncating toward zero: switches CONFIG to truncate mode around `fix`.
    FixTrunc {
        rd: Reg,
        rn: Reg,
    },
    /// 32-bit integer multiply (low word): the FPU's `fmul` in integer mode (CONFIG.ARITHMODE
    /// = 100, GCC's IMUL), switching CONFIG around it.
    IMul {
        rd: Reg,
        rn: Reg,
        rm: Reg,
    },
    /// rd = 32-bit constant (`mov`, plus `movt` when the high half is not zero).
    LoadImm {
        rd: Reg,
        imm: u32,
    },
    /// rd = address of a symbol + addend (`mov %low` / `movt %high` with relocations).
    LoadSym {
        rd: Reg,
        target: RelocTarget,
        addend: i32,
    },
    Mov {
        rd: Reg,
        rn: Reg,
    },
    /// rd = cond ? (negate ? -1 : 1) : 0, after `cmp`.
    SetCond {
        rd: Reg,
        cmp: Compare,
        cond: Cond,
        negate: bool,
    },
    /// rd = cond ? a : b after `cmp`; rd is allocated to b's register.
    Select {
        rd: Reg,
        cmp: Compare,
        cond: Cond,
        a: Reg,
        b: Reg,
    },
    /// Load with a displacement (bytes) from a base register; zero-extends bytes/halves.
    Load {
        width: Width,
        rd: Reg,
        base: Reg,
        off: i32,
    },
    /// Load from base + index.
    LoadIdx {
        width: Width,
        rd: Reg,
        base: Reg,
        idx: Reg,
    },
    Store {
        width: Width,
        src: Reg,
        base: Reg,
        off: i32,
    },
    StoreIdx {
        width: Width,
        src: Reg,
        base: Reg,
        idx: Reg,
    },
    /// Post-modify load: rd = [base], then base += off; `base_out` (the incremented pointer)
    /// is allocated to base's register.
    LoadPost {
        width: Width,
        rd: Reg,
        base: Reg,
        base_out: Reg,
        off: i32,
    },
    /// Post-modify store: [base] = src, then base += off (`base_out` as for `LoadPost`).
    StorePost {
        width: Width,
        src: Reg,
        base: Reg,
        base_out: Reg,
        off: i32,
    },
    /// rd = sp + offset of explicit stack slot `slot` + `off`.
    StackAddr {
        rd: Reg,
        slot: u32,
        off: i32,
    },
    /// rd = incoming stack argument number `index` (0 = the fifth argument word).
    LoadIncomingArg {
        rd: Reg,
        index: u32,
    },
    /// Store an outgoing stack argument (0 = the fifth argument word) before a call.
    StoreOutgoingArg {
        src: Reg,
        index: u32,
    },
    /// `bl target` (or `jalr` through `callee` when `target` is None).
    Call {
        target: Option<RelocTarget>,
        callee: Option<Reg>,
        uses: Vec<(Reg, PReg)>,
        defs: Vec<(Reg, PReg)>,
    },
    /// Block terminators.
    Jump {
        target: MBlock,
        args: Vec<Reg>,
    },
    CondBr {
        cmp: Compare,
        cond: Cond,
        taken: MBlock,
        not_taken: MBlock,
    },
    /// Compare `idx` with 0..n and branch to `targets[i]`, else to `default`.
    BrTable {
        idx: Reg,
        targets: Vec<MBlock>,
        default: MBlock,
    },
    Ret {
        vals: Vec<(Reg, PReg)>,
    },
    /// Leaves the program: `trap 3` (exit) with the trap code in r0; the runtime routine that
    /// reports the trap is called before it, so this is only reached if that routine returns.
    Halt,
}

/// How an operand is used, for the register allocator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Use,
    Def,
    /// A def that must get the same register as the operand with this index.
    ReuseDef(usize),
    FixedUse(PReg),
    FixedDef(PReg),
}

impl Compare {
    fn visit(&mut self, f: &mut dyn FnMut(&mut Reg, OpKind)) {
        match self {
            Compare::Int { a, b } | Compare::Float { a, b } => {
                f(a, OpKind::Use);
                f(b, OpKind::Use);
            }
            Compare::IntImm { a, .. } | Compare::Test { a, .. } => f(a, OpKind::Use),
        }
    }
}

impl MInst {
    /// Visit every register operand in a fixed order. The allocator adapter collects operands
    /// with it and emission substitutes the allocations with it, so both agree by construction.
    pub fn visit_regs(&mut self, f: &mut dyn FnMut(&mut Reg, OpKind)) {
        use OpKind::*;
        match self {
            MInst::Args { defs } => defs.iter_mut().for_each(|(r, p)| f(r, FixedDef(*p))),
            MInst::Alu { rd, rn, rm, .. }
            | MInst::Fpu { rd, rn, rm, .. }
            | MInst::IMul { rd, rn, rm } => {
                f(rn, Use);
                f(rm, Use);
                f(rd, Def);
            }
            MInst::AluImm { rd, rn, .. } | MInst::Unary { rd, rn, .. } | MInst::Mov { rd, rn } => {
                f(rn, Use);
                f(rd, Def);
            }
            MInst::FixTrunc { rd, rn } => {
                f(rn, Use);
                f(rd, Def);
            }
            MInst::FpuMac {
                rd, acc, rn, rm, ..
            } => {
                f(acc, Use);
                f(rn, Use);
                f(rm, Use);
                f(rd, ReuseDef(0));
            }
            MInst::LoadImm { rd, .. } | MInst::LoadSym { rd, .. } => f(rd, Def),
            MInst::StackAddr { rd, .. } | MInst::LoadIncomingArg { rd, .. } => f(rd, Def),
            MInst::StoreOutgoingArg { src, .. } => f(src, Use),
            MInst::SetCond { rd, cmp, .. } => {
                cmp.visit(f);
                f(rd, Def);
            }
            MInst::Select { rd, cmp, a, b, .. } => {
                f(b, Use);
                f(a, Use);
                cmp.visit(f);
                f(rd, ReuseDef(0));
            }
            MInst::Load { rd, base, .. } => {
                f(base, Use);
                f(rd, Def);
            }
            MInst::LoadIdx { rd, base, idx, .. } => {
                f(base, Use);
                f(idx, Use);
                f(rd, Def);
            }
            MInst::Store { src, base, .. } => {
                f(src, Use);
                f(base, Use);
            }
            MInst::LoadPost {
                rd, base, base_out, ..
            } => {
                f(base, Use);
                f(rd, Def);
                f(base_out, ReuseDef(0));
            }
            MInst::StorePost {
                src,
                base,
                base_out,
                ..
            } => {
                f(src, Use);
                f(base, Use);
                f(base_out, ReuseDef(1));
            }
            MInst::StoreIdx { src, base, idx, .. } => {
                f(src, Use);
                f(base, Use);
                f(idx, Use);
            }
            MInst::Call {
                callee, uses, defs, ..
            } => {
                if let Some(c) = callee {
                    f(c, Use);
                }
                uses.iter_mut().for_each(|(r, p)| f(r, FixedUse(*p)));
                defs.iter_mut().for_each(|(r, p)| f(r, FixedDef(*p)));
            }
            MInst::Jump { .. } | MInst::Halt => {}
            MInst::CondBr { cmp, .. } => cmp.visit(f),
            MInst::BrTable { idx, .. } => f(idx, Use),
            MInst::Ret { vals } => vals.iter_mut().for_each(|(r, p)| f(r, FixedUse(*p))),
        }
    }

    /// Block successors of a terminator (empty for anything else).
    pub fn successors(&self) -> Vec<MBlock> {
        match self {
            MInst::Jump { target, .. } => vec![*target],
            MInst::CondBr {
                taken, not_taken, ..
            } => vec![*taken, *not_taken],
            MInst::BrTable {
                targets, default, ..
            } => {
                let mut v = targets.clone();
                v.push(*default);
                v
            }
            _ => vec![],
        }
    }

    pub fn is_terminator(&self) -> bool {
        matches!(
            self,
            MInst::Jump { .. }
                | MInst::CondBr { .. }
                | MInst::BrTable { .. }
                | MInst::Ret { .. }
                | MInst::Halt
        )
    }

    /// Whether the instruction only computes its defs (so it can be deleted when they are dead).
    pub fn is_pure(&self) -> bool {
        matches!(
            self,
            MInst::Alu { .. }
                | MInst::AluImm { .. }
                | MInst::Fpu { .. }
                | MInst::FpuMac { .. }
                | MInst::Unary { .. }
                | MInst::FixTrunc { .. }
                | MInst::IMul { .. }
                | MInst::LoadImm { .. }
                | MInst::LoadSym { .. }
                | MInst::Mov { .. }
                | MInst::SetCond { .. }
                | MInst::Select { .. }
                | MInst::StackAddr { .. }
        )
    }
}

/// A machine block: its parameters (SSA phis) and instructions, the last a terminator.
#[derive(Clone, Debug, Default)]
pub struct MBlockData {
    pub params: Vec<Reg>,
    pub insts: Vec<MInst>,
    /// Source location of each instruction (same length as `insts`).
    pub srclocs: Vec<SourceLoc>,
}

/// A lowered function: blocks in layout order (block 0 is the entry).
#[derive(Clone, Debug, Default)]
pub struct MFunction {
    pub blocks: Vec<MBlockData>,
    pub num_vregs: u32,
    /// Explicit stack slots: (size, alignment) in bytes.
    pub stack_slots: Vec<(u32, u32)>,
    /// Emission order of the blocks (edge blocks sit right after their source block).
    pub layout: Vec<MBlock>,
    /// Stack argument words needed by the largest call.
    pub outgoing_arg_words: u32,
    /// Whether the function calls anything (so lr must be saved).
    pub has_calls: bool,
    /// Compiled for size first (big functions, see `lower::SIZE_FIRST_INSTS`): constants are
    /// loaded where they are used and the register allocator prefers r0–r7, which the 16-bit
    /// encodings reach, to the other caller-saved registers.
    pub size_first: bool,
}
