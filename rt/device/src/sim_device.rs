//! [`Device`] for the `epiphany-sim` simulator, on the simulator's public resumable API only:
//! the simulator runs the workgroup one quantum at a time (`run_for`), and between quanta this
//! looks at the cores' mailbox slots so that a request is answered as soon as it is written
//! (a request costs a mailbox round trip, not a whole polling slice). Everything else (the
//! round-robin of cores, remote writes and register reads, interrupts, WAND, faults) is the
//! simulator's own, so this cannot drift from it.

use crate::link::Image;
use crate::memmap;
use crate::monitor::Device;
use crate::protocol::{self, slot};
use anyhow::{anyhow, bail, Result};
use epiphany_sim::elf;
use epiphany_sim::{Config, Simulator, Status};

/// Mesh coordinates of the Parallella's first core, where the workgroup starts.
const FIRST_ROW: u32 = 32;
const FIRST_COL: u32 = 8;

pub struct SimDevice {
    sim: Simulator,
    shape: (u32, u32, u32, u32),
    /// Cores the monitor has halted: their slots may keep a final request (exit, error) that
    /// is never acknowledged, so they are left out of [`SimDevice::request_pending`].
    halted: Vec<bool>,
    /// Per core: the request the monitor has seen and answers later (an off-chip message
    /// waiting for a core off the chip), which must not end every slice at once.
    parked: Vec<Option<u32>>,
}

impl SimDevice {
    /// A `rows` x `cols` workgroup at the Parallella's first core (32, 8).
    pub fn new(rows: u32, cols: u32) -> Result<SimDevice> {
        let sim = Simulator::new(Config {
            rows,
            cols,
            first_row: FIRST_ROW,
            first_col: FIRST_COL,
            // The monitor enforces its own cycle limit (`MonitorConfig::max_cycles`) and
            // reports it; a lower one in the simulator would end long runs early as a fault.
            max_cycles: Some(u64::MAX),
            echo_stdout: false,
            // EPYC_TRACE=1 prints every instruction every core executes (for studying
            // generated code such as the byte-code interpreter's; very verbose).
            trace: std::env::var_os("EPYC_TRACE").is_some(),
        })?;
        let halted = vec![false; sim.ncores()];
        let parked = vec![None; sim.ncores()];
        Ok(SimDevice {
            sim,
            shape: (FIRST_ROW, FIRST_COL, rows, cols),
            halted,
            parked,
        })
    }

    /// Loads `image` into every core's local memory (its segments in shared DRAM once), with
    /// its symbols (so that a fault report names the function the PC is in).
    pub fn load(&mut self, image: &Image) -> Result<()> {
        let mut segments = Vec::new();
        for (addr, bytes) in &image.segments {
            let end = *addr as u64 + bytes.len() as u64;
            let dram = memmap::DRAM_BASE as u64..(memmap::DRAM_BASE + memmap::DRAM_SIZE) as u64;
            let in_dram = dram.contains(&(*addr as u64)) && end <= dram.end;
            if end > memmap::LOCAL_SIZE as u64 && !in_dram {
                bail!(
                    "segment {addr:#x}..{end:#x} does not fit the 32 KB local memory or the \
                     shared DRAM"
                );
            }
            if !bytes.is_empty() {
                segments.push(elf::Segment {
                    vaddr: *addr,
                    memsz: bytes.len() as u32,
                    data: bytes.clone(),
                });
            }
        }
        let mut by_addr: Vec<(u32, String)> = image
            .symbols
            .iter()
            .map(|(name, addr)| (*addr, name.clone()))
            .collect();
        by_addr.sort();
        self.sim.load_image(&elf::Image {
            segments,
            symbols: elf::Symbols { by_addr },
            ..Default::default()
        })
    }

    /// True when some core the monitor has not halted has written a request it has not
    /// answered yet.
    fn request_pending(&self) -> Result<bool> {
        for (core, halted) in self.halted.iter().enumerate() {
            if *halted {
                continue;
            }
            let s = protocol::slot_address(core as u32);
            let mut seqs = [0u8; 8];
            self.sim.read_dram(s + slot::REQ_SEQ, &mut seqs)?;
            // REQ_SEQ and ACK_SEQ are adjacent words.
            let req_seq = u32::from_le_bytes([seqs[0], seqs[1], seqs[2], seqs[3]]);
            if seqs[..4] != seqs[4..] && self.parked[core] != Some(req_seq) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Why the simulator has no core left to run while the monitor still waits for one: a
    /// core stopped (trap 3) without telling the monitor.
    fn stopped_on_their_own(&self) -> anyhow::Error {
        let result = self.sim.result();
        let stopped: Vec<String> = result
            .cores
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.halted[*i])
            .map(|(i, c)| match c.exit_code {
                Some(s) => format!("core {i} (exit status {s})"),
                None => format!("core {i}"),
            })
            .collect();
        anyhow!(
            "every core has stopped, {} without an exit request to the monitor",
            stopped.join(", ")
        )
    }
}

const _: () = assert!(slot::ACK_SEQ == slot::REQ_SEQ + 4);

impl Device for SimDevice {
    fn cores(&self) -> u32 {
        self.sim.ncores() as u32
    }

    fn shape(&self) -> (u32, u32, u32, u32) {
        self.shape
    }

    fn run(&mut self, cycles: u64) -> Result<()> {
        let end = self.sim.cycles().saturating_add(cycles);
        while self.sim.cycles() < end && !self.request_pending()? {
            // `run_for` runs whole quanta: asking for one cycle runs exactly one quantum.
            match self.sim.run_for(1) {
                Status::Running => {}
                Status::Faulted => {
                    return Err(match self.sim.fault() {
                        Some(fault) => anyhow!("{fault}"),
                        None => anyhow!("the simulator stopped on a fault it did not report"),
                    });
                }
                // A core still live for the monitor may have just written a request; if not,
                // nothing will ever change again.
                Status::Finished if self.request_pending()? => return Ok(()),
                Status::Finished => return Err(self.stopped_on_their_own()),
            }
        }
        Ok(())
    }

    fn read_dram(&self, addr: u32, buf: &mut [u8]) -> Result<()> {
        self.sim.read_dram(addr, buf)
    }

    fn write_dram(&mut self, addr: u32, data: &[u8]) -> Result<()> {
        self.sim.write_dram(addr, data)
    }

    fn read_core(&self, core: u32, addr: u32, buf: &mut [u8]) -> Result<()> {
        self.sim.read_core(core as usize, addr, buf)
    }

    fn halt(&mut self, core: u32) {
        if let Some(h) = self.halted.get_mut(core as usize) {
            *h = true;
            self.sim.halt(core as usize);
        }
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }

    fn park(&mut self, core: u32, seq: Option<u32>) {
        if let Some(p) = self.parked.get_mut(core as usize) {
            *p = seq;
        }
    }

    fn core_cycles(&self, core: u32) -> u64 {
        self.sim.core_cycles(core as usize).unwrap_or(0)
    }
}
