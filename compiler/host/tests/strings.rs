//! Strings: constants, concatenation with conversions, repetition, comparison, length,
//! truthiness, and printing of every type.

mod common;
use common::builder::*;
use common::output;
use epyc_tir::{BinOp, CmpOp, Intrinsic, Ty};

#[test]
fn concatenation_and_conversions() {
    let mut p = Prog::new();
    let x = p.string("x=");
    let empty = p.string("");
    let mut m = Func::new("main", Ty::None);
    m.push(print(bin(BinOp::Concat, x.clone(), conv(int(-5), Ty::Str))));
    m.push(print(bin(
        BinOp::Concat,
        x.clone(),
        conv(flt(2.5), Ty::Str),
    )));
    m.push(print(bin(
        BinOp::Concat,
        conv(boolean(true), Ty::Str),
        x.clone(),
    )));
    m.push(print(bin(BinOp::Concat, x.clone(), conv(none(), Ty::Str))));
    m.push(print(bin(
        BinOp::Concat,
        x.clone(),
        conv(list_lit(Ty::Int, vec![int(1), int(2)]), Ty::Str),
    )));
    m.push(print(bin(BinOp::Repeat, x.clone(), int(3))));
    m.push(print(bin(BinOp::Repeat, x.clone(), int(-1))));
    m.push(print(intr(Intrinsic::StrLen, vec![x.clone()], Ty::Int)));
    m.push(print(conv(empty.clone(), Ty::Bool)));
    m.push(print(conv(x.clone(), Ty::Bool)));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "x=-5",
            "x=2.500000",
            "truex=",
            "x=NONE",
            "x=[1, 2]",
            "x=x=x=",
            "",
            "2",
            "false",
            "true"
        ]
    );
}

#[test]
fn comparisons() {
    let mut p = Prog::new();
    let abc = p.string("abc");
    let abd = p.string("abd");
    let abc2 = p.string("abc");
    let mut m = Func::new("main", Ty::None);
    m.push(print(cmp(CmpOp::Eq, abc.clone(), abc2.clone())));
    m.push(print(cmp(CmpOp::Ne, abc.clone(), abc2.clone())));
    m.push(print(cmp(CmpOp::Lt, abc.clone(), abd.clone())));
    m.push(print(cmp(CmpOp::Ge, abc.clone(), abd.clone())));
    m.push(print(cmp(CmpOp::Eq, abc.clone(), abd.clone())));
    m.push(print(cmp(CmpOp::Is, abc.clone(), abc.clone())));
    p.add(m);
    assert_eq!(
        output(&p.p),
        ["true", "false", "true", "false", "false", "true"]
    );
}

#[test]
fn print_every_type() {
    let mut p = Prog::new();
    let s = p.string("text");
    let mut m = Func::new("main", Ty::None);
    let f = m.local("f", Ty::Float);
    m.push(f.set(flt(123456789.0)));
    m.push(print(int(-3)));
    m.push(print(f.get()));
    m.push(print(flt(1e-7)));
    m.push(print(boolean(false)));
    m.push(print(none()));
    m.push(print(s));
    m.push(print(list_lit(
        Ty::Bool,
        vec![boolean(true), boolean(false)],
    )));
    m.push(print(list_lit(Ty::Float, vec![flt(1.5)])));
    m.push(print(list_lit(
        list_ty(Ty::Int),
        vec![list_lit(Ty::Int, vec![int(1)]), list_lit(Ty::Int, vec![])],
    )));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "-3",
            "123456792.000000",
            "0.000000",
            "false",
            "NONE",
            "text",
            "[true, false]",
            "[1.500000]",
            "[[1], []]"
        ]
    );
}

/// Small functions are inlined; their string constants must stay theirs (Cranelift's
/// inliner copies data symbols without renaming them).
#[test]
fn inlined_functions_keep_their_string_constants() {
    let mut p = Prog::new();
    let a = p.string("main's text");
    let hi = p.string("hi ");
    let mut f = Func::new("greet", Ty::Str);
    let x = f.param("x", Ty::Int);
    f.push(ret(bin(BinOp::Concat, hi, conv(x.get(), Ty::Str))));
    let greet = p.add(f);
    let mut f = Func::new("shout", Ty::None);
    let y = f.param("y", Ty::Float);
    f.push(print(conv(y.get(), Ty::Str)));
    f.push(print(none()));
    f.push(print(conv(none(), Ty::Str)));
    let shout = p.add(f);
    let mut m = Func::new("main", Ty::None);
    m.push(print(a));
    m.push(print(p.call(greet, vec![int(5)])));
    m.push(expr_stmt(p.call(shout, vec![flt(0.25)])));
    let main = p.add(m);
    p.p.main = main;
    assert_eq!(
        output(&p.p),
        ["main's text", "hi 5", "0.250000", "NONE", "NONE"]
    );
}
