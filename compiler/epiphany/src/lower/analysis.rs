//! Whole-function helpers: loop membership of CLIF blocks, dead machine-code removal.

use crate::inst::*;
use cranelift_codegen::ir::{Block, Function};

/// CLIF blocks that belong to some loop.
pub(super) fn loop_blocks(func: &Function) -> std::collections::HashSet<Block> {
    use cranelift_codegen::{
        dominator_tree::DominatorTree, flowgraph::ControlFlowGraph, loop_analysis::LoopAnalysis,
    };
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let mut la = LoopAnalysis::new();
    la.compute(func, &cfg, &domtree);
    func.layout
        .blocks()
        .filter(|&b| la.innermost_loop(b).is_some())
        .collect()
}

/// Delete pure instructions whose results are never used, until none is left.
pub(super) fn remove_dead_code(mf: &mut MFunction) {
    loop {
        let mut used = vec![false; mf.num_vregs as usize];
        for b in &mut mf.blocks {
            for inst in &mut b.insts {
                if let MInst::Jump { args, .. } = inst {
                    args.iter().for_each(|r| used[r.0 as usize] = true);
                }
                inst.visit_regs(&mut |r, k| {
                    if matches!(k, OpKind::Use | OpKind::FixedUse(_)) {
                        used[r.0 as usize] = true;
                    }
                });
            }
        }
        let mut changed = false;
        for b in &mut mf.blocks {
            let mut keep = Vec::with_capacity(b.insts.len());
            for inst in b.insts.iter_mut() {
                let mut any_used = false;
                inst.visit_regs(&mut |r, k| {
                    if !matches!(k, OpKind::Use | OpKind::FixedUse(_)) && used[r.0 as usize] {
                        any_used = true;
                    }
                });
                keep.push(!inst.is_pure() || any_used);
            }
            if keep.iter().any(|k| !k) {
                changed = true;
                let mut it = keep.iter();
                b.insts.retain(|_| *it.next().unwrap());
                let mut it = keep.iter();
                b.srclocs.retain(|_| *it.next().unwrap());
            }
        }
        if !changed {
            break;
        }
    }
}
