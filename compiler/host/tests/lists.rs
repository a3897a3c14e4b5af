//! Lists: literals, repetition, indexing (negative, out of range), stores, 2-D arrays,
//! iteration, printing.

mod common;
use common::builder::*;
use common::{output, run};
use epyc_tir::{Intrinsic, StmtKind, Ty};

#[test]
fn literal_index_negative_index_and_store() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", list_ty(Ty::Int));
    let i = m.local("i", Ty::Int);
    m.push(a.set(list_lit(Ty::Int, vec![int(10), int(20), int(30)])));
    m.push(i.set(int(-1)));
    m.push(print(index(a.get(), vec![int(0)])));
    m.push(print(index(a.get(), vec![i.get()])));
    m.push(print(index(a.get(), vec![int(-3)])));
    m.push(set_index(a.get(), vec![int(1)], int(99)));
    m.push(set_index(a.get(), vec![int(-1)], int(7)));
    m.push(print(a.get()));
    m.push(print(intr(Intrinsic::Len, vec![a.get()], Ty::Int)));
    m.push(print(conv(a.get(), Ty::Bool)));
    p.add(m);
    assert_eq!(output(&p.p), ["10", "30", "10", "[10, 99, 7]", "3", "true"]);
}

#[test]
fn out_of_range_reads_and_writes_are_runtime_errors() {
    for (line, idx, store) in [
        (3, 3, false),
        (4, -4, false),
        (5, 3, true),
        (6, i32::MIN, true),
    ] {
        let mut p = Prog::new();
        let mut m = Func::new("main", Ty::None);
        let a = m.local("a", list_ty(Ty::Float));
        m.push(a.set(list_lit(Ty::Float, vec![flt(1.0), flt(2.0), flt(3.0)])));
        if store {
            let mut s = set_index(a.get(), vec![int(idx)], flt(0.0));
            s.pos.line = line;
            m.push(s);
        } else {
            m.push(st_at(
                line,
                StmtKind::Print(at(line, index(a.get(), vec![int(idx)]))),
            ));
        }
        p.add(m);
        let o = run(&p.p);
        assert_eq!(o.status, 3, "index {idx}");
        assert_eq!(
            o.stderr,
            format!(
                "Error from core 0: Array index in expression exceeds array size in that dimension\n  at test.py:{line}\n"
            )
        );
    }
}

#[test]
fn repeat_fills_and_clamps() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let n = m.local("n", Ty::Int);
    m.push(n.set(int(3)));
    m.push(print(list_repeat(Ty::Int, vec![int(0)], n.get())));
    m.push(print(list_repeat(
        Ty::Float,
        vec![flt(1.5), flt(-2.0)],
        n.get(),
    )));
    m.push(print(list_repeat(Ty::Bool, vec![boolean(true)], int(2))));
    m.push(print(list_repeat(Ty::Int, vec![int(4)], int(-2))));
    m.push(print(conv(
        list_repeat(Ty::Int, vec![int(4)], int(0)),
        Ty::Bool,
    )));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "[0, 0, 0]",
            "[1.500000, -2.000000, 1.500000, -2.000000, 1.500000, -2.000000]",
            "[true, true]",
            "[]",
            "false"
        ]
    );
}

#[test]
fn two_dimensional_arrays() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let arr = Ty::List(Box::new(Ty::Int), 2);
    let a = m.local("a", arr.clone());
    let i = m.local("i", Ty::Int);
    let j = m.local("j", Ty::Int);
    m.push(a.set(intr(Intrinsic::ArrayNew, vec![int(3), int(4)], arr.clone())));
    m.push(for_range(
        &i,
        int(0),
        int(3),
        int(1),
        vec![for_range(
            &j,
            int(0),
            int(4),
            int(1),
            vec![set_index(
                a.get(),
                vec![i.get(), j.get()],
                add(mul(i.get(), int(10)), j.get()),
            )],
        )],
    ));
    m.push(print(index(a.get(), vec![int(2), int(3)])));
    m.push(print(index(a.get(), vec![int(-1), int(0)])));
    m.push(print(index(a.get(), vec![int(1), int(-1)])));
    m.push(print(intr(Intrinsic::Len, vec![a.get()], Ty::Int)));
    m.push(print(intr(Intrinsic::NDim, vec![a.get()], Ty::Int)));
    m.push(print(intr(Intrinsic::Dim, vec![a.get(), int(1)], Ty::Int)));
    m.push(print(a.get()));
    // the second index is checked against the second dimension (4), not the total (12)
    m.push(st_at(
        9,
        StmtKind::Print(at(9, index(a.get(), vec![int(0), int(4)]))),
    ));
    p.add(m);
    let o = run(&p.p);
    assert_eq!(
        o.lines(),
        [
            "23",
            "20",
            "13",
            "12",
            "2",
            "4",
            "[[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]"
        ]
    );
    assert_eq!(o.status, 3);
    assert!(o.stderr.ends_with("at test.py:9\n"), "{}", o.stderr);
}

#[test]
fn for_over_list_and_lists_of_strings() {
    let mut p = Prog::new();
    let hello = p.string("hello");
    let world = p.string("world");
    let mut m = Func::new("main", Ty::None);
    let x = m.local("x", Ty::Str);
    let s = m.local("s", Ty::Float);
    let f = m.local("f", Ty::Float);
    let strs = list_lit(Ty::Str, vec![hello, world]);
    m.push(for_list(&x, strs.clone(), vec![print(x.get())]));
    m.push(print(strs));
    m.push(s.set(flt(0.0)));
    m.push(for_list(
        &f,
        list_lit(Ty::Float, vec![flt(0.5), flt(1.0), flt(2.0)]),
        vec![s.set(add(s.get(), f.get()))],
    ));
    m.push(print(s.get()));
    m.push(for_list(
        &x,
        list_lit(Ty::Str, vec![]),
        vec![print(x.get())],
    ));
    p.add(m);
    assert_eq!(
        output(&p.p),
        ["hello", "world", "['hello', 'world']", "3.500000"]
    );
}

#[test]
fn a_list_variable_read_before_assignment_is_empty_not_a_crash() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", list_ty(Ty::Int));
    m.push(print(intr(Intrinsic::Len, vec![a.get()], Ty::Int)));
    m.push(st_at(
        2,
        StmtKind::Print(at(2, index(a.get(), vec![int(0)]))),
    ));
    p.add(m);
    let o = run(&p.p);
    assert_eq!(o.lines(), ["0"]);
    assert_eq!(o.status, 3);
    assert!(o.stderr.contains("exceeds array size"), "{}", o.stderr);
}
