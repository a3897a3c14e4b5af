//! The default mode's answer to code the type specialiser cannot type (issue 6): the program
//! runs as byte code — on host cores with the host interpreter, on the simulated chip with
//! the device interpreter — and never silently. Each function that falls back is named with
//! its first reason and its place (`warning: function 'f' falls back to byte code: ...
//! (prog.py:12)`), then every cause is shown with its source line; `--strict` makes them
//! errors (exit 1). `epyc check` and `epyc build --explain` list them all ([`explain`]).
//!
//! The program is mixed: byte code calls native code for every specialisation that can cross
//! the boundary, and a note names each — on host cores (`-h N`) through the host JIT (see
//! `mixed`), on the simulated chip in one image with the device interpreter (see
//! `device_mixed`).

use crate::cli::RunArgs;
use crate::{exit, frontend};
use epyc_sema::Checked;
use epyc_syntax::{Diagnostic, ParsedProgram, Severity, SourceFile};

/// One function whose specialisation(s) the type specialiser marked dynamic.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicFunction {
    /// The function as the user knows it (`the module code` for `<module>`).
    pub name: String,
    /// The first reason (the construct, in words).
    pub reason: String,
    /// `FILE:LINE` of that construct, when sema reported it with a position.
    pub at: Option<String>,
}

impl std::fmt::Display for DynamicFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.reason_at())
    }
}

/// The functions of a checked program that are dynamic, each once (the first of its
/// specialisations that is), in report order, with the first reason and its place.
pub fn dynamic_functions(files: &[SourceFile], checked: &Checked) -> Vec<DynamicFunction> {
    let mut found: Vec<DynamicFunction> = Vec::new();
    for spec in checked.report.specs.iter().filter(|s| !s.is_native()) {
        let name = shown_name(&spec.name);
        if found.iter().any(|f| f.name == name) {
            continue;
        }
        let reason = spec.dynamic[0].clone();
        let at = checked
            .errors
            .iter()
            .find(|d| d.message == reason)
            .and_then(|d| place(files, d));
        found.push(DynamicFunction { name, reason, at });
    }
    found
}

/// The functions that fall back to byte code: [`dynamic_functions`] when the program does not
/// type natively and byte code can run it — none when it types (all native) or when byte code
/// rejects it too (an unknown name, a syntax the dialect lacks: errors, not dynamic code).
pub fn falling_back(parsed: &ParsedProgram, checked: &Checked) -> Vec<DynamicFunction> {
    if checked.program.is_some() || epyc_bytecode::compile_program(parsed).is_err() {
        return Vec::new();
    }
    dynamic_functions(&parsed.files, checked)
}

fn shown_name(name: &str) -> String {
    if name == "<module>" {
        "the module code".to_string()
    } else {
        format!("function '{name}'")
    }
}

/// `FILE:LINE` of a diagnostic's start.
fn place(files: &[SourceFile], d: &Diagnostic) -> Option<String> {
    let file = files.get(d.file as usize)?;
    let (line, _) = file.line_col(d.start);
    Some(format!("{}:{line}", file.path))
}

/// `epyc check` / `epyc build --explain`: a summary line per dynamic function, or that all
/// of the program is native — nothing when it has errors of another kind (they follow).
pub fn explain(functions: &[DynamicFunction], checked: &Checked) -> String {
    if functions.is_empty() {
        return if checked.errors.is_empty() {
            "every function is native\n".to_string()
        } else {
            String::new()
        };
    }
    let mut text = format!(
        "{} function{} fall{} back to byte code:\n",
        functions.len(),
        if functions.len() == 1 { "" } else { "s" },
        if functions.len() == 1 { "s" } else { "" },
    );
    for f in functions {
        text.push_str(&format!("  {f}\n"));
    }
    text
}

/// Default mode of `epyc run`: when the program has dynamic code that byte code can run,
/// reports it and runs the program as byte code on the cores asked for (host cores with
/// `-h N`, else simulated device cores), returning the exit status. `None` when the program
/// is all native, or when byte code cannot take it either (the native path then reports
/// the errors). A hybrid run (`-d N -h M`) runs mixed on both kinds of core
/// (`hybrid::run_mixed`). `parsed` and `checked` are the program as the native path
/// parsed and typed it (typed once).
pub fn run(
    args: &RunArgs,
    default_device_cores: u32,
    parsed: &ParsedProgram,
    checked: &Checked,
) -> Option<u8> {
    let functions = falling_back(parsed, checked);
    if functions.is_empty() {
        return None;
    }
    report(parsed, checked, &functions, args.strict);
    if args.strict {
        eprintln!("error: --strict: dynamic code does not fall back to byte code");
        return Some(exit::COMPILE_ERROR);
    }
    Some(match (args.device_cores, args.host_cores) {
        (Some(d), Some(h)) => crate::hybrid::run_mixed(args, parsed, checked, d, h),
        (_, Some(_)) => crate::mixed::run(args, parsed, checked),
        (_, None) => crate::device_mixed::run(
            args,
            args.device_cores.unwrap_or(default_device_cores),
            parsed,
            checked,
        ),
    })
}

/// Names each dynamic function with its first reason, then shows every cause with its line:
/// warnings, or errors under `--strict`.
pub fn report(
    parsed: &ParsedProgram,
    checked: &Checked,
    functions: &[DynamicFunction],
    strict: bool,
) {
    let severity = if strict { "error" } else { "warning" };
    for f in functions {
        eprintln!(
            "{severity}: {} falls back to byte code: {}",
            f.name,
            f.reason_at()
        );
    }
    let causes: Vec<Diagnostic> = checked
        .errors
        .iter()
        .map(|d| {
            let mut shown = d.clone();
            if !strict {
                shown.severity = Severity::Warning;
            }
            shown
        })
        .collect();
    frontend::print_diagnostics(&parsed.files, &causes);
}

impl DynamicFunction {
    /// The reason followed by its place.
    fn reason_at(&self) -> String {
        match &self.at {
            Some(at) => format!("{} ({at})", self.reason),
            None => self.reason.clone(),
        }
    }
}
