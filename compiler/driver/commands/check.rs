//! `epyc check FILE.py`: the type report — each function's specialisations, native or dynamic
//! and why — printed even when some code is dynamic, then which functions fall back to byte
//! code (each with its first reason and line), followed by the errors that explain it.

use crate::cli::CheckArgs;
use crate::{exit, fallback, frontend};

pub fn main(args: &CheckArgs) -> u8 {
    let parsed = match frontend::parse(&args.file) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let checked = epyc_sema::check(&parsed);
    print!("{}", checked.report);
    print!(
        "{}",
        fallback::explain(&fallback::falling_back(&parsed, &checked), &checked)
    );
    print!("{}", crate::mixed::explain(&parsed, &checked));
    frontend::print_diagnostics(&parsed.files, &checked.warnings);
    frontend::print_diagnostics(&parsed.files, &checked.errors);
    if checked.errors.is_empty() {
        exit::OK
    } else {
        exit::COMPILE_ERROR
    }
}
