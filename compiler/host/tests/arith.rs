//! Integer and float arithmetic with ePython/Python semantics, run natively.

mod common;
use common::builder::*;
use common::{output, run};
use epyc_tir::{BinOp, CmpOp, Intrinsic, Ty};

/// Prints `op(a, b)` for int pairs given as locals (so nothing folds at lowering time) and
/// as constants.
fn int_results(op: BinOp, pairs: &[(i32, i32)]) -> Vec<String> {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", Ty::Int);
    let b = m.local("b", Ty::Int);
    for &(x, y) in pairs {
        m.push(a.set(int(x)));
        m.push(b.set(int(y)));
        m.push(print(bin(op, a.get(), b.get())));
        m.push(print(bin(op, int(x), int(y))));
    }
    p.add(m);
    output(&p.p)
}

fn expect_pairs(got: Vec<String>, want: &[i64]) {
    let want: Vec<String> = want
        .iter()
        .flat_map(|w| [w.to_string(), w.to_string()])
        .collect();
    assert_eq!(got, want);
}

#[test]
fn add_sub_mul_wrap() {
    expect_pairs(
        int_results(BinOp::Add, &[(2147483647, 1), (3, 4)]),
        &[-2147483648, 7],
    );
    expect_pairs(
        int_results(BinOp::Sub, &[(-2147483648, 1), (3, 10)]),
        &[2147483647, -7],
    );
    expect_pairs(
        int_results(BinOp::Mul, &[(65536, 65536), (100000, 100000), (-3, 7)]),
        &[0, 1410065408, -21],
    );
}

#[test]
fn floor_division_of_negatives() {
    expect_pairs(
        int_results(
            BinOp::Div,
            &[
                (7, 2),
                (-7, 2),
                (7, -2),
                (-7, -2),
                (6, -3),
                (-2147483648, -1),
            ],
        ),
        &[3, -4, -4, 3, -2, -2147483648],
    );
    expect_pairs(
        int_results(BinOp::FloorDiv, &[(7, 2), (-7, 2), (0, -5)]),
        &[3, -4, 0],
    );
}

#[test]
fn python_modulo() {
    expect_pairs(
        int_results(
            BinOp::Mod,
            &[
                (-7, 3),
                (7, -3),
                (7, 3),
                (-7, -3),
                (6, -3),
                (-2147483648, -1),
            ],
        ),
        &[2, -2, 1, -1, 0, 0],
    );
}

#[test]
fn int_power_wraps() {
    expect_pairs(
        int_results(
            BinOp::Pow,
            &[(2, 10), (2, 0), (3, 5), (2, 31), (2, 32), (-3, 3), (7, 1)],
        ),
        &[1024, 1, 243, -2147483648, 0, -27, 7],
    );
}

#[test]
fn division_by_zero_is_a_runtime_error() {
    for op in [BinOp::Div, BinOp::Mod, BinOp::FloorDiv] {
        let mut p = Prog::new();
        let mut m = Func::new("main", Ty::None);
        let z = m.local("z", Ty::Int);
        m.push(z.set(int(0)));
        m.push(print(int(1)));
        m.push(st_at(
            3,
            epyc_tir::StmtKind::Print(at(3, bin(op, int(5), z.get()))),
        ));
        m.push(print(int(2)));
        p.add(m);
        let o = run(&p.p);
        assert_eq!(o.status, 3);
        assert_eq!(o.lines(), vec!["1"]);
        assert_eq!(
            o.stderr,
            "Error from core 0: Division by zero\n  at test.py:3\n"
        );
    }
}

#[test]
fn float_arithmetic_and_formatting() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let x = m.local("x", Ty::Float);
    let y = m.local("y", Ty::Float);
    m.push(x.set(flt(7.5)));
    m.push(y.set(flt(2.0)));
    m.push(print(bin(BinOp::Div, x.get(), y.get())));
    m.push(print(bin(BinOp::FloorDiv, x.get(), y.get())));
    m.push(print(bin(BinOp::Mod, x.get(), y.get())));
    m.push(print(bin(BinOp::Mod, neg(x.get()), y.get())));
    m.push(print(bin(BinOp::FloorDiv, neg(x.get()), y.get())));
    m.push(print(bin(BinOp::Pow, y.get(), flt(0.5))));
    m.push(print(add(flt(0.1), flt(0.2))));
    m.push(print(conv(int(-7), Ty::Float)));
    m.push(print(conv(flt(-3.9), Ty::Int)));
    m.push(print(bin(BinOp::Div, flt(1.0), flt(0.0))));
    m.push(print(neg(flt(0.0))));
    m.push(print(intr(
        Intrinsic::Math(epyc_tir::MathFn::Sqrt),
        vec![flt(2.0)],
        Ty::Float,
    )));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "3.750000",
            "3.000000",
            "1.500000",
            "0.500000",
            "-4.000000",
            "1.414214",
            "0.300000",
            "-7.000000",
            "-3",
            "inf",
            "-0.000000",
            "1.414214"
        ]
    );
}

#[test]
fn comparisons_and_truthiness() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let a = m.local("a", Ty::Int);
    m.push(a.set(int(-1)));
    m.push(print(cmp(CmpOp::Lt, a.get(), int(0))));
    m.push(print(cmp(CmpOp::Ge, a.get(), int(0))));
    m.push(print(cmp(CmpOp::Eq, conv(a.get(), Ty::Float), flt(-1.0))));
    m.push(print(conv(a.get(), Ty::Bool)));
    m.push(print(conv(int(0), Ty::Bool)));
    m.push(print(conv(flt(0.0), Ty::Bool)));
    m.push(print(conv(flt(0.5), Ty::Bool)));
    m.push(print(conv(none(), Ty::Bool)));
    m.push(print(not(cmp(CmpOp::Ne, boolean(true), boolean(true)))));
    m.push(print(cmp(CmpOp::Is, none(), none())));
    // `and`/`or` return an operand (D11): 0 and 5 -> 0, 3 or 9 -> 3, 0 or 9 -> 9
    m.push(print(and(int(0), int(5))));
    m.push(print(or(int(3), int(9))));
    m.push(print(or(a.get(), int(9))));
    m.push(print(or(int(0), int(9))));
    m.push(print(select(
        cmp(CmpOp::Gt, a.get(), int(0)),
        int(10),
        int(20),
    )));
    m.push(print(intr(Intrinsic::Min, vec![int(4), a.get()], Ty::Int)));
    m.push(print(intr(
        Intrinsic::Max,
        vec![flt(1.5), flt(-2.0)],
        Ty::Float,
    )));
    m.push(print(intr(Intrinsic::Abs, vec![a.get()], Ty::Int)));
    m.push(print(intr(Intrinsic::Abs, vec![flt(-2.5)], Ty::Float)));
    p.add(m);
    assert_eq!(
        output(&p.p),
        [
            "true", "false", "true", "true", "false", "false", "true", "false", "true", "true",
            "0", "3", "-1", "9", "20", "-1", "1.500000", "1", "2.500000"
        ]
    );
}

#[test]
fn float_power_with_run_time_exponents() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let x = m.local("x", Ty::Float);
    let y = m.local("y", Ty::Float);
    m.push(x.set(flt(1.5)));
    for e in [2.0, 3.0, 0.5, -1.0] {
        m.push(y.set(flt(e)));
        m.push(print(bin(BinOp::Pow, x.get(), y.get())));
    }
    m.push(print(intr(
        Intrinsic::PowF,
        vec![x.get(), y.get()],
        Ty::Float,
    )));
    p.add(m);
    assert_eq!(
        output(&p.p),
        ["2.250000", "3.375000", "1.224745", "0.666667", "0.666667"]
    );
}
