//! Run-time positions: code reached through library functions (and library module code) is
//! positioned at the user's call that led there, so errors and deadlocks name user lines.

use crate::common::*;
use epyc_tir::{Expr, ExprKind, Function, Intrinsic, Place, Pos, Program, Stmt, StmtKind};

fn program(text: &str) -> Program {
    let c = check_text(text);
    assert!(
        c.errors.is_empty(),
        "unexpected errors {:?}\nfor:\n{text}",
        c.errors
    );
    c.program.unwrap()
}

/// Every expression and statement position of `f`, with the expression (none for statements).
fn walk_function<'a>(f: &'a Function, out: &mut Vec<(Pos, Option<&'a Expr>)>) {
    fn expr<'a>(e: &'a Expr, out: &mut Vec<(Pos, Option<&'a Expr>)>) {
        out.push((e.pos, Some(e)));
        let children: Vec<&Expr> = match &e.kind {
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => vec![],
            ExprKind::Unary(_, a) | ExprKind::Convert(a) => vec![a],
            ExprKind::Binary(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => vec![a, b],
            ExprKind::Select {
                cond,
                then_value,
                else_value,
            } => vec![cond, then_value, else_value],
            ExprKind::Call { args, .. } | ExprKind::Intrinsic { args, .. } => args.iter().collect(),
            ExprKind::Index { list, indices } => {
                std::iter::once(&**list).chain(indices.iter()).collect()
            }
            ExprKind::ListLit(items) => items.iter().collect(),
            ExprKind::ListRepeat { items, count } => {
                items.iter().chain(std::iter::once(&**count)).collect()
            }
            ExprKind::CallIndirect { callee, args, .. } => {
                std::iter::once(&**callee).chain(args.iter()).collect()
            }
        };
        for c in children {
            expr(c, out);
        }
    }
    fn block<'a>(b: &'a [Stmt], out: &mut Vec<(Pos, Option<&'a Expr>)>) {
        for s in b {
            out.push((s.pos, None));
            match &s.kind {
                StmtKind::Assign(place, v) => {
                    if let Place::Index { list, indices } = place {
                        expr(list, out);
                        indices.iter().for_each(|i| expr(i, out));
                    }
                    expr(v, out);
                }
                StmtKind::Expr(e) | StmtKind::Print(e) => expr(e, out),
                StmtKind::Return(v) => v.iter().for_each(|e| expr(e, out)),
                StmtKind::If {
                    cond,
                    then_body,
                    else_body,
                } => {
                    expr(cond, out);
                    block(then_body, out);
                    block(else_body, out);
                }
                StmtKind::While { cond, body } => {
                    expr(cond, out);
                    block(body, out);
                }
                StmtKind::ForRange {
                    start,
                    stop,
                    step,
                    body,
                    ..
                } => {
                    [start, stop, step].into_iter().for_each(|e| expr(e, out));
                    block(body, out);
                }
                StmtKind::ForList { list, body, .. } => {
                    expr(list, out);
                    block(body, out);
                }
                StmtKind::Break | StmtKind::Continue | StmtKind::Exit | StmtKind::Raise(..) => {}
            }
        }
    }
    out.push((f.pos, None));
    block(&f.body, out);
}

fn positions(p: &Program) -> Vec<(&Function, Pos, Option<&Expr>)> {
    let mut out = vec![];
    for f in &p.funcs {
        let mut v = vec![];
        walk_function(f, &mut v);
        out.extend(v.into_iter().map(|(pos, e)| (f, pos, e)));
    }
    out
}

/// The lines of every intrinsic `op` in the program (in the main file: asserted).
fn intrinsic_lines(p: &Program, op: Intrinsic) -> Vec<u32> {
    let mut lines: Vec<u32> = positions(p)
        .into_iter()
        .filter_map(|(_, pos, e)| match e.map(|e| &e.kind) {
            Some(ExprKind::Intrinsic { op: o, .. }) if *o == op => Some(pos),
            _ => None,
        })
        .map(|pos| {
            assert_eq!(
                pos.file, 0,
                "{op:?} positioned in {}",
                p.files[pos.file as usize]
            );
            pos.line
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

/// Fails naming the function and file of any position outside the main program.
fn all_in_main_file(p: &Program) {
    for (f, pos, e) in positions(p) {
        assert_eq!(
            pos.file, 0,
            "{} has a node positioned at {}:{}: {:?}",
            f.symbol, p.files[pos.file as usize], pos.line, e
        );
    }
}

#[test]
fn messages_through_parallel_name_the_users_lines() {
    // tests/programs/errors/deadlock.py: both cores wait in recv on line 4.
    let p = program(
        "from parallel import *\nme = coreid()\nother = 1 - me\nv = recv(other)\nsend(me, other)\nprint v\n",
    );
    assert_eq!(intrinsic_lines(&p, Intrinsic::Recv), vec![4]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::Send), vec![5]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::CoreId), vec![2]);
    all_in_main_file(&p);
}

#[test]
fn each_call_site_of_a_library_function_has_its_own_position() {
    let p = program(
        "from parallel import *\nif coreid() == 0:\n    send(1, 7)\nelse:\n    send(2, 0)\nx = recv(0)\n\
         def relay(pid):\n    send(x, pid)\nrelay(1)\nrelay(0)\nprint reduce(x, \"max\")\nsync()\n",
    );
    // The send inside the user's relay() is at relay's line, whichever call reached it.
    assert_eq!(intrinsic_lines(&p, Intrinsic::Send), vec![3, 5, 8]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::Recv), vec![6]);
    assert_eq!(
        intrinsic_lines(&p, Intrinsic::Reduce(epyc_tir::ReduceOp::Max)),
        vec![11]
    );
    assert_eq!(intrinsic_lines(&p, Intrinsic::Sync), vec![12]);
    all_in_main_file(&p);
}

#[test]
fn library_functions_calling_library_functions_take_the_outermost_user_call() {
    // taskfarm calls parallel's numcores() and sends in its own body; its module code runs
    // at the import.
    let p = program(
        "from taskfarm import *\ndef sq(v):\n    return v * v\ninitTaskFarm(0)\nif coreid() == 0:\n\
         \x20   execFunction(1, sq, 3)\n    print waitFunctionFinish(1)\n    shutdownTaskFarm()\nelse:\n    worker()\n",
    );
    assert_eq!(intrinsic_lines(&p, Intrinsic::Send), vec![6, 8, 10]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::Recv), vec![7, 10]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::NumCores), vec![8]);
    // sq's body keeps its own line (user code called from the library's worker loop).
    let sq = p.funcs.iter().find(|f| f.name == "sq").unwrap();
    assert_eq!(sq.pos.line, 2);
    all_in_main_file(&p);
}

#[test]
fn index_errors_in_library_helpers_name_the_users_call() {
    let p = program(
        "from util import *\nfrom array import *\nx = [5, 3, 9, 1]\n\noddSort(x, 6)\ny = array(3)\n\
         arraycopy(y, x)\nprint shape(y)\nr = range(0, 10, 2)\nprint y, r\n",
    );
    let index_lines: Vec<u32> = {
        let mut v: Vec<u32> = positions(&p)
            .into_iter()
            .filter(|(_, _, e)| matches!(e.map(|e| &e.kind), Some(ExprKind::Index { .. })))
            .map(|(_, pos, _)| pos.line)
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(index_lines, vec![5, 7]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::ArrayNew), vec![6]);
    assert_eq!(intrinsic_lines(&p, Intrinsic::Dim), vec![8]);
    // range() as a value runs the built-in prelude: positioned at the call too.
    let range_list = p.funcs.iter().find(|f| f.name == "__range_list").unwrap();
    assert_eq!((range_list.pos.file, range_list.pos.line), (0, 9));
    all_in_main_file(&p);
}

#[test]
fn a_module_beside_the_program_is_user_code_with_its_own_lines() {
    let dir = std::env::temp_dir().join(format!("epyc_sema_positions_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("helpers.py"),
        "from parallel import *\n\ndef exchange(v, pid):\n    send(v, pid)\n    return recv(pid)\n",
    )
    .unwrap();
    let prog = epyc_syntax::parse_program_text(
        &dir.join("main.py"),
        "from helpers import *\nprint exchange(coreid(), 1 - coreid())\n",
        &[libs()],
    )
    .unwrap_or_else(|e| panic!("does not parse: {e:?}"));
    let c = epyc_sema::check(&prog);
    std::fs::remove_dir_all(&dir).ok();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let p = c.program.unwrap();
    let helpers = p
        .files
        .iter()
        .position(|f| f.ends_with("helpers.py"))
        .unwrap() as u32;
    let at = |op: Intrinsic| -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = positions(&p)
            .into_iter()
            .filter(|(_, _, e)| {
                matches!(e.map(|e| &e.kind), Some(ExprKind::Intrinsic { op: o, .. }) if *o == op)
            })
            .map(|(_, pos, _)| (pos.file, pos.line))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(at(Intrinsic::Send), vec![(helpers, 4)]);
    assert_eq!(at(Intrinsic::Recv), vec![(helpers, 5)]);
    assert_eq!(at(Intrinsic::CoreId), vec![(0, 2)]);
}

#[test]
fn compile_errors_in_library_code_still_name_the_users_call() {
    // Positions for run time do not change where compile-time messages point.
    let text = "from parallel import *\nsend(1, 0)\nsend(2.5, 0)\nprint recv(0)\n";
    let c = check_text(text);
    let errs = error_lines(&c, text);
    assert!(
        errs.iter()
            .any(|(l, m)| *l == 4 && m.contains("int") && m.contains("float")),
        "{errs:?}"
    );
}
