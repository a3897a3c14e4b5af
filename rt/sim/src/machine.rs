//! The workgroup: loads an image on every core, runs the cores in a fixed round-robin of cycle
//! quanta on one host thread (so results never depend on host scheduling), and ends the run on
//! exit, fault, deadlock or the cycle limit.

use anyhow::{bail, Result};

use crate::core::{Core, Counters, State};
use crate::elf::{self, Image, Symbols};
use crate::exec::{self, Io};
use crate::fault::{Fault, FaultKind};
use crate::mem::{Mem, Target, SRAM_SIZE};
use crate::mmr;

/// Cycles each core runs before the next core's turn. Remote writes are delivered at quantum
/// starts, so their modelled arrival time is honoured to within half a quantum.
pub const QUANTUM: u64 = 32;
/// Cycle limit when none is given: a program spinning forever still ends.
pub const DEFAULT_MAX_CYCLES: u64 = 5_000_000_000;

/// Workgroup shape and run limits.
#[derive(Clone, Debug)]
pub struct Config {
    pub rows: u32,
    pub cols: u32,
    /// Mesh coordinates of the group's first core (Parallella-16: 32, 8).
    pub first_row: u32,
    pub first_col: u32,
    pub max_cycles: Option<u64>,
    /// Also write trap-0 output to the host's stdout/stderr as it is produced.
    pub echo_stdout: bool,
    /// Print every executed instruction to stderr.
    pub trace: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rows: 4,
            cols: 4,
            first_row: 32,
            first_col: 8,
            max_cycles: None,
            echo_stdout: false,
            trace: false,
        }
    }
}

/// Per-core results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreResult {
    pub row: u32,
    pub col: u32,
    /// Cycle at which the core exited (or the run ended).
    pub cycles: u64,
    pub counters: Counters,
    /// Exit status (trap 3), if the core exited.
    pub exit_code: Option<i32>,
    /// Bytes this core wrote through trap 0.
    pub output: Vec<u8>,
}

/// The outcome of a run.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// All trap-0 output in the order it was produced.
    pub output: Vec<u8>,
    pub cores: Vec<CoreResult>,
    pub fault: Option<Fault>,
    /// Host seconds spent running.
    pub host_seconds: f64,
}

impl RunResult {
    pub fn total_instructions(&self) -> u64 {
        self.cores.iter().map(|c| c.counters.insns).sum()
    }
    /// Cycles of the slowest core: the run's duration.
    pub fn max_cycles(&self) -> u64 {
        self.cores.iter().map(|c| c.cycles).max().unwrap_or(0)
    }
    /// 0 if every core exited with 0; otherwise the first non-zero status, or 1 on a fault.
    pub fn exit_status(&self) -> i32 {
        if self.fault.is_some() {
            return 1;
        }
        self.cores
            .iter()
            .filter_map(|c| c.exit_code)
            .find(|&s| s != 0)
            .unwrap_or(0)
    }
}

pub struct Simulator {
    cfg: Config,
    cores: Vec<Core>,
    mem: Mem,
    symbols: Symbols,
}

impl Simulator {
    pub fn new(cfg: Config) -> Result<Simulator> {
        if cfg.rows == 0 || cfg.cols == 0 || cfg.rows > 32 || cfg.cols > 32 {
            bail!(
                "workgroup must be 1x1 to 32x32 cores, not {}x{}",
                cfg.rows,
                cfg.cols
            );
        }
        if cfg.first_row + cfg.rows > 64
            || cfg.first_col + cfg.cols > 64
            || (cfg.first_row == 0 && cfg.first_col == 0)
        {
            bail!(
                "workgroup at ({},{}) does not fit the 64x64 mesh (core (0,0) cannot exist)",
                cfg.first_row,
                cfg.first_col
            );
        }
        let mem = Mem::new(cfg.rows, cfg.cols, cfg.first_row, cfg.first_col);
        let cores = (0..mem.ncores())
            .map(|i| {
                let (r, c) = mem.coords(i);
                Core::new(i, r, c)
            })
            .collect();
        Ok(Simulator {
            cfg,
            cores,
            mem,
            symbols: Symbols::default(),
        })
    }

    /// Load an ELF the way e-hal does: every PT_LOAD by its address — local addresses into every
    /// core of the group, global on-chip addresses into that core, 0x8E000000.. into DRAM.
    pub fn load_elf(&mut self, bytes: &[u8]) -> Result<()> {
        let image = elf::parse(bytes)?;
        self.load_image(&image)
    }

    pub fn load_image(&mut self, image: &Image) -> Result<()> {
        for seg in &image.segments {
            let end = seg.vaddr as u64 + seg.memsz as u64;
            if seg.vaddr >> 20 == 0 {
                if end > SRAM_SIZE as u64 {
                    bail!(
                        "segment 0x{:x}..0x{end:x} does not fit the 32 KB local memory",
                        seg.vaddr
                    );
                }
                for idx in 0..self.mem.ncores() {
                    self.copy_in(idx, seg)?;
                }
            } else {
                self.copy_in(0, seg)?;
            }
        }
        self.write_loader_config(image);
        self.symbols = image.symbols.clone();
        Ok(())
    }

    /// What e-hal's loader writes into each core for e-lib (spec §6.1 step 5), when the image
    /// has the sections: `e_group_config_t` {objtype E_EPI_GROUP, chiptype E16G301, group id,
    /// group row/col, rows/cols, this core's row/col in the group, padding} and
    /// `e_emem_config_t` {objtype E_EXT_MEM, base}.
    fn write_loader_config(&mut self, image: &Image) {
        const E_EPI_GROUP: u32 = 3;
        const E_EXT_MEM: u32 = 5;
        let group_id = (self.cfg.first_row << 6) | self.cfg.first_col;
        for idx in 0..self.mem.ncores() {
            let (row, col) = self.mem.coords(idx);
            let put = |mem: &mut Mem, addr: u32, words: &[u32]| {
                for (k, w) in words.iter().enumerate() {
                    let a = addr.wrapping_add(4 * k as u32);
                    if a & 3 == 0 && a < SRAM_SIZE - 3 {
                        mem.write_sram(idx, a, 4, *w as u64);
                    }
                }
            };
            if let Some(a) = image.workgroup_cfg {
                let words = [
                    E_EPI_GROUP,
                    0,
                    group_id,
                    self.cfg.first_row,
                    self.cfg.first_col,
                    self.cfg.rows,
                    self.cfg.cols,
                    row - self.cfg.first_row,
                    col - self.cfg.first_col,
                    0xdead_beef,
                ];
                put(&mut self.mem, a, &words);
            }
            if let Some(a) = image.ext_mem_cfg {
                put(&mut self.mem, a, &[E_EXT_MEM, crate::mem::DRAM_BASE]);
            }
        }
    }

    fn copy_in(&mut self, me: usize, seg: &elf::Segment) -> Result<()> {
        let last = seg.vaddr.checked_add(seg.memsz - 1);
        let (first_t, last_t) = match last {
            Some(l) => (self.mem.translate(me, seg.vaddr), self.mem.translate(me, l)),
            None => bail!("segment at 0x{:x} wraps the address space", seg.vaddr),
        };
        // The whole segment must sit in one memory (one core's SRAM or the DRAM).
        match (first_t, last_t) {
            (Target::Sram { idx, off }, Target::Sram { idx: i2, .. }) if idx == i2 => {
                let a = idx * SRAM_SIZE as usize + off as usize;
                self.mem.sram[a..a + seg.data.len()].copy_from_slice(&seg.data);
            }
            (Target::Dram { off }, Target::Dram { .. }) => {
                let a = off as usize;
                self.mem.dram[a..a + seg.data.len()].copy_from_slice(&seg.data);
            }
            _ => bail!(
                "segment 0x{:x}..0x{:x} is not inside one core's local memory or the external DRAM of a {}x{} workgroup at ({},{})",
                seg.vaddr,
                seg.vaddr as u64 + seg.memsz as u64,
                self.cfg.rows,
                self.cfg.cols,
                self.cfg.first_row,
                self.cfg.first_col
            ),
        }
        Ok(())
    }

    pub fn symbols(&self) -> &Symbols {
        &self.symbols
    }

    /// Run every core from PC 0 (the reset vector, as after e-hal's SYNC) to the end.
    pub fn run(&mut self) -> RunResult {
        let start = std::time::Instant::now();
        let n = self.cores.len();
        let mut io = Io::new(n, self.cfg.echo_stdout, self.cfg.trace);
        let limit = self.cfg.max_cycles.unwrap_or(DEFAULT_MAX_CYCLES);
        let mut horizon = 0u64;
        let mut fault: Option<(usize, FaultKind)> = None;
        'run: loop {
            horizon = horizon.saturating_add(QUANTUM).min(limit.saturating_add(1));
            // Writes arriving in (about) this quantum become visible at its start.
            self.mem.deliver(horizon.saturating_sub(QUANTUM / 2));
            for (dst, off, v) in std::mem::take(&mut self.mem.arrived_mmr) {
                let c = &mut self.cores[dst];
                if !matches!(c.state, State::Exited(_) | State::Halted) {
                    mmr::write(c, &mut self.mem, off, v);
                }
            }
            let mut live = 0;
            let mut progress = !self.mem.in_flight.is_empty();
            let mut wake: Option<u64> = None;
            for i in 0..n {
                let c = &mut self.cores[i];
                if matches!(c.state, State::Exited(_) | State::Halted) {
                    continue;
                }
                live += 1;
                mmr::tick(c);
                if c.state == State::Idle && c.irq_check {
                    exec::service_interrupts(c);
                }
                if c.state == State::Running {
                    progress = true;
                    if let Err(k) = exec::run(c, &mut self.mem, &mut io, horizon) {
                        fault = Some((i, k));
                        break 'run;
                    }
                }
                if c.state == State::Idle {
                    if let Some(t) = mmr::self_wake_time(c) {
                        wake = Some(wake.map_or(t, |w| w.min(t)));
                    }
                    if c.cycle < horizon {
                        c.ctr.idle_cycles += horizon - c.cycle;
                        c.cycle = horizon;
                    }
                }
            }
            if live == 0 {
                break;
            }
            self.wand_barrier();
            if !progress {
                match wake {
                    // Every live core waits for its own timer or DMA: skip ahead to it.
                    Some(t) => {
                        let skip_to = (t - t % QUANTUM).min(limit.saturating_add(1));
                        if skip_to > horizon {
                            for c in self.cores.iter_mut().filter(|c| c.state == State::Idle) {
                                c.ctr.idle_cycles += skip_to.saturating_sub(c.cycle);
                                c.cycle = c.cycle.max(skip_to);
                            }
                            horizon = skip_to;
                        }
                    }
                    None => {
                        let i = self.cores.iter().position(|c| c.state == State::Idle);
                        fault = Some((i.unwrap_or(0), FaultKind::Deadlock));
                        break;
                    }
                }
            }
            if horizon > limit {
                let i = self
                    .cores
                    .iter()
                    .position(|c| matches!(c.state, State::Running | State::Idle));
                fault = Some((i.unwrap_or(0), FaultKind::MaxCycles { limit }));
                break;
            }
        }
        let fault = fault.map(|(i, kind)| self.report(i, kind));
        RunResult {
            output: io.combined,
            cores: self
                .cores
                .iter()
                .zip(io.per_core)
                .map(|(c, out)| CoreResult {
                    row: c.row,
                    col: c.col,
                    cycles: c.cycle.min(limit),
                    counters: c.ctr,
                    exit_code: match c.state {
                        State::Exited(s) => Some(s),
                        _ => None,
                    },
                    output: out,
                })
                .collect(),
            fault,
            host_seconds: start.elapsed().as_secs_f64(),
        }
    }

    /// The wired-AND barrier: once every live core has executed WAND, clear the flags and raise
    /// the WAND interrupt (IVT 8) on all of them (spec §7).
    fn wand_barrier(&mut self) {
        let live = || {
            self.cores
                .iter()
                .filter(|c| matches!(c.state, State::Running | State::Idle))
        };
        if live().next().is_some() && live().all(|c| c.wand) {
            for c in self
                .cores
                .iter_mut()
                .filter(|c| matches!(c.state, State::Running | State::Idle))
            {
                c.wand = false;
                c.raise(8);
            }
        }
    }

    fn report(&self, i: usize, kind: FaultKind) -> Fault {
        let c = &self.cores[i];
        Fault {
            kind,
            row: c.row,
            col: c.col,
            pc: c.pc,
            cycle: c.cycle,
            location: self.symbols.locate(c.pc),
            instruction: crate::decode::describe(&self.mem, i, c.pc),
        }
    }

    /// Read-only view of a core's registers (tests, debugging).
    pub fn core_registers(&self, idx: usize) -> Option<&[u32; 64]> {
        self.cores.get(idx).map(|c| &c.r)
    }
}
