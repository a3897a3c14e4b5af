//! `epyc run DEVICE.py --fullpython HOST.py`: the epyc program on the cores and CPython on the
//! host program as one more core (ePython's `-fullpython`, the paper's section IV), and
//! `--attach SOCKET`, used by `@epython.offload` when CPython starts epyc itself. The work is
//! in the `epyc-rt-bridge` crate; this file only reads the flags and compiles. With `--interp`
//! the program runs as byte code (the device or the host interpreter); it must still type,
//! since the CPython core receives values of the program's one message type.

use crate::cli::RunArgs;
use crate::device_interp::{self, BuildFailure};
use crate::frontend::Compiled;
use crate::{device, exit, frontend};
use clap::Args;
use epyc_bytecode::Module;
use epyc_syntax::ParsedProgram;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug, Default)]
pub struct FullPythonArgs {
    /// Run this host program under CPython as one more core (id = number of epyc cores),
    /// talking to the cores through the `epython` module; the epyc program runs on 16 device
    /// cores, or `-d N` device cores, or `-h N` host virtual cores
    #[arg(long, value_name = "HOST.py")]
    pub fullpython: Option<PathBuf>,
    /// The CPython interpreter for --fullpython (default: python3 on PATH)
    #[arg(long, value_name = "PATH", requires = "fullpython")]
    pub python: Option<PathBuf>,
    /// Connect to a CPython process listening on this socket as the last core (used by
    /// `@epython.offload`); the program runs on device cores (16, or -d N) or -h N host cores
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

/// Device cores of `epyc run device.py --fullpython host.py` without `-d` or `-h`: the
/// Parallella's 16, as `epyc run` itself.
const DEFAULT_DEVICE_CORES: u32 = 16;

/// Where the epyc program runs.
enum Cores {
    Host(u32),
    Device(u32),
}

pub fn main(args: &RunArgs) -> u8 {
    let fp = &args.fullpython;
    let max = epyc_rt_device::memmap::MAX_CORES;
    let cores = match (args.device_cores, args.host_cores) {
        (None, Some(h)) if (1..=1023).contains(&h) => Cores::Host(h),
        (None, Some(_)) => {
            eprintln!("error: -h takes a number of host virtual cores from 1 to 1023 (CPython is one more)");
            return exit::USAGE;
        }
        (Some(_), Some(_)) => {
            eprintln!(
                "error: --fullpython runs the epyc program on device cores (-d N) or on host \
                 virtual cores (-h N), not both"
            );
            return exit::USAGE;
        }
        (device, None) => match device.unwrap_or(DEFAULT_DEVICE_CORES) {
            d if (1..=max).contains(&d) => Cores::Device(d),
            _ => {
                eprintln!("error: -d takes a number of device cores from 1 to {max} (CPython is one more)");
                return exit::USAGE;
            }
        },
    };
    // Typed even under --interp: the CPython core receives values of the program's one
    // message type (`epyc_rt_bridge::message_tag`).
    let parsed = match frontend::parse(&args.file) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let compiled = match frontend::finish(&parsed, epyc_sema::check(&parsed)) {
        Ok(c) => c,
        Err(status) => return status,
    };
    // --interp: the whole program as byte code, on the cores asked for.
    let module = match args.interp.then(|| device_interp::compile(&parsed)) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(failure)) => return failure.report(),
    };
    let program = &compiled.analysis.program;
    let status = match cores {
        Cores::Host(cores) => {
            let run = |host: &epyc_rt_host::HostProgram| match (&fp.fullpython, &fp.attach) {
                (Some(script), _) => {
                    let run = python_run(args, script, cores, None);
                    epyc_rt_bridge::run_with_python(host, program, run)
                }
                (None, Some(socket)) => {
                    epyc_rt_bridge::run_attached(host, program, socket, cores, args.timing, None)
                }
                (None, None) => exit::USAGE as i32,
            };
            match module {
                Some(module) => {
                    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
                    match epyc_interp::with_host_program(module, files, run) {
                        Ok(status) => status,
                        Err(e) => {
                            eprintln!("error: internal compiler error (a bug in epyc): {e}");
                            return exit::COMPILE_ERROR;
                        }
                    }
                }
                None => match epyc_host::compile(program) {
                    Ok(native) => run(&native.host_program()),
                    Err(e) => {
                        eprintln!(
                            "error: internal compiler error (a bug in epyc) while generating host code: {e:#}"
                        );
                        return exit::COMPILE_ERROR;
                    }
                },
            }
        }
        Cores::Device(cores) => {
            let (serve, files) = match device_serve(args, &parsed, &compiled, module, cores) {
                Ok(s) => s,
                Err(status) => return status,
            };
            // CPython's proxy is the run's only host core: no compiled code runs on the host.
            let host = epyc_rt_host::HostProgram {
                entry: no_host_program,
                globals_size: 0,
                files,
            };
            let device = Some(epyc_rt_bridge::DeviceCores { serve });
            match (&fp.fullpython, &fp.attach) {
                (Some(script), _) => {
                    let run = python_run(args, script, cores, device);
                    epyc_rt_bridge::run_with_python(&host, program, run)
                }
                (None, Some(socket)) => {
                    epyc_rt_bridge::run_attached(&host, program, socket, cores, args.timing, device)
                }
                (None, None) => return exit::USAGE,
            }
        }
    };
    status.clamp(0, 255) as u8
}

type Serve = Box<
    dyn FnOnce(epyc_rt_host::external::ExternalCores, Arc<dyn epyc_rt_host::MonitorIo>) -> i32
        + Send,
>;

/// What serves the device cores of the run (the native image, or with `module` the device
/// interpreter's image), and the program's source paths; or the exit status after saying why
/// there is none.
fn device_serve(
    args: &RunArgs,
    parsed: &ParsedProgram,
    compiled: &Compiled,
    module: Option<Module>,
    cores: u32,
) -> Result<(Serve, Vec<String>), u8> {
    let timing = args.timing;
    match module {
        Some(module) => {
            let built = device_interp::link(parsed, &module).map_err(BuildFailure::report)?;
            let files = built.files.clone();
            let serve: Serve = Box::new(move |ext, io| {
                let (status, _) = device_interp::run_hybrid(
                    &built.image,
                    &built.files,
                    cores,
                    timing,
                    &ext,
                    io.as_ref(),
                );
                status as i32
            });
            Ok((serve, files))
        }
        None => {
            let built = device::build(compiled, args.placement.placement())?;
            let files = built.files.clone();
            let serve: Serve = Box::new(move |ext, io| {
                device::run_hybrid(&built, cores, timing, &ext, io.as_ref()) as i32
            });
            Ok((serve, files))
        }
    }
}

fn python_run(
    args: &RunArgs,
    script: &std::path::Path,
    cores: u32,
    device: Option<epyc_rt_bridge::DeviceCores>,
) -> epyc_rt_bridge::PythonRun {
    epyc_rt_bridge::PythonRun {
        python: args
            .fullpython
            .python
            .clone()
            .unwrap_or_else(|| "python3".into()),
        script: script.to_path_buf(),
        args: args.args.clone(),
        cores,
        timing: args.timing,
        device,
    }
}

/// The host entry of a CPython run on device cores: never called, since the run's one host
/// core is CPython's proxy (`epyc_rt_bridge`).
unsafe extern "C" fn no_host_program(_globals: *mut u8) {}
