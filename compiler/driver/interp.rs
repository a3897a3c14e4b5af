//! `epyc run --interp FILE.py -h N`: the whole program as byte code, run by the host
//! byte-code interpreter on N host virtual cores (the same runtime as native code).

use crate::cli::RunArgs;
use crate::{exit, frontend};
use epyc_syntax::Diagnostic;

pub fn main(args: &RunArgs) -> u8 {
    let Some(host_cores) = args.host_cores.filter(|&h| (1..=1024).contains(&h)) else {
        eprintln!("error: --interp runs on host virtual cores: use `-h N` (1 to 1024)");
        return exit::USAGE;
    };
    let parsed = match frontend::parse(&args.file) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let module = match epyc_bytecode::compile_program(&parsed) {
        Ok(m) => m,
        Err(e) => {
            let d = Diagnostic::error(e.file, e.offset, e.offset, e.message);
            frontend::print_diagnostics(&parsed.files, &[d]);
            return exit::COMPILE_ERROR;
        }
    };
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: 0,
        timing: args.timing,
    };
    match epyc_interp::run(
        module,
        files,
        &config,
        std::sync::Arc::new(epyc_rt_host::StdIo),
    ) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => {
            eprintln!("error: internal compiler error (a bug in epyc): {e}");
            exit::COMPILE_ERROR
        }
    }
}

/// Default mode on host cores: a program with code the type specialiser cannot type runs as
/// byte code — for now the whole program, not only its dynamic functions — and never
/// silently: each dynamic function is named with its first reason, then every cause with its
/// line, as warnings (`--strict` makes them errors). `None` when the program is all native,
/// or when byte code cannot take it either (the native path then reports the errors).
pub fn fallback(args: &RunArgs) -> Option<u8> {
    if args.device_cores.is_some() || args.host_cores.is_none() {
        return None;
    }
    let lib_dirs = [epyc_syntax::default_lib_dir()];
    let parsed = epyc_syntax::parse_program(&args.file, &lib_dirs).ok()?;
    let checked = epyc_sema::check(&parsed);
    if checked.program.is_some() {
        return None;
    }
    let mut reasons: Vec<(String, String)> = Vec::new();
    for s in checked.report.specs.iter().filter(|s| !s.is_native()) {
        if !reasons.iter().any(|(n, _)| *n == s.name) {
            reasons.push((s.name.clone(), s.dynamic[0].clone()));
        }
    }
    if reasons.is_empty() {
        return None;
    }
    epyc_bytecode::compile_program(&parsed).ok()?;
    let severity = if args.strict { "error" } else { "warning" };
    for (name, why) in &reasons {
        eprintln!("{severity}: {name} is dynamic and falls back to byte code: {why}");
    }
    let causes: Vec<Diagnostic> = checked
        .errors
        .iter()
        .map(|d| {
            let mut w = d.clone();
            if !args.strict {
                w.severity = epyc_syntax::Severity::Warning;
            }
            w
        })
        .collect();
    frontend::print_diagnostics(&parsed.files, &causes);
    if args.strict {
        eprintln!("error: --strict: dynamic code does not fall back to byte code");
        return Some(exit::COMPILE_ERROR);
    }
    eprintln!(
        "warning: the whole program runs as byte code (per-function fallback is not built yet)"
    );
    Some(main(args))
}
