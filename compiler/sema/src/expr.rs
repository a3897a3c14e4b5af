//! Expressions: name resolution, constants, explicit conversions and truthiness (D13);
//! operators are in `ops`, lists in `lists`, calls in `call`.

use crate::engine::{Engine, Stop, R, V};
use crate::func::{Fx, Var};
use crate::names::{case_twin, DefId};
use crate::ty::{Site, T};
use crate::webs::display;
use epyc_syntax::ast;
use epyc_tir::{Const, Expr, ExprKind, RtError, Ty};

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
        let mut known: Vec<String> = self
            .n
            .module_vars
            .iter()
            .filter(|n| !n.contains('#'))
            .cloned()
            .collect();
        known.extend(fx.local_names.iter().filter(|n| !n.contains('#')).cloned());
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
        let split = fx.use_name(site, name);
        let name = split.as_str();
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
                    let id = self.string(display(name));
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
                    let id = self.string(display(name));
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

    // ---- lists ---------------------------------------------------------------------------
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
