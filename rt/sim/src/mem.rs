//! The workgroup's memories: every core's 32 KB SRAM, the shared DRAM, the per-core decode caches
//! (kept here so a store from any core or DMA can invalidate the code it overwrites), and the
//! interrupt requests other cores posted through ILATST.

use crate::uop::Uop;

/// Bytes of local SRAM per core.
pub const SRAM_SIZE: u32 = 0x8000;
/// Device address of the shared DRAM window (Parallella: 0x8E000000, 32 MB).
pub const DRAM_BASE: u32 = 0x8E00_0000;
pub const DRAM_SIZE: u32 = 0x0200_0000;
/// Start of the memory-mapped register page inside a core's 1 MB window.
pub const MMR_BASE: u32 = 0xF0000;

/// Where a device address lands, as seen from one core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// SRAM of core `idx` at byte offset `off`.
    Sram { idx: usize, off: u32 },
    /// Shared DRAM at byte offset `off`.
    Dram { off: u32 },
    /// Register page of core `idx` at window offset `off` (0xF0000..0xFFFFF).
    Mmr { idx: usize, off: u32 },
    /// Nothing is there (reserved part of a window, or a core outside the workgroup).
    Unmapped,
}

pub struct Mem {
    pub rows: u32,
    pub cols: u32,
    pub first_row: u32,
    pub first_col: u32,
    pub sram: Vec<u8>,
    pub dram: Vec<u8>,
    /// Per core: decoded instruction per halfword of SRAM (allocated on first fetch).
    pub cache: Vec<Vec<Uop>>,
    /// Per core: one past the highest SRAM byte that holds a decoded instruction, so data
    /// stores above the code skip invalidation.
    pub code_hi: Vec<u32>,
    /// Per core: a read of another core's register (core, offset) waiting for the quantum end.
    pub reg_read_req: Vec<Option<(usize, u32)>>,
    /// Per core: the answer to that read (core, offset, value or None if not modelled).
    pub reg_read_ans: Vec<Option<(usize, u32, Option<u32>)>>,
    /// Register-page writes from other cores that have arrived: (core, offset, value), applied
    /// by the run loop in this order before the next quantum.
    pub arrived_mmr: Vec<(usize, u32, u32)>,
    /// Remote writes travelling on the mesh, delivered when they arrive.
    pub in_flight: Vec<Posted>,
    /// Sequence number of the next posted write (keeps delivery order deterministic).
    pub next_seq: u64,
}

/// A write on its way through the mesh to another core.
#[derive(Clone, Copy, Debug)]
pub struct Posted {
    pub arrival: u64,
    pub seq: u64,
    pub dst: usize,
    /// SRAM offset, or register-page offset (>= `MMR_BASE`).
    pub off: u32,
    pub n: u32,
    pub v: u64,
}

impl Mem {
    pub fn new(rows: u32, cols: u32, first_row: u32, first_col: u32) -> Mem {
        let n = (rows * cols) as usize;
        Mem {
            rows,
            cols,
            first_row,
            first_col,
            sram: vec![0; n * SRAM_SIZE as usize],
            dram: vec![0; DRAM_SIZE as usize],
            cache: vec![Vec::new(); n],
            code_hi: vec![0; n],
            arrived_mmr: Vec::new(),
            reg_read_req: vec![None; n],
            reg_read_ans: vec![None; n],
            in_flight: Vec::new(),
            next_seq: 0,
        }
    }

    pub fn ncores(&self) -> usize {
        (self.rows * self.cols) as usize
    }

    /// Core index of mesh coordinates, if inside the workgroup.
    #[inline]
    pub fn index_of(&self, row: u32, col: u32) -> Option<usize> {
        let (r, c) = (
            row.wrapping_sub(self.first_row),
            col.wrapping_sub(self.first_col),
        );
        if r < self.rows && c < self.cols {
            Some((r * self.cols + c) as usize)
        } else {
            None
        }
    }

    /// Mesh coordinates of a core index.
    pub fn coords(&self, idx: usize) -> (u32, u32) {
        (
            self.first_row + idx as u32 / self.cols,
            self.first_col + idx as u32 % self.cols,
        )
    }

    /// Where `addr` goes for core `me` (window 0 is the core's own window).
    #[inline]
    pub fn translate(&self, me: usize, addr: u32) -> Target {
        if addr.wrapping_sub(DRAM_BASE) < DRAM_SIZE {
            return Target::Dram {
                off: addr - DRAM_BASE,
            };
        }
        let idx = if addr >> 20 == 0 {
            me
        } else {
            match self.index_of(addr >> 26, (addr >> 20) & 63) {
                Some(i) => i,
                None => return Target::Unmapped,
            }
        };
        let off = addr & 0xFFFFF;
        if off < SRAM_SIZE {
            Target::Sram { idx, off }
        } else if off >= MMR_BASE {
            Target::Mmr { idx, off }
        } else {
            Target::Unmapped
        }
    }

    #[inline]
    fn sram_at(&self, idx: usize, off: u32) -> usize {
        idx * SRAM_SIZE as usize + off as usize
    }

    /// Read `n` (1, 2, 4, 8) little-endian bytes from core `idx`'s SRAM (caller checked bounds).
    #[inline]
    pub fn read_sram(&self, idx: usize, off: u32, n: u32) -> u64 {
        let a = self.sram_at(idx, off);
        read_le(&self.sram[a..a + n as usize])
    }

    /// Write to core `idx`'s SRAM, dropping decoded instructions the bytes overlap.
    #[inline]
    pub fn write_sram(&mut self, idx: usize, off: u32, n: u32, v: u64) {
        let a = self.sram_at(idx, off);
        write_le(&mut self.sram[a..a + n as usize], v);
        if off < self.code_hi[idx] {
            self.invalidate(idx, off, n);
        }
    }

    fn invalidate(&mut self, idx: usize, off: u32, n: u32) {
        let cache = &mut self.cache[idx];
        if cache.is_empty() {
            return;
        }
        // A 32-bit instruction starting one halfword before `off` also covers it.
        let first = off.saturating_sub(2) / 2;
        let last = (off + n - 1) / 2;
        for h in first..=last {
            if let Some(slot) = cache.get_mut(h as usize) {
                *slot = Uop::UNDECODED;
            }
        }
    }

    /// Send a write into the mesh, arriving at cycle `arrival`.
    pub fn post(&mut self, arrival: u64, dst: usize, off: u32, n: u32, v: u64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.push(Posted {
            arrival,
            seq,
            dst,
            off,
            n,
            v,
        });
    }

    /// Apply every write arriving before `until`, in (arrival, issue) order.
    pub fn deliver(&mut self, until: u64) {
        if self.in_flight.iter().all(|p| p.arrival >= until) {
            return;
        }
        let mut due: Vec<Posted> = Vec::new();
        self.in_flight.retain(|p| {
            if p.arrival < until {
                due.push(*p);
                false
            } else {
                true
            }
        });
        due.sort_by_key(|p| (p.arrival, p.seq));
        for p in due {
            if p.off >= MMR_BASE {
                self.arrived_mmr.push((p.dst, p.off, p.v as u32));
            } else {
                self.write_sram(p.dst, p.off, p.n, p.v);
            }
        }
    }

    pub fn read_dram(&self, off: u32, n: u32) -> u64 {
        read_le(&self.dram[off as usize..(off + n) as usize])
    }

    pub fn write_dram(&mut self, off: u32, n: u32, v: u64) {
        write_le(&mut self.dram[off as usize..(off + n) as usize], v);
    }

    /// Copy bytes from memory into `out` for a trap (any mix of SRAM / DRAM). Returns false if
    /// some byte is not plain memory.
    pub fn read_bytes(&self, me: usize, addr: u32, len: u32, out: &mut Vec<u8>) -> bool {
        for k in 0..len {
            match self.translate(me, addr.wrapping_add(k)) {
                Target::Sram { idx, off } => out.push(self.sram[self.sram_at(idx, off)]),
                Target::Dram { off } => out.push(self.dram[off as usize]),
                _ => return false,
            }
        }
        true
    }

    /// Fetch the 32 bits at an SRAM/DRAM address for decoding (upper half 0 past the end).
    pub fn fetch_word(&self, me: usize, addr: u32) -> Option<u32> {
        let half = |a: u32| -> Option<u32> {
            match self.translate(me, a) {
                Target::Sram { idx, off } if off + 2 <= SRAM_SIZE => {
                    Some(self.read_sram(idx, off, 2) as u32)
                }
                Target::Dram { off } if off + 2 <= DRAM_SIZE => Some(self.read_dram(off, 2) as u32),
                _ => None,
            }
        };
        let lo = half(addr)?;
        Some(lo | half(addr.wrapping_add(2)).unwrap_or(0) << 16)
    }
}

#[inline]
pub fn read_le(b: &[u8]) -> u64 {
    let mut v = 0u64;
    for (i, x) in b.iter().enumerate() {
        v |= (*x as u64) << (8 * i);
    }
    v
}

#[inline]
pub fn write_le(b: &mut [u8], v: u64) {
    for (i, x) in b.iter_mut().enumerate() {
        *x = (v >> (8 * i)) as u8;
    }
}
