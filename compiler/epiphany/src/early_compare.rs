//! Compares issued before a block's trailing stores. A conditional branch's compare is part of
//! the `CondBr` terminator, so the scheduler cannot move it, and it is emitted last. When the
//! block ends in stores whose data is a fresh FPU result (`x = a + b; list[i] = x` at the end
//! of a loop body), the in-order core stalls on the store and the compare waits behind it.
//! Stores set no flags and (but for a post-modified base) write no register, so the compare
//! can be emitted in front of them: it issues during the stall and the branch follows the
//! last store directly.

use crate::inst::{Compare, MInst, OpKind, Reg};
use crate::regalloc::AInst;

/// Where, in an allocated block ending in a conditional branch, its compare can be emitted
/// earlier: the index of the first of the trailing stores, and the compare. `None` when the
/// block does not end in stores after which the compare would gain anything.
pub fn hoist_point(insts: &[AInst]) -> Option<(usize, Compare)> {
    let (last, body) = insts.split_last()?;
    let AInst::Inst(MInst::CondBr { cmp, .. }, _) = last else {
        return None;
    };
    if std::env::var_os("DBG_EC").is_some() {
        eprintln!("{:?}", &insts[insts.len().saturating_sub(4)..]);
    }
    let regs: Vec<Reg> = match *cmp {
        Compare::Int { a, b } | Compare::Float { a, b } => vec![a, b],
        Compare::IntImm { a, .. } | Compare::Test { a, .. } => vec![a],
    };
    let writes_operand = |ai: &AInst| defs(ai).iter().any(|d| regs.contains(d));
    let mut at = body.len();
    while at > 0 && is_store(&body[at - 1]) && !writes_operand(&body[at - 1]) {
        at -= 1;
    }
    if at == body.len() {
        return None;
    }
    // Right after the instruction that computes an operand the compare could wait for it
    // (a load's result comes 2 cycles later); keep it after the stores then.
    if at > 0 && writes_operand(&body[at - 1]) {
        return None;
    }
    Some((at, *cmp))
}

fn is_store(ai: &AInst) -> bool {
    matches!(
        ai,
        AInst::Spill { .. }
            | AInst::Inst(
                MInst::Store { .. } | MInst::StoreIdx { .. } | MInst::StorePost { .. },
                _
            )
    )
}

/// Registers `ai` writes.
fn defs(ai: &AInst) -> Vec<Reg> {
    match ai {
        AInst::Move { rd, .. } | AInst::Reload { rd, .. } => vec![Reg(*rd as u32)],
        AInst::Spill { .. } => Vec::new(),
        AInst::Inst(mi, _) => {
            let mut out = Vec::new();
            mi.clone().visit_regs(&mut |r, kind| {
                if !matches!(kind, OpKind::Use | OpKind::FixedUse(_)) {
                    out.push(*r);
                }
            });
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inst::{FpuOp, MBlock};
    use cranelift_codegen::ir::SourceLoc;
    use epiphany_isa::{Cond, Width};

    fn i(mi: MInst) -> AInst {
        AInst::Inst(mi, SourceLoc::default())
    }

    fn branch(a: u32, b: u32) -> AInst {
        i(MInst::CondBr {
            cmp: Compare::Int {
                a: Reg(a),
                b: Reg(b),
            },
            cond: Cond::Lte,
            taken: MBlock(1),
            not_taken: MBlock(2),
        })
    }

    fn store(src: u32) -> AInst {
        i(MInst::Store {
            width: Width::Word,
            src: Reg(src),
            base: Reg(0),
            off: 8,
        })
    }

    #[test]
    fn compare_goes_before_a_store_of_a_fresh_fpu_result() {
        let block = [
            i(MInst::Fpu {
                op: FpuOp::Fadd,
                rd: Reg(16),
                rn: Reg(2),
                rm: Reg(3),
            }),
            store(16),
            branch(12, 7),
        ];
        let (at, _) = hoist_point(&block).expect("hoisted");
        assert_eq!(at, 1);
    }

    #[test]
    fn compare_stays_when_nothing_gains_or_an_operand_is_written() {
        // no trailing store
        assert_eq!(
            hoist_point(&[
                store(1),
                i(MInst::Mov {
                    rd: Reg(5),
                    rn: Reg(6)
                }),
                branch(5, 7)
            ]),
            None
        );
        // the store's post-modified base is the compare's operand
        let post = i(MInst::StorePost {
            width: Width::Word,
            src: Reg(1),
            base: Reg(12),
            base_out: Reg(12),
            off: 4,
        });
        assert_eq!(hoist_point(&[post, branch(12, 7)]), None);
        // the operand comes from the load just before the stores
        let load = i(MInst::Load {
            width: Width::Word,
            rd: Reg(12),
            base: Reg(0),
            off: 0,
        });
        assert_eq!(hoist_point(&[load, store(1), branch(12, 7)]), None);
    }
}
