//! A list element carried in a register from one iteration to the next (scalar replacement,
//! as GCC's predictive commoning), in the unchecked copy of a versioned counted loop (see
//! [`crate::ranges`]):
//!
//! ```text
//!   while i <= n:
//!       a[i + c] = ... a[i + c - 1] ...      # listing 5: data[i] = ... data[i-1] ...
//!       i += 1
//! ```
//!
//! The element `a[i + c - 1]` an iteration reads is the one the previous iteration stored into
//! `a[i + c]`, so it lives in an SSA variable across the back edge instead of going through
//! memory: the store-to-load round trip (~5 cycles on x86) leaves the loop's critical path.
//!
//! That is sound when the store is the only memory write of the body and runs on every
//! iteration: a top-level statement of the body, no other element store (another list
//! variable may be the same list), no call (a called function may write any list), and no
//! `continue` (which would skip it). Only reads lowered before the store (program order, the
//! body has no inner loop) take the carried value; a read after it in the same iteration
//! would mean the element before the one just stored, and loads it. The first iteration's
//! value is loaded before the loop; that access is in range, as the versioning pre-check
//! covers every counter-indexed access of `a` at the first counter value.

use crate::ranges::{counter_access, CountedLoop};
use epyc_tir::{Expr, ExprKind, LocalOrGlobal, Place, Stmt, StmtKind, Ty};

/// The carried element of a counted loop.
#[derive(Clone, Debug)]
pub struct CarriedElement {
    /// The list variable `a` (its range is in the loop's pre-check).
    pub list: LocalOrGlobal,
    /// The list's type.
    pub list_ty: Ty,
    /// `c` of the store `a[i + c] = ...`; the carried read is `a[i + c - 1]`.
    pub store_offset: i32,
}

/// The element `body` (a counted loop's, ending with the increment) can carry, if any.
pub fn carried_element(counted: &CountedLoop, body: &[Stmt]) -> Option<CarriedElement> {
    let mut scan = Writes::default();
    body.iter().for_each(|s| scan.stmt(s));
    if scan.blocked || scan.stores != 1 {
        return None;
    }
    let counter = counted.counter;
    let (at, list_expr, offset) = body.iter().enumerate().find_map(|(k, s)| match &s.kind {
        StmtKind::Assign(Place::Index { list, indices }, _) => {
            let (l, c) = counter_access(list, indices, counter)?;
            Some((k, list, (l, c)))
        }
        _ => None,
    })?;
    let (list, store_offset) = offset;
    if !counted.lists.iter().any(|r| r.list == list) {
        return None;
    }
    let read = (list, store_offset.checked_sub(1)?);
    let mut reads = Reads {
        counter,
        read,
        found: false,
    };
    body[..=at].iter().for_each(|s| reads.stmt(s));
    reads.found.then(|| CarriedElement {
        list,
        list_ty: list_expr.ty.clone(),
        store_offset,
    })
}

/// Memory writes of a loop body: element stores counted, anything that blocks carrying
/// (a call, a `continue`) flagged.
#[derive(Default)]
struct Writes {
    stores: usize,
    blocked: bool,
}

impl Writes {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign(place, value) => {
                self.expr(value);
                if let Place::Index { list, indices } = place {
                    self.stores += 1;
                    self.expr(list);
                    indices.iter().for_each(|i| self.expr(i));
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
            StmtKind::While { .. }
            | StmtKind::ForRange { .. }
            | StmtKind::ForList { .. }
            | StmtKind::Continue => self.blocked = true,
            StmtKind::Raise(..) | StmtKind::Return(None) | StmtKind::Break | StmtKind::Exit => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        if matches!(
            e.kind,
            ExprKind::Call { .. } | ExprKind::CallIndirect { .. }
        ) {
            self.blocked = true;
        }
        sub_exprs(e, &mut |x| self.expr(x));
    }
}

/// Whether statements read `a[counter + c]` for the carried `(a, c)`.
struct Reads {
    counter: LocalOrGlobal,
    read: (LocalOrGlobal, i32),
    found: bool,
}

impl Reads {
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign(place, value) => {
                self.expr(value);
                if let Place::Index { list, indices } = place {
                    self.expr(list);
                    indices.iter().for_each(|i| self.expr(i));
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
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        if let ExprKind::Index { list, indices } = &e.kind {
            if counter_access(list, indices, self.counter) == Some(self.read) {
                self.found = true;
            }
        }
        sub_exprs(e, &mut |x| self.expr(x));
    }
}

/// Calls `f` on each direct operand of `e`.
fn sub_exprs(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Var(_) | ExprKind::FuncRef(_) => {}
        ExprKind::Unary(_, a) | ExprKind::Convert(a) => f(a),
        ExprKind::Binary(_, a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b) => {
            f(a);
            f(b);
        }
        ExprKind::Select {
            cond,
            then_value,
            else_value,
        } => {
            f(cond);
            f(then_value);
            f(else_value);
        }
        ExprKind::Call { args, .. } | ExprKind::Intrinsic { args, .. } => args.iter().for_each(f),
        ExprKind::Index { list, indices } => {
            f(list);
            indices.iter().for_each(f);
        }
        ExprKind::ListLit(items) => items.iter().for_each(f),
        ExprKind::ListRepeat { items, count } => {
            items.iter().for_each(&mut *f);
            f(count);
        }
        ExprKind::CallIndirect { callee, args, .. } => {
            f(callee);
            args.iter().for_each(f);
        }
    }
}
