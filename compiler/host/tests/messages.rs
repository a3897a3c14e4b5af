//! Intrinsics that go through the runtime's message passing, on several cores.

mod common;
use common::builder::*;
use common::run_cores;
use epyc_tir::{CmpOp, Intrinsic, ReduceOp, Ty};

#[test]
fn send_recv_reduce_bcast_between_cores() {
    let mut p = Prog::new();
    let mut m = Func::new("main", Ty::None);
    let id = m.local("id", Ty::Int);
    let v = m.local("v", Ty::Float);
    let s = m.local("s", Ty::Str);
    let hi = p.string("hi from 0");
    m.push(id.set(intr(Intrinsic::CoreId, vec![], Ty::Int)));
    m.push(if_(
        cmp(CmpOp::Eq, id.get(), int(0)),
        vec![
            expr_stmt(intr(Intrinsic::Send, vec![flt(2.5), int(1)], Ty::None)),
            expr_stmt(intr(Intrinsic::Send, vec![hi, int(1)], Ty::None)),
        ],
        vec![
            v.set(intr(Intrinsic::Recv, vec![int(0)], Ty::Float)),
            print(v.get()),
            s.set(intr(Intrinsic::Recv, vec![int(0)], Ty::Str)),
            print(s.get()),
        ],
    ));
    m.push(print(intr(
        Intrinsic::Reduce(ReduceOp::Sum),
        vec![add(id.get(), int(1))],
        Ty::Int,
    )));
    m.push(print(intr(
        Intrinsic::Bcast,
        vec![conv(mul(id.get(), int(7)), Ty::Float), int(1)],
        Ty::Float,
    )));
    m.push(expr_stmt(intr(Intrinsic::Sync, vec![], Ty::None)));
    m.push(print(intr(Intrinsic::NumCores, vec![], Ty::Int)));
    m.push(print(intr(Intrinsic::IsHost, vec![], Ty::Bool)));
    p.add(m);
    let o = run_cores(&p.p, 2);
    assert_eq!(o.status, 0, "{}", o.stderr);
    let core = |n: u32| -> Vec<String> {
        let prefix = format!("[host {n}] ");
        o.stdout
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix).map(str::to_string))
            .collect()
    };
    assert_eq!(core(0), ["3", "7.000000", "2", "true"]);
    assert_eq!(
        core(1),
        ["2.500000", "hi from 0", "3", "7.000000", "2", "true"]
    );
}
