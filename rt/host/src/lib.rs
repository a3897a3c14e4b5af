//! Host runtime: ePython "virtual cores" as threads of this process (ePython's `-h N`).
//!
//! Implements every runtime function of `epyc_rt_abi::RtFn` for code compiled to the host, the
//! monitor (one writer of `[host N] text` lines, never interleaving partial lines), message
//! passing between cores (blocking waits on condition variables, never spinning), deadlock
//! detection, and runtime error reports (core id, source line, message).
//!
//! Contract used by the host backend (`epyc-host`) and the driver:
//!
//! ```ignore
//! /// A program compiled for the host: its entry and the size of one core's globals block.
//! pub struct HostProgram {
//!     pub entry: unsafe extern "C" fn(globals: *mut u8),
//!     pub globals_size: usize,
//!     pub files: Vec<String>, // source paths, indexed by the file part of a pos
//! }
//! pub struct RunConfig { pub cores: u32, pub first_core: u32, pub timing: bool }
//! /// Runs `cores` virtual cores to completion; returns the process exit status
//! /// (0 ok, 3 runtime error or deadlock on any core).
//! pub fn run(prog: &HostProgram, cfg: &RunConfig) -> i32;
//! /// (symbol, address) of every RtFn, for the JIT to link against.
//! pub fn symbols() -> Vec<(&'static str, *const u8)>;
//! ```
