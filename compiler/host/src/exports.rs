//! Which specialisations of a program that falls back to byte code can still run natively,
//! called from byte code (issue 6, mixed programs), and the program that holds only them.
//!
//! Conservative on purpose: the byte-code world owns the module's variables, the message
//! queues' typing and the random generator when a program falls back, so an exported
//! function and everything it calls must touch none of them. It must also call only native
//! specialisations, use no function values and not stop the core with `exit()`. Its
//! parameters and result are scalars (none, bool, int, float) or strings (immutable: a string
//! passed in can only leave again as the result, which byte code copies).

use epyc_tir::{
    Block, Expr, ExprKind, FuncId, Intrinsic, LocalOrGlobal, Place, Program, Stmt, StmtKind, Ty,
};

/// Whether a value of `ty` crosses the byte-code boundary (see the module docs).
pub fn is_boundary_type(ty: &Ty) -> bool {
    matches!(ty, Ty::None | Ty::Bool | Ty::Int | Ty::Float | Ty::Str)
}

/// The candidates (specialisations byte code may call) that can run natively: every
/// function they reach is `native` and self-contained, and their signature is scalar.
pub fn exportable(prog: &Program, native: &[bool], candidates: &[FuncId]) -> Vec<FuncId> {
    candidates
        .iter()
        .copied()
        .filter(|&f| {
            let func = prog.func(f);
            f != prog.main
                && is_boundary_type(&func.ret)
                && func
                    .params
                    .iter()
                    .all(|p| is_boundary_type(&func.locals[p.index()].ty))
                && closure(prog, native, f).is_some()
        })
        .collect()
}

/// Every function `root` reaches by direct calls, itself included, when all of them are
/// native and self-contained; `None` otherwise.
pub fn closure(prog: &Program, native: &[bool], root: FuncId) -> Option<Vec<FuncId>> {
    // The same walk with no byte code callable: every call must reach native code.
    closure_calling(prog, native, &[], root).map(|reach| reach.native)
}

/// `prog` cut down to the functions in `keep`: every other function (the module code
/// included) becomes an empty `() -> none` that nothing kept calls, and there are no module
/// variables (nothing kept uses them).
pub fn sub_program(prog: &Program, keep: &[FuncId]) -> Program {
    let mut out = prog.clone();
    out.globals.clear();
    for (k, f) in out.funcs.iter_mut().enumerate() {
        if !keep.iter().any(|id| id.index() == k) {
            f.params.clear();
            f.locals.clear();
            f.ret = Ty::None;
            f.body.clear();
        }
    }
    out
}

fn block_ok(b: &Block, calls: &mut Vec<FuncId>) -> bool {
    b.iter().all(|s| stmt_ok(s, calls))
}

fn var_ok(v: &LocalOrGlobal) -> bool {
    matches!(v, LocalOrGlobal::Local(_))
}

fn stmt_ok(s: &Stmt, calls: &mut Vec<FuncId>) -> bool {
    match &s.kind {
        StmtKind::Assign(place, e) => {
            let place_ok = match place {
                Place::Var(v) => var_ok(v),
                Place::Index { list, indices } => {
                    expr_ok(list, calls) && indices.iter().all(|i| expr_ok(i, calls))
                }
            };
            place_ok && expr_ok(e, calls)
        }
        StmtKind::Expr(e) | StmtKind::Print(e) => expr_ok(e, calls),
        StmtKind::If {
            cond,
            then_body,
            else_body,
        } => expr_ok(cond, calls) && block_ok(then_body, calls) && block_ok(else_body, calls),
        StmtKind::While { cond, body } => expr_ok(cond, calls) && block_ok(body, calls),
        StmtKind::ForRange {
            var,
            start,
            stop,
            step,
            body,
        } => {
            var_ok(var)
                && expr_ok(start, calls)
                && expr_ok(stop, calls)
                && expr_ok(step, calls)
                && block_ok(body, calls)
        }
        StmtKind::ForList { var, list, body } => {
            var_ok(var) && expr_ok(list, calls) && block_ok(body, calls)
        }
        StmtKind::Return(e) => e.as_ref().is_none_or(|e| expr_ok(e, calls)),
        StmtKind::Break | StmtKind::Continue | StmtKind::Raise(..) => true,
        // The byte-code world ends its core itself.
        StmtKind::Exit => false,
    }
}

/// Intrinsics that read no state the byte-code world owns (messages: their typing is the
/// whole program's; the random generator: its sequence is the interpreter's).
fn intrinsic_ok(op: Intrinsic) -> bool {
    use Intrinsic::*;
    matches!(
        op,
        CoreId
            | NumCores
            | IsHost
            | IsDevice
            | Math(_)
            | PowF
            | Len
            | StrLen
            | Dim
            | NDim
            | ArrayNew
            | Min
            | Max
            | Abs
    )
}

fn expr_ok(e: &Expr, calls: &mut Vec<FuncId>) -> bool {
    if matches!(e.ty, Ty::Func(_) | Ty::AnyFunc) {
        return false;
    }
    let all = |es: &[Expr], calls: &mut Vec<FuncId>| es.iter().all(|x| expr_ok(x, calls));
    match &e.kind {
        ExprKind::Const(_) => true,
        ExprKind::Var(v) => var_ok(v),
        ExprKind::Unary(_, a) | ExprKind::Convert(a) => expr_ok(a, calls),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => expr_ok(a, calls) && expr_ok(b, calls),
        ExprKind::Select {
            cond,
            then_value,
            else_value,
        } => expr_ok(cond, calls) && expr_ok(then_value, calls) && expr_ok(else_value, calls),
        ExprKind::Call { func, args } => {
            calls.push(*func);
            all(args, calls)
        }
        ExprKind::Intrinsic { op, args } => intrinsic_ok(*op) && all(args, calls),
        ExprKind::Index { list, indices } => expr_ok(list, calls) && all(indices, calls),
        ExprKind::ListLit(items) => all(items, calls),
        ExprKind::ListRepeat { items, count } => all(items, calls) && expr_ok(count, calls),
        ExprKind::FuncRef(_) | ExprKind::CallIndirect { .. } => false,
    }
}

/// What a native function reaches when it may also call byte code (see [`closure_calling`]).
#[derive(Debug, Default, PartialEq)]
pub struct Reach {
    /// Native specialisations to compile, the root included.
    pub native: Vec<FuncId>,
    /// Dynamic specialisations native code calls through the interpreter.
    pub byte_code: Vec<FuncId>,
}

/// As [`closure`], but a native function may also call a dynamic specialisation that
/// `byte_code_callable` allows, through the interpreter (native code calling byte code), when
/// that is safe whatever the byte code computes: only in statements that discard the result
/// (a dynamic function's result type is not known for certain, and a program that runs as
/// byte code must run the same mixed), and only with scalar or str arguments.
pub fn closure_calling(
    prog: &Program,
    native: &[bool],
    byte_code_callable: &[bool],
    root: FuncId,
) -> Option<Reach> {
    let mut seen = vec![false; prog.funcs.len()];
    let mut stack = vec![root];
    let mut out = Reach::default();
    while let Some(f) = stack.pop() {
        if std::mem::replace(seen.get_mut(f.index())?, true) {
            continue;
        }
        if f == prog.main || !native.get(f.index()).copied().unwrap_or(false) {
            return None;
        }
        let mut calls = Vec::new();
        let mut discarded = Vec::new();
        if !block_ok_discarding(&prog.func(f).body, &mut calls, &mut discarded) {
            return None;
        }
        for g in calls {
            if native.get(g.index()).copied().unwrap_or(false) {
                stack.push(g);
            } else {
                return None;
            }
        }
        for g in discarded {
            if native.get(g.index()).copied().unwrap_or(false) {
                stack.push(g);
            } else if byte_code_callable.get(g.index()).copied().unwrap_or(false)
                && g != prog.main
                && prog
                    .func(g)
                    .params
                    .iter()
                    .all(|p| is_boundary_type(&prog.func(g).locals[p.index()].ty))
            {
                if !out.byte_code.contains(&g) {
                    out.byte_code.push(g);
                }
            } else {
                return None;
            }
        }
        out.native.push(f);
    }
    Some(out)
}

/// As [`block_ok`], with the calls made by statements that discard their result (`f(x)` as
/// a statement, arguments themselves checked normally) kept apart in `discarded`.
fn block_ok_discarding(b: &Block, calls: &mut Vec<FuncId>, discarded: &mut Vec<FuncId>) -> bool {
    b.iter().all(|s| match &s.kind {
        StmtKind::Expr(Expr {
            kind: ExprKind::Call { func, args },
            ..
        }) => {
            discarded.push(*func);
            args.iter().all(|a| expr_ok(a, calls))
        }
        StmtKind::If {
            cond,
            then_body,
            else_body,
        } => {
            expr_ok(cond, calls)
                && block_ok_discarding(then_body, calls, discarded)
                && block_ok_discarding(else_body, calls, discarded)
        }
        StmtKind::While { cond, body } => {
            expr_ok(cond, calls) && block_ok_discarding(body, calls, discarded)
        }
        StmtKind::ForRange {
            var,
            start,
            stop,
            step,
            body,
        } => {
            var_ok(var)
                && expr_ok(start, calls)
                && expr_ok(stop, calls)
                && expr_ok(step, calls)
                && block_ok_discarding(body, calls, discarded)
        }
        StmtKind::ForList { var, list, body } => {
            var_ok(var) && expr_ok(list, calls) && block_ok_discarding(body, calls, discarded)
        }
        _ => stmt_ok(s, calls),
    })
}

/// As [`sub_program`], keeping also the signatures of the `byte_code` specialisations (their
/// bodies, incomplete, are dropped: the host JIT defines each as a call into the interpreter).
pub fn sub_program_calling(prog: &Program, keep: &[FuncId], byte_code: &[FuncId]) -> Program {
    let mut out = sub_program(prog, keep);
    for &g in byte_code {
        let orig = prog.func(g);
        let f = &mut out.funcs[g.index()];
        f.params = orig.params.clone();
        f.locals = orig.locals.clone();
        f.ret = orig.ret.clone();
        f.body = vec![Stmt {
            kind: StmtKind::Raise(epyc_tir::RtError::TypeError, None),
            pos: orig.pos,
        }];
    }
    out
}
