//! The execute loop: runs one core until a cycle horizon, on pre-decoded instructions, charging
//! cycles by the model in `timing.rs`. Allocation-free except for trap output.

use crate::core::{Core, State};
use crate::fault::FaultKind;
use crate::fpu::{self, FpOp};
use crate::mem::{Mem, Target, SRAM_SIZE};
use crate::mmr;
use crate::timing::*;
use crate::uop::{Kind, Uop, SUB_RM};

/// Unit classes for issue: flow instructions issue alone; one IALU/load/store and one FPU
/// instruction can issue in the same cycle.
const ALONE: u8 = 0;
const IALU: u8 = 1;
const FPU: u8 = 2;
/// `pair_with` value that matches no class.
const NONE: u8 = 0xFF;
/// The class that can dual-issue after each class.
const PARTNER: [u8; 3] = [NONE, FPU, IALU];

/// Where trap output goes.
pub struct Io {
    pub combined: Vec<u8>,
    pub per_core: Vec<Vec<u8>>,
    pub echo_stdout: bool,
    pub trace: bool,
    scratch: Vec<u8>,
}

impl Io {
    pub fn new(ncores: usize, echo_stdout: bool, trace: bool) -> Io {
        Io {
            combined: Vec::new(),
            per_core: vec![Vec::new(); ncores],
            echo_stdout,
            trace,
            scratch: Vec::new(),
        }
    }
}

/// Issue an instruction whose operands are ready at `ready`; returns its issue cycle.
/// `c.pair_with` is the class that may still issue in the last issue cycle (IALU after an FPU
/// instruction or the reverse; none after a pair, a flow instruction or a stall).
#[inline(always)]
fn issue(c: &mut Core, ready: u64, class: u8) -> u64 {
    if class == c.pair_with && ready <= c.last_issue {
        c.pair_with = NONE;
        c.ctr.dual_issues += 1;
        return c.last_issue;
    }
    let t = if ready > c.cycle {
        c.ctr.ra_stalls += ready - c.cycle;
        ready
    } else {
        c.cycle
    };
    c.last_issue = t;
    c.pair_with = PARTNER[class as usize];
    c.cycle = t + 1;
    t
}

#[inline(always)]
fn taken(c: &mut Core, t: u64) {
    c.cycle = t + BRANCH_TAKEN;
    c.ctr.branch_stalls += BRANCH_TAKEN - 1;
    c.pair_with = NONE;
}

/// A stall that blocks the whole core (remote/external access).
#[inline(always)]
fn block(c: &mut Core, cycles: u64, fetch: bool) {
    c.cycle += cycles;
    if fetch {
        c.ctr.fetch_stalls += cycles;
    } else {
        c.ctr.load_stalls += cycles;
    }
    c.pair_with = NONE;
}

/// Record that register `r`'s new value is usable by integer consumers from cycle `at`.
#[inline(always)]
fn set_ready(c: &mut Core, r: u8, at: u64) {
    c.ready[r as usize] = at;
    let bit = !(1u64 << r);
    c.load_mask &= bit;
    c.fpu_mask &= bit;
}

/// A loaded register: FPU consumers wait one cycle longer (GCC: load latency 3 to FPU, 2 else).
#[inline(always)]
fn set_ready_load(c: &mut Core, r: usize, at: u64) {
    c.ready[r] = at;
    c.load_mask |= 1 << r;
    c.fpu_mask &= !(1 << r);
}

/// An FPU result: stores may take it one cycle early (GCC: bypass 4 to store, latency 5 else).
#[inline(always)]
fn set_ready_fpu(c: &mut Core, r: u8, at: u64) {
    c.ready[r as usize] = at;
    c.fpu_mask |= 1 << r;
    c.load_mask &= !(1 << r);
}

/// When an FPU instruction can read register `r`.
#[inline(always)]
fn ready_for_fpu(c: &Core, r: usize) -> u64 {
    c.ready[r] + (c.load_mask >> r & 1) * (LOAD_TO_FPU_LATENCY - LOAD_LATENCY)
}

/// When a store can take register `r` as its data.
#[inline(always)]
fn ready_for_store(c: &Core, r: usize) -> u64 {
    c.ready[r] - (c.fpu_mask >> r & 1) * (FPU_LATENCY - FPU_TO_STORE_LATENCY)
}

#[inline(always)]
fn logic_flags(c: &mut Core, v: u32) {
    c.az = v == 0;
    c.an = (v as i32) < 0;
    c.ac = false;
    c.av = false;
}

/// Fetch (and decode into the cache) the instruction at the core's PC. A PC outside fetchable
/// memory gives `Kind::BadFetch`, which faults when executed.
#[inline(always)]
fn fetch(c: &mut Core, mem: &mut Mem) -> Uop {
    let pc = c.pc;
    if pc < SRAM_SIZE && pc & 1 == 0 {
        let idx = c.idx;
        if let Some(u) = mem.cache[idx].get((pc >> 1) as usize) {
            if u.kind != Kind::Undecoded {
                return *u;
            }
        }
        return fill_cache(mem, idx, pc);
    }
    fetch_slow(c, mem)
}

#[cold]
fn fill_cache(mem: &mut Mem, idx: usize, off: u32) -> Uop {
    if mem.cache[idx].is_empty() {
        mem.cache[idx] = vec![Uop::UNDECODED; (SRAM_SIZE / 2) as usize];
    }
    let Some(word) = mem.fetch_word(idx, off) else {
        return Uop::BAD_FETCH;
    };
    let u = crate::decode::decode(word);
    if off + u.len as u32 > SRAM_SIZE {
        return Uop::BAD_FETCH;
    }
    mem.cache[idx][(off >> 1) as usize] = u;
    mem.code_hi[idx] = mem.code_hi[idx].max(off + 4);
    u
}

#[cold]
fn fetch_slow(c: &mut Core, mem: &mut Mem) -> Uop {
    if c.pc & 1 != 0 {
        return Uop::BAD_FETCH;
    }
    match mem.translate(c.idx, c.pc) {
        Target::Sram { idx, off } if idx == c.idx => fill_cache(mem, idx, off),
        Target::Sram { idx, .. } => {
            let Some(word) = mem.fetch_word(c.idx, c.pc) else {
                return Uop::BAD_FETCH;
            };
            let h = hops((c.row, c.col), mem.coords(idx));
            block(c, REMOTE_READ_BASE + REMOTE_READ_PER_HOP * h, true);
            crate::decode::decode(word)
        }
        Target::Dram { .. } => {
            let Some(word) = mem.fetch_word(c.idx, c.pc) else {
                return Uop::BAD_FETCH;
            };
            block(c, EXTERNAL_FETCH, true);
            crate::decode::decode(word)
        }
        _ => Uop::BAD_FETCH,
    }
}

#[inline(always)]
fn check_align(addr: u32, n: u32, write: bool) -> Result<(), FaultKind> {
    if addr & (n - 1) != 0 {
        return Err(FaultKind::Unaligned {
            addr,
            size: n,
            write,
        });
    }
    Ok(())
}

#[inline(always)]
fn load(c: &mut Core, mem: &mut Mem, addr: u32, size: u8) -> Result<u64, FaultKind> {
    let n = 1u32 << size;
    check_align(addr, n, false)?;
    if addr < SRAM_SIZE {
        let a = c.idx * SRAM_SIZE as usize + addr as usize;
        let s = &mem.sram;
        return Ok(match n {
            1 => s[a] as u64,
            2 => u16::from_le_bytes([s[a], s[a + 1]]) as u64,
            4 => u32::from_le_bytes(s[a..a + 4].try_into().unwrap()) as u64,
            _ => u64::from_le_bytes(s[a..a + 8].try_into().unwrap()),
        });
    }
    load_slow(c, mem, addr, n)
}

#[cold]
fn load_slow(c: &mut Core, mem: &mut Mem, addr: u32, n: u32) -> Result<u64, FaultKind> {
    match mem.translate(c.idx, addr) {
        Target::Sram { idx, off } => {
            if idx != c.idx {
                let h = hops((c.row, c.col), mem.coords(idx));
                block(c, REMOTE_READ_BASE + REMOTE_READ_PER_HOP * h, false);
            }
            Ok(mem.read_sram(idx, off, n))
        }
        Target::Dram { off } => {
            block(c, DRAM_READ, false);
            Ok(mem.read_dram(off, n))
        }
        Target::Mmr { idx, off } if idx == c.idx => {
            if n != 4 {
                return Err(FaultKind::Unmapped {
                    addr,
                    size: n,
                    write: false,
                });
            }
            mmr::read(c, off)
                .map(|v| v as u64)
                .ok_or(FaultKind::UnsupportedRegister { addr, write: false })
        }
        // Another core's register: the core waits until the end of the quantum, when the run
        // loop (which sees every core) reads it; the load is then executed again and completes
        // after a remote read's latency.
        Target::Mmr { idx, off } => {
            if n != 4 {
                return Err(FaultKind::Unmapped {
                    addr,
                    size: n,
                    write: false,
                });
            }
            match mem.reg_read_ans[c.idx].take() {
                Some((i, o, v)) if i == idx && o == off => {
                    let h = hops((c.row, c.col), mem.coords(idx));
                    block(c, REMOTE_READ_BASE + REMOTE_READ_PER_HOP * h, false);
                    v.map(|v| v as u64)
                        .ok_or(FaultKind::UnsupportedRegister { addr, write: false })
                }
                _ => {
                    mem.reg_read_req[c.idx] = Some((idx, off));
                    Err(FaultKind::UnsupportedRegister { addr, write: false })
                }
            }
        }
        Target::Unmapped => Err(FaultKind::Unmapped {
            addr,
            size: n,
            write: false,
        }),
    }
}

#[inline(always)]
fn store(c: &mut Core, mem: &mut Mem, addr: u32, size: u8, v: u64) -> Result<(), FaultKind> {
    let n = 1u32 << size;
    check_align(addr, n, true)?;
    if addr < SRAM_SIZE {
        let idx = c.idx;
        let a = idx * SRAM_SIZE as usize + addr as usize;
        let s = &mut mem.sram;
        match n {
            1 => s[a] = v as u8,
            2 => s[a..a + 2].copy_from_slice(&(v as u16).to_le_bytes()),
            4 => s[a..a + 4].copy_from_slice(&(v as u32).to_le_bytes()),
            _ => s[a..a + 8].copy_from_slice(&v.to_le_bytes()),
        }
        if addr < mem.code_hi[idx] {
            mem.write_sram(idx, addr, n, v);
        }
        return Ok(());
    }
    store_slow(c, mem, addr, n, v)
}

#[cold]
fn store_slow(c: &mut Core, mem: &mut Mem, addr: u32, n: u32, v: u64) -> Result<(), FaultKind> {
    match mem.translate(c.idx, addr) {
        Target::Sram { idx, off } if idx == c.idx => {
            mem.write_sram(idx, off, n, v);
            Ok(())
        }
        // Remote writes are posted: the issuing core does not wait; the data arrives after the
        // mesh latency (timing.rs).
        Target::Sram { idx, off } => {
            let arrival = c.cycle + remote_write_latency(hops((c.row, c.col), mem.coords(idx)));
            mem.post(arrival, idx, off, n, v);
            Ok(())
        }
        Target::Dram { off } => {
            mem.write_dram(off, n, v);
            c.cycle += DRAM_WRITE;
            c.ctr.e1_stalls += DRAM_WRITE;
            c.pair_with = NONE;
            Ok(())
        }
        Target::Mmr { idx, off } if idx == c.idx => {
            if n != 4 {
                return Err(FaultKind::Unmapped {
                    addr,
                    size: n,
                    write: true,
                });
            }
            if mmr::write(c, mem, off, v as u32) {
                Ok(())
            } else {
                Err(FaultKind::UnsupportedRegister { addr, write: true })
            }
        }
        Target::Mmr { idx, off } => {
            // Another core's registers (raising its interrupts, e_irq_set): a posted write that
            // takes effect when it arrives.
            if n == 4 && mmr::writable(off) {
                let arrival = c.cycle + remote_write_latency(hops((c.row, c.col), mem.coords(idx)));
                mem.post(arrival, idx, off, 4, v);
                Ok(())
            } else {
                Err(FaultKind::UnsupportedRegister { addr, write: true })
            }
        }
        Target::Unmapped => Err(FaultKind::Unmapped {
            addr,
            size: n,
            write: true,
        }),
    }
}

/// TESTSET: atomic at the memory holding the word; only word-sized, global, on-chip addresses
/// (as in the oracle simulator, spec §7).
fn testset(c: &mut Core, mem: &mut Mem, addr: u32, size: u8, new: u32) -> Result<u32, FaultKind> {
    if size != 2 || addr >> 20 == 0 {
        return Err(FaultKind::BadTestset { addr });
    }
    check_align(addr, 4, true)?;
    match mem.translate(c.idx, addr) {
        Target::Sram { idx, off } => {
            if idx != c.idx {
                let h = hops((c.row, c.col), mem.coords(idx));
                block(c, REMOTE_READ_BASE + REMOTE_READ_PER_HOP * h, false);
            }
            let old = mem.read_sram(idx, off, 4) as u32;
            if old == 0 {
                mem.write_sram(idx, off, 4, new as u64);
            }
            Ok(old)
        }
        _ => Err(FaultKind::BadTestset { addr }),
    }
}

/// What ended a core's slice of execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Reached the horizon, went idle, exited or halted.
    Yield,
    /// Waits for a read of another core's register: call [`answer_register_reads`] after the
    /// quantum, and the core completes the read in its next one.
    WaitRegister,
}

/// Answer the reads of other cores' registers requested during a quantum (the run loop calls
/// this after every core has run).
pub fn answer_register_reads(cores: &[Core], mem: &mut Mem) {
    for me in 0..cores.len() {
        if let Some((idx, off)) = mem.reg_read_req[me].take() {
            mem.reg_read_ans[me] = Some((idx, off, mmr::read(&cores[idx], off)));
        }
    }
}

/// A step that failed because it must wait for another core's register: undo its counting.
#[cold]
fn waiting_for_register(c: &mut Core, mem: &Mem) -> bool {
    if mem.reg_read_req[c.idx].is_some() {
        c.ctr.insns -= 1;
        c.ctr.ialu_insns -= 1;
        return true;
    }
    false
}

/// Take a pending interrupt if one can be taken (spec §7 interrupt entry).
#[inline]
pub fn service_interrupts(c: &mut Core) {
    c.irq_check = false;
    if let Some(n) = c.takeable_irq() {
        c.iret = c.pc;
        c.ipend |= 1 << n;
        c.ilat &= !(1 << n);
        c.gid = true;
        c.pc = 4 * n;
        if c.state == State::Idle {
            c.state = State::Running;
        }
        let t = c.cycle;
        taken(c, t);
        c.irq_check = true;
    }
}

/// Run core `c` until its cycle count reaches `horizon` or it stops running.
pub fn run(c: &mut Core, mem: &mut Mem, io: &mut Io, horizon: u64) -> Result<Stop, FaultKind> {
    if io.trace {
        return run_traced(c, mem, io, horizon);
    }
    while c.cycle < horizon {
        if c.irq_check {
            service_interrupts(c);
        }
        if c.state != State::Running {
            break;
        }
        let u = fetch(c, mem);
        if let Err(e) = step(c, mem, io, u) {
            if waiting_for_register(c, mem) {
                return Ok(Stop::WaitRegister);
            }
            return Err(e);
        }
    }
    Ok(Stop::Yield)
}

#[cold]
fn run_traced(c: &mut Core, mem: &mut Mem, io: &mut Io, horizon: u64) -> Result<Stop, FaultKind> {
    while c.cycle < horizon {
        if c.irq_check {
            service_interrupts(c);
        }
        if c.state != State::Running {
            break;
        }
        let u = fetch(c, mem);
        let text = crate::decode::describe(mem, c.idx, c.pc);
        eprintln!("[{},{}] {:>10} {:08x}: {text}", c.row, c.col, c.cycle, c.pc);
        if let Err(e) = step(c, mem, io, u) {
            if waiting_for_register(c, mem) {
                return Ok(Stop::WaitRegister);
            }
            return Err(e);
        }
    }
    Ok(Stop::Yield)
}

/// ADD/SUB, register or immediate second operand: flags AZ AN AC AV, AVS sticky (SUB: AC =
/// no borrow).
#[inline(always)]
fn add_sub<const SUB: bool, const IMM: bool>(c: &mut Core, u: &Uop) {
    let (rd, rn, rm) = (u.rd as usize, u.rn as usize, u.rm as usize);
    let ready = if IMM {
        c.ready[rn]
    } else {
        c.ready[rn].max(c.ready[rm])
    };
    let t = issue(c, ready, IALU);
    c.ctr.ialu_insns += 1;
    let a = c.r[rn];
    let b = if IMM { u.imm as u32 } else { c.r[rm] };
    let (v, carry, ovf) = if SUB {
        let (v, borrow) = a.overflowing_sub(b);
        (v, !borrow, (a as i32).overflowing_sub(b as i32).1)
    } else {
        let (v, carry) = a.overflowing_add(b);
        (v, carry, (a as i32).overflowing_add(b as i32).1)
    };
    c.r[rd] = v;
    c.az = v == 0;
    c.an = (v as i32) < 0;
    c.ac = carry;
    c.av = ovf;
    c.avs |= ovf;
    set_ready(c, u.rd, t + IALU_LATENCY);
}

const AND: u8 = 0;
const ORR: u8 = 1;
const EOR: u8 = 2;
const LSL: u8 = 3;
const LSR: u8 = 4;
const ASR: u8 = 5;
const LSL_IMM: u8 = 6;
const LSR_IMM: u8 = 7;
const ASR_IMM: u8 = 8;
const BITR: u8 = 9;

/// Logic, shift and bit-reverse instructions: flags AZ AN, AC = AV = 0.
#[inline(always)]
fn logic<const OP: u8>(c: &mut Core, u: &Uop) {
    let (rd, rn, rm) = (u.rd as usize, u.rn as usize, u.rm as usize);
    let one_reg = OP >= LSL_IMM;
    let ready = if one_reg {
        c.ready[rn]
    } else {
        c.ready[rn].max(c.ready[rm])
    };
    let t = issue(c, ready, IALU);
    c.ctr.ialu_insns += 1;
    let a = c.r[rn];
    let b = if one_reg { u.imm as u32 } else { c.r[rm] } & 31;
    let v = match OP {
        AND => a & c.r[rm],
        ORR => a | c.r[rm],
        EOR => a ^ c.r[rm],
        LSL | LSL_IMM => a << b,
        LSR | LSR_IMM => a >> b,
        ASR | ASR_IMM => ((a as i32) >> b) as u32,
        _ => a.reverse_bits(),
    };
    c.r[rd] = v;
    logic_flags(c, v);
    set_ready(c, u.rd, t + IALU_LATENCY);
}

/// Addressing modes of loads and stores, as const parameters so each form compiles to its own
/// straight-line code.
const DISP: u8 = 0;
const INDEX: u8 = 1;
const POST_REG: u8 = 2;
const POST_IMM: u8 = 3;

#[inline(always)]
fn load_op<const MODE: u8>(c: &mut Core, mem: &mut Mem, u: &Uop, pc: u32) -> Result<(), FaultKind> {
    let (rd, rn, rm) = (u.rd as usize, u.rn as usize, u.rm as usize);
    let ready = if MODE == INDEX || MODE == POST_REG {
        c.ready[rn].max(c.ready[rm])
    } else {
        c.ready[rn]
    };
    let t = issue(c, ready, IALU);
    c.ctr.ialu_insns += 1;
    let base = c.r[rn];
    let off = if MODE == DISP || MODE == POST_IMM {
        u.imm as u32
    } else if u.c & SUB_RM != 0 {
        c.r[rm].wrapping_neg()
    } else {
        c.r[rm]
    };
    let addr = if MODE == DISP || MODE == INDEX {
        base.wrapping_add(off)
    } else {
        base
    };
    let size = u.size();
    let v = match load(c, mem, addr, size) {
        Ok(v) => v,
        Err(e) => {
            c.pc = pc;
            return Err(e);
        }
    };
    let done = c.cycle.max(t + 1) - 1;
    if size == 3 {
        c.r[rd] = v as u32;
        c.r[(rd + 1) & 63] = (v >> 32) as u32;
        set_ready_load(c, (rd + 1) & 63, done + LOAD_LATENCY);
    } else {
        c.r[rd] = v as u32;
    }
    set_ready_load(c, rd, done + LOAD_LATENCY);
    if MODE == POST_REG || MODE == POST_IMM {
        c.r[rn] = base.wrapping_add(off);
        set_ready(c, u.rn, t + IALU_LATENCY);
    }
    Ok(())
}

#[inline(always)]
fn store_op<const MODE: u8>(
    c: &mut Core,
    mem: &mut Mem,
    u: &Uop,
    pc: u32,
) -> Result<(), FaultKind> {
    let (rd, rn, rm) = (u.rd as usize, u.rn as usize, u.rm as usize);
    let size = u.size();
    let mut ready = if MODE == INDEX || MODE == POST_REG {
        c.ready[rn].max(c.ready[rm])
    } else {
        c.ready[rn]
    };
    ready = ready.max(ready_for_store(c, rd));
    if size == 3 {
        ready = ready.max(ready_for_store(c, (rd + 1) & 63));
    }
    let t = issue(c, ready, IALU);
    c.ctr.ialu_insns += 1;
    let base = c.r[rn];
    let off = if MODE == DISP || MODE == POST_IMM {
        u.imm as u32
    } else if u.c & SUB_RM != 0 {
        c.r[rm].wrapping_neg()
    } else {
        c.r[rm]
    };
    let addr = if MODE == DISP || MODE == INDEX {
        base.wrapping_add(off)
    } else {
        base
    };
    let v = if size == 3 {
        c.r[rd] as u64 | (c.r[(rd + 1) & 63] as u64) << 32
    } else {
        c.r[rd] as u64
    };
    if let Err(e) = store(c, mem, addr, size, v) {
        c.pc = pc;
        return Err(e);
    }
    if MODE == POST_REG || MODE == POST_IMM {
        c.r[rn] = base.wrapping_add(off);
        set_ready(c, u.rn, t + IALU_LATENCY);
    }
    Ok(())
}

#[inline(always)]
fn step(c: &mut Core, mem: &mut Mem, io: &mut Io, u: Uop) -> Result<(), FaultKind> {
    let pc = c.pc;
    let next = pc.wrapping_add(u.len as u32);
    c.pc = next;
    c.ctr.insns += 1;
    let (rd, rn, rm) = (u.rd as usize, u.rn as usize, u.rm as usize);
    match u.kind {
        Kind::Add => add_sub::<false, false>(c, &u),
        Kind::Sub => add_sub::<true, false>(c, &u),
        Kind::AddImm => add_sub::<false, true>(c, &u),
        Kind::SubImm => add_sub::<true, true>(c, &u),
        Kind::And => logic::<AND>(c, &u),
        Kind::Orr => logic::<ORR>(c, &u),
        Kind::Eor => logic::<EOR>(c, &u),
        Kind::Lsl => logic::<LSL>(c, &u),
        Kind::Lsr => logic::<LSR>(c, &u),
        Kind::Asr => logic::<ASR>(c, &u),
        Kind::LslImm => logic::<LSL_IMM>(c, &u),
        Kind::LsrImm => logic::<LSR_IMM>(c, &u),
        Kind::AsrImm => logic::<ASR_IMM>(c, &u),
        Kind::Bitr => logic::<BITR>(c, &u),
        Kind::MovImm => {
            let t = issue(c, 0, IALU);
            c.ctr.ialu_insns += 1;
            c.r[rd] = u.imm as u32;
            set_ready(c, u.rd, t + IALU_LATENCY);
        }
        Kind::MovT => {
            let t = issue(c, c.ready[rd], IALU);
            c.ctr.ialu_insns += 1;
            c.r[rd] = (c.r[rd] & 0xFFFF) | u.imm as u32;
            set_ready(c, u.rd, t + IALU_LATENCY);
        }
        Kind::MovCond => {
            let t = issue(c, c.ready[rn], IALU);
            c.ctr.ialu_insns += 1;
            if c.cond(u.c) {
                c.r[rd] = c.r[rn];
                set_ready(c, u.rd, t + IALU_LATENCY);
            }
        }
        Kind::Fadd | Kind::Fsub | Kind::Fmul | Kind::Fmadd | Kind::Fmsub => {
            let op = match u.kind {
                Kind::Fadd => FpOp::Add,
                Kind::Fsub => FpOp::Sub,
                Kind::Fmul => FpOp::Mul,
                Kind::Fmadd => FpOp::Madd,
                _ => FpOp::Msub,
            };
            let mut ready = ready_for_fpu(c, rn).max(ready_for_fpu(c, rm));
            if matches!(op, FpOp::Madd | FpOp::Msub) {
                ready = ready.max(ready_for_fpu(c, rd));
            }
            let t = issue(c, ready, FPU);
            c.ctr.fpu_insns += 1;
            let (acc, a, b) = (c.r[rd], c.r[rn], c.r[rm]);
            if c.int_mode() {
                let (v, bn, bz) = fpu::icommon(op, acc, a, b);
                c.r[rd] = v;
                c.bn = bn;
                c.bz = bz;
                c.bv = false;
            } else {
                let res = fpu::fcal(op, acc, a, b, c.truncate_mode());
                c.r[rd] = res.bits;
                fp_flags(c, res.bits, res.overflow, res.underflow, res.invalid);
            }
            set_ready_fpu(c, u.rd, t + FPU_LATENCY);
        }
        Kind::Float | Kind::Fix | Kind::Fabs => {
            let t = issue(c, ready_for_fpu(c, rn), FPU);
            c.ctr.fpu_insns += 1;
            let a = c.r[rn];
            let (v, invalid) = match u.kind {
                Kind::Float => (fpu::float(a, c.truncate_mode()), false),
                Kind::Fix => fpu::fix(a, c.truncate_mode()),
                _ => (fpu::fabs(a), false),
            };
            c.r[rd] = v;
            fp_flags(c, v, false, false, invalid);
            if u.kind == Kind::Fabs {
                c.bn = false;
            }
            set_ready_fpu(c, u.rd, t + FPU_LATENCY);
        }
        Kind::LoadDisp => load_op::<DISP>(c, mem, &u, pc)?,
        Kind::LoadIdx => load_op::<INDEX>(c, mem, &u, pc)?,
        Kind::LoadPostReg => load_op::<POST_REG>(c, mem, &u, pc)?,
        Kind::LoadPostImm => load_op::<POST_IMM>(c, mem, &u, pc)?,
        Kind::StoreDisp => store_op::<DISP>(c, mem, &u, pc)?,
        Kind::StoreIdx => store_op::<INDEX>(c, mem, &u, pc)?,
        Kind::StorePostReg => store_op::<POST_REG>(c, mem, &u, pc)?,
        Kind::StorePostImm => store_op::<POST_IMM>(c, mem, &u, pc)?,
        Kind::Branch => {
            let t = issue(c, 0, ALONE);
            c.ctr.ialu_insns += 1;
            if c.cond(u.c) {
                let target = pc.wrapping_add(u.imm as u32);
                c.pc = target;
                taken(c, t);
                if target == pc {
                    // A branch to itself only waits for an interrupt: treat it as IDLE (the
                    // interrupt returns to the branch, which waits again), so the run loop can
                    // skip the wait and detect a deadlock.
                    c.state = State::Idle;
                }
            }
        }
        Kind::BranchLink => {
            let t = issue(c, 0, ALONE);
            c.ctr.ialu_insns += 1;
            c.r[14] = next;
            set_ready(c, 14, t + IALU_LATENCY);
            c.pc = pc.wrapping_add(u.imm as u32);
            taken(c, t);
        }
        Kind::Jr | Kind::Jalr => {
            let t = issue(c, c.ready[rn], ALONE);
            c.ctr.ialu_insns += 1;
            let target = c.r[rn];
            if u.kind == Kind::Jalr {
                c.r[14] = next;
                set_ready(c, 14, t + IALU_LATENCY);
            }
            c.pc = target;
            taken(c, t);
        }
        Kind::Movts => {
            let t = issue(c, c.ready[rn], ALONE);
            let v = c.r[rn];
            if !mmr::write(c, mem, u.imm as u32, v) {
                c.pc = pc;
                return Err(FaultKind::UnsupportedRegister {
                    addr: u.imm as u32,
                    write: true,
                });
            }
            if u.imm as u32 == mmr::PC {
                taken(c, t);
            }
        }
        Kind::Movfs => {
            let t = issue(c, 0, ALONE);
            c.pc = pc;
            let v = mmr::read(c, u.imm as u32);
            c.pc = next;
            match v {
                Some(v) => c.r[rd] = v,
                None => {
                    c.pc = pc;
                    return Err(FaultKind::UnsupportedRegister {
                        addr: u.imm as u32,
                        write: false,
                    });
                }
            }
            set_ready(c, u.rd, t + IALU_LATENCY);
        }
        Kind::Nop => {
            issue(c, 0, IALU);
        }
        Kind::Trap => {
            issue(c, 0, ALONE);
            if let Err(e) = trap(c, mem, io, u.imm as u32) {
                c.pc = pc;
                return Err(e);
            }
        }
        Kind::Idle => {
            issue(c, 0, ALONE);
            c.state = State::Idle;
        }
        Kind::Gie | Kind::Gid => {
            issue(c, 0, ALONE);
            c.gid = u.kind == Kind::Gid;
            c.irq_check = true;
        }
        Kind::Rti => {
            let t = issue(c, 0, ALONE);
            if c.ipend != 0 {
                c.ipend &= c.ipend - 1;
            }
            c.gid = false;
            c.pc = c.iret;
            c.irq_check = true;
            taken(c, t);
        }
        Kind::Swi => {
            issue(c, 0, ALONE);
            c.excause = 0;
            c.raise(1);
        }
        Kind::Wand => {
            issue(c, 0, ALONE);
            c.wand = true;
        }
        Kind::Bkpt => {
            c.pc = pc;
            return Err(FaultKind::Breakpoint);
        }
        Kind::BadFetch => {
            c.pc = pc;
            return Err(FaultKind::BadFetch);
        }
        Kind::Unimpl | Kind::Invalid | Kind::Undecoded => {
            c.pc = pc;
            let word = mem.fetch_word(c.idx, pc).unwrap_or(0);
            let word = if u.len == 2 { word & 0xFFFF } else { word };
            return Err(FaultKind::InvalidInstruction { word });
        }
        Kind::Testset => {
            let t = issue(c, c.ready[rn].max(c.ready[rm]).max(c.ready[rd]), IALU);
            c.ctr.ialu_insns += 1;
            let off = if u.c & SUB_RM != 0 {
                c.r[rm].wrapping_neg()
            } else {
                c.r[rm]
            };
            let addr = c.r[rn].wrapping_add(off);
            match testset(c, mem, addr, u.size(), c.r[rd]) {
                Ok(old) => c.r[rd] = old,
                Err(e) => {
                    c.pc = pc;
                    return Err(e);
                }
            }
            set_ready_load(c, rd, c.cycle.max(t + 1) - 1 + LOAD_LATENCY);
        }
    }
    // Hardware loop: after the instruction at LE, loop back to LS while LC counts down
    // (ARCH §7.9; not used by GCC).
    if pc == c.loop_end && c.pc == next {
        c.lc -= 1;
        if c.lc != 0 {
            c.pc = c.ls;
        }
        c.update_loop_end();
    }
    Ok(())
}

fn fp_flags(c: &mut Core, v: u32, overflow: bool, underflow: bool, invalid: bool) {
    c.bz = v & 0x7fff_ffff == 0;
    c.bn = v >> 31 != 0;
    c.bv = overflow;
    if overflow | underflow | invalid {
        fp_exceptions(c, overflow, underflow, invalid);
    }
}

#[cold]
fn fp_exceptions(c: &mut Core, overflow: bool, underflow: bool, invalid: bool) {
    c.bvs |= overflow;
    c.bus |= underflow;
    c.bis |= invalid;
    // Enabled FPU exceptions raise the software-exception interrupt (CONFIG bits 1-3).
    let cfg = c.config;
    if (invalid && cfg & 2 != 0) || (overflow && cfg & 4 != 0) || (underflow && cfg & 8 != 0) {
        c.excause = 3;
        c.raise(1);
    }
}

/// TRAP services as Adapteva's simulator / libgloss define them (oracle README).
fn trap(c: &mut Core, mem: &mut Mem, io: &mut Io, n: u32) -> Result<(), FaultKind> {
    const ENOSYS: u32 = 88;
    match n {
        0 => {
            let (addr, len) = (c.r[1], c.r[2]);
            io.scratch.clear();
            if len > mem::MAX_WRITE || !mem.read_bytes(c.idx, addr, len, &mut io.scratch) {
                return Err(FaultKind::Unmapped {
                    addr,
                    size: len,
                    write: false,
                });
            }
            io.combined.extend_from_slice(&io.scratch);
            io.per_core[c.idx].extend_from_slice(&io.scratch);
            if io.echo_stdout {
                use std::io::Write;
                let fd = c.r[0];
                if fd == 2 {
                    let _ = std::io::stderr().write_all(&io.scratch);
                } else {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(&io.scratch);
                    let _ = out.flush();
                }
            }
            c.r[0] = len;
            c.r[3] = 0;
        }
        1 => {
            c.r[0] = 0;
            c.r[3] = 0;
        }
        2 | 7 => {
            c.r[0] = u32::MAX;
            c.r[3] = ENOSYS;
        }
        3 => c.state = State::Exited(c.r[0] as i32),
        4 => c.state = State::Exited(0),
        5 => c.state = State::Exited(1),
        6 => {
            c.r[0] = 0;
            c.r[3] = 0;
        }
        _ => return Err(FaultKind::UnknownTrap { n }),
    }
    Ok(())
}

mod mem {
    /// Largest single trap-0 write accepted (guards against wild lengths).
    pub const MAX_WRITE: u32 = 1 << 20;
}
