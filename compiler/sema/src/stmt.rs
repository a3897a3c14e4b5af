//! Statements: assignments, control flow (with flow-sensitive definedness, D21), loops
//! (`for v in range(...)` as a counted loop), returns and module imports.

use crate::engine::{Engine, Stop, R, V};
use crate::func::Fx;
use crate::names::assigned_names;
use crate::ty::{Site, T};
use crate::webs::display;
use epyc_syntax::ast;
use epyc_tir::{self as tir, Block, Const, ExprKind, LocalOrGlobal, Place, Stmt, StmtKind, Ty};
use std::collections::HashSet;

impl<'n> Engine<'n> {
    pub fn block(&mut self, fx: &mut Fx, body: &[ast::Stmt]) -> Block {
        let mut out = Vec::new();
        let outer_pending = std::mem::take(&mut fx.pending);
        for s in body {
            if !fx.reachable {
                break;
            }
            let site = fx.site(s);
            self.last_site.set(site);
            fx.pending.clear();
            let at = out.len();
            let result = self.stmt(fx, s, &mut out);
            let checks = self.definedness_checks(fx);
            out.splice(at..at, checks);
            match result {
                Ok(()) => {}
                Err(Stop::Raise(err, detail)) => {
                    out.push(Stmt {
                        kind: StmtKind::Raise(err, detail),
                        pos: self.pos(site),
                    });
                    fx.reachable = false;
                }
                Err(Stop::Diverge(call)) => {
                    out.push(Stmt {
                        kind: StmtKind::Expr(call),
                        pos: self.pos(site),
                    });
                    fx.reachable = false;
                }
                Err(Stop::Error) => {
                    // A failed return or exit still ends the path (no cascade of errors).
                    if matches!(s, ast::Stmt::Return(_)) {
                        fx.reachable = false;
                    }
                }
            }
        }
        fx.pending = outer_pending;
        out
    }

    /// `if not $defined_x: raise NameError` for the flagged names the statement reads.
    pub fn definedness_checks(&mut self, fx: &mut Fx) -> Block {
        let mut out = vec![];
        let mut done = HashSet::new();
        for (name, site) in std::mem::take(&mut fx.pending) {
            let Some(&flag) = fx.flags.get(&name) else {
                continue;
            };
            if !done.insert(name.clone()) {
                continue;
            }
            let v = self.mk(ExprKind::Var(LocalOrGlobal::Local(flag)), Ty::Bool, site);
            let cond = self.mk(ExprKind::Unary(tir::UnOp::Not, Box::new(v)), Ty::Bool, site);
            let detail = self.string(display(&name));
            let raise = Stmt {
                kind: StmtKind::Raise(tir::RtError::NameNotDefined, Some(detail)),
                pos: self.pos(site),
            };
            out.push(Stmt {
                kind: StmtKind::If {
                    cond,
                    then_body: vec![raise],
                    else_body: vec![],
                },
                pos: self.pos(site),
            });
        }
        out
    }

    /// Records that `name` is assigned here; sets its definedness flag if it has one.
    pub fn mark_assigned(&mut self, fx: &mut Fx, name: &str, site: Site, out: &mut Block) {
        fx.da.insert(name.to_string());
        fx.ma.insert(name.to_string());
        if let Some(&flag) = fx.flags.get(name) {
            let t = self.mk(ExprKind::Const(Const::Bool(true)), Ty::Bool, site);
            out.push(Stmt {
                kind: StmtKind::Assign(Place::Var(LocalOrGlobal::Local(flag)), t),
                pos: self.pos(site),
            });
        }
    }

    pub fn push(&self, out: &mut Block, kind: StmtKind, site: Site) {
        out.push(Stmt {
            kind,
            pos: self.pos(site),
        });
    }

    pub fn stmt(&mut self, fx: &mut Fx, s: &ast::Stmt, out: &mut Block) -> R<()> {
        let site = fx.site(s);
        match s {
            ast::Stmt::Expr(e) => self.expr_stmt(fx, &e.value, out),
            ast::Stmt::Assign(a) => {
                let v = self.expr(fx, &a.value)?;
                let Some((first, rest)) = a.targets.split_first() else {
                    return Err(self.internal(site.0, site.1, "assignment without a target"));
                };
                self.assign(fx, first, v, out)?;
                // `a = b = v`: the later targets get the first one's value.
                for t in rest {
                    let v = self.expr(fx, first)?;
                    self.assign(fx, t, v, out)?;
                }
                Ok(())
            }
            ast::Stmt::AugAssign(a) => {
                let cur = self.expr(fx, &a.target)?;
                let rhs = self.expr(fx, &a.value)?;
                let v = self.binop(fx, a.op, cur, rhs, site, None)?;
                self.assign(fx, &a.target, v, out)
            }
            ast::Stmt::If(i) => {
                let cond = self.cond(fx, &i.test)?;
                if let ExprKind::Const(Const::Bool(b)) = cond.kind {
                    // Statically decided (e.g. `x is none` on a none-typed x): only the live
                    // branch is typed and emitted.
                    let live = if b { &i.body } else { &i.orelse };
                    let blk = self.block(fx, live);
                    out.extend(blk);
                    return Ok(());
                }
                let (da0, ma0) = (fx.da.clone(), fx.ma.clone());
                let then_body = self.block(fx, &i.body);
                let (da1, ma1, r1) = (
                    std::mem::replace(&mut fx.da, da0),
                    std::mem::replace(&mut fx.ma, ma0),
                    fx.reachable,
                );
                fx.reachable = true;
                let else_body = self.block(fx, &i.orelse);
                let r2 = fx.reachable;
                fx.da = match (r1, r2) {
                    (true, false) => da1,
                    (false, true) => fx.da.clone(),
                    _ => fx.da.intersection(&da1).cloned().collect(),
                };
                fx.ma.extend(ma1);
                fx.reachable = r1 || r2;
                self.push(
                    out,
                    StmtKind::If {
                        cond,
                        then_body,
                        else_body,
                    },
                    site,
                );
                Ok(())
            }
            ast::Stmt::While(w) => {
                if !w.orelse.is_empty() {
                    return Err(self.error(site, "`while ... else` is not supported"));
                }
                self.loop_may_assign(fx, &w.body);
                let cond = self.cond(fx, &w.test)?;
                let forever = matches!(cond.kind, ExprKind::Const(Const::Bool(true)));
                let body = self.loop_body(fx, &w.body);
                if forever && !has_break(&w.body) {
                    fx.reachable = false;
                }
                self.push(out, StmtKind::While { cond, body }, site);
                Ok(())
            }
            ast::Stmt::For(f) => self.for_stmt(fx, f, out),
            ast::Stmt::Break(_) | ast::Stmt::Continue(_) => {
                if fx.loop_depth == 0 {
                    return Err(self.error(site, "`break`/`continue` outside a loop"));
                }
                let k = if matches!(s, ast::Stmt::Break(_)) {
                    StmtKind::Break
                } else {
                    StmtKind::Continue
                };
                self.push(out, k, site);
                fx.reachable = false;
                Ok(())
            }
            ast::Stmt::Return(r) => {
                if fx.is_main {
                    self.push(out, StmtKind::Exit, site);
                    fx.reachable = false;
                    return Ok(());
                }
                let v = match &r.value {
                    Some(e) => Some(self.expr(fx, e)?),
                    None => None,
                };
                self.ret(fx, v, site, out);
                fx.reachable = false;
                Ok(())
            }
            ast::Stmt::Pass(_) | ast::Stmt::Global(_) => Ok(()),
            ast::Stmt::FunctionDef(_) => {
                if fx.is_main {
                    Ok(())
                } else {
                    Err(self.error(site, "nested function definitions are not supported"))
                }
            }
            ast::Stmt::Import(i) => {
                for a in &i.names {
                    self.run_module(fx, a.name.as_str(), site, out)?;
                }
                Ok(())
            }
            ast::Stmt::ImportFrom(i) => {
                let name = i.module.as_ref().map_or("", |m| m.as_str());
                self.run_module(fx, name, site, out)
            }
            _ => Err(self.error(site, "this statement is not supported by ePython")),
        }
    }

    /// `import M` in module code: M's top-level code runs here, once (first import).
    pub fn run_module(&mut self, fx: &mut Fx, name: &str, site: Site, out: &mut Block) -> R<()> {
        if !fx.is_main {
            return Err(self.error(site, "imports inside functions are not supported"));
        }
        let Some(m) = self.n.module_index(name) else {
            return Err(self.error(site, format!("module '{name}' was not loaded")));
        };
        if !self.modules_run.insert(m) {
            return Ok(());
        }
        let (saved_mod, saved_file, saved_at) = (fx.module, fx.file, self.pos_at);
        fx.module = m;
        fx.file = self.n.modules[m].file;
        // A library's module code is positioned at the user's import.
        self.pos_at = Some(self.positioned_at(site));
        let body = self.n.modules[m].body.clone();
        let blk = self.block(fx, &body);
        out.extend(blk);
        fx.module = saved_mod;
        fx.file = saved_file;
        self.pos_at = saved_at;
        Ok(())
    }

    /// Names assigned anywhere in a loop body may be defined at its top (the back edge).
    pub fn loop_may_assign(&mut self, fx: &mut Fx, body: &[ast::Stmt]) {
        let mut names = vec![];
        assigned_names(body, &mut names);
        // Every web of those names (see `webs`) may be assigned at the loop head.
        let split: Vec<String> = fx
            .local_names
            .iter()
            .filter(|l| l.contains('#') && names.iter().any(|n| n == display(l)))
            .cloned()
            .collect();
        fx.ma.extend(names);
        fx.ma.extend(split);
    }

    pub fn loop_body(&mut self, fx: &mut Fx, body: &[ast::Stmt]) -> Block {
        let da0 = fx.da.clone();
        fx.loop_depth += 1;
        let b = self.block(fx, body);
        fx.loop_depth -= 1;
        fx.da = da0;
        fx.reachable = true;
        b
    }

    pub fn ret(&mut self, fx: &mut Fx, v: Option<V>, site: Site, out: &mut Block) {
        let t = v.as_ref().map_or(T::None, |v| v.1).stored();
        match self.join(fx.ret, t) {
            Ok(j) => {
                if fx.ret_site.is_none() && t != T::Bottom {
                    fx.ret_site = Some(site);
                }
                fx.ret = self.lists.canon(j);
            }
            Err(_) => {
                let first = fx.ret_site.unwrap_or(site);
                let (a, b) = (self.tname(fx.ret), self.tname(t));
                let d = self.diag(site, format!(
                    "this return gives {b} but the function returns {a} at line {} (a function must return one type; dynamic)",
                    self.line(first)
                ));
                let d = self.note(d, first, &format!("returns {a} here"));
                self.push_error(d);
                return;
            }
        }
        let ret = fx.ret;
        let kind = match v {
            Some(v) if t != T::None => StmtKind::Return(Some(self.coerce(v, ret, site))),
            Some((e, _)) => {
                if !matches!(e.kind, ExprKind::Const(_) | ExprKind::Var(_)) {
                    self.push(out, StmtKind::Expr(e), site);
                }
                StmtKind::Return(None)
            }
            None => StmtKind::Return(None),
        };
        self.push(out, kind, site);
    }

    pub fn expr_stmt(&mut self, fx: &mut Fx, e: &ast::Expr, out: &mut Block) -> R<()> {
        let site = fx.site(e);
        if let ast::Expr::Call(c) = e {
            if self.statement_call(fx, c, out)? {
                return Ok(());
            }
            let (v, _) = self.expr(fx, e)?;
            self.push(out, StmtKind::Expr(v), site);
            return Ok(());
        }
        if let ast::Expr::Constant(_) = e {
            return Ok(()); // a docstring or a bare constant: no effect
        }
        let (v, _) = self.expr(fx, e)?;
        self.push(out, StmtKind::Expr(v), site);
        Ok(())
    }

    /// `target = value`.
    pub fn assign(&mut self, fx: &mut Fx, target: &ast::Expr, v: V, out: &mut Block) -> R<()> {
        let site = fx.site(target);
        match target {
            ast::Expr::Name(n) => {
                let name = fx.def_name(site, n.id.as_str());
                let var = self.target_var(fx, &name);
                let t = self.assign_var_type(fx, &var, v.1, site);
                let place = self.var_ref(fx, &var);
                let e = self.coerce(v, t, site);
                self.push(out, StmtKind::Assign(Place::Var(place), e), site);
                self.mark_assigned(fx, &name, site, out);
                Ok(())
            }
            ast::Expr::Subscript(_) => {
                let (list, class, indices) = self.index_parts(fx, target)?;
                let is_const = matches!(v.0.kind, ExprKind::Const(Const::Int(_)));
                if let Err(why) = self.lists.write(class, v.1, is_const, site) {
                    let msg =
                        format!("a list cannot hold {why} (a list of mixed kinds is dynamic)");
                    return Err(self.error(site, msg));
                }
                let elem = self.lists.class(class).elem;
                let e = self.coerce(v, elem, site);
                self.push(
                    out,
                    StmtKind::Assign(Place::Index { list, indices }, e),
                    site,
                );
                Ok(())
            }
            _ => Err(self.error(
                site,
                "only names and list elements can be assigned (no tuple assignment)",
            )),
        }
    }

    pub fn for_stmt(&mut self, fx: &mut Fx, f: &ast::StmtFor, out: &mut Block) -> R<()> {
        let site = fx.site(f);
        if !f.orelse.is_empty() {
            return Err(self.error(site, "`for ... else` is not supported"));
        }
        let ast::Expr::Name(target) = &*f.target else {
            return Err(self.error(site, "the loop variable of `for` must be a name"));
        };
        let tname = fx.def_name(fx.site(&*f.target), target.id.as_str());
        let var = self.target_var(fx, &tname);
        self.loop_may_assign(fx, &f.body);
        if let Some(args) = self.range_call(fx, &f.iter) {
            let (start, stop, step) = self.range_args(fx, args, site)?;
            self.assign_var_type(fx, &var, T::Int, site);
            let v = self.var_ref(fx, &var);
            let step = match step.kind {
                ExprKind::Const(Const::Int(0)) => {
                    return Err(Stop::Raise(tir::RtError::RangeStepZero, None));
                }
                ExprKind::Const(_) => step,
                _ => {
                    // A step known only at run time: evaluate once, check it is not zero.
                    let t = self.temp(fx, Ty::Int);
                    let pos = step.pos;
                    out.push(Stmt {
                        kind: StmtKind::Assign(Place::Var(LocalOrGlobal::Local(t)), step),
                        pos,
                    });
                    let var_t = self.mk(ExprKind::Var(LocalOrGlobal::Local(t)), Ty::Int, site);
                    let zero = self.mk(ExprKind::Const(Const::Int(0)), Ty::Int, site);
                    let cond = self.mk(
                        ExprKind::Compare(tir::CmpOp::Eq, Box::new(var_t.clone()), Box::new(zero)),
                        Ty::Bool,
                        site,
                    );
                    let raise = Stmt {
                        kind: StmtKind::Raise(tir::RtError::RangeStepZero, None),
                        pos,
                    };
                    out.push(Stmt {
                        kind: StmtKind::If {
                            cond,
                            then_body: vec![raise],
                            else_body: vec![],
                        },
                        pos,
                    });
                    var_t
                }
            };
            fx.da.insert(tname.clone());
            fx.ma.insert(tname.clone());
            let body = self.loop_body(fx, &f.body);
            fx.da.remove(&tname);
            self.push(
                out,
                StmtKind::ForRange {
                    var: v,
                    start,
                    stop,
                    step,
                    body,
                },
                site,
            );
            return Ok(());
        }
        let (list, lt) = self.expr(fx, &f.iter)?;
        let T::List(c) = lt else {
            if lt == T::Bottom {
                return Err(Stop::Error);
            }
            let tn = self.tname(lt);
            return Err(self.error(site, format!("`for` can only walk a list, not a {tn}")));
        };
        let elem = self.lists.class(c).elem;
        let elem = if elem == T::Bottom { T::Int } else { elem };
        self.assign_var_type(fx, &var, elem, site);
        let v = self.var_ref(fx, &var);
        let mut set_flag = vec![];
        self.mark_assigned(fx, &tname, site, &mut set_flag);
        let body = [set_flag, self.loop_body(fx, &f.body)].concat();
        fx.da.remove(&tname);
        self.push(out, StmtKind::ForList { var: v, list, body }, site);
        Ok(())
    }
}

fn has_break(body: &[ast::Stmt]) -> bool {
    body.iter().any(|s| match s {
        ast::Stmt::Break(_) => true,
        ast::Stmt::If(i) => has_break(&i.body) || has_break(&i.orelse),
        _ => false,
    })
}
