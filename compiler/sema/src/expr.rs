//! Expressions: names, constants, operators (§4 with deviations D2-D18, D26, D32-D34),
//! conversions, list literals and element reads.

use crate::engine::{Engine, Stop, R, V};
use crate::func::{Fx, Var};
use crate::names::{case_twin, DefId};
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{BinOp, CmpOp, Const, Expr, ExprKind, RtError, Ty, UnOp};

/// What a name denotes at a use.
pub enum Named {
    Var(Var),
    Func(DefId),
    Builtin(&'static str),
    Module(usize),
}

pub const BUILTINS: &[&str] = &[
    "range", "len", "str", "int", "float", "abs", "min", "max", "print", "exit", "quit", "input",
];

impl<'n> Engine<'n> {
    /// Resolves a name used in module `fx.module` (locals, module variables, functions bound
    /// in the module, builtins (D30), then functions of other loaded modules with a warning (D31)).
    pub fn resolve(&mut self, fx: &Fx, name: &str, site: Site) -> Option<Named> {
        if !fx.is_main && fx.local_names.contains(name) {
            return Some(Named::Var(Var::Local(name.to_string())));
        }
        if self.n.module_vars.contains(name) || self.global_ix.contains_key(name) {
            return Some(Named::Var(Var::Global(name.to_string())));
        }
        if let Some(&d) = self.n.visible.get(fx.module).and_then(|ns| ns.get(name)) {
            return Some(Named::Func(d));
        }
        if let Some(b) = BUILTINS.iter().find(|b| **b == name) {
            return Some(Named::Builtin(b));
        }
        if let Some(d) = self
            .n
            .defs
            .iter()
            .position(|d| d.name == name && d.module != self.n.prelude)
        {
            let m = &self.n.modules[self.n.defs[d].module].name;
            self.warn(site, format!(
                "'{name}' is defined in module '{m}' but not imported here; add `from {m} import {name}`"
            ));
            return Some(Named::Func(d as DefId));
        }
        self.n.module_index(name).map(Named::Module)
    }

    /// The error for an unknown name, naming a spelling that differs only in case (D27).
    pub fn unknown(&mut self, fx: &Fx, name: &str, site: Site, what: &str) -> Stop {
        let mut known: Vec<String> = self.n.module_vars.iter().cloned().collect();
        known.extend(fx.local_names.iter().cloned());
        known.extend(self.n.defs.iter().map(|d| d.name.clone()));
        known.extend(BUILTINS.iter().map(|b| b.to_string()));
        let mut msg = format!("Can not find {what} '{name}'");
        if let Some(t) = case_twin(name, known.iter()) {
            msg.push_str(&format!(
                "; did you mean '{t}'? (identifiers are case-sensitive: '{t}' and '{name}' are different names)"
            ));
        }
        self.error(site, msg)
    }

    pub fn expr(&mut self, fx: &mut Fx, e: &ast::Expr) -> R<V> {
        let site = fx.site(e);
        match e {
            ast::Expr::Constant(c) => self.constant(&c.value, site),
            ast::Expr::Name(n) => self.name(fx, n.id.as_str(), site),
            ast::Expr::BinOp(b) => {
                if b.op == ast::Operator::Mult {
                    if let ast::Expr::List(items) = &*b.left {
                        return self.list_repeat(fx, items, &b.right, site);
                    }
                }
                let l = self.expr(fx, &b.left)?;
                let r = self.expr(fx, &b.right)?;
                self.binop(fx, b.op, l, r, site, Some(e))
            }
            ast::Expr::UnaryOp(u) => self.unary(fx, u, site),
            ast::Expr::BoolOp(b) => self.boolop(fx, b, site, false),
            ast::Expr::Compare(c) => self.compare(fx, c, site),
            ast::Expr::IfExp(i) => {
                let cond = self.cond(fx, &i.test)?;
                fx.guarded += 1;
                let a = self.expr(fx, &i.body);
                let b = self.expr(fx, &i.orelse);
                fx.guarded -= 1;
                let (a, b) = (a?, b?);
                let t =
                    self.same_type(a.1, b.1, site, "the two values of a conditional expression")?;
                let ty = self.ty(t);
                let (a, b) = (self.coerce(a, t, site), self.coerce(b, t, site));
                let kind = ExprKind::Select {
                    cond: Box::new(cond),
                    then_value: Box::new(a),
                    else_value: Box::new(b),
                };
                Ok((self.mk(kind, ty, site), t))
            }
            ast::Expr::Call(c) => self.call(fx, c),
            ast::Expr::Subscript(_) => {
                let (list, class, indices) = self.index_parts(fx, e)?;
                let mut elem = self.lists.class(class).elem;
                if elem == T::Bottom && self.final_rounds {
                    elem = T::Int; // never written: the zeros of a new list
                }
                let ty = self.elem_ty(elem);
                Ok((
                    self.mk(
                        ExprKind::Index {
                            list: Box::new(list),
                            indices,
                        },
                        ty,
                        site,
                    ),
                    elem,
                ))
            }
            ast::Expr::List(l) => self.list_lit(fx, l, site),
            ast::Expr::Attribute(a) => {
                let ast::Expr::Name(m) = &*a.value else {
                    return Err(self.error(site, "attributes are not supported"));
                };
                match self.resolve(fx, m.id.as_str(), site) {
                    Some(Named::Module(mi)) => {
                        let saved = fx.module;
                        fx.module = mi;
                        let r = self.name(fx, a.attr.as_str(), site);
                        fx.module = saved;
                        r
                    }
                    _ => Err(self.error(site, "attributes are not supported")),
                }
            }
            ast::Expr::Tuple(_) => Err(self.error(site, "tuples are not supported")),
            _ => Err(self.error(site, "this expression is not supported by ePython")),
        }
    }

    fn constant(&mut self, c: &ast::Constant, site: Site) -> R<V> {
        Ok(match c {
            ast::Constant::None => (
                self.mk(ExprKind::Const(Const::None), Ty::None, site),
                T::None,
            ),
            ast::Constant::Bool(b) => (
                self.mk(ExprKind::Const(Const::Bool(*b)), Ty::Bool, site),
                T::Bool,
            ),
            ast::Constant::Int(i) => {
                let v: i64 = match i.to_string().parse::<i64>() {
                    Ok(v) => v,
                    Err(_) => return Err(self.error(site, "integer literal out of range")),
                };
                self.int_const(v, site)
            }
            ast::Constant::Float(f) => (
                self.mk(ExprKind::Const(Const::Float(*f as f32)), Ty::Float, site),
                T::Float,
            ),
            ast::Constant::Str(s) => {
                let id = self.string(s);
                (
                    self.mk(ExprKind::Const(Const::Str(id)), Ty::Str, site),
                    T::Str,
                )
            }
            _ => return Err(self.error(site, "this kind of constant is not supported")),
        })
    }

    /// An int literal (wrapping to 32 bits, as ePython's ints).
    pub fn int_const(&mut self, v: i64, site: Site) -> V {
        let w = v as i32;
        let t = if w >= 0 { T::IntNN } else { T::Int };
        (self.mk(ExprKind::Const(Const::Int(w)), Ty::Int, site), t)
    }

    /// A name read as a value.
    pub fn name(&mut self, fx: &mut Fx, name: &str, site: Site) -> R<V> {
        match name.to_ascii_lowercase().as_str() {
            "true" => {
                return Ok((
                    self.mk(ExprKind::Const(Const::Bool(true)), Ty::Bool, site),
                    T::Bool,
                ));
            }
            "false" => {
                return Ok((
                    self.mk(ExprKind::Const(Const::Bool(false)), Ty::Bool, site),
                    T::Bool,
                ))
            }
            "none" => {
                return Ok((
                    self.mk(ExprKind::Const(Const::None), Ty::None, site),
                    T::None,
                ))
            }
            _ => {}
        }
        match self.resolve(fx, name, site) {
            Some(Named::Var(v)) => {
                let tracked = match &v {
                    Var::Local(_) => true,
                    Var::Global(n) => fx.is_main && self.n.module_vars.contains(n),
                };
                if tracked && !fx.ma.contains(name) {
                    // Never assigned on any path to here (D21).
                    let anywhere = match &v {
                        Var::Local(_) => fx.local_names.contains(name),
                        Var::Global(_) => true,
                    };
                    if !anywhere {
                        return Err(self.unknown(fx, name, site, "variable or function"));
                    }
                    let id = self.string(name);
                    return Err(Stop::Raise(RtError::NameNotDefined, Some(id)));
                }
                if tracked && !fx.da.contains(name) {
                    // Assigned on some paths only: checked at run time (D21).
                    fx.need_check.insert(name.to_string());
                    if fx.guarded == 0 {
                        fx.pending.push((name.to_string(), site));
                    }
                }
                let t = self.var_t(fx, &v);
                if t == T::Bottom && self.final_rounds {
                    // No assignment ever gives it a value: reading it is reading an
                    // unassigned name.
                    let id = self.string(name);
                    return Err(Stop::Raise(RtError::NameNotDefined, Some(id)));
                }
                if let T::StrK(k) = t {
                    // A parameter specialised for a string constant: use the constant.
                    let text = self.const_strs[k as usize].clone();
                    let id = self.string(&text);
                    return Ok((
                        self.mk(ExprKind::Const(Const::Str(id)), Ty::Str, site),
                        T::Str,
                    ));
                }
                if let T::IntK(k) = t {
                    // A parameter specialised for a constant: use the constant.
                    return Ok((
                        self.mk(ExprKind::Const(Const::Int(k)), Ty::Int, site),
                        T::IntNN,
                    ));
                }
                let r = self.var_ref(fx, &v);
                if let T::Fn(d) = t {
                    let id = self.value_func(d);
                    return Ok((self.mk(ExprKind::Var(r), Ty::Func(id), site), t));
                }
                let ty = self.ty(t);
                Ok((self.mk(ExprKind::Var(r), ty, site), t))
            }
            Some(Named::Func(d)) => Ok(self.func_ref(d, site)),
            Some(Named::Builtin(b)) => {
                Err(self.error(site, format!("the builtin '{b}' cannot be used as a value")))
            }
            Some(Named::Module(_)) => {
                Err(self.error(site, format!("module '{name}' cannot be used as a value")))
            }
            None => Err(self.unknown(fx, name, site, "variable or function")),
        }
    }

    pub fn func_ref(&mut self, d: DefId, site: Site) -> V {
        let id = self.value_func(d);
        (self.mk(ExprKind::FuncRef(id), Ty::Func(id), site), T::Fn(d))
    }

    // ---- conversions ---------------------------------------------------------------------

    /// Converts a value to type `to` with explicit TIR conversions (the TIR invariant).
    pub fn coerce(&mut self, v: V, to: T, site: Site) -> Expr {
        let (e, t) = v;
        if t.stored() == to.stored() || t == T::Bottom || to == T::Bottom {
            return e;
        }
        match (t, to) {
            (T::Int | T::IntNN | T::IntK(_) | T::Bool, T::Float) => {
                if let ExprKind::Const(Const::Int(i)) = e.kind {
                    return self.mk(ExprKind::Const(Const::Float(i as f32)), Ty::Float, site);
                }
                self.convert(e, Ty::Float)
            }
            (T::Bool, T::Int | T::IntNN | T::IntK(_)) => self.convert(e, Ty::Int),
            (T::Fn(d), T::AnyFunc) => {
                let id = self.value_func(d);
                self.mk(ExprKind::FuncRef(id), Ty::AnyFunc, site)
            }
            (_, T::Bool) => self.truth((e, t), site),
            (_, T::Str) => self.convert(e, Ty::Str),
            _ => e,
        }
    }

    pub fn convert(&self, e: Expr, ty: Ty) -> Expr {
        let pos = e.pos;
        Expr {
            kind: ExprKind::Convert(Box::new(e)),
            ty,
            pos,
        }
    }

    /// Python truthiness (D13) as an explicit Bool.
    pub fn truth(&mut self, v: V, site: Site) -> Expr {
        match v.1 {
            T::Bool => v.0,
            T::None => self.mk(ExprKind::Const(Const::Bool(false)), Ty::Bool, site),
            T::Fn(_) | T::AnyFunc => self.mk(ExprKind::Const(Const::Bool(true)), Ty::Bool, site),
            _ => match v.0.kind {
                ExprKind::Const(Const::Int(i)) => {
                    self.mk(ExprKind::Const(Const::Bool(i != 0)), Ty::Bool, site)
                }
                _ => self.convert(v.0, Ty::Bool),
            },
        }
    }

    /// A condition (`if`, `while`, `not`, `and`/`or` operands in condition position).
    pub fn cond(&mut self, fx: &mut Fx, e: &ast::Expr) -> R<Expr> {
        let site = fx.site(e);
        match e {
            ast::Expr::BoolOp(b) => Ok(self.boolop(fx, b, site, true)?.0),
            ast::Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
                let c = self.cond(fx, &u.operand)?;
                Ok(self.not(c, site))
            }
            _ => {
                let v = self.expr(fx, e)?;
                Ok(self.truth(v, site))
            }
        }
    }

    fn not(&mut self, c: Expr, site: Site) -> Expr {
        if let ExprKind::Const(Const::Bool(b)) = c.kind {
            return self.mk(ExprKind::Const(Const::Bool(!b)), Ty::Bool, site);
        }
        self.mk(ExprKind::Unary(UnOp::Not, Box::new(c)), Ty::Bool, site)
    }

    /// The common type of two values that must have one (numbers do not mix silently: an int
    /// or a float in one place prints differently).
    pub fn same_type(&mut self, a: T, b: T, site: Site, what: &str) -> R<T> {
        match self.join(a.stored(), b.stored()) {
            Ok(t) => Ok(t),
            Err(why) => Err(self.error(
                site,
                format!("{what} have different types: {why} (dynamic)"),
            )),
        }
    }

    // ---- operators -----------------------------------------------------------------------

    /// The arithmetic type of two numeric operands (bool counts as int, D14).
    fn num_join(a: T, b: T) -> Option<T> {
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

    fn unary(&mut self, fx: &mut Fx, u: &ast::ExprUnaryOp, site: Site) -> R<V> {
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
    fn compare(&mut self, fx: &mut Fx, c: &ast::ExprCompare, site: Site) -> R<V> {
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

    fn compare_one(&mut self, op: ast::CmpOp, l: V, r: V, site: Site) -> R<Expr> {
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

    // ---- lists ---------------------------------------------------------------------------

    fn list_items(&mut self, fx: &mut Fx, l: &ast::ExprList, site: Site) -> R<(u32, Vec<V>)> {
        let class = self.lists.at_site(site, 1, &fx.ctx);
        let mut items = vec![];
        for e in &l.elts {
            items.push(self.expr(fx, e)?);
        }
        let has_int = items.iter().any(|v| v.1.is_intlike());
        let has_float = items.iter().any(|v| v.1 == T::Float);
        if has_int && has_float {
            self.lists
                .writes
                .entry(class)
                .or_default()
                .mixed_literal
                .get_or_insert(site);
        }
        for v in &items {
            let is_const = matches!(v.0.kind, ExprKind::Const(Const::Int(_)));
            if let Err(why) = self.lists.write(class, v.1, is_const, site) {
                let msg = format!("a list cannot hold {why} (a list of mixed kinds is dynamic)");
                return Err(self.error(site, msg));
            }
        }
        let class = self.lists.find(class);
        Ok((class, items))
    }

    fn coerce_items(&mut self, class: u32, items: Vec<V>, site: Site) -> Vec<Expr> {
        let elem = self.lists.class(class).elem;
        items
            .into_iter()
            .map(|v| self.coerce(v, elem, site))
            .collect()
    }

    fn list_lit(&mut self, fx: &mut Fx, l: &ast::ExprList, site: Site) -> R<V> {
        let (class, items) = self.list_items(fx, l, site)?;
        let items = self.coerce_items(class, items, site);
        let ty = self.ty(T::List(class));
        Ok((self.mk(ExprKind::ListLit(items), ty, site), T::List(class)))
    }

    /// `[a, b] * n`: the literal repeated (no intermediate list).
    fn list_repeat(
        &mut self,
        fx: &mut Fx,
        l: &ast::ExprList,
        count: &ast::Expr,
        site: Site,
    ) -> R<V> {
        let (class, items) = self.list_items(fx, l, site)?;
        let count = self.expr(fx, count)?;
        let items = self.coerce_items(class, items, site);
        if !(count.1.is_intlike() || count.1 == T::Bool || count.1 == T::Bottom) {
            let n = self.tname(count.1);
            return Err(self.error(
                site,
                format!("a list can only be repeated by an int, not {n}"),
            ));
        }
        let count = self.coerce(count, T::Int, site);
        let ty = self.ty(T::List(class));
        Ok((
            self.mk(
                ExprKind::ListRepeat {
                    items,
                    count: Box::new(count),
                },
                ty,
                site,
            ),
            T::List(class),
        ))
    }

    /// `a[i][j]...` as (list, its class, indices): one index per dimension.
    pub fn index_parts(&mut self, fx: &mut Fx, e: &ast::Expr) -> R<(Expr, u32, Vec<Expr>)> {
        let site = fx.site(e);
        let mut idx_ast = vec![];
        let mut base = e;
        while let ast::Expr::Subscript(s) = base {
            idx_ast.push(&*s.slice);
            base = &s.value;
        }
        idx_ast.reverse();
        let mut list = self.expr(fx, base)?;
        let mut rest = &idx_ast[..];
        loop {
            let T::List(class) = list.1 else {
                if list.1 == T::Bottom {
                    return Err(Stop::Error);
                }
                let n = self.tname(list.1);
                return Err(self.error(site, format!("{} cannot be indexed", article_cap(&n))));
            };
            // An array takes one index per dimension; a list of lists one per level.
            let ndim = self.lists.class(class).ndim as usize;
            if rest.len() < ndim {
                return Err(self.error(site, format!(
                    "this list has {ndim} dimension(s) and is indexed with {} index(es); use one index per dimension",
                    rest.len()
                )));
            }
            let mut indices = vec![];
            for i in &rest[..ndim] {
                if let ast::Expr::Slice(_) = i {
                    return Err(self.error(site, "slices are not supported in ePython"));
                }
                let v = self.expr(fx, i)?;
                if !(v.1.is_intlike() || v.1 == T::Bool || v.1 == T::Bottom) {
                    let n = self.tname(v.1);
                    return Err(self.error(site, format!("list indices must be ints, not {n}")));
                }
                indices.push(self.coerce(v, T::Int, site));
            }
            rest = &rest[ndim..];
            let class = self.lists.find(class);
            if rest.is_empty() {
                return Ok((list.0, class, indices));
            }
            let elem = self.lists.class(class).elem;
            let ty = self.elem_ty(elem);
            let read = self.mk(
                ExprKind::Index {
                    list: Box::new(list.0),
                    indices,
                },
                ty,
                site,
            );
            list = (read, elem);
        }
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

/// "an int", "a str": a type name with its article.
pub fn article(name: &str) -> String {
    let vowel = name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {name}", if vowel { "an" } else { "a" })
}

/// As [`article`], capitalised (starting a message).
pub fn article_cap(name: &str) -> String {
    let s = article(name);
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
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
