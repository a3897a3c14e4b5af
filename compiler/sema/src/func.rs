//! Analysis of one specialisation: its scope (locals, definedness) and its statements.

use crate::engine::{Engine, SpecFacts, SpecKey, State, Stop, VarFact, MAIN_DEF, R, V};
use crate::names::{assigned_names, case_twin};
use crate::ty::{Site, T};
use epyc_syntax::ast;
use epyc_tir::{
    self as tir, Block, Const, ExprKind, FuncId, LocalId, LocalOrGlobal, Place, Stmt, StmtKind, Ty,
};
use rustpython_parser::ast::Ranged;
use std::collections::{BTreeSet, HashMap, HashSet};

pub fn site_of(file: u32, node: &impl Ranged) -> Site {
    (file, node.range().start().to_u32())
}

/// The state of the function being analysed.
pub struct Fx {
    /// Module whose names are in scope (changes while main runs an imported module's code).
    pub module: usize,
    pub file: u32,
    pub is_main: bool,
    pub locals: Vec<(String, Option<Ty>)>,
    pub local_ix: HashMap<String, LocalId>,
    pub local_names: HashSet<String>,
    pub vars: HashMap<String, VarFact>,
    /// Definitely / maybe assigned names at the current point (D21).
    pub da: HashSet<String>,
    pub ma: HashSet<String>,
    pub ret: T,
    pub ret_site: Option<Site>,
    pub reachable: bool,
    pub loop_depth: u32,
    pub temps: u32,
    /// This specialisation's call context (see `SpecKey::ctx`).
    pub ctx: Vec<Site>,
    /// Names with a definedness flag in this round (from the facts) and their flag locals.
    pub checked: BTreeSet<String>,
    pub flags: HashMap<String, LocalId>,
    /// Names found this round to need a flag.
    pub need_check: BTreeSet<String>,
    /// Flag checks the current statement needs before it runs.
    pub pending: Vec<(String, Site)>,
    /// Depth of operands that may not be evaluated (`and`/`or` right sides, conditional
    /// expression branches): reads there are not hoisted into a check.
    pub guarded: u32,
}

impl Fx {
    pub fn site(&self, node: &impl Ranged) -> Site {
        site_of(self.file, node)
    }
}

/// Where a name used as a variable lives.
pub enum Var {
    Local(String),
    Global(String),
}

impl<'n> Engine<'n> {
    /// Analyses one specialisation and stores its TIR function and facts.
    pub fn analyse(&mut self, id: FuncId) {
        let key = self.slots[id.index()].key.clone();
        self.slots[id.index()].state = State::Busy;
        let classes_before = self.lists.count();
        self.current.push(id);
        let facts = self.facts.get(&key).cloned().unwrap_or_default();
        let (module, file, name, params, site) = if key.def == MAIN_DEF {
            (
                0,
                self.n.modules.first().map_or(0, |m| m.file),
                "<module>".to_string(),
                vec![],
                (0, 0),
            )
        } else {
            let d = &self.n.defs[key.def as usize];
            (
                d.module,
                d.file,
                d.name.clone(),
                d.params.clone(),
                (d.file, d.start),
            )
        };
        let mut fx = Fx {
            module,
            file,
            is_main: key.def == MAIN_DEF,
            locals: vec![],
            local_ix: HashMap::new(),
            local_names: if key.def == MAIN_DEF {
                HashSet::new()
            } else {
                self.n.defs[key.def as usize].locals.clone()
            },
            vars: facts.vars.clone(),
            da: HashSet::new(),
            ma: HashSet::new(),
            ret: facts.ret,
            ret_site: facts.ret_site,
            reachable: true,
            loop_depth: 0,
            temps: 0,
            ctx: key.ctx.clone(),
            checked: facts.checked.clone(),
            flags: HashMap::new(),
            need_check: BTreeSet::new(),
            pending: vec![],
            guarded: 0,
        };
        // Definedness flags (D21) start false.
        let mut prologue = vec![];
        for n in fx.checked.clone() {
            let l = self.temp(&mut fx, Ty::Bool);
            fx.locals[l.index()].0 = format!("$defined_{n}");
            fx.flags.insert(n, l);
            let f = self.mk(ExprKind::Const(Const::Bool(false)), Ty::Bool, site);
            prologue.push(Stmt {
                kind: StmtKind::Assign(Place::Var(LocalOrGlobal::Local(l)), f),
                pos: self.pos(site),
            });
        }
        let mut param_ids = vec![];
        for (p, t) in params.iter().zip(&key.args) {
            let l = self.local(&mut fx, p);
            param_ids.push(l);
            self.assign_var_type(&mut fx, &Var::Local(p.clone()), *t, site);
            fx.da.insert(p.clone());
            fx.ma.insert(p.clone());
        }
        let body_ast = if fx.is_main {
            self.modules_run.insert(0);
            self.n
                .modules
                .first()
                .map(|m| m.body.clone())
                .unwrap_or_default()
        } else {
            self.n.defs[key.def as usize].body.clone()
        };
        let body = if key.args.contains(&T::Bottom) {
            // A function value never called with known argument types (or a call whose
            // argument types are not known yet in this round): nothing to type.
            let id = self.string("function called with arguments of unknown type");
            fx.reachable = false;
            vec![Stmt {
                kind: StmtKind::Raise(tir::RtError::TypeError, Some(id)),
                pos: self.pos(site),
            }]
        } else {
            self.block(&mut fx, &body_ast)
        };
        let mut body = [prologue, body].concat();
        if fx.reachable && !fx.is_main {
            if let Err(why) = self.join(fx.ret, T::None) {
                let at = fx.ret_site.unwrap_or(site);
                let d = self.diag(site, format!(
                    "function '{name}' returns {why}: it returns a value at line {} but can also end without one (dynamic)",
                    self.line(at)
                ));
                self.push_error(d);
            } else {
                fx.ret = self.join(fx.ret, T::None).unwrap_or(T::None);
                body.push(Stmt {
                    kind: StmtKind::Return(None),
                    pos: self.pos(site),
                });
            }
        }
        // A function that never returns (or was not typed) keeps `Bottom` in its facts, so its
        // callers' types are not polluted; its TIR return type is none.
        self.case_warnings(&fx, site);
        let locals = fx
            .locals
            .iter()
            .map(|(n, ty)| tir::Local {
                name: n.clone(),
                ty: ty.clone().unwrap_or(Ty::None),
            })
            .collect::<Vec<_>>();
        let mut locals = locals;
        for (i, (n, ty)) in fx.locals.iter().enumerate() {
            if ty.is_none() {
                let t = fx.vars.get(n).map_or(T::Bottom, |f| f.t);
                locals[i].ty = self.ty(t);
            }
        }
        // Returns a list it allocated: a factory, specialised per call site from now on.
        if let (T::List(c), false) = (fx.ret, fx.is_main) {
            if self.lists.find(c) >= classes_before && self.factories.insert(key.def) {
                self.changed = true;
            }
        }
        let ret_ty = self.ty(fx.ret);
        let new_facts = SpecFacts {
            ret: fx.ret,
            ret_site: fx.ret_site,
            vars: fx.vars.clone(),
            checked: fx.checked.union(&fx.need_check).cloned().collect(),
        };
        if self.facts.get(&key) != Some(&new_facts) {
            self.facts.insert(key.clone(), new_facts);
            self.changed = true;
        }
        let symbol = self.symbol(&name, &key);
        self.slots[id.index()].func = Some(tir::Function {
            name,
            symbol,
            params: param_ids,
            locals,
            ret: ret_ty,
            body,
            pos: self.pos(site),
        });
        self.slots[id.index()].state = State::Done;
        self.current.pop();
    }

    fn symbol(&mut self, name: &str, key: &SpecKey) -> String {
        if key.def == MAIN_DEF {
            return "__main__".into();
        }
        let parts: Vec<String> = key.args.iter().map(|t| self.mangle(*t)).collect();
        let base = format!("{name}${}", parts.join("_"));
        let taken = |s: &str, e: &Engine| {
            e.slots
                .iter()
                .any(|sl| sl.func.as_ref().is_some_and(|f| f.symbol == s))
        };
        let mut sym = base.clone();
        let mut k = 2;
        while taken(&sym, self) {
            sym = format!("{base}${k}");
            k += 1;
        }
        sym
    }

    fn mangle(&self, t: T) -> String {
        match t {
            T::Bottom => "x".into(),
            T::None => "n".into(),
            T::Bool => "b".into(),
            T::Int | T::IntNN => "i".into(),
            T::IntK(k) => format!("k{k}"),
            T::Float => "f".into(),
            T::Str => "s".into(),
            T::StrK(k) => format!("s{k}"),
            T::List(c) => {
                let cl = self.lists.class(c);
                let e = if cl.elem == T::Bottom {
                    "i".into()
                } else {
                    self.mangle(cl.elem)
                };
                format!("l{}{e}", cl.ndim)
            }
            T::Fn(d) => format!("F{d}"),
            T::AnyFunc => "A".into(),
        }
    }

    /// D27: a warning when two names of one scope differ only in case.
    fn case_warnings(&mut self, fx: &Fx, site: Site) {
        let names: Vec<String> = if fx.is_main {
            let mut v: Vec<String> = self.n.module_vars.iter().cloned().collect();
            v.sort();
            v
        } else {
            let mut v: Vec<String> = fx.local_names.iter().cloned().collect();
            v.sort();
            v
        };
        for n in &names {
            if let Some(t) = case_twin(n, names.iter()) {
                if n < &t {
                    let at = fx.vars.get(n).map_or(site, |f| f.site);
                    let at = if fx.is_main {
                        self.globals
                            .get(self.global_ix.get(n).copied().unwrap_or(usize::MAX))
                            .and_then(|g| g.1)
                            .map_or(site, |f| f.site)
                    } else {
                        at
                    };
                    self.warn(at, format!(
                        "names '{n}' and '{t}' differ only in case: they are two different variables (identifiers are case-sensitive)"
                    ));
                }
            }
        }
    }

    // ---- locals and variables ------------------------------------------------------------

    pub fn local(&mut self, fx: &mut Fx, name: &str) -> LocalId {
        if let Some(&l) = fx.local_ix.get(name) {
            return l;
        }
        let l = LocalId(fx.locals.len() as u32);
        fx.locals.push((name.to_string(), None));
        fx.local_ix.insert(name.to_string(), l);
        l
    }

    pub fn temp(&mut self, fx: &mut Fx, ty: Ty) -> LocalId {
        fx.temps += 1;
        let l = LocalId(fx.locals.len() as u32);
        fx.locals.push((format!("$t{}", fx.temps), Some(ty)));
        l
    }

    /// Where an assignment to `name` goes (D20/D24: names the function assigns are local
    /// unless they are module variables assigned before its `def`).
    pub fn target_var(&self, fx: &Fx, name: &str) -> Var {
        if !fx.is_main && fx.local_names.contains(name) {
            Var::Local(name.to_string())
        } else {
            Var::Global(name.to_string())
        }
    }

    pub fn var_t(&mut self, fx: &Fx, v: &Var) -> T {
        match v {
            Var::Local(n) => fx.vars.get(n).map_or(T::Bottom, |f| f.t),
            Var::Global(n) => self.global_t(n),
        }
    }

    pub fn var_ref(&mut self, fx: &mut Fx, v: &Var) -> LocalOrGlobal {
        match v {
            Var::Local(n) => LocalOrGlobal::Local(self.local(fx, n)),
            Var::Global(n) => LocalOrGlobal::Global(self.global_id(n)),
        }
    }

    /// Joins a new assigned type into a variable; a conflict is a compile error naming both
    /// types and both lines. Returns the variable's type.
    pub fn assign_var_type(&mut self, fx: &mut Fx, v: &Var, t: T, site: Site) -> T {
        let (name, old) = match v {
            Var::Local(n) => (n.clone(), fx.vars.get(n).copied()),
            Var::Global(n) => {
                let g = self.global_id(n);
                (n.clone(), self.globals[g.index()].1)
            }
        };
        // IntNN survives in variables only assigned non-negative constants (and parameters
        // specialised for one): `x ** n` stays an int there.
        let new = match old {
            None => VarFact { t, site },
            Some(f) => match self.join(f.t, t) {
                Ok(j) => VarFact { t: j, site: f.site },
                Err(_) => {
                    let (a, b) = (self.tname(f.t), self.tname(t));
                    let d = self.diag(site, format!(
                        "variable '{name}' is {b} here but {a} at line {} (a variable must keep one type; this code is dynamic)",
                        self.line(f.site)
                    ));
                    let d = self.note(d, f.site, &format!("'{name}' is {a} here"));
                    self.push_error(d);
                    f
                }
            },
        };
        let new = VarFact {
            t: self.lists.canon(new.t),
            ..new
        };
        match v {
            Var::Local(n) => {
                fx.vars.insert(n.clone(), new);
            }
            Var::Global(n) => {
                let g = self.global_id(n);
                if self.globals[g.index()].1.map(|f| f.t) != Some(new.t) {
                    self.changed = true;
                }
                self.globals[g.index()].1 = Some(new);
            }
        }
        new.t
    }

    // ---- statements ----------------------------------------------------------------------

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
    fn definedness_checks(&mut self, fx: &mut Fx) -> Block {
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
            let detail = self.string(&name);
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

    fn push(&self, out: &mut Block, kind: StmtKind, site: Site) {
        out.push(Stmt {
            kind,
            pos: self.pos(site),
        });
    }

    fn stmt(&mut self, fx: &mut Fx, s: &ast::Stmt, out: &mut Block) -> R<()> {
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
    fn run_module(&mut self, fx: &mut Fx, name: &str, site: Site, out: &mut Block) -> R<()> {
        if !fx.is_main {
            return Err(self.error(site, "imports inside functions are not supported"));
        }
        let Some(m) = self.n.module_index(name) else {
            return Err(self.error(site, format!("module '{name}' was not loaded")));
        };
        if !self.modules_run.insert(m) {
            return Ok(());
        }
        let (saved_mod, saved_file) = (fx.module, fx.file);
        fx.module = m;
        fx.file = self.n.modules[m].file;
        let body = self.n.modules[m].body.clone();
        let blk = self.block(fx, &body);
        out.extend(blk);
        fx.module = saved_mod;
        fx.file = saved_file;
        Ok(())
    }

    /// Names assigned anywhere in a loop body may be defined at its top (the back edge).
    fn loop_may_assign(&mut self, fx: &mut Fx, body: &[ast::Stmt]) {
        let mut names = vec![];
        assigned_names(body, &mut names);
        fx.ma.extend(names);
    }

    fn loop_body(&mut self, fx: &mut Fx, body: &[ast::Stmt]) -> Block {
        let da0 = fx.da.clone();
        fx.loop_depth += 1;
        let b = self.block(fx, body);
        fx.loop_depth -= 1;
        fx.da = da0;
        fx.reachable = true;
        b
    }

    fn ret(&mut self, fx: &mut Fx, v: Option<V>, site: Site, out: &mut Block) {
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

    fn expr_stmt(&mut self, fx: &mut Fx, e: &ast::Expr, out: &mut Block) -> R<()> {
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
                let var = self.target_var(fx, n.id.as_str());
                let t = self.assign_var_type(fx, &var, v.1, site);
                let place = self.var_ref(fx, &var);
                let e = self.coerce(v, t, site);
                self.push(out, StmtKind::Assign(Place::Var(place), e), site);
                self.mark_assigned(fx, n.id.as_str(), site, out);
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

    fn for_stmt(&mut self, fx: &mut Fx, f: &ast::StmtFor, out: &mut Block) -> R<()> {
        let site = fx.site(f);
        if !f.orelse.is_empty() {
            return Err(self.error(site, "`for ... else` is not supported"));
        }
        let ast::Expr::Name(target) = &*f.target else {
            return Err(self.error(site, "the loop variable of `for` must be a name"));
        };
        let tname = target.id.to_string();
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
