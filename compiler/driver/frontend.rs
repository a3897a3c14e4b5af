//! The shared front half of every command that compiles: parse (with imports from `libs/`),
//! then type inference and specialisation. Diagnostics are printed here, once.

use crate::exit;
use epyc_sema::{Analysis, Checked};
use epyc_syntax::{Diagnostic, ParsedProgram, Severity, SourceFile};
use std::io::IsTerminal;
use std::path::Path;

pub struct Compiled {
    pub analysis: Analysis,
}

/// Parses `path` and the modules it imports; on failure prints the diagnostics and returns
/// the exit status.
pub fn parse(path: &Path) -> Result<ParsedProgram, u8> {
    if !path.is_file() {
        eprintln!("error: cannot read '{}': no such file", path.display());
        return Err(exit::USAGE);
    }
    let lib_dirs = [epyc_syntax::default_lib_dir()];
    epyc_syntax::parse_program(path, &lib_dirs).map_err(|failure| {
        print_diagnostics(&failure.files, &failure.diagnostics);
        exit::COMPILE_ERROR
    })
}

/// Parses and types `path`; on failure prints the diagnostics and returns the exit status.
pub fn compile(path: &Path) -> Result<Compiled, u8> {
    let parsed = parse(path)?;
    let checked = epyc_sema::check(&parsed);
    finish(&parsed, checked)
}

/// The result of typing `parsed` (`checked`, from `epyc_sema::check`) as a compiled program,
/// or its errors printed and the exit status. Callers that looked at the check first (the
/// byte-code fallback) use this rather than typing the program a second time.
pub fn finish(parsed: &ParsedProgram, checked: Checked) -> Result<Compiled, u8> {
    match epyc_sema::analysis(checked) {
        Ok(analysis) => {
            print_diagnostics(&parsed.files, &analysis.warnings);
            Ok(Compiled { analysis })
        }
        Err(diagnostics) => {
            print_diagnostics(&parsed.files, &diagnostics);
            Err(exit::COMPILE_ERROR)
        }
    }
}

pub fn print_diagnostics(files: &[SourceFile], diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", epyc_syntax::render(files, diagnostics, color));
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        let s = if errors == 1 { "" } else { "s" };
        eprintln!("epyc: {errors} error{s}; nothing was run");
    }
}
