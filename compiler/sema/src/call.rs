//! Calls: user functions (one specialisation per argument-type signature), function values
//! (`h = f; h(3)` statically; `AnyFunc` values through `CallIndirect`), Python builtins (D30)
//! and statement-only calls (`print`, `exit`); native calls are in `native_call`.

use crate::engine::{Engine, SpecKey, Stop, R, V};
use crate::expr::{article, Named};
use crate::func::{Fx, Var};
use crate::names::DefId;
use crate::natives::{self, Native, NATIVE_PREFIX};
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{Block, Const, Expr, ExprKind, Intrinsic, RtError, StmtKind, Ty};

/// Longest chain of call sites that tells lists of a factory function apart.
const MAX_CTX: usize = 4;

impl<'n> Engine<'n> {
    /// Calls that are statements: `print`, `exit()`/`quit()`, `native rtl_print`, no-op
    /// natives. Returns false if `c` is an ordinary call.
    pub fn statement_call(&mut self, fx: &mut Fx, c: &ast::ExprCall, out: &mut Block) -> R<bool> {
        let site = fx.site(c);
        let ast::Expr::Name(n) = &*c.func else {
            return Ok(false);
        };
        let name = n.id.as_str();
        let native = name.strip_prefix(NATIVE_PREFIX).and_then(natives::native);
        let is_builtin = |e: &mut Self, fx: &Fx, b: &str| {
            name == b && matches!(e.resolve(fx, name, site), Some(Named::Builtin(_)))
        };
        if is_builtin(self, fx, "print") || native == Some(Native::Print) {
            let mut parts = vec![];
            for a in &c.args {
                parts.push(self.expr(fx, a)?);
            }
            let value = match parts.len() {
                0 => {
                    let id = self.string("");
                    self.mk(ExprKind::Const(Const::Str(id)), Ty::Str, site)
                }
                1 => parts
                    .pop()
                    .map(|v| v.0)
                    .unwrap_or_else(|| unreachable_expr(self, site)),
                _ => {
                    // print(a, b): Python 3 joins with spaces.
                    let space = self.string(" ");
                    let mut acc: Option<Expr> = None;
                    for v in parts {
                        let s = self.coerce(v, T::Str, site);
                        acc = Some(match acc {
                            None => s,
                            Some(a) => {
                                let sp = self.mk(ExprKind::Const(Const::Str(space)), Ty::Str, site);
                                let a = self.mk(
                                    ExprKind::Binary(
                                        epyc_tir::BinOp::Concat,
                                        Box::new(a),
                                        Box::new(sp),
                                    ),
                                    Ty::Str,
                                    site,
                                );
                                self.mk(
                                    ExprKind::Binary(
                                        epyc_tir::BinOp::Concat,
                                        Box::new(a),
                                        Box::new(s),
                                    ),
                                    Ty::Str,
                                    site,
                                )
                            }
                        });
                    }
                    acc.unwrap_or_else(|| unreachable_expr(self, site))
                }
            };
            out.push(epyc_tir::Stmt {
                kind: StmtKind::Print(value),
                pos: self.pos(site),
            });
            return Ok(true);
        }
        if is_builtin(self, fx, "exit") || is_builtin(self, fx, "quit") {
            out.push(epyc_tir::Stmt {
                kind: StmtKind::Exit,
                pos: self.pos(site),
            });
            fx.reachable = false;
            return Ok(true);
        }
        if native == Some(Native::NoOp) {
            for a in &c.args {
                self.expr(fx, a)?;
            }
            return Ok(true);
        }
        Ok(false)
    }

    pub fn call(&mut self, fx: &mut Fx, c: &ast::ExprCall) -> R<V> {
        let site = fx.site(c);
        if !c.keywords.is_empty() {
            return Err(self.error(site, "keyword arguments are not supported in ePython"));
        }
        let named = match &*c.func {
            ast::Expr::Name(n) => {
                let name = n.id.as_str();
                if let Some(native) = name.strip_prefix(NATIVE_PREFIX) {
                    return self.native(fx, native, &c.args, site);
                }
                if name == "__raise_range_step_zero" {
                    return Err(Stop::Raise(RtError::RangeStepZero, None));
                }
                match self.resolve(fx, name, site) {
                    Some(n) => n,
                    None => return Err(self.unknown(fx, name, site, "function")),
                }
            }
            ast::Expr::Attribute(a) => {
                let ast::Expr::Name(m) = &*a.value else {
                    return Err(self.error(site, "only functions can be called"));
                };
                let Some(Named::Module(mi)) = self.resolve(fx, m.id.as_str(), site) else {
                    return Err(self.error(site, "methods are not supported in ePython"));
                };
                let saved = fx.module;
                fx.module = mi;
                let r = self.resolve(fx, a.attr.as_str(), site);
                fx.module = saved;
                match r {
                    Some(n) => n,
                    None => return Err(self.unknown(fx, a.attr.as_str(), site, "function")),
                }
            }
            _ => return Err(self.error(site, "only named functions can be called")),
        };
        match named {
            Named::Func(d) => {
                let args = self.args(fx, &c.args)?;
                self.direct_call(fx, d, args, site)
            }
            Named::Builtin(b) => self.builtin(fx, b, &c.args, site),
            Named::Var(v) => self.call_value(fx, v, &c.args, site),
            Named::Module(_) => Err(self.error(site, "a module cannot be called")),
        }
    }

    pub fn args(&mut self, fx: &mut Fx, args: &[ast::Expr]) -> R<Vec<V>> {
        let mut out = vec![];
        for a in args {
            if let ast::Expr::Starred(_) = a {
                return Err(self.error(fx.site(a), "*args is not supported in ePython"));
            }
            out.push(self.expr(fx, a)?);
        }
        Ok(out)
    }

    /// A call of definition `d`: missing arguments take their defaults; the specialisation
    /// is keyed by every argument's type (defaults included, e.g. `bnorm=none`).
    pub fn direct_call(&mut self, fx: &mut Fx, d: DefId, mut args: Vec<V>, site: Site) -> R<V> {
        let def = &self.n.defs[d as usize];
        let (name, nparams) = (def.name.clone(), def.params.len());
        if args.len() > nparams {
            return Err(self.error(
                site,
                format!(
                    "{name}() takes {nparams} argument(s) but {} were given",
                    args.len()
                ),
            ));
        }
        for i in args.len()..nparams {
            let Some(default) = self.n.defs[d as usize].defaults[i].clone() else {
                let p = &self.n.defs[d as usize].params[i];
                return Err(self.error(site, format!("{name}() is missing the argument '{p}'")));
            };
            // Defaults are evaluated where the function is defined (module names only); a
            // library's default is positioned at the user's call, as its body.
            let (saved_mod, saved_file) = (fx.module, fx.file);
            fx.module = self.n.defs[d as usize].module;
            fx.file = self.n.defs[d as usize].file;
            let saved_at = self.pos_at;
            self.pos_at = Some(self.positioned_at(site));
            let v = self.expr(fx, &default);
            self.pos_at = saved_at;
            fx.module = saved_mod;
            fx.file = saved_file;
            args.push(v?);
        }
        let def = &self.n.defs[d as usize];
        let key_args = args
            .iter()
            .zip(&def.params)
            .map(|(a, p)| match &a.0.kind {
                ExprKind::Const(Const::Int(k)) if *k >= 0 && def.exponent_params.contains(p) => {
                    Ok(T::IntK(*k))
                }
                ExprKind::Const(Const::Str(id)) if def.string_params.contains(p) => Err(*id),
                _ if def.exponent_params.contains(p) => Ok(a.1),
                _ => Ok(a.1.stored()),
            })
            .collect::<Vec<_>>();
        let key_args = key_args
            .into_iter()
            .map(|k| match k {
                Ok(t) => t,
                Err(id) => {
                    let text = self.strings[id.index()].clone();
                    T::StrK(self.const_str(&text))
                }
            })
            .collect();
        let ctx = if self.factories.contains(&d) {
            let mut c = fx.ctx.clone();
            if !c.contains(&site) {
                c.push(site);
            }
            if c.len() > MAX_CTX {
                c.remove(0);
            }
            c
        } else {
            vec![]
        };
        let key = SpecKey {
            def: d,
            args: key_args,
            ctx,
            at: self.library_call_site(d, site),
        };
        self.call_sites.push(site);
        let id = self.spec(key.clone());
        self.call_sites.pop();
        let ret = self.ret_of(&key);
        let ty = self.ty(ret);
        let args = args.into_iter().map(|a| a.0).collect();
        let call = self.mk(ExprKind::Call { func: id, args }, ty, site);
        if ret == T::Bottom && self.final_rounds {
            return Err(Stop::Diverge(call));
        }
        Ok((call, ret))
    }

    /// For a call of a library function: the user's call site its specialisation is
    /// positioned at.
    fn library_call_site(&self, d: DefId, site: Site) -> Option<Site> {
        self.n
            .is_library(self.n.defs[d as usize].file)
            .then(|| self.positioned_at(site))
    }

    /// A call through a variable: a statically known function, a function known only at run
    /// time, or (D33 compatibility) a numeric module constant called as `pi()`.
    fn call_value(&mut self, fx: &mut Fx, v: Var, args: &[ast::Expr], site: Site) -> R<V> {
        let name = match &v {
            Var::Local(n) | Var::Global(n) => n.clone(),
        };
        let callee = self.name(fx, &name, site)?;
        match callee.1 {
            T::Fn(d) => {
                let args = self.args(fx, args)?;
                self.direct_call(fx, d, args, site)
            }
            T::AnyFunc => {
                let args = self.args(fx, args)?;
                self.indirect_call(callee, args, site)
            }
            T::Float | T::Int | T::IntNN | T::IntK(_) if args.is_empty() => Ok(callee),
            T::Bottom => Err(Stop::Error),
            t => {
                let n = self.tname(t);
                Err(self.error(site, format!("'{name}' is {}, not a function", article(&n))))
            }
        }
    }

    /// A call through a function value known only at run time: every function that became
    /// such a value and takes this many arguments is a candidate, specialised for these
    /// argument types; their results must share one type.
    fn indirect_call(&mut self, callee: V, args: Vec<V>, site: Site) -> R<V> {
        let arg_t: Vec<T> = args.iter().map(|a| a.1).collect();
        let pool: Vec<DefId> = self.fn_pool.iter().copied().collect();
        let mut candidates = vec![];
        let mut ret = T::Bottom;
        for d in pool {
            if self.n.defs[d as usize].params.len() != args.len() {
                continue;
            }
            let key = self.canon_key(SpecKey {
                def: d,
                args: arg_t.clone(),
                ctx: vec![],
                at: None,
            });
            match self.value_keys.get(&d) {
                Some((k, true)) if *k != key => {
                    let name = self.n.defs[d as usize].name.clone();
                    return Err(self.error(site, format!(
                        "function '{name}' is called through function values with different argument types (dynamic)"
                    )));
                }
                Some((k, _)) if *k == key => {}
                _ => {
                    self.value_keys.insert(d, (key.clone(), true));
                    self.changed = true;
                }
            }
            let id = self.spec(key.clone());
            let r = self.ret_of(&key);
            ret = match self.join(ret, r.stored()) {
                Ok(t) => t,
                Err(why) => {
                    return Err(self.error(
                        site,
                        format!("the functions that can be called here return {why} (dynamic)"),
                    ))
                }
            };
            candidates.push(id);
        }
        if candidates.is_empty() {
            let id = self.string(&format!(
                "no function taking {} argument(s) is called here",
                args.len()
            ));
            return Err(Stop::Raise(RtError::TypeError, Some(id)));
        }
        let callee = self.coerce(callee, T::AnyFunc, site);
        let ty = self.ty(ret);
        let args = args.into_iter().map(|a| a.0).collect();
        let call = self.mk(
            ExprKind::CallIndirect {
                callee: Box::new(callee),
                candidates,
                args,
            },
            ty,
            site,
        );
        if ret == T::Bottom && self.final_rounds {
            return Err(Stop::Diverge(call));
        }
        Ok((call, ret))
    }

    /// `for v in range(...)`: the range call's arguments, if the iterable is the builtin.
    pub fn range_call<'a>(&mut self, fx: &Fx, iter: &'a ast::Expr) -> Option<&'a [ast::Expr]> {
        let ast::Expr::Call(c) = iter else {
            return None;
        };
        let ast::Expr::Name(n) = &*c.func else {
            return None;
        };
        if n.id.as_str() != "range" || !c.keywords.is_empty() {
            return None;
        }
        let site = fx.site(c);
        matches!(self.resolve(fx, "range", site), Some(Named::Builtin(_))).then_some(&c.args[..])
    }

    /// (start, stop, step) of `range(a)`, `range(a, b)`, `range(a, b, c)`, all Int.
    pub fn range_args(
        &mut self,
        fx: &mut Fx,
        args: &[ast::Expr],
        site: Site,
    ) -> R<(Expr, Expr, Expr)> {
        let mut vals = vec![];
        for a in args {
            let v = self.expr(fx, a)?;
            if !(v.1.is_intlike() || v.1 == T::Bool || v.1 == T::Bottom) {
                let n = self.tname(v.1);
                return Err(self.error(site, format!("range() arguments must be ints, not {n}")));
            }
            vals.push(self.coerce(v, T::Int, site));
        }
        let c = |e: &Self, v: i32| e.mk(ExprKind::Const(Const::Int(v)), Ty::Int, site);
        let mut it = vals.into_iter();
        Ok(match args.len() {
            1 => (
                c(self, 0),
                it.next().unwrap_or_else(|| c(self, 0)),
                c(self, 1),
            ),
            2 => {
                let a = it.next().unwrap_or_else(|| c(self, 0));
                let b = it.next().unwrap_or_else(|| c(self, 0));
                (a, b, c(self, 1))
            }
            3 => {
                let a = it.next().unwrap_or_else(|| c(self, 0));
                let b = it.next().unwrap_or_else(|| c(self, 0));
                let s = it.next().unwrap_or_else(|| c(self, 1));
                (a, b, s)
            }
            n => return Err(self.error(site, format!("range() takes 1 to 3 arguments, {n} given"))),
        })
    }

    fn one_arg(&mut self, fx: &mut Fx, name: &str, args: &[ast::Expr], site: Site) -> R<V> {
        if args.len() != 1 {
            return Err(self.error(site, format!("{name}() takes exactly one argument")));
        }
        self.expr(fx, &args[0])
    }

    /// Python builtins available without import (D30).
    fn builtin(&mut self, fx: &mut Fx, b: &str, args: &[ast::Expr], site: Site) -> R<V> {
        let intr = |e: &mut Self, op: Intrinsic, args: Vec<Expr>, t: T| -> V {
            let ty = e.ty(t);
            (e.mk(ExprKind::Intrinsic { op, args }, ty, site), t)
        };
        match b {
            "len" => {
                let v = self.one_arg(fx, b, args, site)?;
                match v.1 {
                    T::List(_) => Ok(intr(self, Intrinsic::Len, vec![v.0], T::Int)),
                    T::Str => Ok(intr(self, Intrinsic::StrLen, vec![v.0], T::Int)),
                    T::Bottom => Ok((v.0, T::Bottom)),
                    t => {
                        let n = self.tname(t);
                        Err(self.error(site, format!("object of type {n} has no len()")))
                    }
                }
            }
            "str" => {
                if args.is_empty() {
                    let id = self.string("");
                    return Ok((
                        self.mk(ExprKind::Const(Const::Str(id)), Ty::Str, site),
                        T::Str,
                    ));
                }
                let v = self.one_arg(fx, b, args, site)?;
                Ok((self.coerce(v, T::Str, site), T::Str))
            }
            "int" => {
                let v = self.one_arg(fx, b, args, site)?;
                match v.1 {
                    T::Float | T::Bool => Ok((self.convert(v.0, Ty::Int), T::Int)),
                    T::Int | T::IntNN | T::IntK(_) | T::Bottom => Ok(v),
                    t => {
                        let n = self.tname(t);
                        Err(self.error(site, format!("int() of {} is not supported", article(&n))))
                    }
                }
            }
            "float" => {
                let v = self.one_arg(fx, b, args, site)?;
                if !(v.1.is_numeric() || v.1 == T::Bottom) {
                    let n = self.tname(v.1);
                    return Err(self.error(site, format!("float() of {} is not supported", article(&n))));
                }
                Ok((self.coerce(v, T::Float, site), T::Float))
            }
            "abs" => {
                let v = self.one_arg(fx, b, args, site)?;
                let t = match v.1 {
                    T::Float => T::Float,
                    T::Bottom => return Ok(v),
                    t if t.is_numeric() => T::Int,
                    t => {
                        let n = self.tname(t);
                        return Err(self.error(site, format!("bad operand type for abs(): {n}")));
                    }
                };
                let e = self.coerce(v, t, site);
                Ok(intr(self, Intrinsic::Abs, vec![e], t))
            }
            "min" | "max" => {
                if args.len() < 2 {
                    return Err(self.error(site, format!("{b}() needs at least two numbers")));
                }
                let op = if b == "min" {
                    Intrinsic::Min
                } else {
                    Intrinsic::Max
                };
                let mut acc = self.expr(fx, &args[0])?;
                for a in &args[1..] {
                    let v = self.expr(fx, a)?;
                    let t = match (acc.1, v.1) {
                        (T::Bottom, _) | (_, T::Bottom) => T::Bottom,
                        (T::Float, x) | (x, T::Float) if x.is_numeric() => T::Float,
                        (x, y) if x.is_numeric() && y.is_numeric() => T::Int,
                        _ => return Err(self.error(site, format!("{b}() takes numbers"))),
                    };
                    let (x, y) = (self.coerce(acc, t, site), self.coerce(v, t, site));
                    acc = intr(self, op, vec![x, y], t);
                }
                Ok(acc)
            }
            "range" => {
                // range(...) as a value: a real list (D1).
                let (start, stop, step) = self.range_args(fx, args, site)?;
                let Some(d) = self
                    .n
                    .defs
                    .iter()
                    .position(|d| d.name == "__range_list" && d.module == self.n.prelude)
                else {
                    return Err(self.internal(site.0, site.1, "the prelude lacks __range_list"));
                };
                let args = [start, stop, step]
                    .into_iter()
                    .map(|e| (e, T::Int))
                    .collect();
                self.direct_call(fx, d as DefId, args, site)
            }
            "input" => Err(self.error(
                site,
                "input() is not supported by epyc (the type of its result depends on the text typed)",
            )),
            _ => Err(self.error(site, format!("'{b}' is a statement here, not a value"))),
        }
    }
}

fn unreachable_expr(e: &mut Engine, site: Site) -> Expr {
    e.mk(ExprKind::Const(Const::None), Ty::None, site)
}
