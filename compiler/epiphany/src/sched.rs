//! Instruction scheduling before register allocation: reorders the `MInst`s of each block (in
//! regions between calls) by list scheduling over a model of the core: in-order issue, one IALU
//! or load/store plus one FPU instruction per cycle (dual issue), IALU results usable next
//! cycle, loads after 2 (3 for the FPU), FPU results after 5 (4 for a store) — the latencies
//! of GCC's epiphany-sched.md that the simulator also charges. The code is still SSA, so only
//! true dependencies and memory order (stores against other accesses) constrain the order.

use crate::inst::*;
use std::collections::HashMap;

/// Most instructions scheduled together (the list scheduler is quadratic in this).
const WINDOW: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Int,
    Fpu,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mem {
    None,
    Load,
    Store,
}

/// Unit, cycles the instruction occupies the issue slot (instructions it expands to), memory
/// behaviour.
fn model(i: &MInst) -> (Class, u64, Mem) {
    match i {
        MInst::Fpu { .. } | MInst::FpuMac { .. } => (Class::Fpu, 1, Mem::None),
        MInst::Unary {
            op: UnaryOp::Float | UnaryOp::Fabs,
            ..
        } => (Class::Fpu, 1, Mem::None),
        MInst::Load { .. }
        | MInst::LoadIdx { .. }
        | MInst::LoadPost { .. }
        | MInst::LoadIncomingArg { .. } => (Class::Int, 1, Mem::Load),
        MInst::Store { .. }
        | MInst::StoreIdx { .. }
        | MInst::StorePost { .. }
        | MInst::StoreOutgoingArg { .. } => (Class::Int, 1, Mem::Store),
        MInst::LoadImm { imm, .. } => (Class::Int, if imm >> 16 == 0 { 1 } else { 2 }, Mem::None),
        MInst::LoadSym { .. } => (Class::Int, 2, Mem::None),
        MInst::SetCond { .. } => (Class::Int, 4, Mem::None),
        MInst::Select { .. } => (Class::Int, 2, Mem::None),
        MInst::FixTrunc { .. } => (Class::Int, 6, Mem::None),
        MInst::IMul { .. } => (Class::Int, 7, Mem::None),
        _ => (Class::Int, 1, Mem::None),
    }
}

/// Cycles from the issue of `producer` until `consumer` can use its result.
fn latency(producer: &MInst, consumer: &MInst) -> u64 {
    let (pc, occupancy, pm) = model(producer);
    let (cc, _, cm) = model(consumer);
    match (pc, pm) {
        (Class::Fpu, _) if cm == Mem::Store => 4,
        (Class::Fpu, _) => 5,
        (_, Mem::Load) if cc == Class::Fpu => 3,
        (_, Mem::Load) => 2,
        // the FPU result of an integer-mode multiply or a fix comes 5 cycles after the fmul/fix,
        // which is the next-to-last of the expansion
        _ if matches!(producer, MInst::IMul { .. } | MInst::FixTrunc { .. }) => occupancy + 3,
        _ => occupancy,
    }
}

/// Reorder every block's instructions (keeping entry `Args` first, terminators last and calls
/// where they are).
pub fn schedule(mf: &mut MFunction) {
    for b in &mut mf.blocks {
        let n = b.insts.len();
        let mut start = usize::from(matches!(b.insts.first(), Some(MInst::Args { .. })));
        let end = n.saturating_sub(1); // the terminator stays last
        let mut order: Vec<usize> = (0..start).collect();
        let mut k = start;
        while k <= end {
            if k == end || matches!(b.insts[k], MInst::Call { .. }) {
                // Long regions are scheduled in windows, keeping the cost linear.
                let mut lo = start;
                while lo < k {
                    let hi = (lo + WINDOW).min(k);
                    order.extend(schedule_region(&b.insts, lo, hi));
                    lo = hi;
                }
                if k < n {
                    order.push(k);
                }
                start = k + 1;
            }
            k += 1;
        }
        debug_assert_eq!(order.len(), n);
        let insts = order.iter().map(|&i| b.insts[i].clone()).collect();
        let srclocs = order.iter().map(|&i| b.srclocs[i]).collect();
        b.insts = insts;
        b.srclocs = srclocs;
    }
}

/// List-schedule instructions `lo..hi` (no calls or terminators among them); returns the
/// new order as indices.
fn schedule_region(insts: &[MInst], lo: usize, hi: usize) -> Vec<usize> {
    let n = hi - lo;
    if n <= 1 {
        return (lo..hi).collect();
    }
    // Dependencies: (predecessor, latency) per instruction.
    let mut preds: Vec<Vec<(usize, u64)>> = vec![Vec::new(); n];
    let mut def_at: HashMap<Reg, usize> = HashMap::new();
    let mut last_store: Option<usize> = None;
    let mut loads_since_store: Vec<usize> = Vec::new();
    for i in 0..n {
        let inst = &insts[lo + i];
        let mut uses = Vec::new();
        let mut defs = Vec::new();
        inst.clone().visit_regs(&mut |r, k| match k {
            OpKind::Use | OpKind::FixedUse(_) => uses.push(*r),
            _ => defs.push(*r),
        });
        for u in uses {
            if let Some(&p) = def_at.get(&u) {
                preds[i].push((p, latency(&insts[lo + p], inst)));
            }
        }
        match model(inst).2 {
            Mem::Load => {
                if let Some(s) = last_store {
                    preds[i].push((s, 1));
                }
                loads_since_store.push(i);
            }
            Mem::Store => {
                if let Some(s) = last_store {
                    preds[i].push((s, 1));
                }
                for &l in &loads_since_store {
                    preds[i].push((l, 0));
                }
                loads_since_store.clear();
                last_store = Some(i);
            }
            Mem::None => {}
        }
        for d in defs {
            def_at.insert(d, i);
        }
    }
    let mut succs: Vec<Vec<(usize, u64)>> = vec![Vec::new(); n];
    for (i, ps) in preds.iter().enumerate() {
        for &(p, l) in ps {
            succs[p].push((i, l));
        }
    }
    // Priority: latency-weighted longest path to the end of the region.
    let mut prio = vec![0u64; n];
    for i in (0..n).rev() {
        let own = model(&insts[lo + i]).1;
        prio[i] = succs[i]
            .iter()
            .map(|&(s, l)| l + prio[s])
            .max()
            .unwrap_or(0)
            .max(own);
    }
    let mut remaining: Vec<usize> = preds.iter().map(|p| p.len()).collect();
    let mut issued_at = vec![0u64; n];
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut cycle = 0u64;
    // (issue cycle, class that may still pair in it)
    let mut pair: Option<(u64, Class)> = None;
    for _ in 0..n {
        let mut best: Option<(u64, std::cmp::Reverse<u64>, usize, bool)> = None;
        for i in 0..n {
            if done[i] || remaining[i] != 0 {
                continue;
            }
            let ready = preds[i]
                .iter()
                .map(|&(p, l)| issued_at[p] + l)
                .max()
                .unwrap_or(0);
            let (class, occupancy, _) = model(&insts[lo + i]);
            let (t, dual) = match pair {
                Some((t, c)) if c == class && occupancy == 1 && ready <= t => (t, true),
                _ => (ready.max(cycle), false),
            };
            let key = (t, std::cmp::Reverse(prio[i]), i, dual);
            if best.is_none_or(|b| (key.0, key.1, key.2) < (b.0, b.1, b.2)) {
                best = Some(key);
            }
        }
        let (t, _, i, dual) = best.expect("dependencies within a region are acyclic");
        let (class, occupancy, _) = model(&insts[lo + i]);
        done[i] = true;
        issued_at[i] = t;
        order.push(lo + i);
        for &(s, _) in &succs[i] {
            remaining[s] -= 1;
        }
        if dual {
            pair = None;
        } else {
            cycle = t + occupancy;
            pair = if occupancy == 1 {
                Some((
                    t,
                    if class == Class::Int {
                        Class::Fpu
                    } else {
                        Class::Int
                    },
                ))
            } else {
                None
            };
        }
    }
    order
}
