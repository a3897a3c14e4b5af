//! Index range facts for counted loops, used to version them (see `FnLowerer::while_loop`).
//!
//! A loop `while i <= n: ...; i += 1` (or `i < n`) whose counter `i` is only changed by that
//! final increment, whose bound `n` is a constant or an unchanged variable, and whose body has
//! no inner loop, runs its body with `i` in `i0 ..= last` (`last` = `n` or `n - 1`, `i0` the
//! value on entry). Every read or write `a[i + c]` (constant `c`) of a one-dimensional list
//! variable `a` the body does not reassign is then in range for all iterations iff
//! `i0 + min c >= 0` and `last + max c < len(a)` (list lengths never change). The lowering
//! tests that once before the loop and runs a copy of the body without those bounds checks
//! when it holds, the checked body otherwise, so errors still happen at the same iteration
//! and line.
//!
//! Only variables that live in SSA variables (locals, and module variables promoted into
//! `main`) qualify: a call in the body cannot change them.

use epyc_tir::{BinOp, CmpOp, Const, Expr, ExprKind, LocalOrGlobal, Place, Stmt, StmtKind, Ty};

/// Largest |c| in `a[i + c]` considered: keeps the pre-check arithmetic far from overflow.
const MAX_OFFSET: i32 = 1 << 20;

/// The loop bound `n` of `i <= n` / `i < n`.
#[derive(Clone, Copy, Debug)]
pub enum Bound {
    Const(i32),
    Var(LocalOrGlobal),
}

/// One list whose accesses in the loop are all `a[i + c]` with `c` in `min..=max`.
#[derive(Clone, Copy, Debug)]
pub struct ListRange {
    pub list: LocalOrGlobal,
    pub min: i32,
    pub max: i32,
}

/// A loop that can be versioned.
#[derive(Clone, Debug)]
pub struct CountedLoop {
    pub counter: LocalOrGlobal,
    pub bound: Bound,
    /// `i <= n` (true) or `i < n`.
    pub inclusive: bool,
    pub lists: Vec<ListRange>,
}

/// The counted-loop shape of `while cond: body`, if the body indexes some list by the
/// counter. `in_ssa` tells whether a variable lives in an SSA variable.
pub fn counted_while(
    cond: &Expr,
    body: &[Stmt],
    in_ssa: &dyn Fn(LocalOrGlobal) -> bool,
) -> Option<CountedLoop> {
    let ExprKind::Compare(op, lhs, rhs) = &cond.kind else {
        return None;
    };
    let inclusive = match op {
        CmpOp::Le => true,
        CmpOp::Lt => false,
        _ => return None,
    };
    let counter = int_var(lhs)?;
    let bound = match &rhs.kind {
        ExprKind::Const(Const::Int(n)) => Bound::Const(*n),
        ExprKind::Var(v) if rhs.ty == Ty::Int && *v != counter => Bound::Var(*v),
        _ => return None,
    };
    if !in_ssa(counter) {
        return None;
    }
    if let Bound::Var(v) = bound {
        if !in_ssa(v) {
            return None;
        }
    }
    let (last, rest) = body.split_last()?;
    if !is_increment(last, counter) {
        return None;
    }
    let mut scan = Scan {
        counter,
        assigned: Vec::new(),
        accesses: Vec::new(),
        ok: true,
    };
    rest.iter().for_each(|s| scan.stmt(s));
    if !scan.ok || scan.assigned.contains(&counter) {
        return None;
    }
    if let Bound::Var(v) = bound {
        if scan.assigned.contains(&v) {
            return None;
        }
    }
    let mut lists: Vec<ListRange> = Vec::new();
    for (list, c) in scan.accesses {
        if scan.assigned.contains(&list) || !in_ssa(list) {
            continue;
        }
        match lists.iter_mut().find(|r| r.list == list) {
            Some(r) => {
                r.min = r.min.min(c);
                r.max = r.max.max(c);
            }
            None => lists.push(ListRange {
                list,
                min: c,
                max: c,
            }),
        }
    }
    if lists.is_empty() {
        return None;
    }
    Some(CountedLoop {
        counter,
        bound,
        inclusive,
        lists,
    })
}

/// `list[counter + c]` on a one-dimensional list variable: `(list, c)`.
pub fn counter_access(
    list: &Expr,
    indices: &[Expr],
    counter: LocalOrGlobal,
) -> Option<(LocalOrGlobal, i32)> {
    let ExprKind::Var(l) = list.kind else {
        return None;
    };
    if !matches!(list.ty, Ty::List(_, 1)) {
        return None;
    }
    let [index] = indices else { return None };
    let c = counter_offset(index, counter)?;
    Some((l, c))
}

/// `counter`, `counter + c` or `counter - c` (int constant `c`, |c| <= MAX_OFFSET).
fn counter_offset(e: &Expr, counter: LocalOrGlobal) -> Option<i32> {
    if e.ty != Ty::Int {
        return None;
    }
    match &e.kind {
        ExprKind::Var(v) if *v == counter => Some(0),
        ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub), a, b) => {
            let ExprKind::Var(v) = a.kind else {
                return None;
            };
            let ExprKind::Const(Const::Int(c)) = b.kind else {
                return None;
            };
            if v != counter || a.ty != Ty::Int || !(-MAX_OFFSET..=MAX_OFFSET).contains(&c) {
                return None;
            }
            Some(if *op == BinOp::Add { c } else { -c })
        }
        _ => None,
    }
}

fn int_var(e: &Expr) -> Option<LocalOrGlobal> {
    match e.kind {
        ExprKind::Var(v) if e.ty == Ty::Int => Some(v),
        _ => None,
    }
}

/// `counter = counter + 1`.
fn is_increment(s: &Stmt, counter: LocalOrGlobal) -> bool {
    let StmtKind::Assign(Place::Var(v), value) = &s.kind else {
        return false;
    };
    *v == counter && counter_offset(value, counter) == Some(1)
}

/// Variables the body assigns and the counter-indexed accesses it makes; `ok` is false when
/// the body has a shape the range argument does not cover (an inner loop).
struct Scan {
    counter: LocalOrGlobal,
    assigned: Vec<LocalOrGlobal>,
    accesses: Vec<(LocalOrGlobal, i32)>,
    ok: bool,
}

impl Scan {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign(place, value) => {
                self.expr(value);
                match place {
                    Place::Var(v) => self.assigned.push(*v),
                    Place::Index { list, indices } => self.index(list, indices),
                }
            }
            StmtKind::Expr(e) | StmtKind::Print(e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                self.expr(cond);
                then_body.iter().for_each(|s| self.stmt(s));
                else_body.iter().for_each(|s| self.stmt(s));
            }
            StmtKind::While { .. } | StmtKind::ForRange { .. } | StmtKind::ForList { .. } => {
                self.ok = false
            }
            StmtKind::Raise(..)
            | StmtKind::Return(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Exit => {}
        }
    }

    fn index(&mut self, list: &Expr, indices: &[Expr]) {
        self.expr(list);
        indices.iter().for_each(|i| self.expr(i));
        if let Some(a) = counter_access(list, indices, self.counter) {
            self.accesses.push(a);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Index { list, indices } => self.index(list, indices),
            ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => {}
            ExprKind::Unary(_, a) | ExprKind::Convert(a) => self.expr(a),
            ExprKind::Binary(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::And(a, b)
            | ExprKind::Or(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Select {
                cond,
                then_value,
                else_value,
            } => {
                self.expr(cond);
                self.expr(then_value);
                self.expr(else_value);
            }
            ExprKind::Call { args, .. } | ExprKind::Intrinsic { args, .. } => {
                args.iter().for_each(|a| self.expr(a))
            }
            ExprKind::ListLit(items) => items.iter().for_each(|a| self.expr(a)),
            ExprKind::ListRepeat { items, count } => {
                items.iter().for_each(|a| self.expr(a));
                self.expr(count);
            }
            ExprKind::CallIndirect { callee, args, .. } => {
                self.expr(callee);
                args.iter().for_each(|a| self.expr(a));
            }
        }
    }
}
