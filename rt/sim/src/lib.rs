//! Cycle-counting simulator of an Epiphany-III workgroup: runs any Epiphany ELF.
//!
//! Library use:
//! ```no_run
//! let mut sim = epiphany_sim::Simulator::new(epiphany_sim::Config::default()).unwrap();
//! sim.load_elf(&std::fs::read("prog.elf").unwrap()).unwrap();
//! let result = sim.run();
//! print!("{}", String::from_utf8_lossy(&result.output));
//! ```
//! The cycle model is documented, number by number with its source, in [`timing`].
//!
//! # What is modelled
//! - Workgroups of 1x1 to 32x32 cores (first core at (32, 8) by default), 32 KB SRAM each,
//!   global addressing `(row << 26) | (col << 20) | local` with window 0 as the local alias,
//!   32 MB shared DRAM at 0x8E000000 (checked before core windows, as Adapteva's simulator does).
//! - ELF loading as e-hal: every PT_LOAD by address (local → every core, global on-chip → that
//!   core, DRAM window → DRAM), all cores started together at PC 0 (the reset vector).
//! - The whole E16G301 instruction set through `epiphany-isa`'s decoder (FEXT/FDEP/LFSR/FRECIP/
//!   FSQRT are not E16G301 hardware and fault), pre-decoded per core and invalidated on stores.
//! - Flags and condition codes as CGEN; the FPU bit-exact to Adapteva's simulator (`fpu`),
//!   CONFIG rounding (TRM) and integer (ARITHMODE) modes, BZ/BN/BV and sticky BIS/BVS/BUS,
//!   enabled FPU exceptions raising IVT 1.
//! - Special registers (CONFIG, STATUS/FSTATUS, PC, IRET, IMASK, ILAT/ILATST/ILATCL, IPEND,
//!   LC/LS/LE, CTIMER0/1 with every CONFIG event source, DMA0/1, MEMSTATUS/MEMPROTECT, MESHCONFIG,
//!   COREID, ...) by MOVTS/MOVFS and by loads/stores to the register page (0xF0000..; the GPR
//!   aliases too); other cores' registers by global stores (posted, applied on arrival: e.g.
//!   ILATST for user interrupts between cores) and loads (answered at the end of the quantum,
//!   then charged a remote read's latency).
//! - Interrupts (priority, IPEND nesting, GIE/GID, RTI), IDLE and wake-up, timers, SWI, WAND
//!   barrier, TESTSET (word, global on-chip addresses only, as the oracle simulator), DMA
//!   (register or descriptor start, 2D strides, chaining, completion interrupt), TRAP 0-7.
//! - Faults (invalid instruction, bad fetch, unaligned/unmapped access, unmodelled register,
//!   bad TESTSET, BKPT, cycle limit, deadlock) stop the run with core, PC, symbol and
//!   disassembly. A branch to itself waits like IDLE, so a program stuck there is a deadlock.
//!
//! # Not modelled (yet)
//! - Local memory bank conflicts (no source for the arbitration priorities), router contention
//!   and per-link bandwidth on the mesh (every write pays only its hop latency), DMA engine
//!   contention with the core; DMA transfers happen at once and only their duration is charged.
//! - DMA message mode (message interrupt), MEMPROTECT faults, multicast, MBKPT, the eLink
//!   registers.
//! - Hardware loops follow an assumed semantics (after the instruction at LE, decrement LC and
//!   jump to LS while LC != 0); GCC never emits them.
//! - Remote writes become visible at the start of the 32-cycle quantum nearest their arrival.

pub mod core;
pub mod decode;
pub mod elf;
pub mod exec;
pub mod fault;
pub mod fpu;
pub mod machine;
pub mod mem;
pub mod mmr;
pub mod stats;
pub mod timing;
pub mod uop;

pub use elf::{Image, Segment, Symbols};
pub use fault::{Fault, FaultKind};
pub use machine::{Config, CoreResult, RunResult, Simulator, Status};

use std::path::{Path, PathBuf};

/// Options of `epyc sim`.
#[derive(Clone, Debug)]
pub struct SimOptions {
    pub rows: u32,
    pub cols: u32,
    pub max_cycles: Option<u64>,
    pub stats: bool,
    pub stats_json: Option<PathBuf>,
    pub trace: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            rows: 4,
            cols: 4,
            max_cycles: None,
            stats: false,
            stats_json: None,
            trace: false,
        }
    }
}

/// Load and run an ELF file on a workgroup (first core at (32, 8)); trap-0 output goes to stdout
/// as it is produced, statistics to stderr / a JSON file, a fault report to stderr. Returns the
/// exit status: 0 if every core exited 0.
pub fn run_elf_file(path: &Path, opts: &SimOptions) -> anyhow::Result<i32> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let cfg = Config {
        rows: opts.rows,
        cols: opts.cols,
        max_cycles: opts.max_cycles,
        echo_stdout: true,
        trace: opts.trace,
        ..Config::default()
    };
    let mut sim = Simulator::new(cfg)?;
    sim.load_elf(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e:#}", path.display()))?;
    let result = sim.run();
    if let Some(f) = &result.fault {
        eprintln!("{f}");
    }
    if opts.stats {
        eprint!("{}", stats::text(&result));
    }
    if let Some(p) = &opts.stats_json {
        std::fs::write(p, stats::json(&result))
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
    }
    Ok(result.exit_status())
}

/// Disassemble an ELF's code sections with their symbols (`epyc disasm IMAGE.elf`).
pub fn disasm_elf(bytes: &[u8]) -> anyhow::Result<String> {
    disasm_elf_annotated(bytes, &|_| None)
}

/// As [`disasm_elf`], with a caller's annotation (e.g. a source line) printed above the
/// instruction at an address whenever it differs from the previous one. The simulator knows
/// nothing of where annotations come from.
pub fn disasm_elf_annotated(
    bytes: &[u8],
    annotate: &dyn Fn(u32) -> Option<String>,
) -> anyhow::Result<String> {
    use std::fmt::Write;
    let image = elf::parse(bytes)?;
    let mut out = String::new();
    let mut last_note: Option<String> = None;
    for sec in &image.code {
        let _ = writeln!(out, "\nDisassembly of section {}:", sec.name);
        let mut off = 0usize;
        while off + 2 <= sec.data.len() {
            let addr = sec.addr.wrapping_add(off as u32);
            for name in image.symbols.at(addr) {
                let _ = writeln!(out, "\n{addr:08x} <{name}>:");
            }
            let note = annotate(addr);
            if note.is_some() && note != last_note {
                let _ = writeln!(out, "{}", note.as_deref().unwrap_or_default());
            }
            last_note = note;
            let lo = u16::from_le_bytes([sec.data[off], sec.data[off + 1]]) as u32;
            let hi = if off + 4 <= sec.data.len() {
                u16::from_le_bytes([sec.data[off + 2], sec.data[off + 3]]) as u32
            } else {
                0
            };
            let word = lo | hi << 16;
            let (_, size) = epiphany_isa::disasm_word(word, addr);
            let len = if off + size as usize <= sec.data.len() {
                size as usize
            } else {
                2
            };
            let _ = writeln!(
                out,
                "{addr:8x}:\t{}",
                decode::disasm_word(if len == 2 { lo } else { word }, addr)
            );
            off += len;
        }
    }
    Ok(out)
}

/// Disassemble one instruction word (`epyc disasm --hex WORD`).
pub fn disasm_hex(word: u32) -> String {
    decode::disasm_word(word, 0)
}
