//! The compiler from the front end's tree (every module of an `epyc_syntax::ParsedProgram`) to
//! a byte-code [`Module`] for the whole program (`--interp`). Imported modules' code runs at
//! their first import (as in sema), as a function of its own (so its positions name its own
//! file); all modules share one namespace of module variables and functions. A function's locals are its parameters and the names it assigns, except `global`
//! names and variables of its own module assigned before its `def` (D20, as sema).
//! Library code runs at the user's call that led there (see `library_calls`).

mod library_calls;

use crate::format::{Const, Function, Module, Op, Svc, GLOBAL_REF};
use epyc_syntax::ast::{self, Ranged};
use epyc_syntax::{ParsedProgram, NATIVE_PREFIX};
use library_calls::Site;
use std::collections::{HashMap, HashSet};

/// A compile error: file, byte offset, message.
#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub file: u32,
    pub offset: u32,
    pub message: String,
}

type R<T> = Result<T, CompileError>;

struct FuncDef<'a> {
    index: u16,
    file: u32,
    def: &'a ast::StmtFunctionDef,
    /// Module-level names of its module assigned before the def (D20).
    module_before: HashSet<String>,
}

/// Compiles the whole program; function 0 is the entry (the main module's code).
pub fn compile_program(prog: &ParsedProgram) -> R<Module> {
    let mut c = Compiler {
        prog,
        m: Module::default(),
        globals: HashMap::new(),
        funcs: HashMap::new(),
        defs: Vec::new(),
        module_names: HashSet::new(),
        library: epyc_syntax::library_files(prog),
        site_copies: HashMap::new(),
        pending_copies: Vec::new(),
        library_needed: HashSet::new(),
        pending_library: Vec::new(),
    };
    c.m.funcs.push(Function::default());
    c.collect()?;
    let entry = c.module_code()?;
    c.m.funcs[0] = entry;
    for i in 0..c.defs.len() {
        // Library functions are compiled as the program needs them (`library_calls`).
        if c.is_library(c.defs[i].file) {
            continue;
        }
        let f = c.function(i, None)?;
        let idx = c.defs[i].index as usize;
        c.m.funcs[idx] = f;
    }
    c.compile_library()?;
    // Names are in the pool (the image refers to them by constant index).
    for i in 0..c.m.funcs.len() {
        let name = c.m.funcs[i].name.clone();
        c.m.constant(Const::Str(name));
    }
    Ok(c.m)
}

struct Compiler<'a> {
    prog: &'a ParsedProgram,
    m: Module,
    globals: HashMap<String, u16>,
    funcs: HashMap<String, u16>,
    defs: Vec<FuncDef<'a>>,
    /// Every name some code assigns as a module variable (module code, `global` names).
    module_names: HashSet<String>,
    /// Per file: library code (`epyc_syntax::library_files`).
    library: Vec<bool>,
    /// The copy of a library function (by index) positioned at a user's call site.
    site_copies: HashMap<(u16, Site), u16>,
    /// Copies given an index but not compiled yet: (function, copy, site).
    pending_copies: Vec<(u16, u16, Site)>,
    /// Library functions needed as themselves (values, calls from no user site).
    library_needed: HashSet<u16>,
    /// Of those, the ones not compiled yet.
    pending_library: Vec<u16>,
}

impl<'a> Compiler<'a> {
    /// Every `def` of every module gets a function index (a later def of a name wins).
    fn collect(&mut self) -> R<()> {
        for module in &self.prog.modules {
            let mut before = HashSet::new();
            for s in &module.body {
                match s {
                    ast::Stmt::FunctionDef(d) => {
                        let index = self.m.funcs.len() as u16;
                        self.m.funcs.push(Function::default());
                        self.funcs.insert(d.name.to_string(), index);
                        self.defs.push(FuncDef {
                            index,
                            file: module.file,
                            def: d,
                            module_before: before.clone(),
                        });
                    }
                    other => assigned_names(std::slice::from_ref(other), &mut before),
                }
            }
            self.module_names.extend(before);
        }
        for d in &self.defs {
            global_decls(&d.def.body, &mut self.module_names);
        }
        if self.m.funcs.len() > u16::MAX as usize {
            return Err(err(0, 0, "too many functions for the byte-code format"));
        }
        Ok(())
    }

    fn global(&mut self, name: &str) -> u16 {
        if let Some(&g) = self.globals.get(name) {
            return g;
        }
        let g = self.m.global_names.len() as u16;
        let n = self.m.constant(Const::Str(name.to_string()));
        self.m.global_names.push(n);
        self.globals.insert(name.to_string(), g);
        g
    }

    fn module_code(&mut self) -> R<Function> {
        let main = &self.prog.modules[0];
        let mut f = Fx::new("__main__", main.file, None);
        let mut done = HashSet::new();
        done.insert(main.name.clone());
        self.module_body(&mut f, 0, &mut done)?;
        f.emit(Op::ReturnNone);
        f.finish()
    }

    fn module_body(&mut self, f: &mut Fx, module: usize, done: &mut HashSet<String>) -> R<()> {
        for s in &self.prog.modules[module].body {
            let names: Vec<String> = match s {
                ast::Stmt::Import(i) => i.names.iter().map(|a| a.name.to_string()).collect(),
                ast::Stmt::ImportFrom(i) => i.module.iter().map(|n| n.to_string()).collect(),
                _ => vec![],
            };
            self.at(f, s);
            for name in names {
                if done.insert(name.clone()) {
                    if let Some(idx) = self.prog.modules.iter().position(|x| x.name == name) {
                        if let Some(func) = self.imported_module(f, idx, s, done)? {
                            f.emit(Op::Call { func, argc: 0 });
                            f.emit(Op::Pop);
                        }
                    }
                }
            }
            self.stmt(f, s)?;
        }
        Ok(())
    }

    /// The top-level code of module `idx`, first imported by statement `import` of the code
    /// in `f`, as a function of its own run at the import: its positions name its own file
    /// (a function has one file), or for a library module the user's import (`import_site`).
    /// None when the module has no code to run (only defs).
    fn imported_module(
        &mut self,
        f: &Fx,
        idx: usize,
        import: &ast::Stmt,
        done: &mut HashSet<String>,
    ) -> R<Option<u16>> {
        let m = &self.prog.modules[idx];
        let mut code = Fx::new(&format!("<module {}>", m.name), m.file, None);
        code.pin = self.import_site(f, m.file, import);
        self.module_body(&mut code, idx, done)?;
        code.emit(Op::ReturnNone);
        let only_return = code.code.len() == 1;
        let code = code.finish()?;
        if only_return {
            return Ok(None);
        }
        let func = u16::try_from(self.m.funcs.len())
            .map_err(|_| self.err(f, import, "too many functions for the byte-code format"))?;
        self.m.funcs.push(code);
        Ok(Some(func))
    }

    /// Def `i` as a function; with a `pin`, its copy positioned wholly at that user site.
    fn function(&mut self, i: usize, pin: Option<Site>) -> R<Function> {
        let d = self.defs[i].def;
        let file = self.defs[i].file;
        let mut globals_decl = HashSet::new();
        global_decls(&d.body, &mut globals_decl);
        let mut assigned = HashSet::new();
        assigned_names(&d.body, &mut assigned);
        let mut f = Fx::new(d.name.as_str(), file, Some(HashMap::new()));
        f.pin = pin;
        for p in &d.args.args {
            f.local(p.def.arg.as_str())?;
        }
        f.nparams = d.args.args.len() as u8;
        let mut names: Vec<_> = assigned.into_iter().collect();
        names.sort();
        for n in names {
            let is_param = f.locals.as_ref().is_some_and(|l| l.contains_key(&n));
            if !is_param && !globals_decl.contains(&n) && !self.defs[i].module_before.contains(&n) {
                f.local(&n)?;
            }
        }
        f.line(self.line(file, d.range().start().into()));
        for s in &d.body {
            self.stmt(&mut f, s)?;
        }
        f.emit(Op::ReturnNone);
        f.finish()
    }

    fn line(&self, file: u32, off: u32) -> u32 {
        self.prog.files[file as usize].line_col(off).0
    }

    fn at(&self, f: &mut Fx, node: &impl Ranged) {
        let l = self.line(f.file, node.range().start().into());
        f.line(l);
    }

    fn stmt(&mut self, f: &mut Fx, s: &ast::Stmt) -> R<()> {
        use ast::Stmt as S;
        self.at(f, s);
        match s {
            S::FunctionDef(_) | S::Import(_) | S::ImportFrom(_) | S::Pass(_) | S::Global(_) => {}
            S::Expr(e) => {
                self.expr(f, &e.value)?;
                f.emit(Op::Pop);
            }
            S::Assign(a) => {
                self.expr(f, &a.value)?;
                for (i, t) in a.targets.iter().enumerate() {
                    if i + 1 < a.targets.len() {
                        f.emit(Op::Dup);
                    }
                    self.store(f, t)?;
                }
            }
            S::AugAssign(a) => match &*a.target {
                ast::Expr::Name(_) => {
                    self.expr(f, &a.target)?;
                    self.expr(f, &a.value)?;
                    f.emit(binop(&a.op));
                    self.store(f, &a.target)?;
                }
                ast::Expr::Subscript(sub) => {
                    let k = self.subscript_parts(f, sub)?;
                    // list i.. -> keep a copy for the store: evaluate twice (pure operands).
                    f.emit(Op::Index { k });
                    self.expr(f, &a.value)?;
                    f.emit(binop(&a.op));
                    self.subscript_parts(f, sub)?;
                    f.emit(Op::StoreIndex { k });
                }
                other => return Err(self.err(f, other, "cannot assign to this")),
            },
            S::Return(r) => match &r.value {
                Some(v) => {
                    self.expr(f, v)?;
                    f.emit(Op::Return);
                }
                None => f.emit(Op::ReturnNone),
            },
            S::If(i) => {
                self.expr(f, &i.test)?;
                let else_j = f.jump(Op::JumpIfFalse { off: 0 });
                let before = f.assigned.clone();
                self.block(f, &i.body)?;
                let after_body = std::mem::replace(&mut f.assigned, before);
                if i.orelse.is_empty() {
                    f.patch(else_j);
                } else {
                    let end = f.jump(Op::Jump { off: 0 });
                    f.patch(else_j);
                    self.block(f, &i.orelse)?;
                    f.patch(end);
                    // Assigned after the `if` only when assigned on both branches.
                    f.assigned.retain(|s| after_body.contains(s));
                }
            }
            S::While(w) => {
                let top = f.here();
                self.expr(f, &w.test)?;
                let exit = f.jump(Op::JumpIfFalse { off: 0 });
                f.loops.push(Loop {
                    cont: top,
                    breaks: vec![],
                });
                // The body may run no time: what it assigns is not assigned after the loop.
                let before = f.assigned.clone();
                self.block(f, &w.body)?;
                f.assigned = before;
                f.jump_back(top);
                f.patch(exit);
                self.block(f, &w.orelse)?;
                let l = f.loops.pop().expect("loop pushed above");
                for b in l.breaks {
                    f.patch(b);
                }
            }
            S::For(fr) => self.for_loop(f, fr)?,
            S::Break(b) => {
                let j = f.jump(Op::Jump { off: 0 });
                match f.loops.last_mut() {
                    Some(l) => l.breaks.push(j),
                    None => return Err(self.err(f, b, "'break' outside a loop")),
                }
            }
            S::Continue(c) => match f.loops.last() {
                Some(l) => {
                    let t = l.cont;
                    f.jump_back(t);
                }
                None => return Err(self.err(f, c, "'continue' outside a loop")),
            },
            other => return Err(self.err(f, other, "statement not supported by the byte code")),
        }
        Ok(())
    }

    fn block(&mut self, f: &mut Fx, b: &[ast::Stmt]) -> R<()> {
        b.iter().try_for_each(|s| self.stmt(f, s))
    }

    fn for_loop(&mut self, f: &mut Fx, fr: &ast::StmtFor) -> R<()> {
        let base = f.hidden(3)?;
        let range = match &*fr.iter {
            ast::Expr::Call(c) if is_name(&c.func, "range") && (1..=3).contains(&c.args.len()) => {
                Some(&c.args)
            }
            _ => None,
        };
        let cont;
        let exit;
        if let Some(args) = range {
            // counter, stop, step
            if args.len() == 1 {
                f.emit(Op::Int8 { v: 0 });
                self.expr(f, &args[0])?;
            } else {
                self.expr(f, &args[0])?;
                self.expr(f, &args[1])?;
            }
            match args.get(2) {
                Some(s) => self.expr(f, s)?,
                None => f.emit(Op::Int8 { v: 1 }),
            }
            f.emit(Op::Store { slot: base + 2 });
            f.emit(Op::Store { slot: base + 1 });
            f.emit(Op::Store { slot: base });
            cont = f.here();
            exit = f.jump(Op::RangeNext { base, off: 0 });
        } else {
            // list, index
            self.expr(f, &fr.iter)?;
            f.emit(Op::Store { slot: base });
            f.emit(Op::Int8 { v: 0 });
            f.emit(Op::Store { slot: base + 1 });
            cont = f.here();
            f.emit(Op::Load { slot: base + 1 });
            f.emit(Op::Load { slot: base });
            f.emit(Op::Len);
            f.emit(Op::Lt);
            exit = f.jump(Op::JumpIfFalse { off: 0 });
            f.emit(Op::Load { slot: base });
            f.emit(Op::Load { slot: base + 1 });
            f.emit(Op::Index { k: 1 });
            f.emit(Op::Load { slot: base + 1 });
            f.emit(Op::Int8 { v: 1 });
            f.emit(Op::Add);
            f.emit(Op::Store { slot: base + 1 });
        }
        let before = f.assigned.clone();
        self.store(f, &fr.target)?;
        f.loops.push(Loop {
            cont,
            breaks: vec![],
        });
        self.block(f, &fr.body)?;
        f.assigned = before;
        f.jump_back(cont);
        f.patch(exit);
        self.block(f, &fr.orelse)?;
        let l = f.loops.pop().expect("loop pushed above");
        for b in l.breaks {
            f.patch(b);
        }
        Ok(())
    }

    fn store(&mut self, f: &mut Fx, t: &ast::Expr) -> R<()> {
        match t {
            ast::Expr::Name(n) => {
                match f.slot(n.id.as_str()) {
                    Some(slot) => {
                        f.emit(Op::Store { slot });
                        f.assigned.insert(slot);
                    }
                    None => {
                        let global = self.global(n.id.as_str());
                        f.emit(Op::StoreG { global })
                    }
                }
                Ok(())
            }
            ast::Expr::Subscript(sub) => {
                if let Some((list, i, k)) = self.index_refs(f, sub) {
                    f.emit(Op::StoreIndexRef { list, i, k });
                    return Ok(());
                }
                let k = self.subscript_parts(f, sub)?;
                f.emit(Op::StoreIndex { k });
                Ok(())
            }
            other => Err(self.err(f, other, "cannot assign to this in byte code")),
        }
    }

    /// Pushes the list and its indexes (`a[i][j]` and `a[i, j]` both give k = 2).
    fn subscript_parts(&mut self, f: &mut Fx, sub: &ast::ExprSubscript) -> R<u8> {
        let mut idx = vec![&*sub.slice];
        let mut base = &*sub.value;
        while let ast::Expr::Subscript(inner) = base {
            idx.push(&*inner.slice);
            base = &*inner.value;
        }
        self.expr(f, base)?;
        let mut k = 0u8;
        for e in idx.into_iter().rev() {
            match e {
                ast::Expr::Tuple(t) => {
                    for x in &t.elts {
                        self.expr(f, x)?;
                        k += 1;
                    }
                }
                x => {
                    self.expr(f, x)?;
                    k += 1;
                }
            }
        }
        Ok(k)
    }

    fn expr(&mut self, f: &mut Fx, e: &ast::Expr) -> R<()> {
        use ast::Expr as E;
        match e {
            E::Constant(c) => self.constant(f, &c.value, e)?,
            E::Name(n) => {
                let name = n.id.as_str();
                if let Some(slot) = f.slot(name) {
                    if slot >= f.nparams && !f.assigned.contains(&slot) {
                        let name = self.m.constant(Const::Str(name.to_string()));
                        f.emit(Op::CheckLocal { slot, name });
                    }
                    f.emit(Op::Load { slot });
                } else if let (Some(&func), false) =
                    (self.funcs.get(name), self.globals.contains_key(name))
                {
                    self.need_library_function(func);
                    f.emit(Op::Func { func });
                } else if self.module_names.contains(name) {
                    let global = self.global(name);
                    f.emit(Op::LoadG { global });
                } else {
                    return Err(self.unknown_name(f, e, name));
                }
            }
            E::BinOp(b) => {
                self.expr(f, &b.left)?;
                self.expr(f, &b.right)?;
                f.emit(binop(&b.op));
            }
            E::UnaryOp(u) => {
                self.expr(f, &u.operand)?;
                f.emit(match u.op {
                    ast::UnaryOp::Not => Op::Not,
                    ast::UnaryOp::USub => Op::Neg,
                    ast::UnaryOp::UAdd => Op::Pos,
                    ast::UnaryOp::Invert => Op::Invert,
                });
            }
            E::BoolOp(b) => {
                let mut ends = vec![];
                for (i, v) in b.values.iter().enumerate() {
                    self.expr(f, v)?;
                    if i + 1 < b.values.len() {
                        ends.push(f.jump(match b.op {
                            ast::BoolOp::And => Op::JumpIfFalseKeep { off: 0 },
                            ast::BoolOp::Or => Op::JumpIfTrueKeep { off: 0 },
                        }));
                    }
                }
                for j in ends {
                    f.patch(j);
                }
            }
            E::Compare(c) => {
                // a < b < c: a conjunction, each middle operand evaluated once.
                self.expr(f, &c.left)?;
                let mut ends = vec![];
                let n = c.ops.len();
                for (i, (op, right)) in c.ops.iter().zip(&c.comparators).enumerate() {
                    self.expr(f, right)?;
                    if i + 1 < n {
                        f.emit(Op::Dup);
                        f.emit(Op::Rot3);
                    }
                    f.emit(cmpop(op));
                    if i + 1 < n {
                        // Keeps [middle false] when false, else pops the true.
                        ends.push(f.jump(Op::JumpIfFalseKeep { off: 0 }));
                    }
                }
                if !ends.is_empty() {
                    let done = f.jump(Op::Jump { off: 0 });
                    for j in ends {
                        f.patch(j);
                    }
                    // [middle false] -> [false]
                    f.emit(Op::Swap);
                    f.emit(Op::Pop);
                    f.patch(done);
                }
            }
            E::IfExp(i) => {
                self.expr(f, &i.test)?;
                let else_j = f.jump(Op::JumpIfFalse { off: 0 });
                self.expr(f, &i.body)?;
                let end = f.jump(Op::Jump { off: 0 });
                f.patch(else_j);
                self.expr(f, &i.orelse)?;
                f.patch(end);
            }
            E::List(l) => {
                for x in &l.elts {
                    self.expr(f, x)?;
                }
                let n = u8::try_from(l.elts.len())
                    .map_err(|_| self.err(f, e, "list literal longer than 255 elements"))?;
                f.emit(Op::List { n });
            }
            E::Subscript(sub) => {
                if let Some((list, i, k)) = self.index_refs(f, sub) {
                    f.emit(Op::IndexRef { list, i, k });
                    return Ok(());
                }
                let k = self.subscript_parts(f, sub)?;
                f.emit(Op::Index { k });
            }
            E::Call(c) => self.call(f, c)?,
            other => return Err(self.err(f, other, "expression not supported by the byte code")),
        }
        Ok(())
    }

    /// The `ref` operand of a superinstruction reading variable `e` (see `GLOBAL_REF`): a
    /// local assigned on every path to here, or a module variable; None for anything else
    /// (the plain instructions then check and report what they must).
    fn ref_of(&mut self, f: &Fx, e: &ast::Expr) -> Option<u8> {
        let ast::Expr::Name(n) = e else {
            return None;
        };
        let name = n.id.as_str();
        if let Some(slot) = f.slot(name) {
            let assigned = slot < f.nparams || f.assigned.contains(&slot);
            return (assigned && slot < GLOBAL_REF).then_some(slot);
        }
        if self.funcs.contains_key(name) && !self.globals.contains_key(name) {
            return None;
        }
        if !self.module_names.contains(name) {
            return None;
        }
        let g = self.global(name);
        (g < GLOBAL_REF as u16).then_some(GLOBAL_REF | g as u8)
    }

    /// `list[i]`, `list[i + k]`, `list[i - k]` of variables and a small constant k: the
    /// operands of `IndexRef`/`StoreIndexRef`.
    fn index_refs(&mut self, f: &Fx, sub: &ast::ExprSubscript) -> Option<(u8, u8, i8)> {
        let (i, k) = match &*sub.slice {
            ast::Expr::BinOp(b) if matches!(b.op, ast::Operator::Add | ast::Operator::Sub) => {
                let k = small_int(&b.right)?;
                let k = match b.op {
                    ast::Operator::Add if k >= 0 => k,
                    ast::Operator::Sub if k > 0 => -k,
                    _ => return None,
                };
                (&*b.left, k)
            }
            other => (other, 0),
        };
        let list = self.ref_of(f, &sub.value)?;
        let i = self.ref_of(f, i)?;
        Some((list, i, k))
    }

    fn constant(&mut self, f: &mut Fx, c: &ast::Constant, e: &ast::Expr) -> R<()> {
        use ast::Constant as C;
        match c {
            C::None => f.emit(Op::None),
            C::Bool(true) => f.emit(Op::True),
            C::Bool(false) => f.emit(Op::False),
            C::Int(i) => {
                let v: i64 = i
                    .try_into()
                    .map_err(|_| self.err(f, e, "integer constant too large"))?;
                // Out-of-range literals wrap as 32-bit ints do.
                let v = v as i32;
                match i8::try_from(v) {
                    Ok(v) => f.emit(Op::Int8 { v }),
                    Err(_) => {
                        let idx = self.m.constant(Const::Int(v));
                        f.emit(Op::Const { idx })
                    }
                }
            }
            C::Float(x) => {
                let idx = self.m.constant(Const::Float(*x as f32));
                f.emit(Op::Const { idx })
            }
            C::Str(s) => {
                let idx = self.m.constant(Const::Str(s.clone()));
                f.emit(Op::Const { idx })
            }
            _ => return Err(self.err(f, e, "constant not supported by the byte code")),
        }
        Ok(())
    }

    fn call(&mut self, f: &mut Fx, c: &ast::ExprCall) -> R<()> {
        let name = match &*c.func {
            ast::Expr::Name(n) => Some(n.id.as_str()),
            _ => None,
        };
        if let Some(name) = name {
            if f.slot(name).is_none() && !self.globals.contains_key(name) {
                if let Some(&func) = self.funcs.get(name) {
                    return self.direct_call(f, c, func);
                }
                if let Some(native) = name.strip_prefix(NATIVE_PREFIX) {
                    return self.native(f, c, native);
                }
                if self.builtin(f, c, name)? {
                    return Ok(());
                }
                return Err(self.err(
                    f,
                    c,
                    format!("Can not find function '{name}' in function call"),
                ));
            }
        }
        self.expr(f, &c.func)?;
        for a in &c.args {
            self.expr(f, a)?;
        }
        f.emit(Op::CallValue {
            argc: c.args.len() as u8,
        });
        Ok(())
    }

    fn direct_call(&mut self, f: &mut Fx, c: &ast::ExprCall, func: u16) -> R<()> {
        let callee = self
            .defs
            .iter()
            .find(|d| d.index == func)
            .expect("every function index has a def");
        let (def, library) = (callee.def, self.is_library(callee.file));
        let params = &def.args.args;
        if c.args.len() > params.len() {
            return Err(self.err(f, c, format!("too many arguments for {}()", def.name)));
        }
        if library && self.inline_service(f, c, def)? {
            return Ok(());
        }
        for (i, p) in params.iter().enumerate() {
            let kw = c.keywords.iter().find(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == p.def.arg.as_str())
            });
            if let Some(a) = c.args.get(i) {
                self.expr(f, a)?;
            } else if let Some(k) = kw {
                self.expr(f, &k.value)?;
            } else if let Some(d) = &p.default {
                self.expr(f, d)?;
            } else {
                return Err(self.err(
                    f,
                    c,
                    format!("missing argument '{}' of {}()", p.def.arg, def.name),
                ));
            }
        }
        if let Some(op) = inline_op(def).filter(|_| library) {
            self.emit_at_call(f, c, op);
            return Ok(());
        }
        let func = if library {
            self.site_copy(f, c, func)?
        } else {
            func
        };
        f.emit(Op::Call {
            func,
            argc: params.len() as u8,
        });
        Ok(())
    }

    fn svc(&mut self, f: &mut Fx, c: &ast::ExprCall, svc: Svc, argc: usize) -> R<()> {
        if c.args.len() != argc {
            return Err(self.err(
                f,
                c,
                format!("{svc:?} takes {argc} arguments, {} given", c.args.len()),
            ));
        }
        for a in &c.args {
            self.expr(f, a)?;
        }
        f.emit(Op::Svc {
            svc: svc as u8,
            argc: argc as u8,
        });
        Ok(())
    }

    fn native(&mut self, f: &mut Fx, c: &ast::ExprCall, name: &str) -> R<()> {
        if let Some((svc, argc)) = native_service(name) {
            return self.svc(f, c, svc, argc);
        }
        match name {
            "rtl_len" => {
                self.expr_args(f, c, 1)?;
                f.emit(Op::Len);
            }
            "rtl_free" | "rtl_gc" => {
                for a in &c.args {
                    self.expr(f, a)?;
                    f.emit(Op::Pop);
                }
                f.emit(Op::None);
            }
            other => {
                return Err(self.err(f, c, format!("unknown native function '{other}'")));
            }
        }
        Ok(())
    }

    fn expr_args(&mut self, f: &mut Fx, c: &ast::ExprCall, n: usize) -> R<()> {
        if c.args.len() != n {
            return Err(self.err(f, c, format!("expected {n} arguments")));
        }
        c.args.iter().try_for_each(|a| self.expr(f, a))
    }

    /// Python builtins available without an import (D30) and the dialect's `print`/`exit`.
    fn builtin(&mut self, f: &mut Fx, c: &ast::ExprCall, name: &str) -> R<bool> {
        match name {
            "print" => {
                if c.args.is_empty() {
                    let idx = self.m.constant(Const::Str(String::new()));
                    f.emit(Op::Const { idx });
                    f.emit(Op::Svc {
                        svc: Svc::Print as u8,
                        argc: 1,
                    });
                } else {
                    self.svc(f, c, Svc::Print, 1)?
                }
            }
            "len" => {
                self.expr_args(f, c, 1)?;
                f.emit(Op::Len);
            }
            "str" => self.svc(f, c, Svc::Str, 1)?,
            "int" => self.svc(f, c, Svc::Int, 1)?,
            "float" => self.svc(f, c, Svc::Float, 1)?,
            "abs" => self.svc(f, c, Svc::Abs, 1)?,
            "min" => self.svc(f, c, Svc::Min, 2)?,
            "max" => self.svc(f, c, Svc::Max, 2)?,
            "exit" => {
                f.emit(Op::Svc {
                    svc: Svc::Exit as u8,
                    argc: 0,
                });
            }
            "input" => {
                if c.args.is_empty() {
                    f.emit(Op::None);
                    f.emit(Op::Svc {
                        svc: Svc::Input as u8,
                        argc: 1,
                    });
                } else {
                    self.svc(f, c, Svc::Input, 1)?
                }
            }
            "range" => {
                match c.args.len() {
                    1 => {
                        f.emit(Op::Int8 { v: 0 });
                        self.expr(f, &c.args[0])?;
                        f.emit(Op::Int8 { v: 1 });
                    }
                    2 | 3 => {
                        self.expr(f, &c.args[0])?;
                        self.expr(f, &c.args[1])?;
                        match c.args.get(2) {
                            Some(s) => self.expr(f, s)?,
                            None => f.emit(Op::Int8 { v: 1 }),
                        }
                    }
                    _ => return Err(self.err(f, c, "range() takes 1 to 3 arguments")),
                }
                f.emit(Op::Svc {
                    svc: Svc::Range as u8,
                    argc: 3,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A name no code assigns and no def defines, naming a spelling that differs only in case.
    fn unknown_name(&self, f: &Fx, e: &ast::Expr, name: &str) -> CompileError {
        let lower = name.to_lowercase();
        let other = f
            .locals
            .iter()
            .flat_map(|l| l.keys())
            .chain(&self.module_names)
            .chain(self.funcs.keys())
            .find(|n| n.to_lowercase() == lower && n.as_str() != name);
        let hint = other.map_or(String::new(), |o| {
            format!(" (names are case-sensitive: did you mean '{o}'?)")
        });
        self.err(
            f,
            e,
            format!("Can not find variable or function '{name}'{hint}"),
        )
    }

    fn err(&self, f: &Fx, node: &impl Ranged, msg: impl Into<String>) -> CompileError {
        err(f.file, node.range().start().into(), msg)
    }
}

/// The runtime service `native rtl_<name>(...)` is, and its number of arguments (None for
/// the natives compiled otherwise: `rtl_len`, `rtl_free`, `rtl_gc`).
fn native_service(name: &str) -> Option<(Svc, usize)> {
    Some(match name {
        "rtl_coreid" => (Svc::CoreId, 0),
        "rtl_numcores" => (Svc::NumCores, 0),
        "rtl_ishost" => (Svc::IsHost, 0),
        "rtl_isdevice" => (Svc::IsDevice, 0),
        "rtl_send" => (Svc::Send, 2),
        "rtl_recv" => (Svc::Recv, 1),
        "rtl_recvfunc" => (Svc::RecvFunc, 1),
        "rtl_sendrecv" => (Svc::SendRecv, 2),
        "rtl_bcast" => (Svc::Bcast, 2),
        "rtl_reduce" => (Svc::Reduce, 2),
        "rtl_sync" => (Svc::Sync, 0),
        "rtl_probe" => (Svc::Probe, 1),
        "rtl_send_nonblocking" => (Svc::SendNonBlocking, 2),
        "rtl_test_for_send" => (Svc::TestSent, 1),
        "rtl_wait_for_send" => (Svc::WaitSent, 1),
        "rtl_math" => (Svc::Math, 2),
        "rtl_numdims" => (Svc::NDim, 1),
        "rtl_dsize" => (Svc::Dim, 2),
        "rtl_allocatearray" | "rtl_allocatesharedarray" => (Svc::ArrayNew, 7),
        "rtl_random" => (Svc::Random, 0),
        "rtl_randint" => (Svc::RandInt, 0),
        "rtl_seed" => (Svc::Seed, 1),
        "rtl_print" => (Svc::Print, 1),
        "rtl_input" => (Svc::Input, 1),
        _ => return None,
    })
}

fn err(file: u32, offset: u32, msg: impl Into<String>) -> CompileError {
    CompileError {
        file,
        offset,
        message: msg.into(),
    }
}

/// The one instruction a call of library function `def` can be replaced with, its arguments
/// being on the stack: when the body is `return p0 OP p1` (or `return OP p0`) of its
/// parameters in order, as the library's `pow(x, y)`. Saves a byte-code call (a frame) in
/// inner loops; a runtime error then names the caller's line, as native code does for library
/// code (not for the user's functions: their errors name their own lines).
fn inline_op(def: &ast::StmtFunctionDef) -> Option<Op> {
    let [ast::Stmt::Return(ret)] = def.body.as_slice() else {
        return None;
    };
    let params: Vec<&str> = def.args.args.iter().map(|p| p.def.arg.as_str()).collect();
    match (ret.value.as_deref()?, params.as_slice()) {
        (ast::Expr::BinOp(b), [x, y]) if is_name(&b.left, x) && is_name(&b.right, y) => {
            Some(binop(&b.op))
        }
        (ast::Expr::UnaryOp(u), [x]) if is_name(&u.operand, x) => Some(match u.op {
            ast::UnaryOp::Not => Op::Not,
            ast::UnaryOp::USub => Op::Neg,
            ast::UnaryOp::UAdd => Op::Pos,
            ast::UnaryOp::Invert => Op::Invert,
        }),
        _ => None,
    }
}

/// An int constant that fits an `i8` operand.
fn small_int(e: &ast::Expr) -> Option<i8> {
    match e {
        ast::Expr::Constant(c) => match &c.value {
            ast::Constant::Int(i) => i64::try_from(i).ok().and_then(|v| i8::try_from(v).ok()),
            _ => None,
        },
        _ => None,
    }
}

fn is_name(e: &ast::Expr, name: &str) -> bool {
    matches!(e, ast::Expr::Name(n) if n.id.as_str() == name)
}

fn binop(op: &ast::Operator) -> Op {
    use ast::Operator as O;
    match op {
        O::Add => Op::Add,
        O::Sub => Op::Sub,
        O::Mult => Op::Mul,
        O::Div => Op::Div,
        O::FloorDiv => Op::FloorDiv,
        O::Mod => Op::Mod,
        O::Pow => Op::Pow,
        O::BitAnd => Op::BitAnd,
        O::BitOr => Op::BitOr,
        O::BitXor => Op::BitXor,
        O::LShift => Op::Shl,
        O::RShift => Op::Shr,
        O::MatMult => Op::Mul,
    }
}

fn cmpop(op: &ast::CmpOp) -> Op {
    use ast::CmpOp as C;
    match op {
        C::Eq => Op::Eq,
        C::NotEq => Op::Ne,
        C::Lt => Op::Lt,
        C::LtE => Op::Le,
        C::Gt => Op::Gt,
        C::GtE => Op::Ge,
        C::Is | C::In => Op::Is,
        C::IsNot | C::NotIn => Op::IsNot,
    }
}

/// Names a statement list assigns (targets of `=`, `op=`, `for`), not looking into defs.
fn assigned_names(body: &[ast::Stmt], out: &mut HashSet<String>) {
    fn target(e: &ast::Expr, out: &mut HashSet<String>) {
        match e {
            ast::Expr::Name(n) => {
                out.insert(n.id.to_string());
            }
            ast::Expr::Tuple(t) => t.elts.iter().for_each(|x| target(x, out)),
            _ => {}
        }
    }
    for s in body {
        match s {
            ast::Stmt::Assign(a) => a.targets.iter().for_each(|t| target(t, out)),
            ast::Stmt::AugAssign(a) => target(&a.target, out),
            ast::Stmt::For(f) => {
                target(&f.target, out);
                assigned_names(&f.body, out);
                assigned_names(&f.orelse, out);
            }
            ast::Stmt::While(w) => {
                assigned_names(&w.body, out);
                assigned_names(&w.orelse, out);
            }
            ast::Stmt::If(i) => {
                assigned_names(&i.body, out);
                assigned_names(&i.orelse, out);
            }
            _ => {}
        }
    }
}

fn global_decls(body: &[ast::Stmt], out: &mut HashSet<String>) {
    for s in body {
        match s {
            ast::Stmt::Global(g) => g.names.iter().for_each(|n| {
                out.insert(n.to_string());
            }),
            ast::Stmt::For(f) => global_decls(&f.body, out),
            ast::Stmt::While(w) => global_decls(&w.body, out),
            ast::Stmt::If(i) => {
                global_decls(&i.body, out);
                global_decls(&i.orelse, out);
            }
            _ => {}
        }
    }
}

struct Loop {
    cont: usize,
    breaks: Vec<usize>,
}

/// One function being emitted.
struct Fx {
    name: String,
    /// The file the code being compiled is from (its lines, compile errors).
    file: u32,
    /// Library code compiled for a user's call site: every position is that site (and the
    /// function's file is the site's).
    pin: Option<Site>,
    nparams: u8,
    /// None for module code (every name is a module variable).
    locals: Option<HashMap<String, u8>>,
    nslots: usize,
    code: Vec<u8>,
    lines: Vec<(u16, u32)>,
    loops: Vec<Loop>,
    too_big: bool,
    /// Local slots assigned on every path to the current point: their loads need no
    /// `CheckLocal` (parameters are always assigned).
    assigned: HashSet<u8>,
}

impl Fx {
    fn new(name: &str, file: u32, locals: Option<HashMap<String, u8>>) -> Fx {
        Fx {
            name: name.to_string(),
            file,
            pin: None,
            nparams: 0,
            locals,
            nslots: 0,
            code: vec![],
            lines: vec![],
            loops: vec![],
            too_big: false,
            assigned: HashSet::new(),
        }
    }

    fn local(&mut self, name: &str) -> R<u8> {
        let slot = self.hidden(1)?;
        if let Some(l) = self.locals.as_mut() {
            l.insert(name.to_string(), slot);
        }
        Ok(slot)
    }

    /// `n` fresh frame slots (loop state).
    fn hidden(&mut self, n: usize) -> R<u8> {
        let s = self.nslots;
        self.nslots += n;
        if self.nslots > 255 {
            return Err(err(
                self.file,
                0,
                format!("{}: more than 255 local slots", self.name),
            ));
        }
        Ok(s as u8)
    }

    fn slot(&self, name: &str) -> Option<u8> {
        self.locals.as_ref().and_then(|l| l.get(name).copied())
    }

    fn line(&mut self, line: u32) {
        let line = self.pin.map_or(line, |(_, at)| at);
        let off = self.code.len() as u16;
        match self.lines.last_mut() {
            Some(last) if last.1 == line => {}
            Some(last) if last.0 == off => last.1 = line,
            _ => self.lines.push((off, line)),
        }
    }

    fn emit(&mut self, op: Op) {
        op.encode(&mut self.code);
    }

    fn here(&self) -> usize {
        self.code.len()
    }

    /// Emits a forward jump to patch later; returns its start.
    fn jump(&mut self, op: Op) -> usize {
        let at = self.here();
        self.emit(op);
        at
    }

    /// Points the jump at `at` to the current end.
    fn patch(&mut self, at: usize) {
        let mut end = at;
        let op = Op::decode(&self.code, &mut end).expect("own jump decodes");
        let off = self.offset(end, self.here());
        let fixed = match op {
            Op::Jump { .. } => Op::Jump { off },
            Op::JumpIfFalse { .. } => Op::JumpIfFalse { off },
            Op::JumpIfTrue { .. } => Op::JumpIfTrue { off },
            Op::JumpIfFalseKeep { .. } => Op::JumpIfFalseKeep { off },
            Op::JumpIfTrueKeep { .. } => Op::JumpIfTrueKeep { off },
            Op::RangeNext { base, .. } => Op::RangeNext { base, off },
            other => unreachable!("patching a non-jump {other:?}"),
        };
        let mut bytes = vec![];
        fixed.encode(&mut bytes);
        self.code[at..end].copy_from_slice(&bytes);
    }

    fn jump_back(&mut self, target: usize) {
        let next = self.here() + 3;
        let off = self.offset(next, target);
        self.emit(Op::Jump { off });
    }

    fn offset(&mut self, from: usize, to: usize) -> i16 {
        i16::try_from(to as i64 - from as i64).unwrap_or_else(|_| {
            self.too_big = true;
            0
        })
    }

    fn finish(self) -> R<Function> {
        if self.too_big || self.code.len() > u16::MAX as usize {
            return Err(err(
                self.file,
                0,
                format!("{}: function too large for the byte-code format", self.name),
            ));
        }
        Ok(Function {
            name: self.name,
            file: self.pin.map_or(self.file, |(file, _)| file) as u8,
            nparams: self.nparams,
            nlocals: self.nslots as u8,
            code: self.code,
            lines: self.lines,
        })
    }
}
