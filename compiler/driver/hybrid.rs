//! `epyc run -d N -h M`: a hybrid run. Device cores 0..N run the Epiphany image on the
//! simulator (on a thread of their own) while host virtual cores N..N+M run natively, at the
//! same time, with their output interleaved line by line.
//!
//! Not yet: messages between a device core and a host core (each side reports a message to a
//! core of the other side as a send to a core that does not exist), and `numcores()` on the
//! device cores counts only them (the device runtime learns the core count from the monitor's
//! group header, which has no room for host cores yet).

use crate::cli::RunArgs;
use crate::frontend::Compiled;
use crate::{device, exit};

pub fn run(args: &RunArgs, compiled: &Compiled, device_cores: u32, host_cores: u32) -> u8 {
    let built = match device::build(compiled) {
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
    let device_run = std::thread::spawn(move || device::run(&built, device_cores, timing));
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: device_cores,
        timing,
    };
    let host_status = epyc_rt_host::run(&native.host_program(), &config).clamp(0, 255) as u8;
    let device_status = device_run.join().unwrap_or(exit::RUNTIME_ERROR);
    host_status.max(device_status)
}
