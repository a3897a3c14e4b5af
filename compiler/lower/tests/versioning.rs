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
