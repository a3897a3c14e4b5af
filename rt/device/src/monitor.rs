//! The host side of the device runtime: drives a [`Device`] in slices of cycles and services
//! every core's mailbox slot (see `protocol` and `PROTOCOL.md`): prints `[device N] text`
//! lines (whole lines, each core's in order), reads input, ends cores on exit, reports
//! runtime errors as `Error from core N: MSG` and `  at FILE:LINE`, and finds deadlocks (every
//! live core blocked in message passing with nothing changing for a whole slice: each core's
//! operation, partner and line are reported, status 3). It never hangs: a cycle limit ends the
//! run too.
//!
//! In a run with cores off the chip ([`run_hybrid`]: host virtual cores, a CPython host
//! program), device cores' messages to and from them and all collectives are requests the
//! monitor performs with the host runtime (`offchip`). Deadlocks are then judged for the whole
//! run by the host runtime's detection: once no device core has made progress for the
//! deadlock window, the monitor stops simulating, records what each device core waits for in
//! the host runtime's world and sleeps until an off-chip operation can go on; if none ever
//! can, the host side reports the deadlock with every core of the run.

use crate::memmap;
use crate::offchip::{self, Outcome, Pending};
use crate::protocol::{self, header, slot, BlockOp, Request};
use crate::remote_text;
use anyhow::{anyhow, Result};
use epyc_rt_abi::{pos, RtError, Tag};
use epyc_rt_host::external::{ExternalCores, Wait, WaitOp};
use epyc_rt_host::{math_fns, random, MonitorIo};
use std::time::Duration;

/// What the monitor needs of a device (the simulator, or a board through e-hal).
pub trait Device {
    /// Number of cores in the workgroup (core indices `0..cores()`).
    fn cores(&self) -> u32;
    /// (first row, first column, rows, columns) of the workgroup on the mesh.
    fn shape(&self) -> (u32, u32, u32, u32);
    /// Runs every live core for up to `cycles` cycles; may return early once some core has
    /// a request pending in its mailbox slot (so requests are answered at once). Err on a
    /// fault of the device.
    fn run(&mut self, cycles: u64) -> Result<()>;
    fn read_dram(&self, addr: u32, buf: &mut [u8]) -> Result<()>;
    fn write_dram(&mut self, addr: u32, data: &[u8]) -> Result<()>;
    /// Reads local memory `addr..` of core `core`.
    fn read_core(&self, core: u32, addr: u32, buf: &mut [u8]) -> Result<()>;
    /// Stops a core for good (it has exited or failed).
    fn halt(&mut self, core: u32);
    /// Cycles run so far (the slowest core).
    fn cycles(&self) -> u64;
    /// Cycles core `core` has run.
    fn core_cycles(&self, core: u32) -> u64;
    /// The monitor has seen request `seq` of `core` and will answer it later (an off-chip
    /// message still waiting; None once answered): [`Device::run`] need not return early for
    /// it.
    fn park(&mut self, _core: u32, _seq: Option<u32>) {}

    /// Index of the core at mesh (row, col), if it is in the workgroup.
    fn core_index(&self, row: u32, col: u32) -> Option<u32> {
        let (r0, c0, rows, cols) = self.shape();
        (row >= r0 && row < r0 + rows && col >= c0 && col < c0 + cols)
            .then(|| (row - r0) * cols + (col - c0))
    }
}

#[derive(Clone, Debug)]
pub struct MonitorConfig {
    /// Source paths, indexed by the file part of a `pos`.
    pub files: Vec<String>,
    /// Cycles per slice between mailbox polls (a device may return earlier).
    pub slice: u64,
    /// Every live core blocked in message passing, with nothing changing, for this many
    /// cycles is a deadlock (messages in flight arrive within far fewer).
    pub deadlock_window: u64,
    /// The run ends with an error after this many cycles.
    pub max_cycles: u64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            files: Vec::new(),
            slice: 100_000,
            deadlock_window: 20_000,
            max_cycles: 20_000_000_000,
        }
    }
}

/// Exit statuses as the host runtime's.
pub const STATUS_OK: i32 = 0;
pub const STATUS_RUNTIME_ERROR: i32 = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Life {
    Running,
    Ended,
}

struct Slot {
    req_seq: u32,
    ack_seq: u32,
    req: u32,
    a: [u32; 4],
    block_op: u32,
    block_partner: u32,
    block_pos: u32,
    block_count: u32,
}

fn word(b: &[u8], off: u32) -> u32 {
    let o = off as usize;
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn read_slot(dev: &dyn Device, core: u32) -> Result<Slot> {
    let mut b = vec![0u8; protocol::SLOT_BYTES as usize];
    dev.read_dram(protocol::slot_address(core), &mut b)?;
    Ok(Slot {
        req_seq: word(&b, slot::REQ_SEQ),
        ack_seq: word(&b, slot::ACK_SEQ),
        req: word(&b, slot::REQ),
        a: [
            word(&b, slot::A0),
            word(&b, slot::A1),
            word(&b, slot::A2),
            word(&b, slot::A3),
        ],
        block_op: word(&b, slot::BLOCK_OP),
        block_partner: word(&b, slot::BLOCK_PARTNER),
        block_pos: word(&b, slot::BLOCK_POS),
        block_count: word(&b, slot::BLOCK_COUNT),
    })
}

fn write_u32(dev: &mut dyn Device, addr: u32, v: u32) -> Result<()> {
    dev.write_dram(addr, &v.to_le_bytes())
}

/// Writes the group header and clears the slots; sets GO last. `all_cores`: every core of the
/// run, the device's and those off the chip after them.
pub fn prepare(dev: &mut dyn Device, all_cores: u32) -> Result<()> {
    let n = dev.cores();
    if n > memmap::MAX_CORES {
        return Err(anyhow!(
            "{n} cores requested; the device runtime supports at most {}",
            memmap::MAX_CORES
        ));
    }
    let (r0, c0, rows, cols) = dev.shape();
    let base = memmap::MAILBOX_BASE;
    dev.write_dram(
        protocol::slot_address(0),
        &vec![0u8; (n * protocol::SLOT_BYTES) as usize],
    )?;
    for (off, v) in [
        (header::MAGIC, protocol::MAGIC),
        (header::VERSION, protocol::VERSION),
        (header::NCORES, n),
        (header::FIRST_ROW, r0),
        (header::FIRST_COL, c0),
        (header::ROWS, rows),
        (header::COLS, cols),
        (header::ALL_CORES, all_cores.max(n)),
        (header::GO, 1),
    ] {
        write_u32(dev, base + off, v)?;
    }
    Ok(())
}

struct Run<'a> {
    dev: &'a mut dyn Device,
    io: &'a dyn MonitorIo,
    cfg: &'a MonitorConfig,
    life: Vec<Life>,
    rng: Vec<u64>,
    ended_at: Vec<Option<u64>>,
    status: i32,
    /// The cores off the chip, in a hybrid run.
    ext: Option<&'a ExternalCores>,
    /// Per core: the off-chip request (its REQ_SEQ) it waits in, if any.
    parked: Vec<Option<(u32, Pending)>>,
}

impl Run<'_> {
    fn position(&self, p: u32) -> Option<String> {
        let (file, line) = pos::decode(p as i32);
        if line == 0 {
            return None;
        }
        let name = self
            .cfg
            .files
            .get(file as usize)
            .map_or("<unknown file>", |f| f.as_str());
        Some(format!("{name}:{line}"))
    }

    fn print(&self, core: u32, text: &[u8]) {
        let mut line = format!("[device {core}] ").into_bytes();
        line.extend_from_slice(text);
        line.push(b'\n');
        self.io.out(&line);
    }

    fn fail(&mut self, core: u32, message: &str, p: u32) {
        let mut text = format!("Error from core {core}: {message}\n");
        if let Some(at) = self.position(p) {
            text.push_str(&format!("  at {at}\n"));
        }
        self.io.err(text.as_bytes());
        self.end(core, true);
        self.status = STATUS_RUNTIME_ERROR;
    }

    fn report(&self, status: i32) -> RunReport {
        RunReport {
            status,
            core_cycles: self.ended_at.clone(),
        }
    }

    fn end(&mut self, core: u32, failed: bool) {
        self.ended_at[core as usize] = Some(self.dev.core_cycles(core));
        self.life[core as usize] = Life::Ended;
        self.parked[core as usize] = None;
        self.dev.halt(core);
        if let Some(ext) = self.ext {
            ext.end(core as usize, failed);
        }
    }

    fn reply_text(&mut self, core: u32, text: &[u8]) -> Result<u32> {
        let max = (memmap::REPLY_STRIDE - 4) as usize;
        let text = &text[..text.len().min(max)];
        let mut obj = (text.len() as u32).to_le_bytes().to_vec();
        obj.extend_from_slice(text);
        self.dev.write_dram(memmap::reply_buffer(core), &obj)?;
        Ok(text.len() as u32)
    }

    fn acknowledge(&mut self, core: u32, seq: u32, result: u32) -> Result<()> {
        let s = protocol::slot_address(core);
        write_u32(self.dev, s + slot::RESULT, result)?;
        write_u32(self.dev, s + slot::ACK_SEQ, seq)
    }

    /// Services one request of `core`; Ok(true) if the core goes on.
    fn service(&mut self, core: u32, s: &Slot) -> Result<()> {
        let dev: &dyn Device = self.dev;
        let Some(req) = Request::from_u32(s.req) else {
            self.fail(core, &format!("unknown monitor request {}", s.req), 0);
            return Ok(());
        };
        let [a0, a1, a2, _] = s.a;
        let tag = |t: u32| Tag::from_u32(t).unwrap_or(Tag::Int);
        let result = match req {
            Request::PrintScalar => {
                self.print(core, remote_text::scalar(a0, tag(a1)).as_bytes());
                0
            }
            Request::PrintStr => {
                let bytes = remote_text::str_bytes(dev, core, a0)?;
                self.print(core, &bytes);
                0
            }
            Request::Exit => {
                self.end(core, false);
                return Ok(());
            }
            Request::Error => {
                let err = RtError::from_u32(a0);
                let detail = if a1 != 0 {
                    String::from_utf8_lossy(&remote_text::str_bytes(dev, core, a1)?).into_owned()
                } else {
                    String::new()
                };
                let msg = match err {
                    Some(e) => e.message(&detail),
                    None => format!("unknown runtime error {a0}"),
                };
                self.fail(core, &msg, a2);
                return Ok(());
            }
            Request::MessageTypeError => {
                let detail = format!("expected {}, got {}", tag(a0).name(), tag(a1).name());
                self.fail(core, &RtError::MessageType.message(&detail), a2);
                return Ok(());
            }
            Request::Input => {
                let shown = if a0 != 0 {
                    let mut s = format!("[device {core}] ").into_bytes();
                    s.extend_from_slice(&remote_text::str_bytes(dev, core, a0)?);
                    s
                } else {
                    format!("device {core}> ").into_bytes()
                };
                self.io.out(&shown);
                let line = self.io.read_line().unwrap_or_default();
                self.reply_text(core, &line)?
            }
            Request::FormatScalar => {
                let text = remote_text::scalar(a0, tag(a1));
                self.reply_text(core, text.as_bytes())?
            }
            Request::FormatList => {
                let text = remote_text::list(dev, core, a0, a1)?;
                self.reply_text(core, text.as_bytes())?
            }
            // Maths and random numbers are the host runtime's own functions, on this
            // core's generator state, so device cores compute exactly what host cores do.
            Request::Math => {
                let op = a0 as i32;
                match math_fns::math(op, f32::from_bits(a1), &mut self.rng[core as usize]) {
                    Ok(y) => y.to_bits(),
                    Err(e) => {
                        self.fail(core, &e.message(&math_fns::error_detail(op, e)), 0);
                        return Ok(());
                    }
                }
            }
            Request::PowF => math_fns::powf(f32::from_bits(a0), f32::from_bits(a1)).to_bits(),
            Request::Random => random::uniform(&mut self.rng[core as usize]).to_bits(),
            Request::RandInt => random::randint(&mut self.rng[core as usize]) as u32,
            Request::Trap => {
                self.fail(
                    core,
                    &format!("Internal error: trap {a0} in compiled code"),
                    0,
                );
                return Ok(());
            }
            Request::Seed => {
                self.rng[core as usize] = random::seed_state(a0 as i32);
                0
            }
            // The host interpreter's `int(s)` / `float(s)`, texts included.
            Request::Convert => {
                let text =
                    String::from_utf8_lossy(&remote_text::str_bytes(dev, core, a0)?).into_owned();
                let value = if tag(a1) == Tag::Float {
                    text.trim()
                        .parse::<f32>()
                        .map(f32::to_bits)
                        .map_err(|_| format!("could not convert string to float: '{text}'"))
                } else {
                    text.trim()
                        .parse::<i32>()
                        .map(|v| v as u32)
                        .map_err(|_| format!("invalid literal for int(): '{text}'"))
                };
                match value {
                    Ok(bits) => bits,
                    Err(detail) => {
                        self.fail(core, &RtError::TypeError.message(&detail), a2);
                        return Ok(());
                    }
                }
            }
            Request::OffSend
            | Request::OffSendNb
            | Request::OffRecv
            | Request::OffProbe
            | Request::OffTestSent
            | Request::OffWaitSent
            | Request::OffSendRecv
            | Request::OffSync
            | Request::OffReduce
            | Request::OffBcast
            | Request::OffRecvAny => {
                let Some(ext) = self.ext else {
                    // The runtime asks only when the header counts cores off the chip.
                    self.fail(
                        core,
                        "Internal error: an off-chip message in a run without cores off the chip",
                        s.a[3],
                    );
                    return Ok(());
                };
                let outcome = offchip::start(ext, dev, core, req, s.a)?;
                return self.settle(core, s.req_seq, outcome);
            }
        };
        self.acknowledge(core, s.req_seq, result)
    }

    /// Acts on what an off-chip request came to: answer it, keep it waiting, or fail.
    fn settle(&mut self, core: u32, seq: u32, outcome: Outcome) -> Result<()> {
        let c = core as usize;
        match outcome {
            Outcome::Waiting(p) => {
                self.parked[c] = Some((seq, p));
                self.dev.park(core, Some(seq));
                return Ok(());
            }
            Outcome::Done(result) => self.acknowledge(core, seq, result)?,
            Outcome::Text(bytes) => {
                let len = self.reply_text(core, &bytes)?;
                self.acknowledge(core, seq, len)?;
            }
            Outcome::Tagged(tag, bytes) => {
                self.reply_text(core, &bytes)?;
                self.acknowledge(core, seq, tag as u32)?;
            }
            Outcome::Fail(message, p) => self.fail(core, &message, p),
        }
        if self.parked[c].take().is_some() {
            self.dev.park(core, None);
        }
        Ok(())
    }

    /// Answers every waiting off-chip request that can go on now; true if any did.
    fn poll_parked(&mut self) -> Result<bool> {
        let Some(ext) = self.ext else {
            return Ok(false);
        };
        let mut any = false;
        for core in 0..self.parked.len() {
            let Some((seq, p)) = self.parked[core] else {
                continue;
            };
            if let Some(outcome) = offchip::poll(ext, core as u32, &p) {
                self.settle(core as u32, seq, outcome)?;
                any = true;
            }
        }
        Ok(any)
    }

    /// Every live device core waits and none has moved for the deadlock window: record each
    /// one's wait in the host runtime's world (so its deadlock detection sees the whole run)
    /// and sleep until an off-chip operation can go on. Ok(false) if the run was ended
    /// meanwhile (a deadlock the host side reported, or every core off the chip failed).
    fn idle(&mut self, ext: &ExternalCores, blocked: &[(u32, Slot)]) -> Result<bool> {
        let mut waits = Vec::new();
        for (core, s) in blocked {
            let wait = match self.parked[*core as usize] {
                Some((_, p)) => p.wait(),
                None => Wait {
                    op: WaitOp::Elsewhere {
                        what: BlockOp::from_u32(s.block_op).map_or("blocked in", |o| o.describe()),
                        partner: s.block_partner as usize,
                    },
                    pos: s.block_pos as i32,
                },
            };
            waits.push((*core as usize, Some(wait)));
        }
        ext.set_waits(&waits);
        loop {
            if ext.halted() {
                return Ok(false);
            }
            let seen = ext.changes();
            if self.poll_parked()? {
                for w in &mut waits {
                    w.1 = None;
                }
                ext.set_waits(&waits);
                return Ok(true);
            }
            ext.wait_for_change(seen, IDLE_POLL);
        }
    }

    fn deadlock_report(&self, blocked: &[(u32, Slot)]) -> String {
        let mut text = String::from("Deadlock: every running core is blocked in message passing\n");
        for (core, s) in blocked {
            let what = BlockOp::from_u32(s.block_op).map_or("blocked in", |o| o.describe());
            let partner = s.block_partner;
            let note = match self.life.get(partner as usize) {
                Some(Life::Ended) => " (finished)",
                _ => "",
            };
            let at = self
                .position(s.block_pos)
                .map(|p| format!(" at {p}"))
                .unwrap_or_default();
            text.push_str(&format!("  core {core}: {what} core {partner}{note}{at}\n"));
        }
        text
    }
}

/// (core, operation, partner, block count) of a blocked core.
type BlockedRecord = (u32, u32, u32, u32);

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// 0, or 3 after a runtime error, a deadlock, a device fault or the cycle limit.
    pub status: i32,
    /// Per core: the cycle at which it ended (exit or error), None if it never did.
    pub core_cycles: Vec<Option<u64>>,
}

/// Runs the program loaded on `dev` to the end; returns the exit status (0, or 3 after a
/// runtime error, a deadlock, a device fault or the cycle limit).
pub fn run(dev: &mut dyn Device, io: &dyn MonitorIo, cfg: &MonitorConfig) -> Result<i32> {
    run_report(dev, io, cfg).map(|r| r.status)
}

/// As [`run`], with each core's cycle count at its end (for `-t`).
pub fn run_report(
    dev: &mut dyn Device,
    io: &dyn MonitorIo,
    cfg: &MonitorConfig,
) -> Result<RunReport> {
    run_cores(dev, io, cfg, None)
}

/// As [`run_report`] for the device cores `0..dev.cores()` of a run with cores off the chip
/// after them (`ext`: the host runtime's handle on the device cores). Device errors and
/// limits end the whole run (`ExternalCores::abort`).
pub fn run_hybrid(
    dev: &mut dyn Device,
    io: &dyn MonitorIo,
    cfg: &MonitorConfig,
    ext: &ExternalCores,
) -> Result<RunReport> {
    let report = run_cores(dev, io, cfg, Some(ext));
    // Device cores that never ended (a device fault, the cycle limit, a deadlock the host
    // side reported) can no longer answer anyone: the whole run ends now. Cores that ended
    // are ended in the host runtime's world too, and its cores go on or are reported stuck.
    if !report
        .as_ref()
        .is_ok_and(|r| r.core_cycles.iter().all(Option::is_some))
    {
        ext.abort();
    }
    report
}

/// Sleep between looks at the host side while every device core waits for it.
const IDLE_POLL: Duration = Duration::from_millis(5);

/// Device cycles between polls while some core waits for a core off the chip (its message
/// is noticed within this many cycles).
const OFFCHIP_SLICE: u64 = 2_000;

fn run_cores(
    dev: &mut dyn Device,
    io: &dyn MonitorIo,
    cfg: &MonitorConfig,
    ext: Option<&ExternalCores>,
) -> Result<RunReport> {
    let n = dev.cores();
    prepare(dev, ext.map_or(n, |e| e.numcores()))?;
    let mut run = Run {
        dev,
        io,
        cfg,
        life: vec![Life::Running; n as usize],
        rng: (0..n).map(|i| random::seed_state(i as i32)).collect(),
        ended_at: vec![None; n as usize],
        status: STATUS_OK,
        ext,
        parked: vec![None; n as usize],
    };
    // The blocked records of the last poll at which every live core was blocked, and the
    // cycle they were first seen.
    let mut last_blocked: Option<(Vec<BlockedRecord>, u64)> = None;
    loop {
        let slice = if run.parked.iter().any(Option::is_some) {
            cfg.slice.clamp(1, OFFCHIP_SLICE)
        } else {
            cfg.slice.max(1)
        };
        if let Err(e) = run.dev.run(slice) {
            run.io
                .err(format!("Error on the device: {e:#}\n").as_bytes());
            return Ok(run.report(STATUS_RUNTIME_ERROR));
        }
        if run.ext.is_some_and(|e| e.halted()) {
            return Ok(run.report(STATUS_RUNTIME_ERROR));
        }
        let moved = run.poll_parked()?;
        let mut blocked = Vec::new();
        let mut all_blocked = !moved;
        for core in 0..n {
            if run.life[core as usize] == Life::Ended {
                continue;
            }
            let s = read_slot(run.dev, core)?;
            let parked = run.parked[core as usize].is_some_and(|(seq, _)| seq == s.req_seq);
            if parked {
                blocked.push((core, s));
            } else if s.req_seq != s.ack_seq {
                run.service(core, &s)?;
                all_blocked = false;
            } else if s.block_op == 0 {
                all_blocked = false;
            } else {
                blocked.push((core, s));
            }
        }
        if run.life.iter().all(|l| *l == Life::Ended) {
            return Ok(run.report(run.status));
        }
        if let Some(ext) = run.ext {
            if all_blocked && run.parked.iter().any(Option::is_some) {
                // Every device core waits, some for a core off the chip: simulating on would
                // only spin. Wait (wall time, not device cycles) for the host side to move;
                // then run again, so that messages still in flight on the chip land and the
                // deadlock window below can pass if nothing moves at all.
                let seen = ext.changes();
                let mut moved = run.poll_parked()?;
                if !moved {
                    ext.wait_for_change(seen, IDLE_POLL);
                    moved = run.poll_parked()?;
                }
                if moved {
                    last_blocked = None;
                    continue;
                }
            }
        }
        if all_blocked && !blocked.is_empty() {
            let sig: Vec<_> = blocked
                .iter()
                .map(|(c, s)| match run.parked[*c as usize] {
                    // Waiting off the chip: the request is the record.
                    Some((seq, _)) => (*c, 0x100 | s.req, 0, seq),
                    None => (*c, s.block_op, s.block_partner, s.block_count),
                })
                .collect();
            let now = run.dev.cycles();
            match &last_blocked {
                Some((prev, since)) if *prev == sig => {
                    if now - since >= cfg.deadlock_window {
                        match run.ext {
                            // The whole run decides: sleep until the host side moves.
                            Some(ext) => {
                                if !run.idle(ext, &blocked)? {
                                    return Ok(run.report(STATUS_RUNTIME_ERROR));
                                }
                                last_blocked = None;
                            }
                            None => {
                                let text = run.deadlock_report(&blocked);
                                run.io.err(text.as_bytes());
                                return Ok(run.report(STATUS_RUNTIME_ERROR));
                            }
                        }
                    }
                }
                _ => last_blocked = Some((sig, now)),
            }
        } else {
            last_blocked = None;
        }
        if run.dev.cycles() > cfg.max_cycles {
            run.io.err(
                format!(
                    "Error: the device ran past the cycle limit of {}\n",
                    cfg.max_cycles
                )
                .as_bytes(),
            );
            return Ok(run.report(STATUS_RUNTIME_ERROR));
        }
    }
}
