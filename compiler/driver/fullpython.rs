//! `epyc run DEVICE.py --fullpython HOST.py`: the epyc program on the cores and CPython on the
//! host program as one more core (ePython's `-fullpython`, the paper's section IV), and
//! `--attach SOCKET`, used by `@epython.offload` when CPython starts epyc itself. The work is
//! in the `epyc-rt-bridge` crate; this file only reads the flags and compiles.

use crate::cli::RunArgs;
use crate::{exit, frontend};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Default)]
pub struct FullPythonArgs {
    /// Run this host program under CPython as one more core (id = number of epyc cores),
    /// talking to the cores through the `epython` module
    #[arg(long, value_name = "HOST.py")]
    pub fullpython: Option<PathBuf>,
    /// The CPython interpreter for --fullpython (default: python3 on PATH)
    #[arg(long, value_name = "PATH", requires = "fullpython")]
    pub python: Option<PathBuf>,
    /// Connect to a CPython process listening on this socket as the last core (used by
    /// `@epython.offload`)
    #[arg(
        long,
        value_name = "SOCKET",
        hide = true,
        conflicts_with = "fullpython"
    )]
    pub attach: Option<PathBuf>,
}

impl FullPythonArgs {
    pub fn wanted(&self) -> bool {
        self.fullpython.is_some() || self.attach.is_some()
    }
}

pub fn main(args: &RunArgs) -> u8 {
    let fp = &args.fullpython;
    let cores = match (args.device_cores, args.host_cores) {
        (None, Some(h)) if (1..=1023).contains(&h) => h,
        (None, Some(_)) => {
            eprintln!("error: -h takes a number of host virtual cores from 1 to 1023 (CPython is one more)");
            return exit::USAGE;
        }
        (None, None) => {
            eprintln!(
                "error: --fullpython needs the cores to run the epyc program on, e.g. `epyc run -h 16 {} --fullpython HOST.py`",
                args.file.display()
            );
            return exit::USAGE;
        }
        (Some(_), _) => {
            eprintln!(
                "error: --fullpython with device cores (-d) is not supported yet: the CPython core \
                 joins host virtual core runs only; use `-h N`"
            );
            return exit::USAGE;
        }
    };
    let compiled = match frontend::compile(&args.file) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let program = &compiled.analysis.program;
    let native = match epyc_host::compile(program) {
        Ok(native) => native,
        Err(e) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc) while generating host code: {e:#}"
            );
            return exit::COMPILE_ERROR;
        }
    };
    let host = native.host_program();
    let status = match (&fp.fullpython, &fp.attach) {
        (Some(script), _) => {
            let run = epyc_rt_bridge::PythonRun {
                python: fp.python.clone().unwrap_or_else(|| "python3".into()),
                script: script.clone(),
                args: args.args.clone(),
                cores,
                timing: args.timing,
            };
            epyc_rt_bridge::run_with_python(&host, program, &run)
        }
        (None, Some(socket)) => {
            epyc_rt_bridge::run_attached(&host, program, socket, cores, args.timing)
        }
        (None, None) => return exit::USAGE,
    };
    status.clamp(0, 255) as u8
}
