//! Analysis of one specialisation: its scope (locals, variable types, definedness flags),
//! its TIR function and symbol; statements are in `stmt`.

use crate::engine::{Engine, SpecFacts, SpecKey, State, VarFact, MAIN_DEF};
use crate::names::case_twin;
use crate::ty::{Site, T};
use crate::webs::display;
use epyc_tir::{
    self as tir, Const, ExprKind, FuncId, LocalId, LocalOrGlobal, Place, Stmt, StmtKind, Ty,
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
    /// The function's locals (for the module code: the main program's own variables) split
    /// into webs, and the file whose byte offsets they are keyed by.
    pub webs: Option<crate::webs::Webs>,
    pub webs_file: u32,
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

    /// The (web of the) variable a read of `name` at this byte offset denotes.
    pub fn use_name(&self, at: Site, name: &str) -> String {
        self.webs
            .as_ref()
            .filter(|_| at.0 == self.webs_file)
            .and_then(|w| w.uses.get(&at.1))
            .filter(|w| display(w) == name)
            .map_or_else(|| name.to_string(), |w| w.clone())
    }

    /// The (web of the) variable an assignment to `name` at this byte offset writes.
    pub fn def_name(&self, at: Site, name: &str) -> String {
        self.webs
            .as_ref()
            .filter(|_| at.0 == self.webs_file)
            .and_then(|w| w.defs.get(&at.1))
            .filter(|w| display(w) == name)
            .map_or_else(|| name.to_string(), |w| w.clone())
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
        let caller_pos_at = std::mem::replace(&mut self.pos_at, key.at);
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
            webs: Some(if key.def == MAIN_DEF {
                self.n.main_webs.clone()
            } else {
                self.n.defs[key.def as usize].webs.clone()
            }),
            webs_file: file,
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
        self.pos_at = caller_pos_at;
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
            let mut v: Vec<String> = self
                .n
                .module_vars
                .iter()
                .filter(|n| !n.contains('#'))
                .cloned()
                .collect();
            v.sort();
            v
        } else {
            let mut v: Vec<String> = fx
                .local_names
                .iter()
                .filter(|n| !n.contains('#'))
                .cloned()
                .collect();
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
        let shown = display(&name).to_string();
        // IntNN survives in variables only assigned non-negative constants (and parameters
        // specialised for one): `x ** n` stays an int there.
        let new = match old {
            None => VarFact { t, site },
            Some(f) => match self.join(f.t, t) {
                Ok(j) => VarFact { t: j, site: f.site },
                Err(_) => {
                    let (a, b) = (self.tname(f.t), self.tname(t));
                    let d = self.diag(site, format!(
                        "variable '{shown}' is {b} here but {a} at line {} (a variable must keep one type; this code is dynamic)",
                        self.line(f.site)
                    ));
                    let d = self.note(d, f.site, &format!("'{shown}' is {a} here"));
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
}
