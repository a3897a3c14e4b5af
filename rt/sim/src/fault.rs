//! Why a run stopped abnormally. Every fault ends the run cleanly with a report.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// The word at PC is not a valid instruction (or is `unimpl`).
    InvalidInstruction { word: u32 },
    /// PC points outside memory (or at an odd address).
    BadFetch,
    /// A load/store address that is not naturally aligned.
    Unaligned { addr: u32, size: u32, write: bool },
    /// A load/store to a reserved part of a window or a core outside the workgroup.
    Unmapped { addr: u32, size: u32, write: bool },
    /// A register-page access the simulator does not model.
    UnsupportedRegister { addr: u32, write: bool },
    /// TESTSET on a local, external or non-word address (the oracle simulator refuses it).
    BadTestset { addr: u32 },
    /// A trap number outside 0-7.
    UnknownTrap { n: u32 },
    /// BKPT executed: the core stopped for a debugger.
    Breakpoint,
    /// `--max-cycles` reached.
    MaxCycles { limit: u64 },
    /// Every live core is idle and nothing can wake any of them.
    Deadlock,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rw = |w: bool| if w { "write" } else { "read" };
        match self {
            FaultKind::InvalidInstruction { word } => {
                write!(f, "invalid instruction (word 0x{word:08x})")
            }
            FaultKind::BadFetch => write!(f, "instruction fetch outside memory"),
            FaultKind::Unaligned { addr, size, write } => {
                write!(
                    f,
                    "unaligned {size}-byte {} at address 0x{addr:08x}",
                    rw(*write)
                )
            }
            FaultKind::Unmapped { addr, size, write } => {
                write!(
                    f,
                    "{size}-byte {} to unmapped address 0x{addr:08x}",
                    rw(*write)
                )
            }
            FaultKind::UnsupportedRegister { addr, write } => {
                write!(f, "{} of unmodelled register at 0x{addr:08x}", rw(*write))
            }
            FaultKind::BadTestset { addr } => {
                write!(
                    f,
                    "testset at 0x{addr:08x}: needs a word-sized global address of on-chip memory"
                )
            }
            FaultKind::UnknownTrap { n } => write!(f, "unknown trap {n}"),
            FaultKind::Breakpoint => write!(f, "breakpoint (bkpt) executed"),
            FaultKind::MaxCycles { limit } => write!(f, "maximum cycle count {limit} exceeded"),
            FaultKind::Deadlock => write!(
                f,
                "deadlock: every live core is idle (or branching to itself) and none can be woken"
            ),
        }
    }
}

/// A fault with where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Mesh coordinates of the core.
    pub row: u32,
    pub col: u32,
    pub pc: u32,
    pub cycle: u64,
    /// `symbol+0xoff` of the PC, if the ELF has symbols.
    pub location: String,
    /// The instruction at PC, disassembled (or its hex word).
    pub instruction: String,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fault on core ({},{}) [coreid 0x{:03x}] at cycle {}: {}\n  pc 0x{:08x} {}: {}",
            self.row,
            self.col,
            (self.row << 6) | self.col,
            self.cycle,
            self.kind,
            self.pc,
            self.location,
            self.instruction
        )
    }
}
