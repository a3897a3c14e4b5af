//! One eCore's architectural state (registers, flags, special registers, timers, DMA channels)
//! and its timing/statistics state.

/// Why a core is not executing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    /// Executed IDLE: waits for an interrupt.
    Idle,
    /// Stopped by BKPT or a halt request (never resumes in this simulator).
    Halted,
    /// Ended through the exit trap with this status.
    Exited(i32),
}

/// Event counters: the CTIMER event sources and the statistics report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub insns: u64,
    pub ialu_insns: u64,
    pub fpu_insns: u64,
    pub dual_issues: u64,
    /// Cycles waiting for an operand (register dependency, "RA stalls").
    pub ra_stalls: u64,
    /// Cycles lost to taken branches, jumps, calls, returns and interrupt entry.
    pub branch_stalls: u64,
    /// Cycles waiting for remote or external loads ("external load stalls").
    pub load_stalls: u64,
    /// Cycles waiting for instruction fetch from outside local memory.
    pub fetch_stalls: u64,
    /// Cycles spent in stores to external memory and in the E1 stage.
    pub e1_stalls: u64,
    pub idle_cycles: u64,
}

/// One DMA channel's registers.
#[derive(Clone, Copy, Debug, Default)]
pub struct DmaChannel {
    pub config: u32,
    pub stride: u32,
    pub count: u32,
    pub src: u32,
    pub dst: u32,
    pub auto0: u32,
    pub auto1: u32,
    pub status: u32,
    /// Outer strides of the last descriptor (no register of their own).
    pub outer_stride: u32,
    /// Cycle at which the current transfer completes.
    pub busy_until: u64,
    /// Raise the DMA interrupt when the transfer completes.
    pub irq_pending: bool,
}

pub struct Core {
    pub idx: usize,
    pub row: u32,
    pub col: u32,
    pub r: [u32; 64],
    pub pc: u32,
    pub state: State,
    // STATUS, split into fields for speed.
    pub gid: bool,
    pub kernel: bool,
    pub wand: bool,
    pub az: bool,
    pub an: bool,
    pub ac: bool,
    pub av: bool,
    pub avs: bool,
    pub bz: bool,
    pub bn: bool,
    pub bv: bool,
    pub bc: bool,
    pub bis: bool,
    pub bvs: bool,
    pub bus: bool,
    pub excause: u32,
    pub config: u32,
    pub iret: u32,
    pub imask: u32,
    pub ilat: u32,
    pub ipend: u32,
    pub lc: u32,
    pub ls: u32,
    pub le: u32,
    /// LE while a hardware loop is active (LC != 0), else an odd address no PC can have.
    pub loop_end: u32,
    pub memstatus: u32,
    pub memprotect: u32,
    pub memconfig: u32,
    pub meshconfig: u32,
    pub multicast: u32,
    pub debugstatus: u32,
    /// CTIMER value at the last snapshot, and the event count then.
    pub timer_val: [u32; 2],
    pub timer_base: [u64; 2],
    pub dma: [DmaChannel; 2],
    /// Interrupt state changed: check for an interrupt before the next instruction.
    pub irq_check: bool,
    // Timing.
    /// Earliest cycle the next instruction can issue.
    pub cycle: u64,
    /// Cycle at which each register's newest value can be used.
    pub ready: [u64; 64],
    /// Registers whose newest value comes from a load / from the FPU (for the FPU-consumer and
    /// store-bypass latencies, see `exec::set_ready_load`, `exec::set_ready_fpu`).
    pub load_mask: u64,
    pub fpu_mask: u64,
    /// Cycle of the last issued instruction (for dual issue).
    pub last_issue: u64,
    /// Unit class that may still issue in cycle `last_issue` (see `exec::issue`).
    pub pair_with: u8,
    pub ctr: Counters,
}

impl Core {
    pub fn new(idx: usize, row: u32, col: u32) -> Core {
        Core {
            idx,
            row,
            col,
            r: [0; 64],
            pc: 0,
            state: State::Running,
            gid: false,
            kernel: false,
            wand: false,
            az: false,
            an: false,
            ac: false,
            av: false,
            avs: false,
            bz: false,
            bn: false,
            bv: false,
            bc: false,
            bis: false,
            bvs: false,
            bus: false,
            excause: 0,
            config: 0,
            iret: 0,
            imask: 0,
            ilat: 0,
            ipend: 0,
            lc: 0,
            ls: 0,
            le: 0,
            loop_end: u32::MAX,
            memstatus: 0,
            memprotect: 0,
            memconfig: 0,
            meshconfig: 0,
            multicast: 0,
            debugstatus: 0,
            timer_val: [0; 2],
            timer_base: [0; 2],
            dma: [DmaChannel::default(); 2],
            irq_check: false,
            cycle: 0,
            ready: [0; 64],
            load_mask: 0,
            fpu_mask: 0,
            last_issue: 0,
            pair_with: 0xFF,
            ctr: Counters::default(),
        }
    }

    pub fn update_loop_end(&mut self) {
        self.loop_end = if self.lc != 0 { self.le } else { u32::MAX };
    }

    pub fn coreid(&self) -> u32 {
        (self.row << 6) | self.col
    }

    pub fn status(&self) -> u32 {
        let b = |x: bool, n: u32| (x as u32) << n;
        b(self.state == State::Running, 0)
            | b(self.gid, 1)
            | b(self.kernel, 2)
            | b(self.wand, 3)
            | b(self.az, 4)
            | b(self.an, 5)
            | b(self.ac, 6)
            | b(self.av, 7)
            | b(self.bz, 8)
            | b(self.bn, 9)
            | b(self.bv, 10)
            | b(self.bc, 11)
            | b(self.avs, 12)
            | b(self.bis, 13)
            | b(self.bvs, 14)
            | b(self.bus, 15)
            | (self.excause & 3) << 16
    }

    /// Write the flag bits of STATUS (`all` = FSTATUS: also GID, mode and WAND).
    pub fn set_status(&mut self, v: u32, all: bool) {
        let bit = |n: u32| v >> n & 1 != 0;
        if all {
            self.gid = bit(1);
            self.wand = bit(3);
            self.irq_check = true;
        }
        self.kernel = bit(2);
        self.az = bit(4);
        self.an = bit(5);
        self.ac = bit(6);
        self.av = bit(7);
        self.bz = bit(8);
        self.bn = bit(9);
        self.bv = bit(10);
        self.bc = bit(11);
        self.avs = bit(12);
        self.bis = bit(13);
        self.bvs = bit(14);
        self.bus = bit(15);
        self.excause = v >> 16 & 3;
    }

    /// Condition code test (spec §2.2).
    #[inline]
    pub fn cond(&self, c: u8) -> bool {
        match c {
            0 => self.az,
            1 => !self.az,
            2 => self.ac && !self.az,
            3 => self.ac,
            4 => !self.ac || self.az,
            5 => !self.ac,
            6 => !self.az && self.av == self.an,
            7 => self.av == self.an,
            8 => self.av != self.an,
            9 => self.az || self.av != self.an,
            10 => self.bz,
            11 => !self.bz,
            12 => self.bn && !self.bz,
            13 => self.bn || self.bz,
            _ => true,
        }
    }

    pub fn truncate_mode(&self) -> bool {
        self.config & 1 != 0
    }
    pub fn int_mode(&self) -> bool {
        self.config & (1 << 19) != 0
    }

    /// The event count a CTIMER in `mode` counts (CONFIG timer field, spec §3.10).
    pub fn event_count(&self, mode: u32) -> u64 {
        match mode {
            0x1 => self.cycle,
            0x2 => self.ctr.idle_cycles,
            0x4 => self.ctr.ialu_insns,
            0x5 => self.ctr.fpu_insns,
            0x6 => self.ctr.dual_issues,
            0x7 => self.ctr.e1_stalls,
            0x8 => self.ctr.ra_stalls,
            0xC => self.ctr.fetch_stalls,
            0xD => self.ctr.load_stalls,
            _ => 0,
        }
    }

    pub fn timer_mode(&self, t: usize) -> u32 {
        self.config >> (4 + 4 * t) & 0xF
    }

    /// Current value of CTIMER `t` (counts down, stops at 0).
    pub fn timer(&self, t: usize) -> u32 {
        let mode = self.timer_mode(t);
        let elapsed = self.event_count(mode).saturating_sub(self.timer_base[t]);
        (self.timer_val[t] as u64).saturating_sub(elapsed) as u32
    }

    /// Freeze both timers' current values (before their mode or value changes).
    pub fn snapshot_timers(&mut self) {
        for t in 0..2 {
            self.timer_val[t] = self.timer(t);
            self.timer_base[t] = self.event_count(self.timer_mode(t));
        }
    }

    /// Latch interrupt `n` (bit of ILAT).
    pub fn raise(&mut self, n: u32) {
        self.ilat |= 1 << n;
        self.irq_check = true;
    }

    /// The interrupt that would be taken now, if any: unmasked, latched, globally enabled, and of
    /// higher priority (lower number) than any being serviced.
    pub fn takeable_irq(&self) -> Option<u32> {
        let pending = self.ilat & !self.imask & 0x3FF;
        if pending == 0 || self.gid {
            return None;
        }
        let n = pending.trailing_zeros();
        let busy = if self.ipend == 0 {
            32
        } else {
            self.ipend.trailing_zeros()
        };
        (n < busy).then_some(n)
    }
}
