//! [`Device`] for the `epiphany-sim` simulator. The simulator's `Simulator::run` runs to the
//! end in one call and keeps its memories private, so this drives the simulator's public
//! parts (cores, memories, `exec::run`) with the same round-robin of cycle quanta as
//! `Simulator::run`, in slices, with DRAM and core-memory access in between (the WAND
//! hardware barrier, which the runtime does not use, is not modelled here). When the
//! simulator offers `run_for(cycles)` and memory access itself, this becomes a thin wrapper.

use crate::link::Image;
use crate::monitor::Device;
use crate::protocol;
use anyhow::{anyhow, bail, Result};
use epiphany_sim::core::{Core, State};
use epiphany_sim::exec::{self, Io};
use epiphany_sim::machine::QUANTUM;
use epiphany_sim::mem::{Mem, DRAM_BASE, DRAM_SIZE, SRAM_SIZE};
use epiphany_sim::mmr;

pub struct SimDevice {
    cores: Vec<Core>,
    mem: Mem,
    io: Io,
    horizon: u64,
    shape: (u32, u32, u32, u32),
}

impl SimDevice {
    /// A `rows` x `cols` workgroup at the Parallella's first core (32, 8).
    pub fn new(rows: u32, cols: u32) -> Result<SimDevice> {
        if rows == 0 || cols == 0 || rows > 32 || cols > 32 {
            bail!("workgroup must be 1x1 to 32x32 cores, not {rows}x{cols}");
        }
        let (r0, c0) = (32, 8);
        let mem = Mem::new(rows, cols, r0, c0);
        let cores: Vec<Core> = (0..mem.ncores())
            .map(|i| {
                let (r, c) = mem.coords(i);
                Core::new(i, r, c)
            })
            .collect();
        let io = Io::new(cores.len(), false, false);
        Ok(SimDevice {
            cores,
            mem,
            io,
            horizon: 0,
            shape: (r0, c0, rows, cols),
        })
    }

    /// Loads `image` into every core's local memory.
    pub fn load(&mut self, image: &Image) -> Result<()> {
        for (addr, bytes) in &image.segments {
            let end = *addr as usize + bytes.len();
            if end > SRAM_SIZE as usize {
                bail!("segment {addr:#x}..{end:#x} does not fit the 32 KB local memory");
            }
            for idx in 0..self.cores.len() {
                let base = idx * SRAM_SIZE as usize;
                self.mem.sram[base + *addr as usize..base + end].copy_from_slice(bytes);
            }
        }
        Ok(())
    }

    /// True when some core has written a request the monitor has not answered.
    fn request_pending(&self) -> bool {
        self.cores.iter().enumerate().any(|(i, c)| {
            if matches!(c.state, State::Exited(_) | State::Halted) {
                return false;
            }
            let s = protocol::slot_address(i as u32) - DRAM_BASE;
            let word = |o: u32| self.mem.read_dram(s + o, 4) as u32;
            word(protocol::slot::REQ_SEQ) != word(protocol::slot::ACK_SEQ)
        })
    }
}

fn dram_range(addr: u32, len: usize) -> Result<std::ops::Range<usize>> {
    let off = addr
        .checked_sub(DRAM_BASE)
        .filter(|o| (*o as u64 + len as u64) <= DRAM_SIZE as u64)
        .ok_or_else(|| anyhow!("{addr:#x}+{len} is outside the shared DRAM"))?;
    Ok(off as usize..off as usize + len)
}

impl Device for SimDevice {
    fn cores(&self) -> u32 {
        self.cores.len() as u32
    }

    fn shape(&self) -> (u32, u32, u32, u32) {
        self.shape
    }

    fn run(&mut self, cycles: u64) -> Result<()> {
        let end = self.horizon.saturating_add(cycles);
        while self.horizon < end && !self.request_pending() {
            self.horizon += QUANTUM;
            let horizon = self.horizon;
            self.mem.deliver(horizon - QUANTUM / 2);
            // Register writes of other cores (ILATST and the like) that arrived.
            for (dst, off, v) in std::mem::take(&mut self.mem.arrived_mmr) {
                let c = &mut self.cores[dst];
                if !matches!(c.state, State::Exited(_) | State::Halted) {
                    mmr::write(c, &mut self.mem, off, v);
                }
            }
            for c in self.cores.iter_mut() {
                if matches!(c.state, State::Exited(_) | State::Halted) {
                    continue;
                }
                mmr::tick(c);
                if c.state == State::Idle && c.irq_check {
                    exec::service_interrupts(c);
                }
                if c.state == State::Running {
                    if let Err(kind) = exec::run(c, &mut self.mem, &mut self.io, horizon) {
                        bail!(
                            "fault on core ({},{}) at pc {:#x}, cycle {}: {kind}",
                            c.row,
                            c.col,
                            c.pc,
                            c.cycle
                        );
                    }
                }
                if c.state == State::Idle && c.cycle < horizon {
                    c.ctr.idle_cycles += horizon - c.cycle;
                    c.cycle = horizon;
                }
            }
        }
        Ok(())
    }

    fn read_dram(&self, addr: u32, buf: &mut [u8]) -> Result<()> {
        let r = dram_range(addr, buf.len())?;
        buf.copy_from_slice(&self.mem.dram[r]);
        Ok(())
    }

    fn write_dram(&mut self, addr: u32, data: &[u8]) -> Result<()> {
        let r = dram_range(addr, data.len())?;
        self.mem.dram[r].copy_from_slice(data);
        Ok(())
    }

    fn read_core(&self, core: u32, addr: u32, buf: &mut [u8]) -> Result<()> {
        if core as usize >= self.cores.len() || addr as u64 + buf.len() as u64 > SRAM_SIZE as u64 {
            bail!("core {core} memory {addr:#x}+{} is out of range", buf.len());
        }
        let base = core as usize * SRAM_SIZE as usize + addr as usize;
        buf.copy_from_slice(&self.mem.sram[base..base + buf.len()]);
        Ok(())
    }

    fn halt(&mut self, core: u32) {
        if let Some(c) = self.cores.get_mut(core as usize) {
            c.state = State::Halted;
        }
    }

    fn cycles(&self) -> u64 {
        self.horizon
    }

    fn core_cycles(&self, core: u32) -> u64 {
        self.cores.get(core as usize).map_or(0, |c| c.cycle)
    }
}
