//! `epyc build FILE.py [-o FILE.elf] [-s] [--explain]`: a loadable Epiphany image.
//! `--explain` first lists every specialisation, native or dynamic and why, and the functions
//! that fall back to byte code (as `epyc check`). A program with dynamic code has no native
//! image: each dynamic function is named with its first reason, and the build fails.

use crate::cli::BuildArgs;
use crate::{device, exit, fallback, frontend};
use std::time::Instant;

pub fn main(args: &BuildArgs) -> u8 {
    let started = Instant::now();
    let parsed = match frontend::parse(&args.file) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let checked = epyc_sema::check(&parsed);
    let dynamic = fallback::falling_back(&parsed, &checked);
    if args.explain {
        print!("{}", checked.report);
        print!("{}", fallback::explain(&dynamic, &checked));
        if !dynamic.is_empty() {
            print!("{}", crate::mixed::explain(&parsed, &checked));
        }
    } else {
        for f in &dynamic {
            eprintln!("error: {f}");
        }
    }
    if !dynamic.is_empty() {
        frontend::print_diagnostics(&parsed.files, &checked.errors);
        eprintln!(
            "error: `epyc build` writes native images only; `epyc run` runs this program's \
             dynamic code as byte code"
        );
        return exit::COMPILE_ERROR;
    }
    let compiled = match frontend::finish(&parsed, checked) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let built = match device::build(&compiled, args.placement.placement()) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("elf"));
    if let Err(e) = std::fs::write(&output, &built.elf) {
        eprintln!("error: cannot write '{}': {e}", output.display());
        return exit::USAGE;
    }
    if args.stats {
        eprintln!("{}", built.usage);
        eprintln!(
            "epyc: wrote {} ({} bytes) in {:.1} ms",
            output.display(),
            built.elf.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    exit::OK
}
