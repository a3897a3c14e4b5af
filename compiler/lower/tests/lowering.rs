//! The lowering verifies and optimises for 64-bit (host) and 32-bit (Epiphany) pointers,
//! and its loops are shaped so the egraph pass's LICM hoists invariants.

mod common;
use common::builder::*;
use cranelift_codegen::ir::{self, types, Opcode};
use cranelift_codegen::isa::CallConv;
use epyc_lower::{lower_program, optimizer_flags, Target};
use epyc_tir::{
    BinOp, CmpOp, ExprKind, Intrinsic, MathFn, Program, ReduceOp, RtError, StmtKind, Ty,
};

fn targets() -> [Target; 2] {
    [
        Target::new(types::I64, CallConv::SystemV),
        Target::new(types::I32, CallConv::SystemV),
    ]
}

/// One program using every kind of statement and expression.
fn kitchen_sink() -> Program {
    let mut p = Prog::new();
    let g = p.global("g", Ty::Float);
    let glist = p.global("gl", list_ty(Ty::Str));
    let gb = p.global("gb", Ty::Bool);
    let text = p.string("text");

    let fact = p.reserve("fact", Ty::Int);
    let mut f = Func::new("fact", Ty::Int);
    let n = f.param("n", Ty::Int);
    f.push(if_(
        cmp(CmpOp::Le, n.get(), int(1)),
        vec![ret(int(1))],
        vec![],
    ));
    f.push(ret(mul(n.get(), p.call(fact, vec![sub(n.get(), int(1))]))));
    p.define(fact, f);

    let mut f = Func::new("nothing", Ty::None);
    let b = f.param("b", Ty::Bool);
    let _none_param = f.param("z", Ty::None);
    f.push(print(b.get()));
    let nothing = p.add(f);

    let main = p.reserve("main", Ty::None);
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", Ty::Int);
    let b = m.local("b", Ty::Int);
    let x = m.local("x", Ty::Float);
    let s = m.local("s", Ty::Str);
    let l = m.local("l", list_ty(Ty::Float));
    let arr = Ty::List(Box::new(Ty::Bool), 3);
    let a3 = m.local("a3", arr.clone());
    let h = m.local("h", Ty::AnyFunc);
    let i = m.local("i", Ty::Int);
    let flag = m.local("flag", Ty::Bool);
    m.push(a.set(intr(Intrinsic::CoreId, vec![], Ty::Int)));
    m.push(b.set(intr(Intrinsic::Recv, vec![int(0)], Ty::Int)));
    for op in [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::FloorDiv,
        BinOp::Mod,
        BinOp::Pow,
    ] {
        m.push(print(bin(op, a.get(), b.get())));
        m.push(print(bin(op, a.get(), int(-3))));
        m.push(x.set(bin(op, conv(a.get(), Ty::Float), g.get())));
    }
    m.push(print(bin(BinOp::Pow, a.get(), int(13))));
    m.push(s.set(bin(BinOp::Concat, text.clone(), conv(x.get(), Ty::Str))));
    m.push(s.set(bin(BinOp::Repeat, s.get(), a.get())));
    m.push(print(cmp(CmpOp::Lt, s.get(), text.clone())));
    m.push(print(conv(s.get(), Ty::Bool)));
    m.push(flag.set(and(cmp(CmpOp::Gt, a.get(), int(0)), not(gb.get()))));
    m.push(print(or(s.get(), text.clone())));
    m.push(print(select(flag.get(), x.get(), flt(1.0))));
    m.push(l.set(list_repeat(Ty::Float, vec![flt(0.5), x.get()], a.get())));
    m.push(glist.set(list_lit(Ty::Str, vec![text.clone(), s.get()])));
    m.push(set_index(l.get(), vec![neg(a.get())], x.get()));
    m.push(print(index(l.get(), vec![b.get()])));
    m.push(print(glist.get()));
    m.push(a3.set(intr(
        Intrinsic::ArrayNew,
        vec![int(2), a.get(), int(4)],
        arr.clone(),
    )));
    m.push(set_index(
        a3.get(),
        vec![int(1), b.get(), int(-1)],
        flag.get(),
    ));
    m.push(print(index(a3.get(), vec![int(0), int(0), a.get()])));
    m.push(print(intr(
        Intrinsic::Dim,
        vec![a3.get(), b.get()],
        Ty::Int,
    )));
    m.push(while_(
        cmp(CmpOp::Lt, a.get(), int(100)),
        vec![
            a.set(add(a.get(), int(1))),
            if_(
                flag.get(),
                vec![st(StmtKind::Continue)],
                vec![st(StmtKind::Break)],
            ),
        ],
    ));
    m.push(for_range(
        &i,
        a.get(),
        b.get(),
        sub(int(0), a.get()),
        vec![print(i.get())],
    ));
    m.push(for_range(
        &i,
        int(10),
        int(0),
        int(-1),
        vec![st(StmtKind::Break)],
    ));
    m.push(for_list(&x, l.get(), vec![g.set(add(g.get(), x.get()))]));
    m.push(print(p.call(fact, vec![a.get()])));
    m.push(expr_stmt(p.call(nothing, vec![flag.get(), none()])));
    m.push(h.set(ex(ExprKind::FuncRef(fact), Ty::AnyFunc)));
    m.push(print(ex(
        ExprKind::CallIndirect {
            callee: Box::new(h.get()),
            candidates: vec![fact],
            args: vec![int(5)],
        },
        Ty::Int,
    )));
    m.push(print(intr(
        Intrinsic::Math(MathFn::Sin),
        vec![x.get()],
        Ty::Float,
    )));
    m.push(print(intr(
        Intrinsic::Reduce(ReduceOp::Max),
        vec![x.get()],
        Ty::Float,
    )));
    m.push(print(intr(
        Intrinsic::SendRecv,
        vec![flag.get(), int(1)],
        Ty::Bool,
    )));
    m.push(print(intr(Intrinsic::Probe, vec![int(1)], Ty::Bool)));
    m.push(print(intr(Intrinsic::Random, vec![], Ty::Float)));
    m.push(print(none()));
    m.push(if_(flag.get(), vec![st(StmtKind::Exit)], vec![]));
    m.push(st(StmtKind::Raise(RtError::NameNotDefined, None)));
    m.push(print(int(1)));
    p.define(main, m);
    p.p.main = main;
    p.p
}

#[test]
fn verifies_and_optimises_for_both_pointer_widths() {
    let prog = kitchen_sink();
    prog.validate().unwrap();
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&prog, &target).unwrap();
        lowered.verify(&flags).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let text = lowered.clif_text();
        assert!(text.contains("; fact$t") && text.contains("; main$t"));
        let ptr = target.pointer_type;
        // every function takes the globals base first
        for f in &lowered.funcs {
            assert_eq!(f.func.signature.params[0].value_type, ptr);
        }
        // the `nothing(b: bool, z: none)` function passes just the bool (as i8)
        let params: Vec<_> = lowered.funcs[1]
            .func
            .signature
            .params
            .iter()
            .map(|p| p.value_type)
            .collect();
        assert_eq!(params, [ptr, types::I8]);
        assert!(lowered.imports.contains(&epyc_rt_abi::RtFn::StrConcat));
        assert!(lowered.imports.contains(&epyc_rt_abi::RtFn::ArrayNew));
        // globals: depth counter at 0, float, list pointer aligned to its size, bool
        let gl = &lowered.globals;
        assert_eq!(gl.depth_offset, 0);
        assert_eq!(gl.offsets[0], 4);
        assert_eq!(gl.offsets[1] % ptr.bytes(), 0);
        assert_eq!(gl.sizes, [4, ptr.bytes(), 1]);
        assert_eq!(gl.size % 8, 0);
        // string data: u32 length then bytes
        assert_eq!(lowered.data[0].bytes, b"\x04\0\0\0text");
    }
}

fn inst_block(f: &ir::Function, op: Opcode) -> Option<ir::Block> {
    f.layout.blocks().find(|&b| {
        f.layout
            .block_insts(b)
            .any(|i| f.dfg.insts[i].opcode() == op)
    })
}

/// Blocks that branch to themselves or to an earlier block: the loop's latch.
fn in_loop(f: &ir::Function, block: ir::Block) -> bool {
    let mut cfg = cranelift_codegen::flowgraph::ControlFlowGraph::new();
    cfg.compute(f);
    let mut dt = cranelift_codegen::dominator_tree::DominatorTree::new();
    dt.compute(f, &cfg);
    let mut loops = cranelift_codegen::loop_analysis::LoopAnalysis::new();
    loops.compute(f, &cfg, &dt);
    loops.innermost_loop(block).is_some()
}

#[test]
fn licm_hoists_an_invariant_out_of_a_while_loop() {
    // def f(k, n): s = 0.0; i = 0; while i < n: s = s + k * k; i = i + 1; return s
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::Float);
    let k = f.param("k", Ty::Float);
    let n = f.param("n", Ty::Int);
    let s = f.local("s", Ty::Float);
    let i = f.local("i", Ty::Int);
    f.push(s.set(flt(0.0)));
    f.push(i.set(int(0)));
    f.push(while_(
        cmp(CmpOp::Lt, i.get(), n.get()),
        vec![
            s.set(add(s.get(), mul(k.get(), k.get()))),
            i.set(add(i.get(), int(1))),
        ],
    ));
    f.push(ret(s.get()));
    p.add(f);
    let mut m = Func::new("main", Ty::None);
    m.push(print(p.call(epyc_tir::FuncId(0), vec![flt(1.5), int(3)])));
    let main = p.add(m);
    p.p.main = main;
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        let before = &lowered.funcs[0].func;
        let fmul = inst_block(before, Opcode::Fmul).unwrap();
        assert!(in_loop(before, fmul), "fmul starts in the loop");
        lowered.optimize(&flags).unwrap();
        let after = &lowered.funcs[0].func;
        let fmul = inst_block(after, Opcode::Fmul).unwrap();
        let fadd = inst_block(after, Opcode::Fadd).unwrap();
        assert!(in_loop(after, fadd), "the accumulation stays in the loop");
        assert!(
            !in_loop(after, fmul),
            "k * k is hoisted:\n{}",
            after.display()
        );
    }
}

#[test]
fn for_range_loop_invariant_is_hoisted_too() {
    // def f(a: list[float], k): for i in range(len(a)): a[i] = k * k
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::None);
    let a = f.param("a", list_ty(Ty::Float));
    let k = f.param("k", Ty::Float);
    let i = f.local("i", Ty::Int);
    f.push(for_range(
        &i,
        int(0),
        intr(Intrinsic::Len, vec![a.get()], Ty::Int),
        int(1),
        vec![set_index(a.get(), vec![i.get()], mul(k.get(), k.get()))],
    ));
    p.add(f);
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let after = &lowered.funcs[0].func;
        let fmul = inst_block(after, Opcode::Fmul).unwrap();
        assert!(
            !in_loop(after, fmul),
            "k * k is hoisted:\n{}",
            after.display()
        );
    }
}

#[test]
fn invalid_tir_is_an_error_not_a_panic() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", Ty::Int);
    m.push(a.set(flt(1.0)));
    p.add(m);
    let err = lower_program(&p.p, &targets()[0]).err().unwrap();
    assert!(format!("{err:#}").contains("invalid TIR"), "{err:#}");

    let mut p = main_only(vec![st(StmtKind::Break)]);
    p.validate().unwrap();
    let err = lower_program(&p, &targets()[1]).err().unwrap();
    assert!(
        format!("{err:#}").contains("break or continue outside a loop"),
        "{err:#}"
    );
    p.main = epyc_tir::FuncId(9);
    assert!(lower_program(&p, &targets()[1]).is_err());
}

fn count(f: &ir::Function, op: Opcode) -> usize {
    f.layout
        .blocks()
        .flat_map(|b| f.layout.block_insts(b))
        .filter(|&i| f.dfg.insts[i].opcode() == op)
        .count()
}

#[test]
fn module_variables_only_main_uses_live_in_registers() {
    // module code: t = 0; for i in range(100): t = t + i; print t + u()   (u reads `shared`)
    let mut p = Prog::new();
    let t = p.global("t", Ty::Int);
    let i = p.global("i", Ty::Int);
    let shared = p.global("shared", Ty::Int);
    let mut u = Func::new("u", Ty::Int);
    u.push(ret(shared.get()));
    let u = p.add(u);
    let mut m = Func::new("main", Ty::None);
    m.push(t.set(int(0)));
    m.push(shared.set(int(5)));
    m.push(for_range(
        &i,
        int(0),
        int(100),
        int(1),
        vec![t.set(add(t.get(), i.get()))],
    ));
    m.push(print(add(t.get(), p.call(u, vec![]))));
    let main = p.add(m);
    p.p.main = main;
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.optimize(&flags).unwrap();
        let main = &lowered.funcs[main.index()].func;
        // only `shared` goes through memory: one store, no loads
        assert_eq!(count(main, Opcode::Store), 1, "{}", main.display());
        assert_eq!(count(main, Opcode::Load), 0, "{}", main.display());
        let u = &lowered.funcs[u.index()].func;
        assert_eq!(count(u, Opcode::Load), 1);
    }
}

#[test]
fn list_length_loads_are_hoisted_out_of_loops() {
    // def f(a: list[float]): s = 0.0; i = 0; while i < len(a): s = s + a[i]; i = i + 1; return s
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::Float);
    let a = f.param("a", list_ty(Ty::Float));
    let s = f.local("s", Ty::Float);
    let i = f.local("i", Ty::Int);
    f.push(s.set(flt(0.0)));
    f.push(i.set(int(0)));
    f.push(while_(
        cmp(
            CmpOp::Lt,
            i.get(),
            intr(Intrinsic::Len, vec![a.get()], Ty::Int),
        ),
        vec![
            s.set(add(s.get(), index(a.get(), vec![i.get()]))),
            i.set(add(i.get(), int(1))),
        ],
    ));
    f.push(ret(s.get()));
    p.add(f);
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.optimize(&flags).unwrap();
        let f = &lowered.funcs[0].func;
        let loads_in_loop = f
            .layout
            .blocks()
            .filter(|&b| in_loop(f, b))
            .flat_map(|b| f.layout.block_insts(b))
            .filter(|&i| f.dfg.insts[i].opcode() == Opcode::Load)
            .count();
        // the element load stays; the length (guard, bounds check, latch) is loaded once, outside
        assert_eq!(loads_in_loop, 1, "{}", f.display());
    }
}

#[test]
fn small_functions_are_inlined_recursive_ones_are_not() {
    let mut p = Prog::new();
    let mut f = Func::new("square", Ty::Float);
    let x = f.param("x", Ty::Float);
    f.push(ret(bin(BinOp::Pow, x.get(), conv(int(2), Ty::Float))));
    let square = p.add(f);
    let fact = p.reserve("fact", Ty::Int);
    let mut f = Func::new("fact", Ty::Int);
    let n = f.param("n", Ty::Int);
    f.push(if_(
        cmp(CmpOp::Le, n.get(), int(1)),
        vec![ret(int(1))],
        vec![],
    ));
    f.push(ret(mul(n.get(), p.call(fact, vec![sub(n.get(), int(1))]))));
    p.define(fact, f);
    let mut m = Func::new("main", Ty::None);
    m.push(print(p.call(square, vec![flt(1.5)])));
    m.push(print(p.call(fact, vec![int(5)])));
    let main = p.add(m);
    p.p.main = main;
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        assert!(lowered.inline_small_functions().unwrap() >= 1);
        lowered.verify(&flags).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let m = &lowered.funcs[main.index()].func;
        // square inlined, and `x ** 2` is a multiply (folded to 2.25 here, no runtime
        // pow); fact is still called
        assert_eq!(
            count(m, Opcode::Call),
            3,
            "fact, print_float, print_int:\n{}",
            m.display()
        );
        assert!(m.display().to_string().contains("f32const 0x1.200000p1"));
        // square needs no code of its own any more; fact and main do
        let reachable = lowered.reachable_from_main();
        assert_eq!(reachable, [false, true, true]);
    }
}

#[test]
fn read_modify_write_of_an_element_checks_the_index_once() {
    // def f(a: list[int], i): a[i] = a[i] + 1
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::None);
    let a = f.param("a", list_ty(Ty::Int));
    let i = f.param("i", Ty::Int);
    f.push(set_index(
        a.get(),
        vec![i.get()],
        add(index(a.get(), vec![i.get()]), int(1)),
    ));
    p.add(f);
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.optimize(&flags).unwrap();
        let f = &lowered.funcs[0].func;
        assert_eq!(
            count(f, Opcode::Call),
            1,
            "one error path:\n{}",
            f.display()
        );
        assert_eq!(
            count(f, Opcode::Load),
            2,
            "length and element:\n{}",
            f.display()
        );
    }
}

#[test]
fn error_exits_inside_branches_do_not_stop_licm() {
    // def f(a: list[float], k, n): i = 0; s = 0.0
    //   while i < n: (if i > 0: a[i] = 1.0); s = s + k * k; i = i + 1
    //   return s
    let mut p = Prog::new();
    let mut f = Func::new("f", Ty::Float);
    let a = f.param("a", list_ty(Ty::Float));
    let k = f.param("k", Ty::Float);
    let n = f.param("n", Ty::Int);
    let s = f.local("s", Ty::Float);
    let i = f.local("i", Ty::Int);
    f.push(s.set(flt(0.0)));
    f.push(i.set(int(0)));
    f.push(while_(
        cmp(CmpOp::Lt, i.get(), n.get()),
        vec![
            if_(
                cmp(CmpOp::Gt, i.get(), int(0)),
                vec![set_index(a.get(), vec![i.get()], flt(1.0))],
                vec![],
            ),
            s.set(add(s.get(), mul(k.get(), k.get()))),
            i.set(add(i.get(), int(1))),
        ],
    ));
    f.push(ret(s.get()));
    p.add(f);
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let f = &lowered.funcs[0].func;
        let fmul = inst_block(f, Opcode::Fmul).unwrap();
        assert!(!in_loop(f, fmul), "k * k is hoisted:\n{}", f.display());
    }
}

#[test]
fn run_constant_queries_are_called_once_outside_loops() {
    // def me(): return coreid()
    // i = 0; while i < numcores(): print me() - 1; print coreid(); i = i + 1
    let mut p = Prog::new();
    let mut f = Func::new("me", Ty::Int);
    f.push(ret(intr(Intrinsic::CoreId, vec![], Ty::Int)));
    let me = p.add(f);
    let mut m = Func::new("main", Ty::None);
    let i = m.local("i", Ty::Int);
    m.push(i.set(int(0)));
    m.push(while_(
        cmp(
            CmpOp::Lt,
            i.get(),
            intr(Intrinsic::NumCores, vec![], Ty::Int),
        ),
        vec![
            print(sub(p.call(me, vec![]), int(1))),
            print(intr(Intrinsic::CoreId, vec![], Ty::Int)),
            i.set(add(i.get(), int(1))),
        ],
    ));
    let main = p.add(m);
    p.p.main = main;
    let flags = optimizer_flags();
    for target in targets() {
        let mut lowered = lower_program(&p.p, &target).unwrap();
        lowered.inline_small_functions().unwrap();
        lowered.verify(&flags).unwrap();
        lowered.optimize(&flags).unwrap();
        lowered.verify(&flags).unwrap();
        let m = &lowered.funcs[main.index()].func;
        let calls: Vec<bool> = m
            .layout
            .blocks()
            .flat_map(|b| m.layout.block_insts(b).map(move |i| (b, i)))
            .filter(|&(_, i)| m.dfg.insts[i].opcode() == Opcode::Call)
            .map(|(b, _)| in_loop(m, b))
            .collect();
        // coreid and numcores once each before the loop, the two prints in it
        assert_eq!(calls.iter().filter(|&&l| !l).count(), 2, "{}", m.display());
        assert_eq!(calls.iter().filter(|&&l| l).count(), 2, "{}", m.display());
    }
}
