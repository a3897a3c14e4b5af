//! Loops, break/continue, nested ifs, calls, recursion, function values, exit and raise.

mod common;
use common::builder::*;
use common::{output, run};
use epyc_tir::{BinOp, CmpOp, ExprKind, RtError, StmtKind, Ty};

#[test]
fn while_with_break_and_continue() {
    // i = 0; while i < 10: i += 1; if i % 2 == 0: continue; if i > 7: break; print i
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let i = m.local("i", Ty::Int);
    m.push(i.set(int(0)));
    m.push(while_(
        cmp(CmpOp::Lt, i.get(), int(10)),
        vec![
            i.set(add(i.get(), int(1))),
            if_(
                cmp(CmpOp::Eq, bin(BinOp::Mod, i.get(), int(2)), int(0)),
                vec![st(StmtKind::Continue)],
                vec![],
            ),
            if_(
                cmp(CmpOp::Gt, i.get(), int(7)),
                vec![st(StmtKind::Break)],
                vec![],
            ),
            print(i.get()),
        ],
    ));
    m.push(print(i.get()));
    p.add(m);
    assert_eq!(output(&p.p), ["1", "3", "5", "7", "9"]);
}

#[test]
fn while_that_never_runs() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let i = m.local("i", Ty::Int);
    m.push(i.set(int(5)));
    m.push(while_(
        cmp(CmpOp::Lt, i.get(), int(0)),
        vec![print(i.get())],
    ));
    m.push(print(int(-1)));
    p.add(m);
    assert_eq!(output(&p.p), ["-1"]);
}

#[test]
fn for_range_forms() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let i = m.local("i", Ty::Int);
    let s = m.local("s", Ty::Int);
    let g = p.global("g", Ty::Int);
    m.push(for_range(&i, int(0), int(3), int(1), vec![print(i.get())]));
    m.push(for_range(&i, int(5), int(0), int(-2), vec![print(i.get())]));
    // dynamic step, and rebinding the loop variable does not change the iteration
    m.push(s.set(int(3)));
    m.push(for_range(
        &i,
        int(0),
        int(7),
        s.get(),
        vec![print(i.get()), i.set(int(100))],
    ));
    // empty range, global loop variable, ranges ending at i32::MAX terminate
    m.push(for_range(&i, int(3), int(3), int(1), vec![print(int(99))]));
    m.push(for_range(
        &g,
        int(2147483645),
        int(2147483647),
        int(1),
        vec![print(g.get())],
    ));
    m.push(s.set(int(-1)));
    m.push(for_range(
        &i,
        int(-2147483647),
        int(-2147483648),
        s.get(),
        vec![print(i.get())],
    ));
    m.push(print(g.get()));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "0",
            "1",
            "2",
            "5",
            "3",
            "1",
            "0",
            "3",
            "6",
            "2147483645",
            "2147483646",
            "-2147483647",
            "2147483646"
        ]
    );
}

#[test]
fn range_step_zero_is_a_runtime_error() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let i = m.local("i", Ty::Int);
    let s = m.local("s", Ty::Int);
    m.push(s.set(int(0)));
    let mut f = for_range(&i, int(0), int(3), s.get(), vec![print(i.get())]);
    f.pos.line = 4;
    m.push(f);
    p.add(m);
    let o = run(&p.p);
    assert_eq!(o.status, 3);
    assert_eq!(
        o.stderr,
        "Error from core 0: range() arg 3 must not be zero\n  at test.py:4\n"
    );
}

#[test]
fn nested_ifs() {
    let mut p = Prog::new();
    let classify = p.reserve("classify", Ty::Int);
    let mut f = Func::new("classify", Ty::Int);
    let x = f.param("x", Ty::Int);
    f.push(if_(
        cmp(CmpOp::Gt, x.get(), int(0)),
        vec![if_(
            cmp(CmpOp::Gt, x.get(), int(100)),
            vec![ret(int(2))],
            vec![ret(int(1))],
        )],
        vec![if_(
            cmp(CmpOp::Eq, x.get(), int(0)),
            vec![ret(int(0))],
            vec![],
        )],
    ));
    f.push(ret(int(-1)));
    p.define(classify, f);
    let mut m = Func::new("main", Ty::None);
    for v in [500, 5, 0, -5] {
        m.push(print(p.call(classify, vec![int(v)])));
    }
    let main = p.add(m);
    p.p.main = main;
    assert_eq!(output(&p.p), ["2", "1", "0", "-1"]);
}

#[test]
fn calls_recursion_and_globals() {
    let mut p = Prog::new();
    let counter = p.global("calls", Ty::Int);
    let fib = p.reserve("fib", Ty::Int);
    let mut f = Func::new("fib", Ty::Int);
    let n = f.param("n", Ty::Int);
    f.push(counter.set(add(counter.get(), int(1))));
    f.push(if_(
        cmp(CmpOp::Lt, n.get(), int(2)),
        vec![ret(n.get())],
        vec![],
    ));
    f.push(ret(add(
        p.call(fib, vec![sub(n.get(), int(1))]),
        p.call(fib, vec![sub(n.get(), int(2))]),
    )));
    p.define(fib, f);
    let noret = p.reserve("noret", Ty::None);
    let mut f = Func::new("noret", Ty::None);
    let b = f.param("flag", Ty::Bool);
    let fl = f.param("x", Ty::Float);
    f.push(print(b.get()));
    f.push(print(fl.get()));
    p.define(noret, f);
    let mut m = Func::new("main", Ty::None);
    m.push(print(p.call(fib, vec![int(15)])));
    m.push(print(counter.get()));
    m.push(print(p.call(noret, vec![boolean(true), flt(2.5)])));
    let main = p.add(m);
    p.p.main = main;
    assert_eq!(output(&p.p), ["610", "1973", "true", "2.500000", "NONE"]);
}

#[test]
fn deep_recursion_works_and_runaway_recursion_is_reported() {
    let mut p = Prog::new();
    let depth = p.reserve("depth", Ty::Int);
    let mut f = Func::new("depth", Ty::Int);
    let n = f.param("n", Ty::Int);
    f.push(if_(
        cmp(CmpOp::Eq, n.get(), int(0)),
        vec![ret(int(0))],
        vec![],
    ));
    f.push(ret(add(p.call(depth, vec![sub(n.get(), int(1))]), int(1))));
    f.f.pos.line = 7;
    p.define(depth, f);
    let mut m = Func::new("main", Ty::None);
    m.push(print(p.call(depth, vec![int(40_000)])));
    m.push(print(p.call(depth, vec![int(-1)])));
    let main = p.add(m);
    p.p.main = main;
    let o = run(&p.p);
    assert_eq!(o.lines(), ["40000"]);
    assert_eq!(o.status, 3);
    assert_eq!(
        o.stderr,
        "Error from core 0: Stack overflow: recursion too deep for this core's memory\n  at test.py:7\n"
    );
}

#[test]
fn function_values_dispatch_at_run_time() {
    let mut p = Prog::new();
    let mut f = Func::new("double", Ty::Int);
    let x = f.param("x", Ty::Int);
    f.push(ret(mul(x.get(), int(2))));
    let double = p.add(f);
    let mut f = Func::new("square", Ty::Int);
    let x = f.param("x", Ty::Int);
    f.push(ret(mul(x.get(), x.get())));
    let square = p.add(f);
    let main = p.reserve("main", Ty::None);
    let mut m = Func::new("main", Ty::None);
    let h = m.local("h", Ty::AnyFunc);
    let call_h = |arg: i32| {
        ex(
            ExprKind::CallIndirect {
                callee: Box::new(h.get()),
                candidates: vec![double, square],
                args: vec![int(arg)],
            },
            Ty::Int,
        )
    };
    m.push(h.set(ex(ExprKind::FuncRef(double), Ty::AnyFunc)));
    m.push(print(call_h(7)));
    m.push(h.set(ex(ExprKind::FuncRef(square), Ty::AnyFunc)));
    m.push(print(call_h(7)));
    // main is not a candidate of the call
    m.push(h.set(ex(ExprKind::FuncRef(main), Ty::AnyFunc)));
    m.push(st_at(9, StmtKind::Print(at(9, call_h(7)))));
    p.define(main, m);
    p.p.main = main;
    let o = run(&p.p);
    assert_eq!(o.lines(), ["14", "49"]);
    assert_eq!(o.status, 3);
    assert_eq!(
        o.stderr,
        "Error from core 0: Type error: Function called via a variable but this variable is not pointing to any function\n  at test.py:9\n"
    );
}

#[test]
fn exit_stops_the_core_and_raise_reports() {
    let mut m = vec![print(int(1)), st(StmtKind::Exit), print(int(2))];
    let o = run(&main_only(m.clone()));
    assert_eq!((o.status, o.lines()), (0, vec!["1".to_string()]));

    let mut p = Prog::new();
    let name = p.string("y");
    let epyc_tir::ExprKind::Const(epyc_tir::Const::Str(id)) = name.kind else {
        unreachable!()
    };
    m[1] = st_at(5, StmtKind::Raise(RtError::NameNotDefined, Some(id)));
    let mut f = Func::new("main", Ty::None);
    f.f.body = m;
    p.add(f);
    let o = run(&p.p);
    assert_eq!(o.status, 3);
    assert_eq!(o.lines(), ["1"]);
    assert_eq!(
        o.stderr,
        "Error from core 0: name 'y' is not defined\n  at test.py:5\n"
    );
}
