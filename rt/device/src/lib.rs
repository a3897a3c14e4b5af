//! Device runtime for ePython programs compiled to Epiphany code, and its host side.
//!
//! * [`memmap`]: the per-core memory map of an epyc image and the shared-DRAM areas;
//! * [`protocol`]: the monitor mailbox in shared DRAM (see `PROTOCOL.md`);
//! * [`runtime_object`]: the runtime itself (start-up code, every `RtFn`, the helper routines
//!   the backend calls for what the chip lacks) as a relocatable object, generated through
//!   our assembler ([`asm`]);
//! * [`monitor`]: the host side, servicing the mailboxes of a [`monitor::Device`];
//! * [`sim_device`]: [`monitor::Device`] for the `epiphany-sim` simulator;
//! * [`link`]: a minimal image linker (runtime + program code) for tests and tools.

pub mod asm;
pub mod interp;
pub mod link;
pub mod memmap;
pub mod monitor;
pub mod object;
mod offchip;
pub mod protocol;
mod remote_text;
mod runtime;
pub mod sim_device;
pub mod stack;

pub use object::{Reloc, RelocKind, RuntimeObject, Section, Symbol};
pub use runtime::runtime_object;
