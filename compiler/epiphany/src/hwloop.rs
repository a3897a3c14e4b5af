//! Hardware loops (LC/LS/LE, ARCH §7.9) for counted single-block loops, enabled by
//! `Flags::hw_loops`. The architecture reference marks them experimental (LABS), GCC never emits
//! them and Adapteva's CGEN simulator does not implement them; our simulator does (zero-cost
//! back edge), so the option is off by default.
//!
//! A block qualifies when, after register allocation, it ends in `CondBr(i' <s n | i' <u n)`
//! branching back to itself with no moves on the back edge (so i' lives in the same register
//! as the loop parameter i), increments that register by one exactly once, never writes the
//! limit register, and makes no calls (a callee could use the loop registers). The body then
//! runs `n - i0` times (at least once: it is a do-while), i0 being the register's value on
//! entry. Emission puts a set-up sequence in front of the block (LC = count, LS = block start,
//! LE = its last instruction, addresses from `movfs pc`) and drops the compare and branch.

use crate::inst::{AluImmOp, Compare, MBlock, MInst, OpKind, Reg};
use crate::regalloc::AInst;
use epiphany_isa::Cond;

/// The loop bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Reg(u8),
    Imm(i32),
}

/// A block that becomes a hardware loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HwLoop {
    /// Register holding the induction variable (i on entry, i + 1 after the increment).
    pub counter: u8,
    pub limit: Limit,
    pub unsigned: bool,
    /// Where control goes when the loop ends.
    pub exit: MBlock,
}

/// Label of the set-up code in front of loop block `b`.
pub fn setup_label(b: MBlock) -> MBlock {
    MBlock(0x8000_0000 | b.0)
}

/// Label of the last instruction of loop block `b` (LE).
pub fn end_label(b: MBlock) -> MBlock {
    MBlock(0x4000_0000 | b.0)
}

/// Label of the `movfs pc` that the LS (k = 0) or LE (k = 1) address is computed from.
pub fn anchor_label(b: MBlock, k: u32) -> MBlock {
    MBlock(0x2000_0000 | (b.0 << 1) | k)
}

/// Whether block `b` (its allocated instructions) is a counted self-loop we can convert.
pub fn find(b: MBlock, insts: &[AInst], resolve: &dyn Fn(MBlock) -> MBlock) -> Option<HwLoop> {
    if b.0 == 0 {
        return None;
    }
    let (last, body) = insts.split_last()?;
    let AInst::Inst(
        MInst::CondBr {
            cmp,
            cond,
            taken,
            not_taken,
        },
        _,
    ) = last
    else {
        return None;
    };
    if resolve(*taken) != b || resolve(*not_taken) == b {
        return None;
    }
    let unsigned = match cond {
        Cond::Lt => false,
        Cond::Ltu => true,
        _ => return None,
    };
    let (counter, limit) = match *cmp {
        Compare::Int { a, b } => (a.0 as u8, Limit::Reg(b.0 as u8)),
        Compare::IntImm { a, imm } => (a.0 as u8, Limit::Imm(imm)),
        _ => return None,
    };
    if limit == Limit::Reg(counter) {
        return None;
    }
    let mut increments = 0;
    for ai in body {
        let written: Vec<u8> = match ai {
            AInst::Move { rd, .. } | AInst::Reload { rd, .. } => vec![*rd],
            AInst::Spill { .. } => vec![],
            AInst::Inst(mi, _) => {
                if mi.is_terminator() || matches!(mi, MInst::Call { .. } | MInst::Args { .. }) {
                    return None;
                }
                if let MInst::AluImm {
                    op: AluImmOp::Add,
                    rd,
                    rn,
                    imm: 1,
                } = mi
                {
                    if *rd == Reg(counter as u32) && *rn == Reg(counter as u32) {
                        increments += 1;
                        continue;
                    }
                }
                let mut defs = Vec::new();
                mi.clone().visit_regs(&mut |r, k| {
                    if !matches!(k, OpKind::Use | OpKind::FixedUse(_)) {
                        defs.push(r.0 as u8);
                    }
                });
                defs
            }
        };
        if written.contains(&counter) || matches!(limit, Limit::Reg(l) if written.contains(&l)) {
            return None;
        }
    }
    (increments == 1).then_some(HwLoop {
        counter,
        limit,
        unsigned,
        exit: resolve(*not_taken),
    })
}
