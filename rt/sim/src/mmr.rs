//! The memory-mapped special registers of one core (spec §1.2) — read and written by MOVFS/MOVTS
//! (whose group:index maps to offset 0xF0400 + 0x100*group + 4*index) and by loads/stores to the
//! register page — and the DMA engine they start.

use crate::core::{Core, DmaChannel};
use crate::mem::{Mem, Target};
use crate::timing::*;

pub const CONFIG: u32 = 0xF0400;
pub const STATUS: u32 = 0xF0404;
pub const PC: u32 = 0xF0408;
pub const DEBUGSTATUS: u32 = 0xF040C;
pub const IAB: u32 = 0xF0410;
pub const LC: u32 = 0xF0414;
pub const LS: u32 = 0xF0418;
pub const LE: u32 = 0xF041C;
pub const IRET: u32 = 0xF0420;
pub const IMASK: u32 = 0xF0424;
pub const ILAT: u32 = 0xF0428;
pub const ILATST: u32 = 0xF042C;
pub const ILATCL: u32 = 0xF0430;
pub const IPEND: u32 = 0xF0434;
pub const CTIMER0: u32 = 0xF0438;
pub const CTIMER1: u32 = 0xF043C;
pub const FSTATUS: u32 = 0xF0440;
pub const DEBUGCMD: u32 = 0xF0448;
pub const DMA0: u32 = 0xF0500;
pub const MEMCONFIG: u32 = 0xF0600;
pub const MEMSTATUS: u32 = 0xF0604;
pub const MEMPROTECT: u32 = 0xF0608;
pub const MEMRESERVE: u32 = 0xF060C;
pub const MESHCONFIG: u32 = 0xF0700;
pub const COREID: u32 = 0xF0704;
pub const MULTICAST: u32 = 0xF0708;
pub const RESETCORE: u32 = 0xF070C;

/// DMA config bits (e_dma.h).
const DMA_ENABLE: u32 = 1;
const DMA_CHAIN: u32 = 1 << 2;
const DMA_CFG_STARTUP: u32 = 1 << 3;
const DMA_IRQEN: u32 = 1 << 4;
/// Largest transfer (elements per descriptor) the functional DMA model performs; a larger one
/// ends in the channel's error state instead of stalling the host for minutes.
const MAX_DMA_ELEMENTS: u64 = 1 << 22;

/// Name of a special register for the disassembly of reports.
pub fn name(off: u32) -> Option<&'static str> {
    Some(match off {
        CONFIG => "config",
        STATUS => "status",
        PC => "pc",
        DEBUGSTATUS => "debugstatus",
        LC => "lc",
        LS => "ls",
        LE => "le",
        IRET => "iret",
        IMASK => "imask",
        ILAT => "ilat",
        ILATST => "ilatst",
        ILATCL => "ilatcl",
        IPEND => "ipend",
        CTIMER0 => "ctimer0",
        CTIMER1 => "ctimer1",
        COREID => "coreid",
        _ => return None,
    })
}

/// Read a register at window offset `off`; `None` if it is not modelled.
pub fn read(c: &Core, off: u32) -> Option<u32> {
    if (0xF0000..0xF0100).contains(&off) && off & 3 == 0 {
        return Some(c.r[((off - 0xF0000) / 4) as usize]);
    }
    Some(match off {
        CONFIG => c.config,
        STATUS | FSTATUS => c.status(),
        PC => c.pc,
        DEBUGSTATUS => c.debugstatus,
        IAB => 0,
        LC => c.lc,
        LS => c.ls,
        LE => c.le,
        IRET => c.iret,
        IMASK => c.imask,
        ILAT | ILATST | ILATCL => c.ilat,
        IPEND => c.ipend,
        CTIMER0 => c.timer(0),
        CTIMER1 => c.timer(1),
        0xF0500..=0xF053C if off & 3 == 0 => dma_read(c, off),
        MEMCONFIG => c.memconfig,
        MEMSTATUS => c.memstatus,
        MEMPROTECT => c.memprotect,
        MEMRESERVE => 0,
        MESHCONFIG => c.meshconfig,
        COREID => c.coreid(),
        MULTICAST => c.multicast,
        RESETCORE | DEBUGCMD => 0,
        _ => return None,
    })
}

/// Whether `write` models the register at `off`.
pub fn writable(off: u32) -> bool {
    off & 3 == 0
        && ((0xF0000..0xF0100).contains(&off)
            || (CONFIG..=FSTATUS).contains(&off)
            || off == DEBUGCMD
            || (0xF0500..=0xF053C).contains(&off)
            || (MEMCONFIG..=MEMRESERVE).contains(&off)
            || (MESHCONFIG..=RESETCORE).contains(&off))
}

/// Write a register; returns false if it is not modelled.
pub fn write(c: &mut Core, mem: &mut Mem, off: u32, v: u32) -> bool {
    if (0xF0000..0xF0100).contains(&off) && off & 3 == 0 {
        c.r[((off - 0xF0000) / 4) as usize] = v;
        return true;
    }
    match off {
        CONFIG => {
            c.snapshot_timers();
            c.config = v;
            c.snapshot_timers();
        }
        STATUS => c.set_status(v, false),
        FSTATUS => c.set_status(v, true),
        PC => c.pc = v,
        DEBUGSTATUS | IAB | MEMRESERVE | COREID | RESETCORE | DEBUGCMD => {}
        LC => {
            c.lc = v;
            c.update_loop_end();
        }
        LS => c.ls = v,
        LE => {
            c.le = v;
            c.update_loop_end();
        }
        IRET => c.iret = v,
        IMASK => {
            c.imask = v & 0x3FF;
            c.irq_check = true;
        }
        ILAT => {
            c.ilat = v & 0x3FF;
            c.irq_check = true;
        }
        ILATST => {
            c.ilat |= v & 0x3FF;
            c.irq_check = true;
        }
        ILATCL => c.ilat &= !v,
        IPEND => {
            c.ipend = v & 0x3FF;
            c.irq_check = true;
        }
        CTIMER0 | CTIMER1 => {
            let t = ((off - CTIMER0) / 4) as usize;
            c.snapshot_timers();
            c.timer_val[t] = v;
        }
        0xF0500..=0xF053C if off & 3 == 0 => dma_write(c, mem, off, v),
        MEMCONFIG => c.memconfig = v,
        MEMSTATUS => c.memstatus = v,
        MEMPROTECT => c.memprotect = v,
        MESHCONFIG => c.meshconfig = v,
        MULTICAST => c.multicast = v,
        _ => return false,
    }
    true
}

fn dma_read(c: &Core, off: u32) -> u32 {
    let ch = &c.dma[((off - DMA0) / 0x20) as usize];
    match (off - DMA0) % 0x20 {
        0x00 => ch.config,
        0x04 => ch.stride,
        0x08 => {
            if c.cycle < ch.busy_until {
                ch.count.max(1)
            } else {
                0
            }
        }
        0x0C => ch.src,
        0x10 => ch.dst,
        0x14 => ch.auto0,
        0x18 => ch.auto1,
        // Busy (non-zero state) until the transfer's modelled completion.
        _ => {
            if c.cycle < ch.busy_until {
                ch.status | 1
            } else {
                ch.status & !0xF
            }
        }
    }
}

fn dma_write(c: &mut Core, mem: &mut Mem, off: u32, v: u32) {
    let n = ((off - DMA0) / 0x20) as usize;
    let ch = &mut c.dma[n];
    match (off - DMA0) % 0x20 {
        0x00 => {
            ch.config = v;
            // e-lib starts a descriptor with STARTUP alone (the descriptor holds ENABLE).
            if v & (DMA_ENABLE | DMA_CFG_STARTUP) != 0 {
                start_dma(c, mem, n);
            }
        }
        0x04 => ch.stride = v,
        0x08 => ch.count = v,
        0x0C => ch.src = v,
        0x10 => ch.dst = v,
        0x14 => ch.auto0 = v,
        0x18 => ch.auto1 = v,
        _ => ch.status = v,
    }
}

/// Read a word for the DMA engine (descriptor fetch), from this core's view of memory.
fn dma_load(mem: &Mem, me: usize, addr: u32, n: u32) -> Option<u64> {
    if addr & (n - 1) != 0 {
        return None;
    }
    match mem.translate(me, addr) {
        Target::Sram { idx, off } => Some(mem.read_sram(idx, off, n)),
        Target::Dram { off } => Some(mem.read_dram(off, n)),
        _ => None,
    }
}

fn dma_store(mem: &mut Mem, me: usize, addr: u32, n: u32, v: u64) -> bool {
    if addr & (n - 1) != 0 {
        return false;
    }
    match mem.translate(me, addr) {
        Target::Sram { idx, off } => mem.write_sram(idx, off, n, v),
        Target::Dram { off } => mem.write_dram(off, n, v),
        _ => return false,
    }
    true
}

/// Run a DMA transfer (functionally at once; busy for the modelled time). With STARTUP the
/// descriptor {config, inner strides, counts, outer strides, src, dst} is loaded from the local
/// address in CONFIG[31:16]; CHAIN continues with the next descriptor.
fn start_dma(c: &mut Core, mem: &mut Mem, n: usize) {
    let me = c.idx;
    let mut ch: DmaChannel = c.dma[n];
    let mut cycles = DMA_STARTUP;
    // Bounded chain walk: a descriptor chain may loop.
    for _ in 0..4096 {
        if ch.config & DMA_CFG_STARTUP != 0 {
            let d = ch.config >> 16;
            let w = |k: u32| dma_load(mem, me, d + 4 * k, 4).map(|v| v as u32);
            match (w(0), w(1), w(2), w(3), w(4), w(5)) {
                (Some(cfg), Some(st), Some(cnt), Some(ost), Some(src), Some(dst)) => {
                    ch.config = cfg;
                    ch.stride = st;
                    ch.count = cnt;
                    ch.outer_stride = ost;
                    ch.src = src;
                    ch.dst = dst;
                }
                _ => {
                    ch.status = 0xF; // error state
                    break;
                }
            }
        }
        let size = 1u32 << ((ch.config >> 5) & 3);
        let inner = ch.count & 0xFFFF;
        let outer = (ch.count >> 16).max(1);
        let (si, di) = (
            ch.stride as i16 as i32 as u32,
            (ch.stride >> 16) as i16 as i32 as u32,
        );
        let (so, dso) = (
            ch.outer_stride as i16 as i32 as u32,
            (ch.outer_stride >> 16) as i16 as i32 as u32,
        );
        let external = |a: u32| a.wrapping_sub(crate::mem::DRAM_BASE) < crate::mem::DRAM_SIZE;
        let slow = external(ch.src) || external(ch.dst);
        let mut bytes = 0u64;
        if inner as u64 * outer as u64 > MAX_DMA_ELEMENTS {
            ch.status = 0xF;
            break;
        }
        'outer: for o in 0..outer {
            for i in 0..inner {
                let Some(v) = dma_load(mem, me, ch.src, size) else {
                    ch.status = 0xF;
                    break 'outer;
                };
                if !dma_store(mem, me, ch.dst, size, v) {
                    ch.status = 0xF;
                    break 'outer;
                }
                bytes += size as u64;
                let last = i + 1 == inner && o + 1 < outer;
                ch.src = ch.src.wrapping_add(if last { so } else { si });
                ch.dst = ch.dst.wrapping_add(if last { dso } else { di });
            }
        }
        cycles += if slow {
            bytes * DMA_CYCLES_PER_BYTE_DRAM
        } else {
            bytes.div_ceil(DMA_BYTES_PER_CYCLE_ONCHIP)
        };
        ch.count = 0;
        if ch.config & DMA_IRQEN != 0 {
            ch.irq_pending = true;
        }
        if ch.config & DMA_CHAIN == 0 || ch.status == 0xF {
            break;
        }
        ch.config |= DMA_CFG_STARTUP;
    }
    ch.busy_until = c.cycle + cycles;
    ch.config &= !DMA_ENABLE;
    c.dma[n] = ch;
}

/// Deliver completed DMA interrupts and expired timer interrupts (called between quanta).
#[inline]
pub fn tick(c: &mut Core) {
    // Nothing to do unless a timer runs or a DMA interrupt is due.
    if c.config & 0xFF0 == 0 && !c.dma[0].irq_pending && !c.dma[1].irq_pending {
        return;
    }
    for n in 0..2 {
        if c.dma[n].irq_pending && c.cycle >= c.dma[n].busy_until {
            c.dma[n].irq_pending = false;
            c.raise(6 + n as u32);
        }
        if c.timer_mode(n) != 0 && c.timer_val[n] != 0 && c.timer(n) == 0 {
            c.snapshot_timers();
            c.raise(3 + n as u32);
        }
    }
}

/// The cycle at which an idle core will get an interrupt by itself (a DMA completing, or a timer
/// that counts clock or idle cycles running out), if any. Timers counting other events cannot
/// advance while the core is idle.
pub fn self_wake_time(c: &Core) -> Option<u64> {
    let mut t: Option<u64> = None;
    let mut at = |x: u64| t = Some(t.map_or(x, |y| y.min(x)));
    for n in 0..2 {
        if c.dma[n].irq_pending {
            at(c.dma[n].busy_until);
        }
        if matches!(c.timer_mode(n), 1 | 2) && c.timer(n) != 0 {
            at(c.cycle + c.timer(n) as u64);
        }
    }
    t
}
