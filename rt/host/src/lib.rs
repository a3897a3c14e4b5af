//! Host runtime: ePython "virtual cores" as threads of this process (ePython's `-h N`).
//!
//! Implements every runtime function of `epyc_rt_abi::RtFn` for code compiled to the host, the
//! monitor (one writer of `[host N] text` lines, never interleaving partial lines), message
//! passing between cores (blocking waits on condition variables, never spinning), deadlock
//! detection, and runtime error reports (core id, source line, message).
//!
//! How a run works:
//! * [`run`] starts one thread per core (ids `first_core ..`, `numcores()` = `first_core +
//!   cores`), each with a large stack ([`core_stack_size`]) and its own zeroed globals block,
//!   and calls `entry(globals)` on it. The runtime functions find their core through a
//!   thread-local, so compiled code never passes a core id.
//! * A core ends when its entry returns or it calls `epyc_exit`; a runtime error
//!   (`epyc_error*`) prints `Error from core N: MESSAGE` and `  at FILE:LINE` on stderr and
//!   stops that core. Stopped cores never unwind through compiled frames: their threads sleep
//!   until the process exits.
//! * The run ends when every core has ended, or when no core can ever proceed (deadlock: the
//!   report lists each blocked core's operation, partner and line). Status 0, or 3 after any
//!   runtime error or deadlock.
//! * A stack overflow that gets past compiled code's own call-depth check ends the whole
//!   process at once with `Error from core N: Stack overflow: ...` and status 3 (the faulting
//!   core may hold a lock, so nothing else can safely go on).
//!
//! Details of the contract as implemented here (see `epyc_rt_abi` for the rest):
//! * Runtime functions find the calling core through a thread-local; called on a thread that
//!   is not a core of a run, they treat it as core 0 of a one-core run of its own.
//! * `epyc_exit`, `epyc_error`, `epyc_error_detail` never return.
//! * `epyc_str_from_list(list, tag_path)`: bits 0-3 of `tag_path` are the element tag; for
//!   lists of lists bits 4-7 the inner element tag, and so on. Arrays of several dimensions
//!   print nested by dimension. Str and list elements are pointers (8 bytes on the host).
//! * `epyc_math` codes are ePython's 0..=14, plus 15 exp and 16 fabs; arguments outside the
//!   domain (sqrt of a negative, log of a non-positive, asin/acos beyond ±1) stop the core
//!   with "math domain error" (no source line: the call carries no position).
//! * `epyc_reduce` op codes are ePython's: 0 sum, 1 min, 2 max, 3 prod; values combine in
//!   core-id order (floats as float32, sums from 0.0), so results are reproducible.
//! * Floats have no subnormal numbers, as on the Epiphany FPU: each core thread flushes
//!   subnormal operands and results to signed zero ([`fpu`]).
//! * A position whose line is 0 is unknown: the error report then has no `  at` line.

mod collective;
mod control_fns;
mod core;
mod deadlock;
pub mod external;
pub mod format;
mod fpu;
mod heap;
mod list_fns;
mod list_text;
pub mod math_fns;
mod messaging;
mod monitor;
#[cfg(target_os = "linux")]
mod overflow;
mod print_fns;
pub mod random;
mod runner;
mod string_fns;
mod symbols;
mod world;

pub use monitor::{CapturedIo, MonitorIo, StdIo};
pub use runner::{core_stack_size, STATUS_OK, STATUS_RUNTIME_ERROR};
pub use symbols::Entry;

/// A program compiled for the host: its entry and the size of one core's globals block.
pub struct HostProgram {
    /// Runs the module's code on the calling core; takes the core's globals base.
    pub entry: unsafe extern "C" fn(globals: *mut u8),
    /// Bytes of module variables per core (zero-initialised, 16-byte aligned).
    pub globals_size: usize,
    /// Source paths, indexed by the file part of a `pos`.
    pub files: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Number of host virtual cores to start.
    pub cores: u32,
    /// Id of the first of them (device cores, numbered first, are not run here; with
    /// [`run_with_external`] they are cores of the run served by someone else).
    pub first_core: u32,
    /// Print `Core N completed in S.UUUUUU seconds` as each core ends (`-t`).
    pub timing: bool,
}

/// Runs `cores` virtual cores to completion with the process's stdin, stdout and stderr;
/// returns the process exit status (0 ok, 3 runtime error or deadlock on any core).
pub fn run(prog: &HostProgram, cfg: &RunConfig) -> i32 {
    run_with_io(prog, cfg, std::sync::Arc::new(StdIo))
}

/// As [`run`], with the output and input of the run going through `io`.
pub fn run_with_io(prog: &HostProgram, cfg: &RunConfig, io: std::sync::Arc<dyn MonitorIo>) -> i32 {
    runner::run_with_io(prog, cfg, io)
}

/// As [`run_with_io`], with cores `0..cfg.first_core` external: they are served by `serve`,
/// called on a thread of its own with their handle (the device monitor of a hybrid run), and
/// message, wait and join collectives with the host cores as cores of one run. Returns the
/// worse of the run's status and `serve`'s.
pub fn run_with_external(
    prog: &HostProgram,
    cfg: &RunConfig,
    io: std::sync::Arc<dyn MonitorIo>,
    serve: Box<dyn FnOnce(external::ExternalCores) -> i32 + Send>,
) -> i32 {
    runner::run_with_external(prog, cfg, io, serve)
}

/// (symbol, address) of every RtFn, for the JIT to link against.
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    symbols::entries()
        .into_iter()
        .map(|e| (e.symbol, e.address))
        .collect()
}

/// Every runtime function with the parameter and return kinds of its implementation.
pub fn symbol_entries() -> Vec<Entry> {
    symbols::entries()
}

/// Text of a list as `print` shows it (see `epyc_str_from_list` for `tag_path`).
///
/// # Safety
/// `list` is null or a list object whose elements have the types `tag_path` names.
pub unsafe fn list_text(list: *const u8, tag_path: i32) -> String {
    list_text::list_text(list, tag_path)
}
