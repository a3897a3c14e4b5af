//! `epyc run FILE.py [-d N] [-h N] [-s] [-t]`: compile, then run on the chosen cores.

use crate::cli::RunArgs;
use crate::{device, exit, frontend};
use std::time::Instant;

/// Cores of the Epiphany-III (E16G301) on the Parallella: `epyc run` without `-d`/`-h`.
const DEFAULT_DEVICE_CORES: u32 = 16;

pub fn main(args: &RunArgs) -> u8 {
    // CPython as one more core (`--fullpython`): compiled and run by fullpython.rs.
    if args.fullpython.wanted() {
        return crate::fullpython::main(args);
    }
    if args.interp {
        // `-d N` alone: byte code on simulated device cores (the device interpreter).
        match (args.device_cores, args.host_cores) {
            (Some(cores), None) => return crate::device_interp::main(args, cores),
            // Both interpreters in one run.
            (Some(d), Some(h)) => return run_hybrid_interp(args, d, h),
            _ => {}
        }
        return crate::interp::main(args);
    }
    let host_cores = match (args.device_cores, args.host_cores) {
        (Some(d), Some(h)) => return run_hybrid(args, d, h),
        (_, host) => host,
    };
    let device_cores = args.device_cores.unwrap_or(DEFAULT_DEVICE_CORES);
    let max = epyc_rt_device::memmap::MAX_CORES;
    if host_cores.is_none() && (device_cores == 0 || device_cores > max) {
        eprintln!("error: -d takes a number of device cores from 1 to {max}");
        return exit::USAGE;
    }
    let started = Instant::now();
    // Parsed and typed once: the same check decides on the byte-code fallback.
    let parsed = match frontend::parse(&args.file) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let checked = epyc_sema::check(&parsed);
    if let Some(status) = crate::fallback::run(args, DEFAULT_DEVICE_CORES, &parsed, &checked) {
        return status;
    }
    let compiled = match frontend::finish(&parsed, checked) {
        Ok(c) => c,
        Err(status) => return status,
    };
    match host_cores {
        Some(cores) => run_on_host(args, cores, &compiled, started),
        None => run_on_device(args, device_cores, &compiled, started),
    }
}

/// `epyc run -h N`: native code on N host virtual cores.
fn run_on_host(
    args: &RunArgs,
    host_cores: u32,
    compiled: &frontend::Compiled,
    started: Instant,
) -> u8 {
    let typed = started.elapsed();
    let native = match epyc_host::compile(&compiled.analysis.program) {
        Ok(native) => native,
        Err(e) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc) while generating host code: {e:#}"
            );
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

/// `epyc run [-d N]`: the image on N simulated device cores (N checked by the caller).
fn run_on_device(
    args: &RunArgs,
    cores: u32,
    compiled: &frontend::Compiled,
    started: Instant,
) -> u8 {
    let built = match device::build(compiled, args.placement.placement()) {
        Ok(b) => b,
        Err(status) => return status,
    };
    if args.stats {
        eprintln!("{}", built.usage);
        eprintln!(
            "epyc: {} function specialisations; image built in {:.1} ms",
            compiled.analysis.program.funcs.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    device::run(&built, cores, args.timing)
}

/// Whether `-d N -h M` are in range; says why not.
fn hybrid_cores_ok(device_cores: u32, host_cores: u32) -> bool {
    let max = epyc_rt_device::memmap::MAX_CORES;
    if device_cores == 0 || device_cores > max || host_cores == 0 || host_cores > 1024 {
        eprintln!("error: -d takes 1 to {max} device cores and -h 1 to 1024 host virtual cores");
        return false;
    }
    true
}

/// `epyc run --interp -d N -h M`: byte code on device and host cores in one run.
fn run_hybrid_interp(args: &RunArgs, device_cores: u32, host_cores: u32) -> u8 {
    if !hybrid_cores_ok(device_cores, host_cores) {
        return exit::USAGE;
    }
    match frontend::parse(&args.file) {
        Ok(parsed) => crate::hybrid::run_interp(args, &parsed, device_cores, host_cores),
        Err(status) => status,
    }
}

/// `epyc run -d N -h M`: device cores on the simulator and host virtual cores together.
fn run_hybrid(args: &RunArgs, device_cores: u32, host_cores: u32) -> u8 {
    if !hybrid_cores_ok(device_cores, host_cores) {
        return exit::USAGE;
    }
    let parsed = match frontend::parse(&args.file) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let checked = epyc_sema::check(&parsed);
    // Dynamic code: named function by function, then the whole program runs as byte code.
    if let Some(status) = crate::fallback::run(args, DEFAULT_DEVICE_CORES, &parsed, &checked) {
        return status;
    }
    let compiled = match frontend::finish(&parsed, checked) {
        Ok(c) => c,
        Err(status) => return status,
    };
    crate::hybrid::run(args, &compiled, device_cores, host_cores)
}
