//! Operators (§4 with deviations D2-D14): arithmetic, string concatenation and repetition,
//! unary operators, short-circuit `and`/`or`, chained comparisons; int constants fold.

use crate::engine::{Engine, R, V};
use crate::func::Fx;
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{BinOp, CmpOp, Const, Expr, ExprKind, Ty, UnOp};

impl<'n> Engine<'n> {
    /// The arithmetic type of two numeric operands (bool counts as int, D14).
    pub fn num_join(a: T, b: T) -> Option<T> {
        match (a, b) {
            (T::Bottom, _) | (_, T::Bottom) => Some(T::Bottom),
            (T::Float, x) | (x, T::Float) if x.is_numeric() => Some(T::Float),
            (x, y) if x.is_numeric() && y.is_numeric() => Some(T::Int),
            _ => None,
        }
    }

    pub fn binop(
        &mut self,
        _fx: &mut Fx,
        op: ast::Operator,
        l: V,
        r: V,
        site: Site,
        _node: Option<&ast::Expr>,
    ) -> R<V> {
        use ast::Operator as O;
        let (lt, rt) = (l.1, r.1);
        if op == O::Add && (lt == T::Str || rt == T::Str) {
            // ePython's string concatenation converts the other operand (§4.3).
            let (a, b) = (self.coerce(l, T::Str, site), self.coerce(r, T::Str, site));
            return Ok((
                self.mk(
                    ExprKind::Binary(BinOp::Concat, Box::new(a), Box::new(b)),
                    Ty::Str,
                    site,
                ),
                T::Str,
            ));
        }
        if op == O::Mult && (lt == T::Str || rt == T::Str) {
            let (s, n) = if lt == T::Str { (l, r) } else { (r, l) };
            if !(n.1.is_intlike() || n.1 == T::Bool) {
                return Err(self.error(site, "a string can only be repeated by an int"));
            }
            let n = self.coerce(n, T::Int, site);
            return Ok((
                self.mk(
                    ExprKind::Binary(BinOp::Repeat, Box::new(s.0), Box::new(n)),
                    Ty::Str,
                    site,
                ),
                T::Str,
            ));
        }
        let Some(mut t) = Self::num_join(lt, rt) else {
            let (a, b) = (self.tname(lt), self.tname(rt));
            return Err(self.error(
                site,
                format!("unsupported operand types for {}: {a} and {b}", op_name(op)),
            ));
        };
        let bop = match op {
            O::Add => BinOp::Add,
            O::Sub => BinOp::Sub,
            O::Mult => BinOp::Mul,
            O::Div => BinOp::Div,
            O::FloorDiv => BinOp::FloorDiv,
            O::Mod => BinOp::Mod,
            O::Pow => {
                // int ** int is an int only when the exponent is known non-negative (D8).
                if t == T::Int && !rt.is_nonneg() {
                    t = T::Float;
                }
                BinOp::Pow
            }
            _ => {
                return Err(self.error(
                    site,
                    format!("operator {} does not exist in ePython", op_name(op)),
                ))
            }
        };
        if t == T::Bottom {
            let ty = if lt == T::Bottom {
                r.0.ty.clone()
            } else {
                l.0.ty.clone()
            };
            return Ok((
                self.mk(
                    ExprKind::Binary(bop, Box::new(l.0), Box::new(r.0)),
                    ty,
                    site,
                ),
                T::Bottom,
            ));
        }
        let ty = self.ty(t);
        let (a, b) = (self.coerce(l, t, site), self.coerce(r, t, site));
        if let (ExprKind::Const(Const::Int(x)), ExprKind::Const(Const::Int(y))) = (&a.kind, &b.kind)
        {
            if let Some(v) = fold_int(bop, *x, *y) {
                // Folded, so `2 ** 3 ** 2` knows its exponent 9 is non-negative.
                return Ok(self.int_const(v as i64, site));
            }
        }
        Ok((
            self.mk(ExprKind::Binary(bop, Box::new(a), Box::new(b)), ty, site),
            t,
        ))
    }

    pub fn unary(&mut self, fx: &mut Fx, u: &ast::ExprUnaryOp, site: Site) -> R<V> {
        match u.op {
            ast::UnaryOp::Not => {
                let c = self.cond(fx, &u.operand)?;
                Ok((self.not(c, site), T::Bool))
            }
            ast::UnaryOp::USub => {
                if let ast::Expr::Constant(c) = &*u.operand {
                    match &c.value {
                        ast::Constant::Int(i) => {
                            if let Ok(v) = i.to_string().parse::<i64>() {
                                return Ok(self.int_const(-v, site));
                            }
                        }
                        ast::Constant::Float(f) => {
                            return Ok((
                                self.mk(ExprKind::Const(Const::Float(-*f as f32)), Ty::Float, site),
                                T::Float,
                            ));
                        }
                        _ => {}
                    }
                }
                let v = self.expr(fx, &u.operand)?;
                let t = match v.1 {
                    T::Float => T::Float,
                    T::Bottom => T::Bottom,
                    x if x.is_numeric() => T::Int,
                    x => {
                        let n = self.tname(x);
                        return Err(self.error(site, format!("bad operand type for unary -: {n}")));
                    }
                };
                let ty = self.ty(t);
                let e = self.coerce(v, t, site);
                Ok((
                    self.mk(ExprKind::Unary(UnOp::Neg, Box::new(e)), ty, site),
                    t,
                ))
            }
            ast::UnaryOp::UAdd => {
                let v = self.expr(fx, &u.operand)?;
                if v.1 == T::Bool {
                    return Ok((self.coerce(v, T::Int, site), T::Int));
                }
                Ok(v)
            }
            ast::UnaryOp::Invert => Err(self.error(site, "operator ~ does not exist in ePython")),
        }
    }

    /// `and`/`or`: short-circuit (D11/D12). In condition position every operand is a Bool;
    /// as a value the operands must share one type (Python returns an operand).
    pub fn boolop(&mut self, fx: &mut Fx, b: &ast::ExprBoolOp, site: Site, in_cond: bool) -> R<V> {
        let mut acc: Option<V> = None;
        for (k, item) in b.values.iter().enumerate() {
            fx.guarded += u32::from(k > 0);
            let v = if in_cond {
                self.cond(fx, item).map(|c| (c, T::Bool))
            } else {
                self.expr(fx, item)
            };
            fx.guarded -= u32::from(k > 0);
            let v = v?;
            acc = Some(match acc {
                None => v,
                Some(a) => {
                    let t = self.same_type(a.1, v.1, site, "the operands of and/or")?;
                    let ty = self.ty(t);
                    let (x, y) = (self.coerce(a, t, site), self.coerce(v, t, site));
                    let kind = if b.op == ast::BoolOp::And {
                        ExprKind::And(Box::new(x), Box::new(y))
                    } else {
                        ExprKind::Or(Box::new(x), Box::new(y))
                    };
                    (self.mk(kind, ty, site), t)
                }
            });
        }
        acc.ok_or_else(|| self.error(site, "empty boolean operation"))
    }

    /// Comparisons, chained as Python (D10).
    pub fn compare(&mut self, fx: &mut Fx, c: &ast::ExprCompare, site: Site) -> R<V> {
        let mut left = self.expr(fx, &c.left)?;
        let mut acc: Option<Expr> = None;
        for (k, (op, right)) in c.ops.iter().zip(&c.comparators).enumerate() {
            fx.guarded += u32::from(k > 0);
            let r = self.expr(fx, right);
            fx.guarded -= u32::from(k > 0);
            let r = r?;
            let one = self.compare_one(*op, left, r.clone(), site)?;
            acc = Some(match acc {
                None => one,
                Some(a) => self.mk(ExprKind::And(Box::new(a), Box::new(one)), Ty::Bool, site),
            });
            left = r;
        }
        Ok((
            acc.ok_or_else(|| self.error(site, "empty comparison"))?,
            T::Bool,
        ))
    }

    pub fn compare_one(&mut self, op: ast::CmpOp, l: V, r: V, site: Site) -> R<Expr> {
        use ast::CmpOp as C;
        let cop = match op {
            C::Eq => CmpOp::Eq,
            C::NotEq => CmpOp::Ne,
            C::Lt => CmpOp::Lt,
            C::LtE => CmpOp::Le,
            C::Gt => CmpOp::Gt,
            C::GtE => CmpOp::Ge,
            C::Is => CmpOp::Is,
            C::IsNot => CmpOp::IsNot,
            C::In | C::NotIn => return Err(self.error(site, "`in` is not supported in ePython")),
        };
        let equality = matches!(cop, CmpOp::Eq | CmpOp::Is | CmpOp::Ne | CmpOp::IsNot);
        let positive = matches!(cop, CmpOp::Eq | CmpOp::Is);
        let konst = |e: &mut Self, b: bool| e.mk(ExprKind::Const(Const::Bool(b)), Ty::Bool, site);
        let (lt, rt) = (l.1.stored(), r.1.stored());
        if lt == T::Bottom || rt == T::Bottom {
            return Ok(self.mk(
                ExprKind::Compare(cop, Box::new(l.0), Box::new(r.0)),
                Ty::Bool,
                site,
            ));
        }
        // none, and values of different kinds: decided by the types alone.
        if lt == T::None || rt == T::None {
            if !equality {
                return Err(self.error(site, "none can only be compared with ==, !=, is, is not"));
            }
            let same = lt == rt;
            return Ok(konst(self, same == positive));
        }
        let t = if let Some(n) = Self::num_join(lt, rt) {
            if lt == T::Bool && rt == T::Bool {
                T::Bool
            } else {
                n
            }
        } else if lt == T::Str && rt == T::Str {
            T::Str
        } else if equality && !matches!((lt, rt), (T::List(_), T::List(_))) {
            return Ok(konst(self, !positive));
        } else {
            let (a, b) = (self.tname(lt), self.tname(rt));
            return Err(self.error(site, format!("cannot compare {a} and {b}")));
        };
        let (a, b) = (self.coerce(l, t, site), self.coerce(r, t, site));
        if let (ExprKind::Const(Const::Str(x)), ExprKind::Const(Const::Str(y))) = (&a.kind, &b.kind)
        {
            // Two string constants (e.g. a parameter specialised for "sum"): decided here.
            let (x, y) = (
                self.strings[x.index()].as_bytes(),
                self.strings[y.index()].as_bytes(),
            );
            let v = match cop {
                CmpOp::Eq | CmpOp::Is => x == y,
                CmpOp::Ne | CmpOp::IsNot => x != y,
                CmpOp::Lt => x < y,
                CmpOp::Le => x <= y,
                CmpOp::Gt => x > y,
                CmpOp::Ge => x >= y,
            };
            return Ok(konst(self, v));
        }
        Ok(self.mk(
            ExprKind::Compare(cop, Box::new(a), Box::new(b)),
            Ty::Bool,
            site,
        ))
    }

    pub fn not(&mut self, c: Expr, site: Site) -> Expr {
        if let ExprKind::Const(Const::Bool(b)) = c.kind {
            return self.mk(ExprKind::Const(Const::Bool(!b)), Ty::Bool, site);
        }
        self.mk(ExprKind::Unary(UnOp::Not, Box::new(c)), Ty::Bool, site)
    }
}

/// Int arithmetic on constants with the run-time semantics (32-bit wrap, floor division and
/// Python modulo); `None` where the operation must happen at run time (division by zero).
fn fold_int(op: BinOp, x: i32, y: i32) -> Option<i32> {
    Some(match op {
        BinOp::Add => x.wrapping_add(y),
        BinOp::Sub => x.wrapping_sub(y),
        BinOp::Mul => x.wrapping_mul(y),
        BinOp::Div | BinOp::FloorDiv if y != 0 => {
            let q = x.wrapping_div(y);
            if (x % y != 0) && ((x < 0) != (y < 0)) {
                q.wrapping_sub(1)
            } else {
                q
            }
        }
        BinOp::Mod if y != 0 => {
            let r = x.wrapping_rem(y);
            if r != 0 && ((r < 0) != (y < 0)) {
                r.wrapping_add(y)
            } else {
                r
            }
        }
        BinOp::Pow if y >= 0 => x.wrapping_pow(y as u32),
        _ => return None,
    })
}

fn op_name(op: ast::Operator) -> &'static str {
    use ast::Operator as O;
    match op {
        O::Add => "+",
        O::Sub => "-",
        O::Mult => "*",
        O::Div => "/",
        O::FloorDiv => "//",
        O::Mod => "%",
        O::Pow => "**",
        O::MatMult => "@",
        O::LShift => "<<",
        O::RShift => ">>",
        O::BitOr => "|",
        O::BitXor => "^ (xor)",
        O::BitAnd => "&",
    }
}
