//! The monitor mailbox in shared DRAM: how device cores ask the host for output, input, text
//! conversions and maths, and how they report exit, errors and what they are blocked on. Plain
//! loads and stores only (no interrupts), so the same protocol serves the simulator and a real
//! Parallella through e-hal (`e_read`/`e_write` on the DRAM window). See `PROTOCOL.md`.
//!
//! Layout at [`crate::memmap::MAILBOX_BASE`]:
//! * group header ([`header`]), written by the host before the cores start;
//! * one slot of [`SLOT_BYTES`] per core index at [`slot_address`] ([`slot`] offsets).
//!
//! A request: the device writes the arguments and the request code, then increments
//! `REQ_SEQ` (written last), then spins until `ACK_SEQ == REQ_SEQ`. The host services a slot
//! whose `REQ_SEQ != ACK_SEQ`, writes `RESULT` (and the reply buffer), then sets `ACK_SEQ`.
//! `EXIT` and `ERROR` are never acknowledged: the core stops there.

use crate::memmap::MAILBOX_BASE;

/// "EPYC" little-endian.
pub const MAGIC: u32 = 0x4359_5045;
pub const VERSION: u32 = 2;

pub mod header {
    pub const MAGIC: u32 = 0;
    pub const VERSION: u32 = 4;
    /// Number of cores in the run (`numcores()`).
    pub const NCORES: u32 = 8;
    /// Mesh coordinates of core index 0 and the workgroup's width (cores are numbered row by
    /// row: index = (row - first_row) * cols + (col - first_col)).
    pub const FIRST_ROW: u32 = 12;
    pub const FIRST_COL: u32 = 16;
    pub const ROWS: u32 = 20;
    pub const COLS: u32 = 24;
    /// Set to 1 by the host once the header and slots are ready; start-up code waits for it.
    pub const GO: u32 = 28;
    /// Every core of the run, device cores first (`NCORES`), then the cores off the chip
    /// (host virtual cores, a CPython host program) with ids `NCORES..ALL_CORES`.
    pub const ALL_CORES: u32 = 32;
    pub const BYTES: u32 = 0x100;
}

pub const SLOT_BYTES: u32 = 0x40;

/// Offsets inside a core's slot.
pub mod slot {
    /// [`super::CoreState`], written by the device.
    pub const STATE: u32 = 0;
    /// Request sequence number, incremented by the device after writing a request.
    pub const REQ_SEQ: u32 = 4;
    /// Written by the host: the last request serviced.
    pub const ACK_SEQ: u32 = 8;
    /// [`super::Request`] code.
    pub const REQ: u32 = 12;
    pub const A0: u32 = 16;
    pub const A1: u32 = 20;
    pub const A2: u32 = 24;
    pub const A3: u32 = 28;
    /// Written by the host before `ACK_SEQ`.
    pub const RESULT: u32 = 32;
    /// What the core waits for while blocked in message passing ([`super::BlockOp`], 0 when
    /// not blocked), the partner core index and the source position of the call.
    pub const BLOCK_OP: u32 = 36;
    pub const BLOCK_PARTNER: u32 = 40;
    pub const BLOCK_POS: u32 = 44;
    /// Incremented each time the core blocks (progress detection).
    pub const BLOCK_COUNT: u32 = 48;
}

/// Device address of the slot of core index `index`.
pub const fn slot_address(index: u32) -> u32 {
    MAILBOX_BASE + header::BYTES + index * SLOT_BYTES
}

/// Life of a core as its slot shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum CoreState {
    NotStarted = 0,
    Running = 1,
}

/// Requests a core makes. Argument words `A0..A3`; "ptr" arguments are device addresses
/// (local ones mean the requesting core's memory); text replies go to the core's reply
/// buffer as a string object (`len` then bytes) and `RESULT` holds its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Request {
    /// A0 = value bits, A1 = [`epyc_rt_abi::Tag`] (None, Bool, Int, Float); one line.
    PrintScalar = 1,
    /// A0 = str ptr; one line.
    PrintStr = 2,
    /// The core has ended normally. Not acknowledged.
    Exit = 3,
    /// A0 = RtError code, A1 = detail str ptr or 0, A2 = pos. Not acknowledged.
    Error = 4,
    /// As `Error` with `RtError::MessageType`: A0 = expected tag, A1 = received tag, A2 = pos.
    MessageTypeError = 5,
    /// A0 = prompt str ptr or 0; reply: the line read.
    Input = 6,
    /// A0 = value bits, A1 = tag (Bool, Int, Float); reply: its text.
    FormatScalar = 7,
    /// A0 = list ptr, A1 = tag path (see `epyc_str_from_list`); reply: its text.
    FormatList = 8,
    /// A0 = ePython math op, A1 = float bits; RESULT = float bits (domain errors stop the core).
    Math = 9,
    /// A0, A1 = float bits; RESULT = x ** y bits.
    PowF = 10,
    /// RESULT = float bits in [0, 1) from this core's generator.
    Random = 11,
    /// RESULT = non-negative int from this core's generator.
    RandInt = 12,
    /// A0 = seed.
    Seed = 13,
    /// Compiled code reached a CLIF `trap` (A0 = trap code). Not acknowledged.
    Trap = 14,
    // Messages with cores off the chip (ids `NCORES..ALL_CORES` of the header): the monitor
    // performs them for the core and acknowledges once they are done, so a blocking one
    // blocks the core in its mailbox wait. Core ids outside `0..ALL_CORES` and type
    // mismatches stop the core with the same errors as on the chip. `pos` is the call's.
    /// A0 = bits (a str: its global address), A1 = tag, A2 = dest, A3 = pos; acknowledged
    /// once the destination has taken it.
    OffSend = 15,
    /// As `OffSend`, acknowledged at once (`send_nb`; `test_sent`/`wait_sent` follow it).
    OffSendNb = 16,
    /// A0 = src, A1 = expected tag, A3 = pos; RESULT = the value's bits converted to the
    /// expected type, or for a str the reply buffer holds it and RESULT its length.
    OffRecv = 17,
    /// A0 = src, A3 = pos; RESULT = 1 if a message from src is waiting.
    OffProbe = 18,
    /// A0 = dest, A3 = pos; RESULT = 1 if the last `send_nb` to dest was taken.
    OffTestSent = 19,
    /// A0 = dest, A3 = pos; acknowledged (RESULT 1) once the last `send_nb` to dest was taken.
    OffWaitSent = 20,
    /// A0 = bits, A1 = tag | expected tag << 8, A2 = partner, A3 = pos; RESULT = partner's
    /// value converted.
    OffSendRecv = 21,
    /// A3 = pos; `sync` over every core of the run.
    OffSync = 22,
    /// A0 = bits, A1 = tag, A2 = op (0 sum, 1 min, 2 max, 3 prod), A3 = pos; RESULT = the
    /// reduction over every core of the run.
    OffReduce = 23,
    /// A0 = bits, A1 = tag | expected tag << 8, A2 = root, A3 = pos; RESULT = root's value
    /// converted.
    OffBcast = 24,
    /// A0 = src, A3 = pos; a message of any type (`epyc_recv_any`, byte code): RESULT = its
    /// tag, and the reply buffer holds its payload, a str's bytes or else the 4 bytes of its
    /// bits.
    OffRecvAny = 25,
    /// A0 = str ptr, A1 = the tag wanted (Int or Float), A2 = pos; RESULT = the str's value
    /// as `int(s)` / `float(s)` read it (Python's syntax, spaces around allowed); a str that
    /// is no such number stops the core with the host's type error.
    Convert = 26,
}

impl Request {
    pub fn from_u32(v: u32) -> Option<Request> {
        use Request::*;
        Some(match v {
            1 => PrintScalar,
            2 => PrintStr,
            3 => Exit,
            4 => Error,
            5 => MessageTypeError,
            6 => Input,
            7 => FormatScalar,
            8 => FormatList,
            9 => Math,
            10 => PowF,
            11 => Random,
            12 => RandInt,
            13 => Seed,
            14 => Trap,
            15 => OffSend,
            16 => OffSendNb,
            17 => OffRecv,
            18 => OffProbe,
            19 => OffTestSent,
            20 => OffWaitSent,
            21 => OffSendRecv,
            22 => OffSync,
            23 => OffReduce,
            24 => OffBcast,
            25 => OffRecvAny,
            26 => Convert,
            _ => return None,
        })
    }
}

/// The message-passing operation a blocked core is waiting in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum BlockOp {
    /// Waiting for the partner to take the message sent to it.
    Send = 1,
    /// Waiting for a message from the partner.
    Recv = 2,
    /// `wait` on a non-blocking send.
    WaitSent = 3,
    /// In a collective: waiting for the partner's contribution or the result.
    Sync = 4,
    Reduce = 5,
    Bcast = 6,
}

impl BlockOp {
    pub fn from_u32(v: u32) -> Option<BlockOp> {
        use BlockOp::*;
        Some(match v {
            1 => Send,
            2 => Recv,
            3 => WaitSent,
            4 => Sync,
            5 => Reduce,
            6 => Bcast,
            _ => return None,
        })
    }

    /// "send to", "recv from", ... followed by the partner in reports.
    pub fn describe(self) -> &'static str {
        match self {
            BlockOp::Send => "send to",
            BlockOp::Recv => "recv from",
            BlockOp::WaitSent => "wait_sent to",
            BlockOp::Sync => "sync, waiting for",
            BlockOp::Reduce => "reduce, waiting for",
            BlockOp::Bcast => "bcast, waiting for",
        }
    }
}

const _: () = assert!(slot::BLOCK_COUNT + 4 <= SLOT_BYTES);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::{MAX_CORES, REPLY_BASE};

    #[test]
    fn slots_fit_before_the_reply_buffers() {
        assert!(slot_address(MAX_CORES) <= REPLY_BASE);
        for v in 1..=24 {
            assert_eq!(Request::from_u32(v).map(|r| r as u32), Some(v));
        }
        for v in 1..=6 {
            assert_eq!(BlockOp::from_u32(v).map(|r| r as u32), Some(v));
        }
    }
}
