//! The specialiser's driver: global facts, rounds to a fixpoint, specialisations, and the
//! helpers every part of the walk uses (positions, diagnostics, strings, type conversion).
//!
//! One *round* walks the program from the module code, specialising each called function for
//! its argument types at the call (eagerly, depth first, so facts appear in execution order),
//! and emits TIR on the way using the facts known so far. Facts (variable and return types,
//! list element classes, message types) only grow; a round that changed none of them emitted
//! TIR consistent with the final facts, and it is the result.

use crate::names::{DefId, Names};
use crate::ty::{self, Lists, Site, T};
use epyc_syntax::Diagnostic;
use epyc_tir::{self as tir, Expr, ExprKind, FuncId, Pos, StrId, Ty};
use std::collections::{BTreeSet, HashMap, HashSet};

pub const MAIN_DEF: DefId = u32::MAX;
const MAX_ROUNDS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpecKey {
    pub def: DefId,
    pub args: Vec<T>,
    /// For functions that return a list they allocate ("factories", e.g. `array()`): the
    /// chain of call sites that led here, so each call site's lists are a class of their own
    /// (an int array and a float array made by the same `array()` do not merge). Empty for
    /// every other function.
    pub ctx: Vec<Site>,
    /// For library functions: the user's call that led here. Every TIR position of this
    /// specialisation is that call's, so run-time errors and deadlocks name the user's line
    /// (see the crate docs). `None` for the user's functions (and library function values).
    pub at: Option<Site>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarFact {
    pub t: T,
    pub site: Site,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpecFacts {
    pub ret: T,
    pub ret_site: Option<Site>,
    pub vars: HashMap<String, VarFact>,
    /// Names read where only some paths assigned them: they get a run-time definedness flag.
    pub checked: BTreeSet<String>,
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub enum State {
    Pending,
    Busy,
    Done,
}

pub struct Slot {
    pub key: SpecKey,
    pub func: Option<tir::Function>,
    pub state: State,
    /// Why this specialisation cannot be native (empty: native).
    pub dynamic: Vec<String>,
}

/// Why an expression or statement stops: a runtime error the program will certainly raise
/// here, or a compile error already recorded.
#[derive(Debug)]
pub enum Stop {
    Raise(tir::RtError, Option<StrId>),
    /// A call that never returns (its function has no return type once facts are final):
    /// evaluated for its effect, then the path ends.
    Diverge(Expr),
    Error,
}
pub type R<X> = Result<X, Stop>;

/// A typed expression: TIR plus the specialiser's type.
pub type V = (Expr, T);

pub struct Engine<'n> {
    pub n: &'n Names,
    pub user_files: usize,
    // Facts, kept across rounds.
    pub lists: Lists,
    pub globals: Vec<(String, Option<VarFact>)>,
    pub global_ix: HashMap<String, usize>,
    pub facts: HashMap<SpecKey, SpecFacts>,
    pub msg: Option<VarFact>,
    pub msg_conflict: Option<(String, Site, Site)>,
    pub fn_pool: BTreeSet<DefId>,
    pub value_keys: HashMap<DefId, (SpecKey, bool)>,
    /// String constants that specialisations are keyed on (`T::StrK`), kept across rounds.
    pub const_strs: Vec<String>,
    /// Functions found to return lists they allocate (see [`SpecKey::ctx`]).
    pub factories: BTreeSet<DefId>,
    pub changed: bool,
    /// Set once the facts are stable: what is still unknown is then known never to happen
    /// (a variable never given a value, a call that never returns, list cells never written).
    pub final_rounds: bool,
    // Per round.
    pub slots: Vec<Slot>,
    pub slot_ix: HashMap<SpecKey, FuncId>,
    pub strings: Vec<String>,
    pub string_ix: HashMap<String, StrId>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    seen: HashSet<(u32, u32, String)>,
    pub modules_run: HashSet<usize>,
    /// Specialisations being analysed (innermost last), to attribute errors.
    pub current: Vec<FuncId>,
    /// Call sites of the calls being analysed (outermost first), to name a library's
    /// caller in messages.
    pub call_sites: Vec<Site>,
    /// The user's call site that positions in library code take while it is analysed
    /// (`SpecKey::at` of the specialisation, or the import running a library's module code).
    pub pos_at: Option<Site>,
    /// The statement being analysed (for internal errors, read after a panic).
    pub last_site: &'n std::cell::Cell<Site>,
}

pub struct Outcome {
    pub program: tir::Program,
    pub slots: Vec<Slot>,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Whether typing reached its fixpoint (else `errors` says so).
    pub converged: bool,
}

impl<'n> Engine<'n> {
    pub fn new(
        n: &'n Names,
        user_files: usize,
        last_site: &'n std::cell::Cell<Site>,
    ) -> Engine<'n> {
        Engine {
            n,
            user_files,
            lists: Lists::default(),
            globals: Vec::new(),
            global_ix: HashMap::new(),
            facts: HashMap::new(),
            msg: None,
            msg_conflict: None,
            fn_pool: BTreeSet::new(),
            value_keys: HashMap::new(),
            factories: BTreeSet::new(),
            const_strs: Vec::new(),
            changed: false,
            final_rounds: false,
            slots: Vec::new(),
            slot_ix: HashMap::new(),
            strings: Vec::new(),
            string_ix: HashMap::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            seen: HashSet::new(),
            modules_run: HashSet::new(),
            current: Vec::new(),
            call_sites: Vec::new(),
            pos_at: None,
            last_site,
        }
    }

    pub fn run(mut self) -> Outcome {
        let mut converged = false;
        for _ in 0..MAX_ROUNDS {
            self.start_round();
            let main = self.spec(SpecKey {
                def: MAIN_DEF,
                args: vec![],
                ctx: vec![],
                at: None,
            });
            self.drain_pending();
            if !self.changed {
                if !self.final_rounds {
                    self.final_rounds = true;
                    continue;
                }
                converged = true;
                self.finish_round(main);
                break;
            }
        }
        if !converged {
            self.errors.clear();
            self.internal(0, 0, "type inference did not reach a fixpoint");
        }
        let program = self.program();
        Outcome {
            program,
            slots: self.slots,
            errors: self.errors,
            warnings: self.warnings,
            converged,
        }
    }

    fn start_round(&mut self) {
        self.changed = false;
        self.slots.clear();
        self.slot_ix.clear();
        self.strings.clear();
        self.string_ix.clear();
        self.errors.clear();
        self.warnings.clear();
        self.seen.clear();
        self.modules_run.clear();
        self.lists.writes.clear();
    }

    /// Specialisations created for function values but not called are analysed here.
    fn drain_pending(&mut self) {
        while let Some(i) = self.slots.iter().position(|s| s.state == State::Pending) {
            self.analyse(FuncId(i as u32));
        }
    }

    /// Checks that only a stable round can decide: list widening legality.
    fn finish_round(&mut self, _main: FuncId) {
        for (int_site, float_site, literal) in self.lists.widening_conflicts() {
            let msg = if literal {
                "this list literal mixes ints and floats: each element would keep its own kind (dynamic)"
            } else {
                "a computed int is stored in a list that also holds floats (dynamic)"
            };
            let mut d = self
                .diag(int_site, msg)
                .with_help("write float literals (1.0), or keep ints and floats in separate lists");
            if float_site != int_site {
                d = self.note(d, float_site, "a float is stored here");
            }
            self.push_error(d);
        }
    }

    fn program(&mut self) -> tir::Program {
        let globals = (0..self.globals.len())
            .map(|i| {
                let (name, f) = self.globals[i].clone();
                let t = f.map_or(T::Int, |f| f.t);
                let t = if t == T::Bottom { T::Int } else { t };
                tir::Global {
                    name,
                    ty: self.ty(t),
                }
            })
            .collect();
        let funcs = self
            .slots
            .iter_mut()
            .map(|s| {
                s.func.take().unwrap_or_else(|| tir::Function {
                    name: "<unanalysed>".into(),
                    symbol: format!("<unanalysed>${}", s.key.def),
                    params: vec![],
                    locals: vec![],
                    ret: Ty::None,
                    body: vec![],
                    pos: Pos::default(),
                })
            })
            .collect();
        let mut files: Vec<String> = self.n.files.iter().map(|f| f.path.clone()).collect();
        files.truncate(self.n.files.len());
        tir::Program {
            files,
            funcs,
            globals,
            strings: std::mem::take(&mut self.strings),
            main: FuncId(0),
        }
    }

    // ---- specialisations ----------------------------------------------------------------

    pub fn canon_key(&self, mut key: SpecKey) -> SpecKey {
        key.args = key.args.iter().map(|t| self.lists.canon(*t)).collect();
        key
    }

    /// The specialisation for `key`, analysed now if it is new in this round.
    pub fn spec(&mut self, key: SpecKey) -> FuncId {
        let id = self.slot(key);
        if self.slots[id.index()].state == State::Pending {
            self.analyse(id);
        }
        id
    }

    /// The specialisation for `key`, created (not analysed) if new.
    pub fn slot(&mut self, key: SpecKey) -> FuncId {
        let key = self.canon_key(key);
        if let Some(&id) = self.slot_ix.get(&key) {
            return id;
        }
        // The first specialisation of a function is what a value of it denotes, unless calls
        // through run-time function values chose one; a placeholder for a value never called
        // (argument types unknown) gives way to the first real one.
        let placeholder = |k: &SpecKey| k.args.contains(&T::Bottom);
        let replace = match self.value_keys.get(&key.def) {
            None => true,
            Some((k, from_indirect)) => !from_indirect && placeholder(k) && !placeholder(&key),
        };
        if key.def != MAIN_DEF && replace {
            // A value of a library function is not tied to one call site.
            let value_key = SpecKey {
                at: None,
                ..key.clone()
            };
            self.value_keys.insert(key.def, (value_key, false));
            self.changed = true;
        }
        let id = FuncId(self.slots.len() as u32);
        self.slots.push(Slot {
            key: key.clone(),
            func: None,
            state: State::Pending,
            dynamic: vec![],
        });
        self.slot_ix.insert(key, id);
        id
    }

    pub fn ret_of(&self, key: &SpecKey) -> T {
        let key = self.canon_key(key.clone());
        self.facts.get(&key).map_or(T::Bottom, |f| f.ret)
    }

    /// The specialisation a function value of definition `d` denotes.
    pub fn value_func(&mut self, d: DefId) -> FuncId {
        let key = match self.value_keys.get(&d) {
            Some((k, _)) => k.clone(),
            None => SpecKey {
                def: d,
                args: vec![T::Bottom; self.n.defs[d as usize].params.len()],
                ctx: vec![],
                at: None,
            },
        };
        self.slot(key)
    }

    // ---- types ---------------------------------------------------------------------------

    pub fn ty(&mut self, t: T) -> Ty {
        match t {
            T::Bottom | T::None => Ty::None,
            T::Bool => Ty::Bool,
            T::Int | T::IntNN | T::IntK(_) => Ty::Int,
            T::Float => Ty::Float,
            T::Str | T::StrK(_) => Ty::Str,
            T::List(c) => {
                let cl = self.lists.class(c).clone();
                Ty::List(Box::new(self.elem_ty(cl.elem)), cl.ndim)
            }
            T::Fn(d) => Ty::Func(self.value_func(d)),
            T::AnyFunc => Ty::AnyFunc,
        }
    }

    /// Element types never written are int (the zeros of a fresh list).
    pub fn elem_ty(&mut self, elem: T) -> Ty {
        if elem == T::Bottom {
            Ty::Int
        } else {
            self.ty(elem)
        }
    }

    pub fn tname(&self, t: T) -> String {
        ty::name(&self.lists, t)
    }

    pub fn join(&mut self, a: T, b: T) -> Result<T, String> {
        ty::join(&mut self.lists, a, b)
    }

    /// The stable index of a string constant used in specialisation keys.
    pub fn const_str(&mut self, s: &str) -> u32 {
        match self.const_strs.iter().position(|c| c == s) {
            Some(i) => i as u32,
            None => {
                self.const_strs.push(s.to_string());
                self.const_strs.len() as u32 - 1
            }
        }
    }

    // ---- globals -------------------------------------------------------------------------

    pub fn global_id(&mut self, name: &str) -> tir::GlobalId {
        if let Some(&i) = self.global_ix.get(name) {
            return tir::GlobalId(i as u32);
        }
        let i = self.globals.len();
        self.globals.push((name.to_string(), None));
        self.global_ix.insert(name.to_string(), i);
        tir::GlobalId(i as u32)
    }

    pub fn global_t(&mut self, name: &str) -> T {
        let g = self.global_id(name);
        self.globals[g.index()].1.map_or(T::Bottom, |f| f.t)
    }

    // ---- strings, positions, diagnostics -------------------------------------------------

    pub fn string(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.string_ix.get(s) {
            return id;
        }
        let id = StrId(self.strings.len() as u32);
        self.strings.push(s.to_string());
        self.string_ix.insert(s.to_string(), id);
        id
    }

    /// The position TIR gives a node at `site`: in library code, the user's call site that
    /// led there (`pos_at`), else the site itself.
    pub fn pos(&self, site: Site) -> Pos {
        self.src_pos(self.positioned_at(site))
    }

    /// The site whose position a node at `site` takes (see [`Engine::pos`]).
    pub fn positioned_at(&self, site: Site) -> Site {
        match self.pos_at {
            Some(at) if self.n.is_library(site.0) => at,
            _ => site,
        }
    }

    /// Where `site` is in its own file (for compile-time messages).
    pub fn src_pos(&self, site: Site) -> Pos {
        let (file, off) = site;
        let (line, col) = self
            .n
            .files
            .get(file as usize)
            .map_or((1, 1), |f| f.line_col(off));
        Pos { file, line, col }
    }

    pub fn line(&self, site: Site) -> u32 {
        self.src_pos(site).line
    }

    pub fn mk(&self, kind: ExprKind, ty: Ty, site: Site) -> Expr {
        Expr {
            kind,
            ty,
            pos: self.pos(site),
        }
    }

    /// A diagnostic at a site; sites in the built-in prelude are reported as compiler bugs.
    pub fn diag(&self, site: Site, msg: impl Into<String>) -> Diagnostic {
        let (file, off) = site;
        if file as usize >= self.user_files {
            return Diagnostic::error(
                0,
                0,
                0,
                format!(
                    "internal compiler error (a compiler bug) in the built-in prelude, line {}: {}",
                    self.line(site),
                    msg.into()
                ),
            );
        }
        let end = self.n.files[file as usize]
            .text
            .get(off as usize..)
            .and_then(|t| t.find('\n'))
            .map_or(off, |e| off + e as u32);
        Diagnostic::error(file, off, end.max(off), msg)
    }

    pub fn note(&self, d: Diagnostic, site: Site, msg: &str) -> Diagnostic {
        if (site.0 as usize) < self.user_files {
            d.with_note(site.0, site.1, site.1, msg)
        } else {
            d
        }
    }

    /// Records an error; the specialisation being analysed is not native.
    pub fn push_error(&mut self, d: Diagnostic) {
        if let Some(&id) = self.current.last() {
            let why = &mut self.slots[id.index()].dynamic;
            if !why.contains(&d.message) {
                why.push(d.message.clone());
            }
        }
        if self.seen.insert((d.file, d.start, d.message.clone())) {
            self.errors.push(d);
        }
    }

    /// Where to report something that happens in library code: the outermost call in the
    /// main program that led there (the site itself when it is in the main program).
    pub fn user_site(&self, site: Site) -> Site {
        if site.0 == 0 {
            return site;
        }
        self.call_sites
            .iter()
            .copied()
            .find(|s| s.0 == 0)
            .unwrap_or(site)
    }

    pub fn error(&mut self, site: Site, msg: impl Into<String>) -> Stop {
        let d = self.diag(site, msg);
        self.push_error(d);
        Stop::Error
    }

    pub fn warn(&mut self, site: Site, msg: impl Into<String>) {
        if (site.0 as usize) >= self.user_files {
            return;
        }
        let mut d = self.diag(site, msg);
        d.severity = epyc_syntax::Severity::Warning;
        if self.seen.insert((d.file, d.start, d.message.clone())) {
            self.warnings.push(d);
        }
    }

    pub fn internal(&mut self, file: u32, off: u32, msg: &str) -> Stop {
        let d = Diagnostic::error(
            file,
            off,
            off,
            format!("internal compiler error (a compiler bug): {msg}"),
        );
        self.push_error(d);
        Stop::Error
    }
}
