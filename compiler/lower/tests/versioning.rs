//! Counted loops are versioned: the copy that runs when the pre-check passes has no bounds
//! checks (no negative-index wrap either); the checked copy keeps one per access.

mod common;
use common::builder::*;
use cranelift_codegen::ir::{self, types, Opcode};
use cranelift_codegen::isa::CallConv;
use epyc_lower::{lower_program, optimizer_flags, Target};
use epyc_tir::{CmpOp, Ty};

fn count(f: &ir::Function, op: Opcode) -> usize {
    f.layout
        .blocks()
        .flat_map(|b| f.layout.block_insts(b))
        .filter(|&i| f.dfg.insts[i].opcode() == op)
        .count()
}

/// Listing 5's update loop: `while i <= n: a[i] = (1-w)*a[i] + 0.5*w*(a[i-1] + a[i+1]); i += 1`
/// (`inclusive`), or the same with `i < n`.
fn update_loop(inclusive: bool) -> Prog {
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::None);
    let a = f.param("a", list_ty(Ty::Float));
    let n = f.param("n", Ty::Int);
    let w = f.param("w", Ty::Float);
    let i = f.local("i", Ty::Int);
    f.push(i.set(int(1)));
    let op = if inclusive { CmpOp::Le } else { CmpOp::Lt };
    let at = |k: i32| {
        let ix = match k {
            0 => i.get(),
            k if k > 0 => add(i.get(), int(k)),
            k => sub(i.get(), int(-k)),
        };
        index(a.get(), vec![ix])
    };
    f.push(while_(
        cmp(op, i.get(), n.get()),
        vec![
            set_index(
                a.get(),
                vec![i.get()],
                add(
                    mul(sub(flt(1.0), w.get()), at(0)),
                    mul(mul(flt(0.5), w.get()), add(at(-1), at(1))),
                ),
            ),
            i.set(add(i.get(), int(1))),
        ],
    ));
    p.add(f);
    p
}

#[test]
fn counted_loop_has_an_unchecked_copy() {
    let flags = optimizer_flags();
    for inclusive in [true, false] {
        for ptr in [types::I64, types::I32] {
            let p = update_loop(inclusive);
            let mut lowered = lower_program(&p.p, &Target::new(ptr, CallConv::SystemV)).unwrap();
            lowered.verify(&flags).unwrap();
            lowered.optimize(&flags).unwrap();
            lowered.verify(&flags).unwrap();
            let f = &lowered.funcs[0].func;
            // Two copies of the body (two stores), but the three distinct accesses are
            // wrapped and checked in the checked copy only (a[i] is checked once there).
            assert_eq!(count(f, Opcode::Store), 2, "{}", f.display());
            assert_eq!(count(f, Opcode::Sshr), 3, "{}", f.display());
        }
    }
}

#[test]
fn a_loop_that_changes_its_counter_elsewhere_is_not_versioned() {
    // while i <= n: a[i] = 0.0; i = i + 2 ... written as two increments
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::None);
    let a = f.param("a", list_ty(Ty::Float));
    let n = f.param("n", Ty::Int);
    let i = f.local("i", Ty::Int);
    f.push(i.set(int(0)));
    f.push(while_(
        cmp(CmpOp::Le, i.get(), n.get()),
        vec![
            set_index(a.get(), vec![i.get()], flt(0.0)),
            i.set(add(i.get(), int(1))),
            set_index(a.get(), vec![i.get()], flt(0.0)),
            i.set(add(i.get(), int(1))),
        ],
    ));
    p.add(f);
    let flags = optimizer_flags();
    let mut lowered = lower_program(&p.p, &Target::new(types::I32, CallConv::SystemV)).unwrap();
    lowered.optimize(&flags).unwrap();
    let f = &lowered.funcs[0].func;
    assert_eq!(count(f, Opcode::Store), 2, "{}", f.display());
    assert_eq!(count(f, Opcode::Sshr), 2, "{}", f.display());
}

/// Loads of `f` inside loops.
fn loads_in_loops(f: &ir::Function) -> usize {
    let mut cfg = cranelift_codegen::flowgraph::ControlFlowGraph::new();
    cfg.compute(f);
    let mut dt = cranelift_codegen::dominator_tree::DominatorTree::new();
    dt.compute(f, &cfg);
    let mut loops = cranelift_codegen::loop_analysis::LoopAnalysis::new();
    loops.compute(f, &cfg, &dt);
    f.layout
        .blocks()
        .filter(|&b| loops.innermost_loop(b).is_some())
        .flat_map(|b| f.layout.block_insts(b))
        .filter(|&i| f.dfg.insts[i].opcode() == Opcode::Load && f.dfg.ctrl_typevar(i) == types::F32)
        .count()
}

#[test]
fn the_unchecked_copy_carries_the_element_stored_last_iteration() {
    let flags = optimizer_flags();
    for ptr in [types::I64, types::I32] {
        let p = update_loop(true);
        let mut lowered = lower_program(&p.p, &Target::new(ptr, CallConv::SystemV)).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let f = &lowered.funcs[0].func;
        // The checked copy loads a[i], a[i-1] and a[i+1]; the unchecked one only a[i] and
        // a[i+1]: a[i-1] is the value it stored one iteration before.
        assert_eq!(loads_in_loops(f), 5, "{}", f.display());
    }
}

#[test]
fn no_element_is_carried_past_a_second_store_or_a_call() {
    let flags = optimizer_flags();
    // while i <= n: a[i] = a[i-1] + 1.0; b[i] = 0.0; i += 1  (b may be a)
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::None);
    let a = f.param("a", list_ty(Ty::Float));
    let b = f.param("b", list_ty(Ty::Float));
    let n = f.param("n", Ty::Int);
    let i = f.local("i", Ty::Int);
    f.push(i.set(int(1)));
    f.push(while_(
        cmp(CmpOp::Le, i.get(), n.get()),
        vec![
            set_index(
                a.get(),
                vec![i.get()],
                add(index(a.get(), vec![sub(i.get(), int(1))]), flt(1.0)),
            ),
            set_index(b.get(), vec![i.get()], flt(0.0)),
            i.set(add(i.get(), int(1))),
        ],
    ));
    p.add(f);
    let mut lowered = lower_program(&p.p, &Target::new(types::I64, CallConv::SystemV)).unwrap();
    lowered.optimize(&flags).unwrap();
    let f = &lowered.funcs[0].func;
    assert_eq!(loads_in_loops(f), 2, "{}", f.display());
}
