//! The type of the messages a compiled program exchanges. epyc types every message of a
//! program alike (the specialiser joins every sent value into one type, and every `recv` has
//! that type), so the CPython core can receive without being told what comes: it receives
//! values of this type.

use epyc_rt_abi::Tag;
use epyc_tir::{Block, Expr, ExprKind, Intrinsic, Place, Program, StmtKind, Ty};

/// The tag of the program's messages: the type of its receives, else of what it sends, else
/// int (what a program that never sends receives).
pub fn message_tag(prog: &Program) -> Tag {
    let mut found = Found::default();
    for f in &prog.funcs {
        block(&f.body, &mut found);
    }
    found.received.or(found.sent).map_or(Tag::Int, |t| match t {
        Ty::Func(_) | Ty::AnyFunc => Tag::Func,
        other => other.tag(),
    })
}

#[derive(Default)]
struct Found {
    received: Option<Ty>,
    sent: Option<Ty>,
}

fn block(b: &Block, found: &mut Found) {
    for s in b {
        match &s.kind {
            StmtKind::Assign(place, value) => {
                if let Place::Index { list, indices } = place {
                    expr(list, found);
                    indices.iter().for_each(|e| expr(e, found));
                }
                expr(value, found);
            }
            StmtKind::Expr(e) | StmtKind::Print(e) => expr(e, found),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                expr(cond, found);
                block(then_body, found);
                block(else_body, found);
            }
            StmtKind::While { cond, body } => {
                expr(cond, found);
                block(body, found);
            }
            StmtKind::ForRange {
                start,
                stop,
                step,
                body,
                ..
            } => {
                [start, stop, step].into_iter().for_each(|e| expr(e, found));
                block(body, found);
            }
            StmtKind::ForList { list, body, .. } => {
                expr(list, found);
                block(body, found);
            }
            StmtKind::Return(Some(e)) => expr(e, found),
            StmtKind::Return(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Exit
            | StmtKind::Raise(..) => {}
        }
    }
}

fn expr(e: &Expr, found: &mut Found) {
    match &e.kind {
        ExprKind::Intrinsic { op, args } => {
            match op {
                Intrinsic::Recv | Intrinsic::SendRecv => {
                    found.received.get_or_insert(e.ty.clone());
                }
                Intrinsic::Send | Intrinsic::SendNonBlocking => {
                    if let Some(v) = args.first() {
                        found.sent.get_or_insert(v.ty.clone());
                    }
                }
                _ => {}
            }
            args.iter().for_each(|a| expr(a, found));
        }
        ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => {}
        ExprKind::Unary(_, a) | ExprKind::Convert(a) => expr(a, found),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            expr(a, found);
            expr(b, found);
        }
        ExprKind::Select {
            cond,
            then_value,
            else_value,
        } => {
            expr(cond, found);
            expr(then_value, found);
            expr(else_value, found);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr(a, found)),
        ExprKind::CallIndirect { callee, args, .. } => {
            expr(callee, found);
            args.iter().for_each(|a| expr(a, found));
        }
        ExprKind::Index { list, indices } => {
            expr(list, found);
            indices.iter().for_each(|i| expr(i, found));
        }
        ExprKind::ListLit(items) => items.iter().for_each(|i| expr(i, found)),
        ExprKind::ListRepeat { items, count } => {
            items.iter().for_each(|i| expr(i, found));
            expr(count, found);
        }
    }
}
