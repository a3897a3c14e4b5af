//! Module variables that only the module code touches live in SSA variables of `main`
//! instead of the globals block: module-level loops then run in registers. A global is
//! promoted when no other function reads or writes it and `main` is not re-entered.

use epyc_tir::{Block, Expr, ExprKind, LocalOrGlobal, Place, Program, Stmt, StmtKind};

/// For each global: true if it can live in `main`'s SSA variables.
pub fn main_only_globals(prog: &Program, recursive: &[bool]) -> Vec<bool> {
    let mut promotable = vec![true; prog.globals.len()];
    if recursive.get(prog.main.index()).copied().unwrap_or(true) {
        return vec![false; prog.globals.len()];
    }
    for (i, f) in prog.funcs.iter().enumerate() {
        if i != prog.main.index() {
            block(&f.body, &mut promotable);
        }
    }
    promotable
}

fn var(v: LocalOrGlobal, out: &mut [bool]) {
    if let LocalOrGlobal::Global(g) = v {
        if let Some(slot) = out.get_mut(g.index()) {
            *slot = false;
        }
    }
}

fn block(b: &Block, out: &mut [bool]) {
    b.iter().for_each(|s| stmt(s, out));
}

fn stmt(s: &Stmt, out: &mut [bool]) {
    match &s.kind {
        StmtKind::Assign(place, value) => {
            match place {
                Place::Var(v) => var(*v, out),
                Place::Index { list, indices } => {
                    expr(list, out);
                    indices.iter().for_each(|i| expr(i, out));
                }
            }
            expr(value, out);
        }
        StmtKind::Expr(e) | StmtKind::Print(e) | StmtKind::Return(Some(e)) => expr(e, out),
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
            var: v,
            start,
            stop,
            step,
            body,
        } => {
            var(*v, out);
            [start, stop, step].iter().for_each(|e| expr(e, out));
            block(body, out);
        }
        StmtKind::ForList { var: v, list, body } => {
            var(*v, out);
            expr(list, out);
            block(body, out);
        }
        StmtKind::Return(None)
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Exit
        | StmtKind::Raise(..) => {}
    }
}

fn expr(e: &Expr, out: &mut [bool]) {
    match &e.kind {
        ExprKind::Var(v) => var(*v, out),
        ExprKind::Call { args, .. }
        | ExprKind::Intrinsic { args, .. }
        | ExprKind::ListLit(args) => args.iter().for_each(|a| expr(a, out)),
        ExprKind::CallIndirect { callee, args, .. } => {
            expr(callee, out);
            args.iter().for_each(|a| expr(a, out));
        }
        ExprKind::Unary(_, a) | ExprKind::Convert(a) => expr(a, out),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            expr(a, out);
            expr(b, out);
        }
        ExprKind::Select {
            cond,
            then_value,
            else_value,
        } => {
            expr(cond, out);
            expr(then_value, out);
            expr(else_value, out);
        }
        ExprKind::Index { list, indices } => {
            expr(list, out);
            indices.iter().for_each(|i| expr(i, out));
        }
        ExprKind::ListRepeat { items, count } => {
            items.iter().for_each(|i| expr(i, out));
            expr(count, out);
        }
        ExprKind::Const(_) | ExprKind::FuncRef(_) => {}
    }
}
