//! Which functions can call themselves (directly or through others): only those count call
//! depth for the stack-overflow error, so leaf functions in hot loops pay nothing.

use epyc_tir::{Block, Expr, ExprKind, Place, Program, Stmt, StmtKind};

pub fn recursive_functions(prog: &Program) -> Vec<bool> {
    let callees: Vec<Vec<usize>> = prog
        .funcs
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            block_calls(&f.body, &mut out);
            out.sort_unstable();
            out.dedup();
            out.retain(|&c| c < prog.funcs.len());
            out
        })
        .collect();
    (0..prog.funcs.len())
        .map(|start| reaches(&callees, start))
        .collect()
}

/// Whether `start` can reach itself through calls.
fn reaches(callees: &[Vec<usize>], start: usize) -> bool {
    let mut seen = vec![false; callees.len()];
    let mut stack = callees[start].clone();
    while let Some(f) = stack.pop() {
        if f == start {
            return true;
        }
        if !std::mem::replace(&mut seen[f], true) {
            stack.extend(&callees[f]);
        }
    }
    false
}

fn block_calls(b: &Block, out: &mut Vec<usize>) {
    b.iter().for_each(|s| stmt_calls(s, out));
}

fn stmt_calls(s: &Stmt, out: &mut Vec<usize>) {
    match &s.kind {
        StmtKind::Assign(place, value) => {
            if let Place::Index { list, indices } = place {
                expr_calls(list, out);
                indices.iter().for_each(|i| expr_calls(i, out));
            }
            expr_calls(value, out);
        }
        StmtKind::Expr(e) | StmtKind::Print(e) | StmtKind::Return(Some(e)) => expr_calls(e, out),
        StmtKind::If {
            cond,
            then_body,
            else_body,
        } => {
            expr_calls(cond, out);
            block_calls(then_body, out);
            block_calls(else_body, out);
        }
        StmtKind::While { cond, body } => {
            expr_calls(cond, out);
            block_calls(body, out);
        }
        StmtKind::ForRange {
            start,
            stop,
            step,
            body,
            ..
        } => {
            [start, stop, step].iter().for_each(|e| expr_calls(e, out));
            block_calls(body, out);
        }
        StmtKind::ForList { list, body, .. } => {
            expr_calls(list, out);
            block_calls(body, out);
        }
        StmtKind::Return(None)
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Exit
        | StmtKind::Raise(..) => {}
    }
}

fn expr_calls(e: &Expr, out: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Call { func, args } => {
            out.push(func.index());
            args.iter().for_each(|a| expr_calls(a, out));
        }
        ExprKind::CallIndirect {
            callee,
            candidates,
            args,
        } => {
            out.extend(candidates.iter().map(|c| c.index()));
            expr_calls(callee, out);
            args.iter().for_each(|a| expr_calls(a, out));
        }
        ExprKind::Unary(_, a) | ExprKind::Convert(a) => expr_calls(a, out),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            expr_calls(a, out);
            expr_calls(b, out);
        }
        ExprKind::Select {
            cond,
            then_value,
            else_value,
        } => {
            expr_calls(cond, out);
            expr_calls(then_value, out);
            expr_calls(else_value, out);
        }
        ExprKind::Intrinsic { args, .. } | ExprKind::ListLit(args) => {
            args.iter().for_each(|a| expr_calls(a, out))
        }
        ExprKind::Index { list, indices } => {
            expr_calls(list, out);
            indices.iter().for_each(|i| expr_calls(i, out));
        }
        ExprKind::ListRepeat { items, count } => {
            items.iter().for_each(|i| expr_calls(i, out));
            expr_calls(count, out);
        }
        ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => {}
    }
}
