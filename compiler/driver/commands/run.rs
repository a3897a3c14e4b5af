//! `epyc run FILE.py [-d N] [-h N] [-s] [-t]`: compile, then run on the chosen cores.

use crate::cli::RunArgs;
use crate::{exit, frontend};
use std::time::Instant;

pub fn main(args: &RunArgs) -> u8 {
    if args.interp {
        return crate::interp::main(args);
    }
    let host_cores = match (args.device_cores, args.host_cores) {
        (None, Some(h)) => h,
        (Some(_), _) | (None, None) => {
            eprintln!(
                "error: running on Epiphany device cores needs the Epiphany backend, which is not \
                 built yet; use `-h N` to run on N host virtual cores, e.g. `epyc run -h 16 {}`",
                args.file.display()
            );
            return exit::USAGE;
        }
    };
    if host_cores == 0 || host_cores > 1024 {
        eprintln!("error: -h takes a number of host virtual cores from 1 to 1024");
        return exit::USAGE;
    }

    let started = Instant::now();
    let compiled = match frontend::compile(&args.file) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let typed = started.elapsed();
    let native = match epyc_host::compile(&compiled.analysis.program) {
        Ok(native) => native,
        Err(e) => {
            eprintln!("error: internal compiler error (a bug in epyc) while generating host code: {e:#}");
            return exit::COMPILE_ERROR;
        }
    };
    if args.stats {
        let prog = &compiled.analysis.program;
        eprintln!(
            "epyc: {} files, {} function specialisations, {} module variables; \
             front end {:.1} ms, code generation {:.1} ms",
            prog.files.len(),
            prog.funcs.len(),
            prog.globals.len(),
            typed.as_secs_f64() * 1e3,
            (started.elapsed() - typed).as_secs_f64() * 1e3
        );
    }
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: 0,
        timing: args.timing,
    };
    let status = epyc_rt_host::run(&native.host_program(), &config);
    status.clamp(0, 255) as u8
}
