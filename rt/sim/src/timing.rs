//! The cycle model: every latency the simulator charges, in one table, each with its source.
//!
//! Sources (see `shared/spec/epiphany-platform.md` §3): **GCC** = `gcc/config/epiphany/
//! epiphany-sched.md` (the only verbatim pipeline description available), **LAT** = measured
//! core-to-core latency on a Parallella-16, **EBSPMEM** = measured memory/DMA bandwidths,
//! **DS** = E16G301 datasheet. Where no source gives a number the value is a stated assumption.
//!
//! | parameter | value | source |
//! |---|---|---|
//! | IALU result latency | 1 | GCC `simple_arith` bypass 1 to IALU/load/store/branch consumers |
//! | load result latency (integer use) | 2 | GCC `load` bypass 2 (one stall if used next) |
//! | load result latency (FPU use) | 3 | GCC `load` latency 3 to FPU consumers |
//! | FPU result latency | 5 | GCC `fp_arith` latency 5 |
//! | FPU result to a store | 4 | GCC `fp_arith` bypass 4 to store |
//! | dual issue | one IALU/load/store + one FPU per cycle | GCC `pipe_01`/`pipe_02`, units `int`, `F0` |
//! | flow / movts / movfs issue alone | 1 | GCC `flow` (d_lock) |
//! | taken branch, jump, call, return | 3 cycles | GCC `branch` comment "Latency when taken: 3" |
//! | not-taken branch | 1 | GCC `branch` comment |
//! | hardware loop back-edge | 0 extra | ARCH §7.9 (zero-overhead loop) |
//! | remote write, issuing core | 1 (posted) | ARCH §5.4 recollection; EBSPMEM writes 4.4x faster than reads |
//! | mesh hop | 1.5 cycles (3 per 2 hops) | DS "1.5 ns per-hop" at 1 GHz; LAT ≈1.45 cycles/hop at 600 MHz |
//! | remote write arrival | 10 + 1.5 × hops after issue | LAT: 14.5 cycles one way at 1 hop, +≈1.45 per hop, including ≈3 cycles of the receiver's poll loop |
//! | remote read round trip | 10 + 3 × hops | LAT fit ≈ 13 + 1.45 × hops one way for write+poll; reads go and return (assumption) |
//! | external DRAM read | 550 cycles | EBSPMEM memcpy from DRAM (8 KB in 1,119,132 cycles ÷ 2048 words) |
//! | external DRAM write, issuing core | 4 (posted) | EBSPMEM memcpy to DRAM ≈ 16 cycles/word incl. loop (assumption: 4 charged to the store) |
//! | instruction fetch from DRAM | 550 per instruction | same figure as an external read (assumption) |
//! | DMA start-up | 20 cycles | assumption (LAT: a few hundred cycles per `e_dma_copy` incl. software) |
//! | DMA throughput | 4 bytes/cycle on-chip, 0.5 bytes/cycle from DRAM | EBSPMEM: 3.4 B/cycle core→core, ≈0.27–0.9 B/cycle DRAM |
//! | local bank conflict (load/store vs fetch, same 8 KB bank) | not charged | no source for the arbitration priorities (ARCH §6.3 unread) |

/// Cycles after issue until an IALU result can be used.
pub const IALU_LATENCY: u64 = 1;
/// Cycles after issue until a loaded value can be used by an integer instruction.
pub const LOAD_LATENCY: u64 = 2;
/// Cycles after issue until a loaded value can be used by the FPU.
pub const LOAD_TO_FPU_LATENCY: u64 = 3;
/// Cycles after issue until an FPU result can be used.
pub const FPU_LATENCY: u64 = 5;
/// Cycles after issue until an FPU result can be stored.
pub const FPU_TO_STORE_LATENCY: u64 = 4;
/// Total cycles of a taken branch / jump / call / return (issue + 2 bubbles).
pub const BRANCH_TAKEN: u64 = 3;
/// Fixed part of a remote write's travel time (issue to visibility at the destination).
pub const REMOTE_WRITE_BASE: u64 = 10;

/// Cycles from issuing a remote write until the destination core can see it.
#[inline]
pub fn remote_write_latency(hops: u64) -> u64 {
    REMOTE_WRITE_BASE + (3 * hops).div_ceil(2)
}

/// Fixed part of a blocking remote (on-chip, other core) read.
pub const REMOTE_READ_BASE: u64 = 10;
/// Round-trip cycles per mesh hop of a remote read (1.5 out + 1.5 back).
pub const REMOTE_READ_PER_HOP: u64 = 3;
/// Blocking read from external DRAM.
pub const DRAM_READ: u64 = 550;
/// Cycles a store to external DRAM occupies the issuing core.
pub const DRAM_WRITE: u64 = 4;
/// Cycles to fetch one instruction that lives outside local memory.
pub const EXTERNAL_FETCH: u64 = 550;
/// DMA start-up cost.
pub const DMA_STARTUP: u64 = 20;
/// DMA bytes per cycle, on chip.
pub const DMA_BYTES_PER_CYCLE_ONCHIP: u64 = 4;
/// DMA cycles per byte when either side is external DRAM.
pub const DMA_CYCLES_PER_BYTE_DRAM: u64 = 2;

/// Mesh hops between two cores with XY routing: Manhattan distance.
#[inline]
pub fn hops(a: (u32, u32), b: (u32, u32)) -> u64 {
    (a.0.abs_diff(b.0) + a.1.abs_diff(b.1)) as u64
}
