//! `epyc run -d N -h M`: a hybrid run. Device cores 0..N run the Epiphany image on the
//! simulator (the device monitor on a thread of its own) while host virtual cores N..N+M run
//! natively, at the same time, with their output interleaved line by line. The N device cores
//! are cores of the host runtime's run (`epyc_rt_host::run_with_external`), so messages
//! between the two kinds of core, collectives over all N+M cores, `numcores()` and deadlock
//! detection work across both (the device side: rt/device/PROTOCOL.md, "Cores off the chip").
//! Under `--interp` (or when the program has dynamic code) both sides run byte code
//! ([`run_interp`]): the device interpreter on the chip, the host interpreter on the host.

use crate::cli::RunArgs;
use crate::device_interp;
use crate::frontend::Compiled;
use crate::{device, exit};
use epyc_syntax::ParsedProgram;
use std::sync::Arc;

pub fn run(args: &RunArgs, compiled: &Compiled, device_cores: u32, host_cores: u32) -> u8 {
    let built = match device::build(compiled, args.placement.placement()) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let native = match epyc_host::compile(&compiled.analysis.program) {
        Ok(native) => native,
        Err(e) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc) while generating host code: {e:#}"
            );
            return exit::COMPILE_ERROR;
        }
    };
    let timing = args.timing;
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: device_cores,
        timing,
    };
    let serve = Box::new(move |ext: epyc_rt_host::external::ExternalCores| {
        device::run_hybrid(&built, device_cores, timing, &ext, &epyc_rt_host::StdIo) as i32
    });
    let status = epyc_rt_host::run_with_external(
        &native.host_program(),
        &config,
        Arc::new(epyc_rt_host::StdIo),
        serve,
    );
    status.clamp(0, 255) as u8
}

/// `epyc run --interp -d N -h M`, and the default mode of a hybrid program with dynamic code:
/// the whole program as byte code, run by the device interpreter on device cores `0..N`
/// (simulated, under the monitor) and by the host interpreter on host virtual cores
/// `N..N+M`, in one run. Both interpreters message through the runtimes' own functions, and
/// every message carries its value's tag, so byte code on either side receives any type.
pub fn run_interp(
    args: &RunArgs,
    parsed: &ParsedProgram,
    device_cores: u32,
    host_cores: u32,
) -> u8 {
    if args.placement.code_shared || args.placement.data_shared {
        eprintln!(
            "error: -codeshared/-datashared are not supported by the device byte-code \
             interpreter yet (they apply to compiled programs)"
        );
        return exit::USAGE;
    }
    let module = match device_interp::compile(parsed) {
        Ok(m) => m,
        Err(failure) => return failure.report(),
    };
    let built = match device_interp::link(parsed, &module) {
        Ok(b) => b,
        Err(failure) => return failure.report(),
    };
    let timing = args.timing;
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: device_cores,
        timing,
    };
    let files = built.files.clone();
    let serve = Box::new(move |ext: epyc_rt_host::external::ExternalCores| {
        device_interp::run_hybrid(&built, device_cores, timing, &ext, &epyc_rt_host::StdIo) as i32
    });
    match epyc_interp::run_with_external(
        module,
        files,
        &config,
        Arc::new(epyc_rt_host::StdIo),
        serve,
    ) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => {
            eprintln!("error: internal compiler error (a bug in epyc): {e}");
            exit::COMPILE_ERROR
        }
    }
}
