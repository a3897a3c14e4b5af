//! Cycle-counting simulator of an Epiphany-III workgroup: runs any Epiphany ELF.
//!
//! Library use:
//! ```no_run
//! let mut sim = epiphany_sim::Simulator::new(epiphany_sim::Config::default()).unwrap();
//! sim.load_elf(&std::fs::read("prog.elf").unwrap()).unwrap();
//! let result = sim.run();
//! print!("{}", String::from_utf8_lossy(&result.output));
//! ```
//! The cycle model is documented in [`timing`]; what is modelled and what is not in the crate's
//! README-style notes in `machine.rs` and `timing.rs`.

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

pub use fault::{Fault, FaultKind};
pub use machine::{Config, CoreResult, RunResult, Simulator};

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
    use std::fmt::Write;
    let image = elf::parse(bytes)?;
    let mut out = String::new();
    for sec in &image.code {
        let _ = writeln!(out, "\nDisassembly of section {}:\n", sec.name);
        let mut off = 0usize;
        while off + 2 <= sec.data.len() {
            let addr = sec.addr.wrapping_add(off as u32);
            for name in image.symbols.at(addr) {
                let _ = writeln!(out, "\n{addr:08x} <{name}>:");
            }
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
