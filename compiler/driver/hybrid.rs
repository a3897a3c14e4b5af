//! `epyc run -d N -h M`: a hybrid run. Device cores 0..N run the Epiphany image on the
//! simulator (the device monitor on a thread of its own) while host virtual cores N..N+M run
//! natively, at the same time, with their output interleaved line by line. The N device cores
//! are cores of the host runtime's run (`epyc_rt_host::run_with_external`), so messages
//! between the two kinds of core, collectives over all N+M cores, `numcores()` and deadlock
//! detection work across both (the device side: rt/device/PROTOCOL.md, "Cores off the chip").
//! Under `--interp` both sides run byte code ([`run_interp`]): the device interpreter on the
//! chip, the host interpreter on the host. A program with dynamic code runs mixed on both
//! sides ([`run_mixed`]): byte code calling native code, in one image with the device
//! interpreter on the chip (`device_mixed`) and through the host JIT on the host (`mixed`).

use crate::cli::RunArgs;
use crate::frontend::Compiled;
use crate::{device, device_interp, device_mixed, exit, mixed};
use epyc_sema::Checked;
use epyc_syntax::ParsedProgram;
use std::sync::{Arc, Mutex};

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
        let (status, _) = device_interp::run_hybrid(
            &built.image,
            &built.files,
            device_cores,
            timing,
            &ext,
            &epyc_rt_host::StdIo,
        );
        status as i32
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

/// The default mode of a hybrid program with dynamic code: byte code on both sides, calling
/// native code for every specialisation it can (`mixed::plan`) — on device cores `0..N` the
/// mixed image of `device_mixed` (else wholly byte code, with a warning), on host cores
/// `N..N+M` the host interpreter calling host-JIT code (else wholly byte code, with a
/// warning). A note names each specialisation that stays native and where;
/// `EPYC_MIXED_STATS=1` counts the native calls of each side.
pub fn run_mixed(
    args: &RunArgs,
    parsed: &ParsedProgram,
    checked: &Checked,
    device_cores: u32,
    host_cores: u32,
) -> u8 {
    if args.placement.code_shared || args.placement.data_shared {
        eprintln!(
            "error: -codeshared/-datashared are not supported for programs that fall back to \
             byte code on device cores yet (the device interpreter's image is local)"
        );
        return exit::USAGE;
    }
    let module = match device_interp::compile(parsed) {
        Ok(m) => m,
        Err(failure) => return failure.report(),
    };
    let stats = std::env::var_os("EPYC_MIXED_STATS").is_some();
    let built = match device_mixed::build_or_byte_code(checked, &module, stats) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let planned = mixed::plan(checked, &module);
    let host = match mixed::compile(checked, &module, &planned) {
        Ok(compiled) => Some(compiled),
        Err(e) => {
            eprintln!(
                "warning: native code for byte code's calls on host cores could not be built \
                 ({e:#}); byte code runs there without it"
            );
            None
        }
    };
    let natives = host.as_ref().map(|(_, n)| n.clone()).unwrap_or_default();
    let on_host: Vec<&str> = if natives.fns.is_empty() {
        Vec::new()
    } else {
        planned.iter().map(|p| p.signature.as_str()).collect()
    };
    announce(&built.native, &on_host);

    let files: Vec<String> = parsed.files.iter().map(|f| f.path.clone()).collect();
    let timing = args.timing;
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: device_cores,
        timing,
    };
    // The device side's native calls, read from the chip after its run.
    let device_calls = Arc::new(Mutex::new(None));
    let device_files = files.clone();
    let calls = device_calls.clone();
    let serve = Box::new(move |ext: epyc_rt_host::external::ExternalCores| {
        let (status, dev) = device_interp::run_hybrid(
            &built.image,
            &device_files,
            device_cores,
            timing,
            &ext,
            &epyc_rt_host::StdIo,
        );
        if let Some(dev) = dev {
            *calls.lock().unwrap_or_else(|e| e.into_inner()) =
                device_mixed::native_calls(&dev, &built.image);
        }
        status as i32
    });
    let status = match epyc_interp::run_mixed_with_external(
        module,
        &natives,
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
    };
    if stats {
        let device = device_calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or(0);
        eprintln!("mixed: {device} calls ran native code on device cores");
        eprintln!(
            "mixed: {} calls ran native code on host cores",
            epyc_interp::native_calls()
        );
    }
    // The host's native code lives until here: the run is over.
    drop(host);
    status
}

/// A note per specialisation that stays native, saying on which kind of core.
fn announce(on_device: &[String], on_host: &[&str]) {
    let mut shown: Vec<&str> = Vec::new();
    for s in on_device
        .iter()
        .map(String::as_str)
        .chain(on_host.iter().copied())
    {
        if shown.contains(&s) {
            continue;
        }
        shown.push(s);
        let device = on_device.iter().any(|d| d == s);
        let host = on_host.contains(&s);
        let cores = match (device, host) {
            (true, true) => "device and host cores",
            (true, false) => "device cores",
            _ => "host cores",
        };
        eprintln!("note: {s} stays native on {cores} (byte code calls it)");
    }
    if shown.is_empty() {
        eprintln!(
            "warning: the whole program runs as byte code (no function byte code calls can \
             run natively)"
        );
    } else {
        eprintln!("warning: every other function runs as byte code");
    }
}
