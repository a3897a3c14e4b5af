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
    io: Io,
    /// End of the last quantum run: the workgroup's simulated time.
    horizon: u64,
    /// How the run ended, once it has.
    ended: Option<Status>,
    fault: Option<Fault>,
    host_seconds: f64,
}

/// Where a run stands after [`Simulator::run_for`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Cores are still running (or waiting).
    Running,
    /// Every core exited (or halted).
    Finished,
    /// The run stopped on a fault (see [`Simulator::fault`]).
    Faulted,
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
        let cores: Vec<Core> = (0..mem.ncores())
            .map(|i| {
                let (r, c) = mem.coords(i);
                Core::new(i, r, c)
            })
            .collect();
        let io = Io::new(cores.len(), cfg.echo_stdout, cfg.trace);
        Ok(Simulator {
            cfg,
            cores,
            mem,
            symbols: Symbols::default(),
            io,
            horizon: 0,
            ended: None,
            fault: None,
            host_seconds: 0.0,
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
        if seg.memsz == 0 {
            return Ok(()); // an empty segment occupies no memory (the ELF loader drops these too)
        }
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
        while self.run_for(u64::MAX) == Status::Running {}
        self.result()
    }

    /// Run about `cycles` more cycles (whole quanta) of every core, or until the run ends.
    /// Between calls a host may read and write the memories (`read_dram`, `write_core`, ...).
    pub fn run_for(&mut self, cycles: u64) -> Status {
        if let Some(s) = self.ended {
            return s;
        }
        let start = std::time::Instant::now();
        let end = self.horizon.saturating_add(cycles);
        let status = loop {
            if self.horizon >= end {
                break Status::Running;
            }
            if let Some(s) = self.round() {
                self.ended = Some(s);
                break s;
            }
        };
        self.host_seconds += start.elapsed().as_secs_f64();
        status
    }

    /// One quantum of every core. `Some` when the run has ended.
    fn round(&mut self) -> Option<Status> {
        let limit = self.limit();
        let n = self.cores.len();
        let horizon = self
            .horizon
            .saturating_add(QUANTUM)
            .min(limit.saturating_add(1));
        self.horizon = horizon;
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
                if let Err(k) = exec::run(c, &mut self.mem, &mut self.io, horizon) {
                    return Some(self.stop(i, k));
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
        exec::answer_register_reads(&self.cores, &mut self.mem);
        if live == 0 {
            return Some(Status::Finished);
        }
        self.wand_barrier();
        if !progress {
            match wake {
                // Every live core waits for its own timer or DMA: skip ahead to it.
                Some(t) => {
                    let skip_to = (t - t % QUANTUM).min(limit.saturating_add(1));
                    if skip_to > self.horizon {
                        for c in self.cores.iter_mut().filter(|c| c.state == State::Idle) {
                            c.ctr.idle_cycles += skip_to.saturating_sub(c.cycle);
                            c.cycle = c.cycle.max(skip_to);
                        }
                        self.horizon = skip_to;
                    }
                }
                None => {
                    let i = self.cores.iter().position(|c| c.state == State::Idle);
                    return Some(self.stop(i.unwrap_or(0), FaultKind::Deadlock));
                }
            }
        }
        if self.horizon > limit {
            let i = self
                .cores
                .iter()
                .position(|c| matches!(c.state, State::Running | State::Idle));
            return Some(self.stop(i.unwrap_or(0), FaultKind::MaxCycles { limit }));
        }
        None
    }

    fn limit(&self) -> u64 {
        self.cfg.max_cycles.unwrap_or(DEFAULT_MAX_CYCLES)
    }

    fn stop(&mut self, i: usize, kind: FaultKind) -> Status {
        self.fault = Some(self.report(i, kind));
        Status::Faulted
    }

    /// The fault that ended the run, if one did.
    pub fn fault(&self) -> Option<&Fault> {
        self.fault.as_ref()
    }

    /// The workgroup's simulated time: cycles of the quanta run so far.
    pub fn cycles(&self) -> u64 {
        self.horizon
    }

    /// Results so far (final once `run_for` returned `Finished` or `Faulted`).
    pub fn result(&self) -> RunResult {
        let limit = self.limit();
        RunResult {
            output: self.io.combined.clone(),
            cores: self
                .cores
                .iter()
                .zip(&self.io.per_core)
                .map(|(c, out)| CoreResult {
                    row: c.row,
                    col: c.col,
                    cycles: c.cycle.min(limit),
                    counters: c.ctr,
                    exit_code: match c.state {
                        State::Exited(s) => Some(s),
                        _ => None,
                    },
                    output: out.clone(),
                })
                .collect(),
            fault: self.fault.clone(),
            host_seconds: self.host_seconds,
        }
    }

    /// Take the trap-0 output produced since the last call (all cores, in order).
    pub fn take_output(&mut self) -> Vec<u8> {
        for o in &mut self.io.per_core {
            o.clear();
        }
        std::mem::take(&mut self.io.combined)
    }

    /// Number of cores in the workgroup (index = row-major position in the group).
    pub fn ncores(&self) -> usize {
        self.cores.len()
    }

    /// Read shared DRAM at device address `addr` (0x8E000000..).
    pub fn read_dram(&self, addr: u32, buf: &mut [u8]) -> Result<()> {
        let r = dram_range(addr, buf.len())?;
        buf.copy_from_slice(&self.mem.dram[r]);
        Ok(())
    }

    /// Write shared DRAM at device address `addr`.
    pub fn write_dram(&mut self, addr: u32, data: &[u8]) -> Result<()> {
        let r = dram_range(addr, data.len())?;
        self.mem.dram[r].copy_from_slice(data);
        Ok(())
    }

    /// Read core `idx`'s local memory at `off` (0..0x8000).
    pub fn read_core(&self, idx: usize, off: u32, buf: &mut [u8]) -> Result<()> {
        let base = core_range(self.mem.ncores(), idx, off, buf.len())?;
        buf.copy_from_slice(&self.mem.sram[base..base + buf.len()]);
        Ok(())
    }

    /// Write core `idx`'s local memory at `off` (decoded instructions there are dropped).
    pub fn write_core(&mut self, idx: usize, off: u32, data: &[u8]) -> Result<()> {
        core_range(self.mem.ncores(), idx, off, data.len())?;
        for (k, b) in data.iter().enumerate() {
            self.mem.write_sram(idx, off + k as u32, 1, *b as u64);
        }
        Ok(())
    }

    /// Stop core `idx` for good (as a host's `e_halt` that is never resumed).
    pub fn halt(&mut self, idx: usize) {
        if let Some(c) = self.cores.get_mut(idx) {
            c.state = State::Halted;
        }
    }

    /// Cycle count of core `idx`.
    pub fn core_cycles(&self, idx: usize) -> Option<u64> {
        self.cores.get(idx).map(|c| c.cycle)
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

fn dram_range(addr: u32, len: usize) -> Result<std::ops::Range<usize>> {
    let off = addr.wrapping_sub(crate::mem::DRAM_BASE) as u64;
    if addr < crate::mem::DRAM_BASE || off + len as u64 > crate::mem::DRAM_SIZE as u64 {
        bail!("0x{addr:08x}+{len} is outside the shared DRAM");
    }
    Ok(off as usize..off as usize + len)
}

fn core_range(ncores: usize, idx: usize, off: u32, len: usize) -> Result<usize> {
    if idx >= ncores || off as u64 + len as u64 > SRAM_SIZE as u64 {
        bail!("core {idx} memory 0x{off:x}+{len} is out of range");
    }
    Ok(idx * SRAM_SIZE as usize + off as usize)
}
