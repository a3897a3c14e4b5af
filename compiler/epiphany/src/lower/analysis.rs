//! Whole-function helpers: the CLIF blocks whose constants are hoisted, dead machine-code removal.

use crate::inst::*;
use cranelift_codegen::ir::{Block, Function};
use cranelift_codegen::loop_analysis::Loop;
use std::collections::{HashMap, HashSet};

/// Loops bigger than this (CLIF instructions, nested loops included) keep their constants in
/// place: a big loop body is mostly paths that use few of them each time round, and constants
/// kept in registers across all of it cost more in saves, spills and 32-bit encodings (r8 and
/// up) than loading them where they are used.
const MAX_HOISTING_LOOP_INSTS: usize = 150;

/// Where constants are loaded (see `Lowerer::load_imm`), from the loops of a function.
pub(super) struct ConstantHomes {
    /// CLIF blocks that belong to some loop.
    pub in_loop: HashSet<Block>,
    /// For each block in a small loop that makes no calls (a call would force each constant
    /// into a callee-saved register or onto the stack; see [`MAX_HOISTING_LOOP_INSTS`] for the
    /// size), the preheader of the outermost such loop around it: the header's one
    /// predecessor outside the loop, or the entry block when there are several.
    pub small_loop_preheader: HashMap<Block, Block>,
}

pub(super) fn constant_homes(func: &Function) -> ConstantHomes {
    use cranelift_codegen::{
        dominator_tree::DominatorTree, flowgraph::ControlFlowGraph, loop_analysis::LoopAnalysis,
    };
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let mut la = LoopAnalysis::new();
    la.compute(func, &cfg, &domtree);
    // (instructions, whether it calls) of each loop, nested loops included.
    let mut stats: HashMap<Loop, (usize, bool)> = HashMap::new();
    for b in func.layout.blocks() {
        let insts = func.layout.block_insts(b).count();
        let calls = func
            .layout
            .block_insts(b)
            .any(|i| func.dfg.insts[i].opcode().is_call());
        let mut lp = la.innermost_loop(b);
        while let Some(l) = lp {
            let s = stats.entry(l).or_insert((0, false));
            s.0 += insts;
            s.1 |= calls;
            lp = la.loop_parent(l);
        }
    }
    let small = |l: Loop| {
        stats
            .get(&l)
            .is_some_and(|&(n, calls)| !calls && n <= MAX_HOISTING_LOOP_INSTS)
    };
    let entry = func.layout.entry_block();
    let preheader = |l: Loop| {
        let header = la.loop_header(l);
        let mut outside = cfg
            .pred_iter(header)
            .map(|p| p.block)
            .filter(|&p| !la.is_in_loop(p, l));
        match (outside.next(), outside.next()) {
            (Some(p), None) => Some(p),
            _ => entry,
        }
    };
    let mut homes = ConstantHomes {
        in_loop: HashSet::new(),
        small_loop_preheader: HashMap::new(),
    };
    for b in func.layout.blocks() {
        let mut lp = la.innermost_loop(b);
        if lp.is_some() {
            homes.in_loop.insert(b);
        }
        let mut outermost_small = None;
        while let Some(l) = lp.filter(|&l| small(l)) {
            outermost_small = Some(l);
            lp = la.loop_parent(l);
        }
        if let Some(h) = outermost_small.and_then(preheader) {
            homes.small_loop_preheader.insert(b, h);
        }
    }
    homes
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
