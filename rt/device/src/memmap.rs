//! The per-core memory map of an epyc image and the shared-DRAM areas: the single source of
//! truth for the runtime, the image linker and the monitor.
//!
//! Local memory of every core (32 KB, the same image on each core):
//!
//! | range | content |
//! |---|---|
//! | `0x0000..0x0028` | IVT: reset vector `b.l _epyc_start`; other vectors unused |
//! | `0x0028..0x0100` | e-hal's `workgroup_cfg`/`ext_mem_cfg`/`loader_cfg` (left alone) |
//! | `0x0100..`       | code (runtime first, then the program), rodata, globals |
//! | image end `..HEAP_LOCAL_END` | local heap (bump allocator, grows up) |
//! | `STATE_BASE..STATE_END` | runtime state: postboxes and collective slots (written remotely by senders), acks, sequence numbers, core table |
//! | `STACK_LIMIT..STACK_TOP` | stack, growing down from `0x7ff0` |
//!
//! Shared DRAM (device addresses, Parallella window `0x8E000000..0x90000000`):
//!
//! | range | content |
//! |---|---|
//! | `0x8E000000 + i * 1 MB` | overflow heap of core index `i` (used when its local heap is full) |
//! | `0x8F000000` | monitor mailbox: group header, then one slot per core (see `protocol`) |
//! | `0x8F100000 + i * 64 KB` | reply buffer of core `i` (text the monitor produces for the core) |
//! | `0x8F200000..0x8FA00000` | program code (`-codeshared`) and constants (`-datashared`) placed in shared memory, one copy for all cores |

/// Bytes of local memory per core.
pub const LOCAL_SIZE: u32 = 0x8000;
/// Interrupt vector table: 10 entries of 4 bytes.
pub const IVT_BASE: u32 = 0x0000;
pub const IVT_SIZE: u32 = 0x28;
/// First byte of code (after e-hal's configuration words at 0x28..0x68).
pub const CODE_BASE: u32 = 0x0100;
/// Initial stack pointer (8-byte aligned; the 8 bytes above belong to the first callee).
pub const STACK_TOP: u32 = 0x7ff0;
/// Lowest stack address: the stack may use `STACK_LIMIT..STACK_TOP` (6 KB).
pub const STACK_LIMIT: u32 = 0x6800;
/// Stack bytes kept free below every compiled frame for the runtime routines compiled code
/// calls (their deepest chain of frames; `stack::runtime_stack_bytes` checks it fits).
pub const RUNTIME_STACK_RESERVE: u32 = 256;
/// The lowest sp a compiled function's prologue may leave (the word at
/// `___epyc_stack_limit`): below it the stack check reports a stack overflow.
pub const STACK_GUARD: u32 = STACK_LIMIT + RUNTIME_STACK_RESERVE;
/// Runtime state block (1.25 KB), just below the stack.
pub const STATE_BASE: u32 = 0x6300;
pub const STATE_END: u32 = STACK_LIMIT;
/// The local heap ends where the runtime state starts; the image must end below it.
pub const HEAP_LOCAL_END: u32 = STATE_BASE;

/// Most cores a run may have (the postbox arrays have one slot per sender): an E16G301.
pub const MAX_CORES: u32 = 16;
/// Message channels: 0 for the program's messages, 1 for collectives (sync, reduce, bcast),
/// so a collective never consumes a program message.
pub const CHANNELS: u32 = 2;

/// Offsets inside the runtime state block.
pub mod state {
    use super::MAX_CORES;
    /// Postbox of channel `ch` for sender `s`: 16 bytes `{seq, tag, bits, aux}`; the sender
    /// writes tag, bits and aux first and seq last (mesh writes from one core arrive in order).
    pub const POSTBOX: u32 = 0x000;
    pub const POSTBOX_BYTES: u32 = 16;
    pub const fn postbox(ch: u32, sender: u32) -> u32 {
        POSTBOX + (ch * MAX_CORES + sender) * POSTBOX_BYTES
    }
    /// Field offsets inside a postbox.
    pub const BOX_SEQ: u32 = 0;
    pub const BOX_TAG: u32 = 4;
    pub const BOX_BITS: u32 = 8;
    pub const BOX_AUX: u32 = 12;
    /// `ACK[ch][receiver]`: the last sequence number `receiver` consumed from this core
    /// (written remotely by the receiver).
    pub const ACK: u32 = 0x200;
    pub const fn ack(ch: u32, receiver: u32) -> u32 {
        ACK + (ch * MAX_CORES + receiver) * 4
    }
    /// `SEEN[ch][sender]`: the last sequence number this core consumed from `sender`.
    pub const SEEN: u32 = 0x280;
    pub const fn seen(ch: u32, sender: u32) -> u32 {
        SEEN + (ch * MAX_CORES + sender) * 4
    }
    /// `SENT[ch][dest]`: the last sequence number this core sent to `dest`.
    pub const SENT: u32 = 0x300;
    pub const fn sent(ch: u32, dest: u32) -> u32 {
        SENT + (ch * MAX_CORES + dest) * 4
    }
    /// Scalars.
    pub const MY_INDEX: u32 = 0x380;
    pub const NCORES: u32 = 0x384;
    /// Global address of this core's mailbox slot and reply buffer.
    pub const SLOT: u32 = 0x388;
    pub const REPLY: u32 = 0x38c;
    pub const HEAP_PTR: u32 = 0x390;
    pub const HEAP_END: u32 = 0x394;
    pub const DHEAP_PTR: u32 = 0x398;
    pub const DHEAP_END: u32 = 0x39c;
    /// Global base address (`(row << 26) | (col << 20)`) of this core.
    pub const MY_BASE: u32 = 0x3a0;
    /// Number of times this core entered a blocking wait (a changing count tells the monitor
    /// that a core which looks blocked did make progress).
    pub const BLOCK_COUNT: u32 = 0x3a4;
    /// Sequence number of this core's last monitor request.
    pub const REQ_SEQ: u32 = 0x3a8;
    /// Number of `sync`/`reduce` rounds this core has entered (see `COLL`).
    pub const COLL_SEQ: u32 = 0x3ac;
    /// Every core of the run (`numcores()`): the device cores `0..NCORES` and the cores off
    /// the chip after them (host virtual cores, a CPython host program). A message to or from
    /// a core `NCORES..ALL_CORES`, and every collective when there are such cores, goes
    /// through the monitor (`protocol::Request::OffSend`, ...).
    pub const ALL_CORES: u32 = 0x3b0;
    /// `CORE_BASE[i]`: global base address of core index `i`.
    pub const CORE_BASE: u32 = 0x3c0;
    /// `COLL[parity][sender]`: 8 bytes `{bits, key}` that `sender` wrote remotely for the
    /// `sync`/`reduce` round `r` with `parity = r & 1`; `key = (r << 4) | tag`, written last.
    /// Two buffers suffice: a core can only start round `r + 2` after it saw every core's
    /// round `r + 1` contribution, which each core writes only after it read all of round `r`.
    pub const COLL: u32 = CORE_BASE + MAX_CORES * 4;
    pub const COLL_BYTES: u32 = 8;
    pub const fn coll(parity: u32, sender: u32) -> u32 {
        COLL + (parity * MAX_CORES + sender) * COLL_BYTES
    }
    pub const END: u32 = coll(2, 0);
}

/// Shared DRAM as the device sees it.
pub const DRAM_BASE: u32 = 0x8E00_0000;
pub const DRAM_SIZE: u32 = 0x0200_0000;
/// Per-core overflow heaps: core index `i` owns `DRAM_HEAP_BASE + i * DRAM_HEAP_STRIDE`.
pub const DRAM_HEAP_BASE: u32 = 0x8E00_0000;
pub const DRAM_HEAP_STRIDE: u32 = 0x0010_0000;
/// The monitor mailbox (ePython keeps its shared structure at the same place).
pub const MAILBOX_BASE: u32 = 0x8F00_0000;
/// Per-core reply buffers.
pub const REPLY_BASE: u32 = 0x8F10_0000;
pub const REPLY_STRIDE: u32 = 0x0001_0000;

/// Program code and constants placed in shared DRAM (`-codeshared`, `-datashared`): one copy
/// that every core fetches from or reads (8 MB after the reply buffers).
pub const SHARED_IMAGE_BASE: u32 = REPLY_BASE + MAX_CORES * REPLY_STRIDE;
pub const SHARED_IMAGE_SIZE: u32 = 0x0080_0000;

/// Global address of `local` in the core at mesh (row, col).
pub const fn global_address(row: u32, col: u32, local: u32) -> u32 {
    (row << 26) | (col << 20) | local
}

pub const fn dram_heap(index: u32) -> u32 {
    DRAM_HEAP_BASE + index * DRAM_HEAP_STRIDE
}

pub const fn reply_buffer(index: u32) -> u32 {
    REPLY_BASE + index * REPLY_STRIDE
}

// The regions are in order and inside the local memory.
const _: () = assert!(IVT_BASE + IVT_SIZE <= CODE_BASE);
const _: () =
    assert!(STATE_END <= STACK_LIMIT && STACK_LIMIT < STACK_TOP && STACK_TOP <= LOCAL_SIZE);
const _: () = assert!(STACK_GUARD < STACK_TOP);
const _: () = assert!(SHARED_IMAGE_BASE + SHARED_IMAGE_SIZE <= DRAM_BASE + DRAM_SIZE);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_do_not_overlap() {
        assert_eq!(STATE_BASE + state::END, STATE_END);
        assert_eq!(state::postbox(CHANNELS, 0), state::ACK);
        assert_eq!(state::ack(CHANNELS, 0), state::SEEN);
        assert_eq!(state::seen(CHANNELS, 0), state::SENT);
        assert_eq!(state::sent(CHANNELS, 0), state::MY_INDEX);
        assert!(dram_heap(MAX_CORES) <= MAILBOX_BASE);
        assert!(reply_buffer(MAX_CORES) <= SHARED_IMAGE_BASE);
    }

    #[test]
    fn global_addresses_follow_the_mesh() {
        assert_eq!(global_address(32, 8, 0), 0x8080_0000);
        assert_eq!(global_address(35, 11, 0x100), 0x8cb0_0100);
    }
}
