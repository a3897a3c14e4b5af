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
