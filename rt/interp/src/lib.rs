//! Host byte-code interpreter: runs an `epyc_bytecode::Module` on host virtual cores with the
//! host runtime (`epyc_rt_host`), whose functions it calls through their contract symbols, so
//! printing, runtime errors and message passing are those of native code.

mod machine;
mod native;
mod reenter;
mod rt;
mod value;

use epyc_bytecode::Module;
pub use native::{native_calls, ArgKind, BoxedFn, NativeFn, Natives};
pub use reenter::byte_code_calls;
use std::sync::{Arc, Mutex};

/// The program the cores of the current run interpret (the runtime's entry takes only a
/// globals pointer, so the program is found here).
static PROGRAM: Mutex<Option<Arc<machine::Program>>> = Mutex::new(None);

/// Held for the whole of a run: runs in one process (tests) take turns, since [`PROGRAM`] is
/// one for the process.
static RUN: Mutex<()> = Mutex::new(());

unsafe extern "C" fn entry(globals: *mut u8) {
    let prog = PROGRAM
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .expect("a byte-code program is installed before the cores start");
    let mut machine = machine::Machine::new(&prog, globals);
    reenter::enter_core(prog.clone(), machine.state());
    machine.run_main();
}

/// The symbols native code of a mixed program links against besides the runtime's: the
/// interpreter's entry for calls of byte code (rt/abi `INTERP_CALL_SYMBOL`).
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    vec![(
        epyc_rt_abi::INTERP_CALL_SYMBOL,
        reenter::epyc_interp_call as *const u8,
    )]
}

/// Runs `module` (function 0 is the entry) on `cfg.cores` host virtual cores; returns the
/// process exit status as `epyc_rt_host::run` does. Runs in one process take turns.
pub fn run(
    module: Module,
    files: Vec<String>,
    cfg: &epyc_rt_host::RunConfig,
    io: Arc<dyn epyc_rt_host::MonitorIo>,
) -> Result<i32, String> {
    run_mixed(module, &Natives::default(), files, cfg, io)
}

/// As [`run`], with byte-code calls running `natives` where their arguments match (mixed
/// programs, issue 6). [`native_calls`] then counts those calls.
pub fn run_mixed(
    module: Module,
    natives: &Natives,
    files: Vec<String>,
    cfg: &epyc_rt_host::RunConfig,
    io: Arc<dyn epyc_rt_host::MonitorIo>,
) -> Result<i32, String> {
    let _turn = RUN.lock().unwrap_or_else(|e| e.into_inner());
    let host = install(module, natives, files)?;
    Ok(epyc_rt_host::run_with_io(&host, cfg, io))
}

/// As [`run`] for the host cores of a hybrid run: cores `0..cfg.first_core` are external
/// (device cores served by `serve`, see `epyc_rt_host::run_with_external`), and byte code on
/// the host cores messages them through the same runtime functions as any other core.
pub fn run_with_external(
    module: Module,
    files: Vec<String>,
    cfg: &epyc_rt_host::RunConfig,
    io: Arc<dyn epyc_rt_host::MonitorIo>,
    serve: Box<dyn FnOnce(epyc_rt_host::external::ExternalCores) -> i32 + Send>,
) -> Result<i32, String> {
    run_mixed_with_external(module, &Natives::default(), files, cfg, io, serve)
}

/// As [`run_with_external`], with byte-code calls on the host cores running `natives` where
/// their arguments match (a mixed hybrid run, issue 6); [`native_calls`] then counts those
/// calls.
pub fn run_mixed_with_external(
    module: Module,
    natives: &Natives,
    files: Vec<String>,
    cfg: &epyc_rt_host::RunConfig,
    io: Arc<dyn epyc_rt_host::MonitorIo>,
    serve: Box<dyn FnOnce(epyc_rt_host::external::ExternalCores) -> i32 + Send>,
) -> Result<i32, String> {
    let _turn = RUN.lock().unwrap_or_else(|e| e.into_inner());
    let host = install(module, natives, files)?;
    Ok(epyc_rt_host::run_with_external(&host, cfg, io, serve))
}

/// Calls `f` with a host program whose entry interprets `module`, for runners other than
/// the host runtime's own (a CPython host program beside the cores, `epyc_rt_bridge`); the
/// program stays installed, and other runs in this process wait, until `f` returns.
pub fn with_host_program<R>(
    module: Module,
    files: Vec<String>,
    f: impl FnOnce(&epyc_rt_host::HostProgram) -> R,
) -> Result<R, String> {
    let _turn = RUN.lock().unwrap_or_else(|e| e.into_inner());
    let host = install(module, &Natives::default(), files)?;
    Ok(f(&host))
}

/// Makes `module` the program of the next run (the caller holds [`RUN`]); the host program
/// whose entry interprets it.
fn install(
    module: Module,
    natives: &Natives,
    files: Vec<String>,
) -> Result<epyc_rt_host::HostProgram, String> {
    let mut prog = machine::Program::new(module).map_err(|e| format!("bad byte code: {e}"))?;
    prog.natives = native::by_function(natives, prog.funcs.len());
    native::reset_native_calls();
    reenter::reset_byte_code_calls();
    *PROGRAM.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(prog));
    Ok(epyc_rt_host::HostProgram {
        entry,
        globals_size: natives.globals_size.max(16),
        files,
    })
}
