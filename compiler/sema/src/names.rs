//! Program structure: modules, function definitions, module variables, what each module's
//! names are bound to (D31), and the scoping facts of every function (D20, D21, D24).

use epyc_syntax::{ast, ParsedProgram, SourceFile};
use rustpython_parser::ast::Ranged;
use std::collections::{HashMap, HashSet};

/// The built-in prelude: Python builtins that need a body (a `range(...)` used as a value).
pub const PRELUDE: &str = include_str!("prelude.py");
pub const PRELUDE_NAME: &str = "<builtins>";

pub type DefId = u32;

pub struct Module {
    pub name: String,
    pub file: u32,
    pub body: Vec<ast::Stmt>,
}

pub struct Def {
    pub name: String,
    pub module: usize,
    pub file: u32,
    pub start: u32,
    pub params: Vec<String>,
    pub defaults: Vec<Option<ast::Expr>>,
    pub body: Vec<ast::Stmt>,
    /// Names local to the function: parameters and names it assigns, minus variables of its
    /// own module assigned (in execution order) before the `def` (D20) and `global` names.
    /// (Only its own module's: a library function's locals never capture a program's
    /// variables that happen to share a name.)
    pub locals: HashSet<String>,
    /// The locals split into flow-sensitive webs (`webs`).
    pub webs: crate::webs::Webs,
    /// Parameters used as the exponent of `**`: only for these does a specialisation keep
    /// "non-negative int constant" apart from "int" (`pow(2, 10)` is an int, D34).
    pub exponent_params: HashSet<String>,
    /// Parameters compared with a string literal (`op == "sum"`): specialised on constant
    /// string arguments, so the comparison folds (`reduce(x, "sum")` is one `Reduce(Sum)`).
    pub string_params: HashSet<String>,
}

pub struct Names {
    pub files: Vec<SourceFile>,
    pub modules: Vec<Module>,
    pub defs: Vec<Def>,
    /// Function names visible in each module (its own defs and what it imported).
    pub visible: Vec<HashMap<String, DefId>>,
    /// Every name assigned at module level in any module (one namespace, as ePython).
    pub module_vars: HashSet<String>,
    /// Index of the prelude module.
    pub prelude: usize,
    /// The main program's own module variables split into webs (see [`Names::main_webs`]).
    pub main_webs: crate::webs::Webs,
    /// Per file: library code (`libs/` modules and the prelude), see `epyc_syntax::library_files`.
    pub library_files: Vec<bool>,
}

impl Names {
    pub fn build(prog: &ParsedProgram) -> Result<Names, String> {
        let mut files = prog.files.clone();
        let mut modules: Vec<Module> = prog
            .modules
            .iter()
            .map(|m| Module {
                name: m.name.clone(),
                file: m.file,
                body: m.body.clone(),
            })
            .collect();
        let prelude_file = files.len() as u32;
        files.push(SourceFile::new(PRELUDE_NAME, PRELUDE));
        let mut library_files = epyc_syntax::library_files(prog);
        library_files.push(true);
        let prelude_body = <ast::Suite as rustpython_parser::Parse>::parse(PRELUDE, PRELUDE_NAME)
            .map_err(|e| format!("prelude does not parse: {e}"))?;
        modules.push(Module {
            name: PRELUDE_NAME.into(),
            file: prelude_file,
            body: prelude_body,
        });
        let prelude = modules.len() - 1;
        let mut names = Names {
            files,
            modules,
            defs: Vec::new(),
            visible: Vec::new(),
            module_vars: HashSet::new(),
            prelude,
            main_webs: Default::default(),
            library_files,
        };
        let mut collector = Collector {
            names: &mut names,
            visited: HashSet::new(),
            assigned: HashMap::new(),
        };
        if !collector.names.modules.is_empty() {
            collector.module(0);
        }
        collector.module(prelude);
        // Modules never imported still have definitions (D31 fallback lookups).
        for m in 0..collector.names.modules.len() {
            collector.module(m);
        }
        names.main_webs = names.main_webs(&collector_assigned_elsewhere(&names));
        names
            .module_vars
            .extend(names.main_webs.names.iter().cloned());
        let visible = (0..names.modules.len())
            .map(|m| names.namespace(m, &mut HashSet::new()))
            .collect();
        names.visible = visible;
        Ok(names)
    }

    /// Webs of the main program's variables that only its own module code uses: assigned in
    /// the main file, never at module level elsewhere, and not named in any function (those
    /// are shared by name and stay whole).
    fn main_webs(&self, elsewhere: &HashSet<String>) -> crate::webs::Webs {
        let Some(main) = self.modules.first() else {
            return Default::default();
        };
        let mut in_defs = HashSet::new();
        for d in &self.defs {
            all_names(&d.body, &mut in_defs);
            in_defs.extend(d.params.iter().cloned());
        }
        let mut assigned = vec![];
        assigned_names(&main.body, &mut assigned);
        let own: HashSet<String> = assigned
            .into_iter()
            .filter(|n| !in_defs.contains(n) && !elsewhere.contains(n))
            .collect();
        crate::webs::split(&main.body, &[], &own)
    }

    /// Whether code in this file is library code (its run-time positions are the user's
    /// call site).
    pub fn is_library(&self, file: u32) -> bool {
        self.library_files
            .get(file as usize)
            .copied()
            .unwrap_or(false)
    }

    pub fn module_index(&self, name: &str) -> Option<usize> {
        self.modules.iter().position(|m| m.name == name)
    }

    /// Function names a module binds: own defs, then star imports, then named imports.
    fn namespace(&self, m: usize, busy: &mut HashSet<usize>) -> HashMap<String, DefId> {
        let mut ns = HashMap::new();
        if !busy.insert(m) {
            return ns;
        }
        for s in &self.modules[m].body {
            if let ast::Stmt::ImportFrom(i) = s {
                let Some(src) = i.module.as_ref().and_then(|n| self.module_index(n)) else {
                    continue;
                };
                let theirs = self.namespace(src, busy);
                for a in &i.names {
                    if a.name.as_str() == "*" {
                        for (k, v) in &theirs {
                            ns.entry(k.clone()).or_insert(*v);
                        }
                    } else if let Some(v) = theirs.get(a.name.as_str()) {
                        let bound = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        ns.insert(bound, *v);
                    }
                }
            }
        }
        for (i, d) in self.defs.iter().enumerate() {
            if d.module == m {
                ns.insert(d.name.clone(), i as DefId);
            }
        }
        busy.remove(&m);
        ns
    }
}

/// Walks modules in execution order (an import runs the module's code at that point) to find
/// definitions and, for each, which module variables were assigned before it (D20).
struct Collector<'a> {
    names: &'a mut Names,
    visited: HashSet<usize>,
    /// Per module, its variables assigned so far (in execution order).
    assigned: HashMap<usize, HashSet<String>>,
}

impl Collector<'_> {
    fn module(&mut self, m: usize) {
        if !self.visited.insert(m) {
            return;
        }
        let body = std::mem::take(&mut self.names.modules[m].body);
        self.block(m, &body);
        self.names.modules[m].body = body;
    }

    fn block(&mut self, m: usize, body: &[ast::Stmt]) {
        for s in body {
            match s {
                ast::Stmt::Import(i) => {
                    for a in &i.names {
                        if let Some(x) = self.names.module_index(a.name.as_str()) {
                            self.module(x);
                        }
                    }
                }
                ast::Stmt::ImportFrom(i) => {
                    if let Some(x) = i.module.as_ref().and_then(|n| self.names.module_index(n)) {
                        self.module(x);
                    }
                }
                ast::Stmt::FunctionDef(f) => self.def(m, f),
                _ => {
                    let mut found = Vec::new();
                    assigned_names(std::slice::from_ref(s), &mut found);
                    for n in found {
                        self.names.module_vars.insert(n.clone());
                        self.assigned.entry(m).or_default().insert(n);
                    }
                    for inner in nested_blocks(s) {
                        self.block(m, inner);
                    }
                }
            }
        }
    }

    fn def(&mut self, m: usize, f: &ast::StmtFunctionDef) {
        let args = &f.args;
        let all: Vec<&ast::ArgWithDefault> = args.posonlyargs.iter().chain(&args.args).collect();
        let params: Vec<String> = all.iter().map(|a| a.def.arg.to_string()).collect();
        let mut assigned = Vec::new();
        assigned_names(&f.body, &mut assigned);
        let mut declared_global = Vec::new();
        global_decls(&f.body, &mut declared_global);
        let mut locals: HashSet<String> = assigned
            .into_iter()
            .filter(|n| {
                let module_var = self.assigned.get(&m).is_some_and(|a| a.contains(n));
                !module_var && !declared_global.contains(n)
            })
            .chain(params.iter().cloned())
            .collect();
        let webs = crate::webs::split(&f.body, &params, &locals);
        locals.extend(webs.names.iter().cloned());
        let mut exponent_params = HashSet::new();
        let mut string_params = HashSet::new();
        const_params(&f.body, &params, &mut exponent_params, &mut string_params);
        let r = f.range();
        self.names.defs.push(Def {
            exponent_params,
            string_params,
            name: f.name.to_string(),
            module: m,
            file: self.names.modules[m].file,
            start: r.start().to_u32(),
            params,
            defaults: all.iter().map(|a| a.default.as_deref().cloned()).collect(),
            body: f.body.clone(),
            locals,
            webs,
        });
    }
}

/// Parameters that appear as the right operand of `**` (into `exps`) or are compared with a
/// string literal (into `strs`) in these statements.
fn const_params(
    body: &[ast::Stmt],
    params: &[String],
    exps: &mut HashSet<String>,
    strs: &mut HashSet<String>,
) {
    let param = |e: &ast::Expr| match e {
        ast::Expr::Name(n) if params.iter().any(|p| p == n.id.as_str()) => Some(n.id.to_string()),
        _ => None,
    };
    let is_str = |e: &ast::Expr| matches!(e, ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_)));
    visit_exprs(body, &mut |e| match e {
        ast::Expr::BinOp(b) if b.op == ast::Operator::Pow => exps.extend(param(&b.right)),
        ast::Expr::Compare(c) => {
            let all: Vec<&ast::Expr> = std::iter::once(&*c.left).chain(&c.comparators).collect();
            if all.iter().any(|x| is_str(x)) {
                strs.extend(all.iter().filter_map(|x| param(x)));
            }
        }
        _ => {}
    });
    // `x **= n`
    fn aug(
        body: &[ast::Stmt],
        param: &dyn Fn(&ast::Expr) -> Option<String>,
        exps: &mut HashSet<String>,
    ) {
        for s in body {
            if let ast::Stmt::AugAssign(a) = s {
                if a.op == ast::Operator::Pow {
                    exps.extend(param(&a.value));
                }
            }
            for inner in nested_blocks(s) {
                aug(inner, param, exps);
            }
        }
    }
    aug(body, &param, exps);
}

/// Names assigned at module level in modules other than the main program.
fn collector_assigned_elsewhere(names: &Names) -> HashSet<String> {
    let mut out = vec![];
    for m in names.modules.iter().skip(1) {
        let top: Vec<ast::Stmt> = m
            .body
            .iter()
            .filter(|s| !matches!(s, ast::Stmt::FunctionDef(_)))
            .cloned()
            .collect();
        assigned_names(&top, &mut out);
    }
    out.into_iter().collect()
}

/// Every name mentioned (read, assigned or declared global) in these statements.
fn all_names(body: &[ast::Stmt], out: &mut HashSet<String>) {
    visit_exprs(body, &mut |e| {
        if let ast::Expr::Name(n) = e {
            out.insert(n.id.to_string());
        }
    });
    let mut assigned = vec![];
    assigned_names(body, &mut assigned);
    out.extend(assigned);
    let mut globals = vec![];
    global_decls(body, &mut globals);
    out.extend(globals);
}

/// Calls `f` on every expression (and sub-expression, assignment targets included) of these
/// statements, outside nested function definitions.
fn visit_exprs(body: &[ast::Stmt], f: &mut dyn FnMut(&ast::Expr)) {
    fn go(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
        f(e);
        match e {
            ast::Expr::BinOp(b) => {
                go(&b.left, f);
                go(&b.right, f);
            }
            ast::Expr::UnaryOp(u) => go(&u.operand, f),
            ast::Expr::BoolOp(b) => b.values.iter().for_each(|v| go(v, f)),
            ast::Expr::Compare(c) => {
                go(&c.left, f);
                c.comparators.iter().for_each(|v| go(v, f));
            }
            ast::Expr::Call(c) => c.args.iter().for_each(|v| go(v, f)),
            ast::Expr::IfExp(i) => {
                go(&i.test, f);
                go(&i.body, f);
                go(&i.orelse, f);
            }
            ast::Expr::Subscript(s) => {
                go(&s.value, f);
                go(&s.slice, f);
            }
            ast::Expr::List(l) => l.elts.iter().for_each(|v| go(v, f)),
            _ => {}
        }
    }
    for s in body {
        match s {
            ast::Stmt::Expr(e) => go(&e.value, f),
            ast::Stmt::Assign(a) => {
                go(&a.value, f);
                a.targets.iter().for_each(|t| go(t, f));
            }
            ast::Stmt::AugAssign(a) => {
                go(&a.value, f);
                go(&a.target, f);
            }
            ast::Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    go(v, f)
                }
            }
            ast::Stmt::If(i) => go(&i.test, f),
            ast::Stmt::While(w) => go(&w.test, f),
            ast::Stmt::For(x) => {
                go(&x.iter, f);
                go(&x.target, f);
            }
            _ => {}
        }
        for inner in nested_blocks(s) {
            visit_exprs(inner, f);
        }
    }
}

/// The statement lists nested in a compound statement (not function bodies).
pub fn nested_blocks(s: &ast::Stmt) -> Vec<&[ast::Stmt]> {
    match s {
        ast::Stmt::If(i) => vec![&i.body, &i.orelse],
        ast::Stmt::While(w) => vec![&w.body, &w.orelse],
        ast::Stmt::For(f) => vec![&f.body, &f.orelse],
        _ => vec![],
    }
}

/// Names assigned (plain names, `op=`, `for` targets) anywhere in these statements, outside
/// nested function definitions.
pub fn assigned_names(body: &[ast::Stmt], out: &mut Vec<String>) {
    for s in body {
        match s {
            ast::Stmt::Assign(a) => a.targets.iter().for_each(|t| target_names(t, out)),
            ast::Stmt::AugAssign(a) => target_names(&a.target, out),
            ast::Stmt::AnnAssign(a) => target_names(&a.target, out),
            ast::Stmt::For(f) => target_names(&f.target, out),
            _ => {}
        }
        for inner in nested_blocks(s) {
            assigned_names(inner, out);
        }
    }
}

fn target_names(t: &ast::Expr, out: &mut Vec<String>) {
    match t {
        ast::Expr::Name(n) if !out.iter().any(|o| o == n.id.as_str()) => out.push(n.id.to_string()),
        ast::Expr::Tuple(tu) => tu.elts.iter().for_each(|e| target_names(e, out)),
        ast::Expr::List(l) => l.elts.iter().for_each(|e| target_names(e, out)),
        _ => {}
    }
}

fn global_decls(body: &[ast::Stmt], out: &mut Vec<String>) {
    for s in body {
        if let ast::Stmt::Global(g) = s {
            out.extend(g.names.iter().map(|n| n.to_string()));
        }
        for inner in nested_blocks(s) {
            global_decls(inner, out);
        }
    }
}

/// Names that differ only in case from `name` among `candidates`.
pub fn case_twin<'a>(name: &str, candidates: impl Iterator<Item = &'a String>) -> Option<String> {
    candidates
        .filter(|c| c.as_str() != name && c.eq_ignore_ascii_case(name))
        .min()
        .cloned()
}
