//! Calls of library functions (`libs/`, see `epyc_syntax::library_files`): their run-time
//! errors and deadlock reports name the user's line, as native code's do (`epyc-sema`,
//! "Positions in library code"): the user's call that led into library code, also when
//! library functions call each other; a library module's top-level code is at the user's
//! import. A library function used as a value keeps its own lines (as in native code).
//!
//! Two ways, both decided here at compile time so neither interpreter pays for them:
//! * a wrapper whose body is one runtime service of its parameters (`sqrt(a)` is
//!   `native rtl_math(0, a)`, `recv(pid)` is `native rtl_recv(pid)` once its `if n is none`
//!   is decided by the call) compiles to that service at the call site: no byte-code call,
//!   and the service's position is the caller's;
//! * any other library function is called through a copy positioned wholly at the user's
//!   call site (`Fx::pin`; one copy per function and user file and line, as sema specialises
//!   per site). Its line table is one entry.
//!
//! A library function itself (with its own lines) is compiled only when the program needs
//! it: used as a value, or called from library code reached from no user site. The others
//! keep their index (a function's index is its identity) with a body of `ReturnNone`, so a
//! program does not carry the library functions it never calls (or calls only inlined or
//! through copies).

use super::{native_service, Compiler, FuncDef, Fx, R};
use crate::format::{Function, Op, Svc};
use epyc_syntax::ast::{self, Ranged};
use epyc_syntax::NATIVE_PREFIX;

/// A user's call site: file and line.
pub(super) type Site = (u32, u32);

/// Where an argument of an inlined service comes from.
enum Source<'e> {
    /// The call's argument for this parameter (or the parameter's default).
    Param(usize),
    /// A constant written in the library function.
    Constant(&'e ast::Expr),
}

/// The call's argument for parameter `i` of `def` (by position or keyword), if given.
fn given<'e>(c: &'e ast::ExprCall, def: &ast::StmtFunctionDef, i: usize) -> Option<&'e ast::Expr> {
    let name = def.args.args[i].def.arg.as_str();
    c.args.get(i).or_else(|| {
        c.keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value)
    })
}

/// The call's argument for parameter `i` of `def`, else the parameter's default; None when
/// missing.
fn argument<'e>(
    c: &'e ast::ExprCall,
    def: &'e ast::StmtFunctionDef,
    i: usize,
) -> Option<&'e ast::Expr> {
    given(c, def, i).or(def.args.args[i].default.as_deref())
}

fn constant(e: &ast::Expr) -> Option<&ast::Constant> {
    match e {
        ast::Expr::Constant(c) => Some(&c.value),
        _ => None,
    }
}

/// Services whose result is none (a statement), as a function falling off its end returns.
fn returns_none(svc: Svc) -> bool {
    matches!(
        svc,
        Svc::Print | Svc::Send | Svc::SendNonBlocking | Svc::Sync | Svc::Seed | Svc::Exit
    )
}

impl Compiler<'_> {
    pub(super) fn is_library(&self, file: u32) -> bool {
        self.library.get(file as usize).copied().unwrap_or(false)
    }

    /// The user's site that code compiled in `f` at `node` is positioned at when it leads
    /// into library code: the site `f` is pinned to, or `node`'s own line in user code; None
    /// in library code reached from no user site (a library function used as a value).
    fn user_site(&self, f: &Fx, node: &impl Ranged) -> Option<Site> {
        if f.pin.is_some() {
            return f.pin;
        }
        (!self.is_library(f.file)).then(|| (f.file, self.line(f.file, node.range().start().into())))
    }

    /// The pin for the top-level code of the module in `module_file`, imported by statement
    /// `import` of the code in `f`: a library module runs at the user's import.
    pub(super) fn import_site(&self, f: &Fx, module_file: u32, import: &ast::Stmt) -> Option<Site> {
        if self.is_library(module_file) {
            self.user_site(f, import)
        } else {
            None
        }
    }

    /// The function to call for library function `func` at call `c` in `f`: its copy for
    /// the user's site (made on first use), or `func` itself outside any user site.
    pub(super) fn site_copy(&mut self, f: &Fx, c: &ast::ExprCall, func: u16) -> R<u16> {
        let Some(site) = self.user_site(f, c) else {
            self.need_library_function(func);
            return Ok(func);
        };
        if let Some(&copy) = self.site_copies.get(&(func, site)) {
            return Ok(copy);
        }
        let copy = u16::try_from(self.m.funcs.len())
            .map_err(|_| self.err(f, c, "too many functions for the byte-code format"))?;
        self.m.funcs.push(Function::default());
        self.site_copies.insert((func, site), copy);
        self.pending_copies.push((func, copy, site));
        Ok(copy)
    }

    /// Function `func`, when it is a library function, is needed as itself.
    pub(super) fn need_library_function(&mut self, func: u16) {
        let i = self.def_index(func);
        if self.is_library(self.defs[i].file) && self.library_needed.insert(func) {
            self.pending_library.push(func);
        }
    }

    fn def_index(&self, func: u16) -> usize {
        self.defs
            .iter()
            .position(|d: &FuncDef| d.index == func)
            .expect("every function index has a def")
    }

    /// Compiles the library functions and copies the program needs (each may need more: a
    /// copy's own library calls are at its site, so they end), and the others' stubs.
    pub(super) fn compile_library(&mut self) -> R<()> {
        loop {
            if let Some((func, copy, site)) = self.pending_copies.pop() {
                let f = self.function(self.def_index(func), Some(site))?;
                self.m.funcs[copy as usize] = f;
            } else if let Some(func) = self.pending_library.pop() {
                let f = self.function(self.def_index(func), None)?;
                self.m.funcs[func as usize] = f;
            } else {
                break;
            }
        }
        for d in &self.defs {
            if self.is_library(d.file) && !self.library_needed.contains(&d.index) {
                let nparams = d.def.args.args.len() as u8;
                let mut code = Vec::new();
                Op::ReturnNone.encode(&mut code);
                self.m.funcs[d.index as usize] = Function {
                    name: d.def.name.to_string(),
                    file: d.file as u8,
                    nparams,
                    nlocals: nparams,
                    code,
                    lines: vec![(0, self.line(d.file, d.def.range().start().into()))],
                };
            }
        }
        Ok(())
    }

    /// Emits `op`, the inlined body of a library function called by `c`, positioned at the
    /// call (a call on a later line of a statement, as native code positions it).
    pub(super) fn emit_at_call(&mut self, f: &mut Fx, c: &ast::ExprCall, op: Op) {
        let statement_line = f.lines.last().map(|&(_, line)| line);
        if let Some((_, line)) = self.user_site(f, c) {
            f.line(line);
        }
        f.emit(op);
        if let Some(line) = statement_line {
            f.line(line);
        }
    }

    /// Compiles call `c` of library function `def` as the one runtime service its body is
    /// for these arguments (see the module docs); false (nothing emitted) when it is not.
    pub(super) fn inline_service(
        &mut self,
        f: &mut Fx,
        c: &ast::ExprCall,
        def: &ast::StmtFunctionDef,
    ) -> R<bool> {
        let Some((svc, sources, is_return)) = service_body(c, def) else {
            return Ok(false);
        };
        let argc = sources.len() as u8;
        for s in sources {
            match s {
                Source::Param(i) => {
                    let a = argument(c, def, i).expect("service_body checked it");
                    self.expr(f, a)?;
                }
                Source::Constant(e) => self.expr(f, e)?,
            }
        }
        self.emit_at_call(
            f,
            c,
            Op::Svc {
                svc: svc as u8,
                argc,
            },
        );
        if !is_return && !returns_none(svc) {
            f.emit(Op::Pop);
            f.emit(Op::None);
        }
        Ok(true)
    }
}

/// What call `c` of `def` does when its body, with the conditions the call's constant
/// arguments decide taken, is one `return native rtl_x(...)` (or `native rtl_x(...)`, a
/// statement) of a runtime service: the service, where its arguments come from (each used
/// parameter once, in order, so the call's arguments are still evaluated in order), and
/// whether it is returned. Every parameter the service does not use must have a constant
/// argument (dropping it skips no side effect).
fn service_body<'e>(
    c: &'e ast::ExprCall,
    def: &'e ast::StmtFunctionDef,
) -> Option<(Svc, Vec<Source<'e>>, bool)> {
    let params: Vec<&str> = def.args.args.iter().map(|p| p.def.arg.as_str()).collect();
    let known = |name: &str| -> Option<&ast::Constant> {
        let i = params.iter().position(|p| *p == name)?;
        constant(argument(c, def, i)?)
    };
    let (call, is_return) = match decided_body(&def.body, &known)? {
        ast::Stmt::Return(r) => match r.value.as_deref()? {
            ast::Expr::Call(call) => (call, true),
            _ => return None,
        },
        ast::Stmt::Expr(e) => match &*e.value {
            ast::Expr::Call(call) => (call, false),
            _ => return None,
        },
        _ => return None,
    };
    let ast::Expr::Name(n) = &*call.func else {
        return None;
    };
    let (svc, argc) = native_service(n.id.as_str().strip_prefix(NATIVE_PREFIX)?)?;
    if call.args.len() != argc || !call.keywords.is_empty() {
        return None;
    }
    let mut sources = Vec::new();
    let mut used = vec![false; params.len()];
    for a in &call.args {
        match a {
            ast::Expr::Name(n) => {
                let i = params.iter().position(|p| *p == n.id.as_str())?;
                // Each parameter once, after every one used before it.
                if used[i..].iter().any(|&u| u) {
                    return None;
                }
                used[i] = true;
                // A default stands in the library's scope: only a constant is the same here.
                if given(c, def, i).is_none() {
                    constant(argument(c, def, i)?)?;
                }
                sources.push(Source::Param(i));
            }
            ast::Expr::Constant(_) => sources.push(Source::Constant(a)),
            _ => return None,
        }
    }
    let dropped_ok =
        (0..params.len()).all(|i| used[i] || argument(c, def, i).and_then(constant).is_some());
    dropped_ok.then_some((svc, sources, is_return))
}

/// The one statement `body` comes down to once the `if`s `known` decides are taken, if it
/// does (an `if` whose taken branch ends in `return`, or is followed by nothing, stands for
/// the rest; a skipped `if` without `else` is dropped).
fn decided_body<'b>(
    mut body: &'b [ast::Stmt],
    known: &dyn Fn(&str) -> Option<&'b ast::Constant>,
) -> Option<&'b ast::Stmt> {
    loop {
        match body {
            [ast::Stmt::If(i), rest @ ..] => {
                let branch = if decide(&i.test, known)? {
                    &i.body
                } else {
                    &i.orelse
                };
                let returns = matches!(branch.last(), Some(ast::Stmt::Return(_)));
                body = if returns || rest.is_empty() {
                    branch
                } else if branch.is_empty() {
                    rest
                } else {
                    return None;
                };
            }
            [single] => return Some(single),
            _ => return None,
        }
    }
}

/// The value of `p is none`, `p is not none`, `p == k`, `p != k` (p a parameter whose
/// argument is constant, k a constant of the same kind), if it is one of those.
fn decide<'b>(test: &ast::Expr, known: &dyn Fn(&str) -> Option<&'b ast::Constant>) -> Option<bool> {
    let ast::Expr::Compare(cmp) = test else {
        return None;
    };
    let ([op], [right], ast::Expr::Name(p)) = (&cmp.ops[..], &cmp.comparators[..], &*cmp.left)
    else {
        return None;
    };
    let value = known(p.id.as_str())?;
    let k = constant(right)?;
    use ast::Constant as C;
    let equal = match (value, k) {
        (C::None, C::None) => true,
        (_, C::None) | (C::None, _) => false,
        (C::Str(a), C::Str(b)) => a == b,
        (C::Int(a), C::Int(b)) => a == b,
        (C::Bool(a), C::Bool(b)) => a == b,
        _ => return None,
    };
    match op {
        ast::CmpOp::Is if matches!(k, C::None) => Some(equal),
        ast::CmpOp::IsNot if matches!(k, C::None) => Some(!equal),
        ast::CmpOp::Eq if !matches!(k, C::None) => Some(equal),
        ast::CmpOp::NotEq if !matches!(k, C::None) => Some(!equal),
        _ => None,
    }
}
