//! Front end, second stage: name resolution, whole-program type inference and specialisation.
//! Input: `epyc_syntax::ParsedProgram`; output: `epyc_tir::Program` plus a report of every
//! function's specialisations (native or dynamic, and why) for `epyc check`.
//!
//! # Inference and specialisation
//!
//! The program is walked from its module code (imported modules' code runs inline at their
//! first import). Each call of a user function is specialised for the types of its arguments
//! (defaults included, so `computeNorm(data, n)` and `computeNorm(data, n, bnorm)` are two
//! functions) and analysed at once, depth first. Facts — each variable's type per
//! specialisation, module variables' types, return types, list element classes, the type of
//! messages — only grow; the walk repeats until a round changes none of them, and that round's
//! TIR is the output (see `engine`). Recursive calls read the facts of the previous round.
//! Once stable, *final rounds* settle what is still unknown: a variable no assignment ever
//! gave a value is read as an unassigned name (`Raise`), a call of a function that never
//! returns ends its path, a list cell never written is an int zero.
//!
//! * A function's local is split into def-use *webs* (reaching definitions over its control
//!   flow, see `webs`): a local reused for another kind (`t = 0 ... t = "done"`) is two
//!   variables. Each web, and each module variable, has one type per specialisation (int
//!   and float do not mix: they print differently); a use that sees two kinds is a compile
//!   error naming both types and lines. The main program's variables that no function
//!   names and no other module assigns are split the same way; other module variables are
//!   shared by name and stay whole.
//! * `x is none` / `x == none` are decided statically from `x`'s type, and an `if` with a
//!   decided condition types and emits only its live branch.
//! * Definedness is flow-sensitive (D21): a read of a name no path has assigned raises
//!   `name 'x' is not defined` at run time (`StmtKind::Raise`); a name assigned nowhere is a
//!   compile error. A name assigned on only some paths gets a hidden `$defined_x` flag, set
//!   by its assignments and checked before each statement that reads it (reads in a right
//!   operand of `and`/`or` or a branch of `a if c else b` are not checked: a limit).
//! * `int ** int` is an int when the exponent is a non-negative constant (or a parameter
//!   specialised for one, as `pow(2, 10)`), else float ** float (D8/D34). Parameters used
//!   as an exponent are specialised on non-negative int constant arguments, so
//!   `pow(x, 2)` becomes `x ** 2.0` (a multiply after lowering). Int arithmetic on constants
//!   is folded with the run-time semantics (wrap, floor division, Python modulo).
//!   Likewise parameters compared with a string literal are specialised on constant string
//!   arguments and the comparisons fold: `reduce(x, "sum")` is a single `Reduce(Sum)`.
//! * Operators follow §4 with D2-D18: int/int is floor division, `//` on ints is an int,
//!   `%` takes the divisor's sign, bool is an int in arithmetic and comparisons, chained
//!   comparisons are conjunctions, `and`/`or` short-circuit and return an operand of the one
//!   type both have, `+` with a string converts the other operand, `str(x)` converts.
//!
//! # Lists and the widening rule
//!
//! Every list belongs to an element class (union-find over allocation sites; aliases,
//! parameters and joins merge classes), so a write through any alias types all of them. A
//! class's element type is the join of everything written, with one widening: **int and float
//! meet at float when every int written into the class is an integer constant** (the `0` of
//! `[0]*n`, a literal `a[i] = 0`, the zeros of `array(...)`), and no literal mixes ints and
//! floats. Those constants are stored as floats, so listing 5's `data=[0]*(n+2)` later written
//! with floats is a `list[float]`. Limits: a cell still holding such a constant reads as a
//! float (printing it shows `0.000000`, `/` on it is float division); a computed int stored
//! into a list that also holds floats is a compile error (dynamic). A function that returns
//! a list it allocates (`array()`, `recv(pid, n)`, a user's `make(n)`) is specialised per
//! call site (up to 4 call sites deep), so each call site's lists have their own class.
//!
//! # Names (D20, D21, D24, D27, D30, D31)
//!
//! Module variables of every module share one namespace; a function's locals are its
//! parameters and the names it assigns, except variables of its own module assigned (in
//! execution order) before its `def`, and `global` names. Functions are looked up in the calling
//! module's own and imported names, then the builtins, then (with a warning naming the
//! missing import) every loaded module. Unknown names are errors naming a spelling that
//! differs only in case; two names of one scope differing only in case get a warning.
//! `native rtl_x(...)` in library modules maps to TIR in `natives::native` (one function).
//!
//! # Positions in library code
//!
//! Run-time errors and deadlock reports name the position TIR gives the failing node, and
//! they must name the *user's* line, not a line of `libs/parallel.py`. So every TIR node
//! made from library code (the `libs/` modules and the built-in prelude; modules found
//! beside the main program are user code, see `epyc_syntax::library_files`) is positioned at
//! the user's call that led there: the call from user code into the library, also when
//! library functions call each other (taskfarm's `shutdownTaskFarm()` calling parallel's
//! `numcores()`). A library function is therefore specialised per user call site
//! (`SpecKey::at`), and while it is analysed `Engine::pos` maps every library site to that
//! call site (the function's own `Pos` too, which names stack overflows). A library module's
//! top-level code is positioned at the user's import; a library default argument at the call.
//!
//! Code size: the copies differ only in their positions. Library wrappers are tiny and
//! lowering inlines them (the copies then cost nothing); the larger helpers (`worker()`,
//! `execFunction`, `oddSort`, `recv(pid, n)`) are usually called from one or two places,
//! and the list factories (`array()`, `range()` as a value) were per call site already.
//! Measured with `epyc build -s` over the golden programs and examples: Epiphany program
//! code 23404 bytes in total before, 22140 after, and no program grew (a copy with one
//! caller is inlined or dropped whole).
//! Calls from one user line through a user function share its library specialisations
//! (the site is the user function's own line, whatever called it). `epyc check` shows
//! specialisations that differ only in their call site once. Limits: a library function
//! used as a *value* (`h = numcores`) is one specialisation with the library's own lines;
//! compile-time messages still point at library sites or, for message types, at the
//! outermost call in the main program (`Engine::user_site`).
//!
//! # Messages
//!
//! `recv` results have the one type sent by `send`/`nonblocking_send` anywhere in the program
//! (two different types: dynamic); `sendrecv`/`bcast` return the type of their own value
//! (SPMD: the partner runs the same call). Function values sent (`taskfarm`) join a pool; the
//! library receives them with `native rtl_recvfunc` as `AnyFunc`, and calls through such a
//! value dispatch over the pool's functions of that arity (`CallIndirect`).

mod call;
mod engine;
mod expr;
mod func;
mod lists;
mod names;
mod native_call;
mod natives;
mod ops;
mod partial;
mod report;
mod stmt;
mod ty;
mod webs;

pub use natives::{native, Native, NATIVE_PREFIX};
pub use partial::{BoundaryArg, Partial};
pub use report::{CheckReport, SpecReport};

use epyc_syntax::{Diagnostic, ParsedProgram};

/// A program that types fully native.
#[derive(Debug)]
pub struct Analysis {
    pub program: epyc_tir::Program,
    pub report: CheckReport,
    pub warnings: Vec<Diagnostic>,
}

/// Everything `epyc check` shows, also for programs that do not type.
#[derive(Debug)]
pub struct Checked {
    /// The TIR, when there were no errors.
    pub program: Option<epyc_tir::Program>,
    pub report: CheckReport,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// When there were errors but typing reached its fixpoint: the TIR of every
    /// specialisation, for mixed execution (native code called from byte code).
    pub partial: Option<Partial>,
}

/// Types the program; errors (unknown names, dynamic code, unsupported constructs) fail it.
pub fn analyze(prog: &ParsedProgram) -> Result<Analysis, Vec<Diagnostic>> {
    analysis(check(prog))
}

/// The outcome of [`check`] as [`analyze`] gives it: the program, or its errors.
pub fn analysis(c: Checked) -> Result<Analysis, Vec<Diagnostic>> {
    match c.program {
        Some(program) if c.errors.is_empty() => Ok(Analysis {
            program,
            report: c.report,
            warnings: c.warnings,
        }),
        _ => Err(c.errors),
    }
}

/// Types the program and reports every specialisation, whether or not it is native.
pub fn check(prog: &ParsedProgram) -> Checked {
    let names = match names::Names::build(prog) {
        Ok(n) => n,
        Err(e) => {
            let d = Diagnostic::error(
                0,
                0,
                0,
                format!("internal compiler error (a compiler bug): {e}"),
            );
            return Checked {
                program: None,
                report: CheckReport::default(),
                errors: vec![d],
                warnings: vec![],
                partial: None,
            };
        }
    };
    // A bug must not take the compiler down: a panic becomes a diagnostic.
    let last_site = std::cell::Cell::new((0, 0));
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine::Engine::new(&names, prog.files.len(), &last_site).run()
    }));
    let out = match run {
        Ok(out) => out,
        Err(p) => {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let (file, off) = last_site.get();
            let (file, off) = if (file as usize) < prog.files.len() {
                (file, off)
            } else {
                (0, 0)
            };
            let d = Diagnostic::error(
                file,
                off,
                off,
                format!(
                    "internal compiler error (a compiler bug) while typing this statement: {what}"
                ),
            );
            return Checked {
                program: None,
                report: CheckReport::default(),
                errors: vec![d],
                warnings: vec![],
                partial: None,
            };
        }
    };
    let mut errors = out.errors;
    let report = CheckReport {
        specs: out
            .slots
            .iter()
            .zip(&out.program.funcs)
            .map(|(slot, f)| SpecReport {
                name: f.name.clone(),
                params: f
                    .params
                    .iter()
                    .map(|p| show(&f.locals[p.index()].ty, &out.program))
                    .collect(),
                ret: show(&f.ret, &out.program),
                dynamic: slot.dynamic.clone(),
            })
            .collect(),
    };
    if errors.is_empty() {
        if let Err(e) = out.program.validate() {
            errors.push(Diagnostic::error(
                0,
                0,
                0,
                format!("internal compiler error (a compiler bug): invalid TIR: {e}"),
            ));
        }
    }
    let (program, partial) = if errors.is_empty() {
        (Some(out.program), None)
    } else if out.converged {
        let boundary = out.slots.iter().map(partial::boundary).collect();
        let byte_code_callable = out.slots.iter().map(partial::byte_code_callable).collect();
        let partial = Partial {
            program: out.program,
            boundary,
            byte_code_callable,
        };
        (None, Some(partial))
    } else {
        (None, None)
    };
    Checked {
        program,
        report,
        errors,
        warnings: out.warnings,
        partial,
    }
}

/// A type as `epyc check` shows it: function values by name.
fn show(ty: &epyc_tir::Ty, prog: &epyc_tir::Program) -> String {
    use epyc_tir::Ty;
    match ty {
        Ty::Func(id) => prog
            .funcs
            .get(id.index())
            .map_or_else(|| ty.to_string(), |f| format!("function {}", f.name)),
        Ty::List(e, 1) => format!("list[{}]", show(e, prog)),
        Ty::List(e, n) => format!("array{n}d[{}]", show(e, prog)),
        t => t.to_string(),
    }
}
