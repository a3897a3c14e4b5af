//! Each statement's instructions carry its line as their source location (rt/abi
//! `pos::encode`), which the Epiphany image's line table records.

mod common;
use common::builder::*;
use cranelift_codegen::ir::types;
use cranelift_codegen::isa::CallConv;
use epyc_lower::{lower_program, optimizer_flags, Target};
use epyc_tir::{StmtKind, Ty};

#[test]
fn statements_set_source_locations() {
    // def f(a: list[float], i): a[i] = 2.0 (line 7); return a[i] (line 9)
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::Float);
    let a = f.param("a", list_ty(Ty::Float));
    let i = f.param("i", Ty::Int);
    let mut store = set_index(a.get(), vec![i.get()], flt(2.0));
    store.pos.line = 7;
    f.push(store);
    f.push(st_at(
        9,
        StmtKind::Return(Some(index(a.get(), vec![i.get()]))),
    ));
    p.add(f);
    let mut lowered = lower_program(&p.p, &Target::new(types::I32, CallConv::SystemV)).unwrap();
    lowered.optimize(&optimizer_flags()).unwrap();
    let f = &lowered.funcs[0].func;
    let lines: Vec<u32> = f
        .layout
        .blocks()
        .flat_map(|b| f.layout.block_insts(b))
        .map(|inst| f.srcloc(inst))
        .filter(|l| !l.is_default())
        .map(|l| epyc_rt_abi::pos::decode(l.bits() as i32).1)
        .collect();
    assert!(lines.contains(&7) && lines.contains(&9), "{lines:?}");
    assert!(!lines.iter().any(|l| *l != 7 && *l != 9), "{lines:?}");
}
