//! `epyc build FILE.py [-o FILE.elf] [-s]`: a loadable Epiphany image.

use crate::cli::BuildArgs;
use crate::{device, exit, frontend};
use std::time::Instant;

pub fn main(args: &BuildArgs) -> u8 {
    let started = Instant::now();
    let compiled = match frontend::compile(&args.file) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let built = match device::build(&compiled) {
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
