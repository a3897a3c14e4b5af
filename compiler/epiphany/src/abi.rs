//! GCC's epiphany-elf calling convention and frame layout (platform spec §5), so that our code,
//! runtime routines and GCC-built code can call each other.
//!
//! Registers: r0–r3 arguments and results (caller-saved), r4–r11 and r15, r32–r43 callee-saved,
//! r12, r16–r27, r44–r63 caller-saved, r13 = sp, r14 = lr, r28–r31 reserved (never touched).
//! We never allocate r62/r63: they are our scratch registers (regalloc2's move scratch and the
//! compare / large-offset scratch inside one expanded instruction); both are caller-saved, so
//! GCC code may clobber them freely, and we never keep a value in them across an instruction.
//!
//! Frame (high → low addresses), all offsets from the final sp, sp 8-aligned:
//! ```text
//!   entry sp + 8 + 4*i   incoming stack argument i (the fifth argument word is i = 0)
//!   entry sp .. +8       the 8 bytes the ABI gives the callee (unused by us)
//!   saved registers      lr (if we call), then the callee-saved registers we use
//!   spill slots          regalloc2's, 4 bytes each
//!   stack slots          CLIF's explicit stack slots
//!   sp + 8 + 4*i         outgoing stack argument i of our calls
//!   sp .. sp + 8         the callee's 8-byte scratch area (belongs to whoever we call)
//! ```

use regalloc2::{MachineEnv, PReg, PRegSet, RegClass};

pub const SP: u8 = 13;
pub const LR: u8 = 14;
/// Emission scratch inside one `MInst` (compare results, large offsets).
pub const SCRATCH0: u8 = 63;
/// regalloc2's dedicated move scratch; also free inside one `MInst`.
pub const SCRATCH1: u8 = 62;
/// Words of arguments passed in registers (r0..r3).
pub const ARG_REGS: u8 = 4;
/// Bytes at sp that belong to the callee; stack arguments start above them.
pub const STACK_OFFSET: u32 = 8;
pub const STACK_ALIGN: u32 = 8;

pub fn preg(n: u8) -> PReg {
    PReg::new(n as usize, RegClass::Int)
}

/// Callee-saved registers (GCC `CALL_USED_REGISTERS` = 0 and not fixed).
pub fn is_callee_saved(r: u8) -> bool {
    matches!(r, 4..=11 | 15 | 32..=43)
}

/// Registers a call may clobber (everything the callee need not preserve), r62/r63 included.
pub fn caller_saved() -> Vec<u8> {
    let mut v: Vec<u8> = (0..=3).collect();
    v.push(12);
    v.push(LR);
    v.extend(16..=27);
    v.extend(44..=63);
    v
}

/// The register environment for regalloc2: one class (Int) holds both i32 and f32 values.
///
/// Ordinarily the preferred registers are the caller-saved ones, as in GCC's
/// `REG_ALLOC_ORDER` (0–3, 12, 16…): using them costs no save/restore. Then the callee-saved
/// ones (r4–r11, r15, r32–r43: these keep values across calls) and last the high caller-saved
/// r44–r61. With `prefer_low` (functions compiled for size) the preferred registers are r0–r7,
/// the only ones the 16-bit encodings reach (an instruction on r8 and up takes 4 bytes instead
/// of 2), though r4–r7 cost a save and a restore per call; all others follow. (regalloc2 scans
/// each group from a per-value offset, so within a group the order means nothing.)
pub fn machine_env(prefer_low: bool) -> MachineEnv {
    let (preferred, non_preferred): (Vec<u8>, Vec<u8>) = if prefer_low {
        let rest = [12].into_iter().chain(16..=27).chain(8..=11).chain([15]);
        ((0..=7).collect(), rest.chain(32..=61).collect())
    } else {
        let callee_saved = (4..=11).chain([15]).chain(32..=43);
        (
            (0..=3).chain([12]).chain(16..=27).collect(),
            callee_saved.chain(44..=61).collect(),
        )
    };
    let set = |regs: Vec<u8>| {
        let mut s = PRegSet::empty();
        regs.into_iter().for_each(|r| s.add(preg(r)));
        s
    };
    MachineEnv {
        preferred_regs_by_class: [set(preferred), PRegSet::empty(), PRegSet::empty()],
        non_preferred_regs_by_class: [set(non_preferred), PRegSet::empty(), PRegSet::empty()],
        scratch_by_class: [Some(preg(SCRATCH1)), None, None],
        fixed_stack_slots: vec![],
    }
}

/// The frame of one function, fixed after register allocation.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// Bytes subtracted from sp in the prologue (multiple of 8).
    pub size: u32,
    /// Offset from sp of each explicit stack slot.
    pub slot_offsets: Vec<u32>,
    /// Offset from sp of spill slot 0 (slot i at + 4*i).
    pub spill_base: u32,
    /// Saved registers and their offsets from sp (lr first when saved).
    pub saves: Vec<(u8, u32)>,
}

impl Frame {
    /// Lay out the frame. `saved` are the callee-saved registers the allocation uses.
    pub fn layout(
        outgoing_arg_words: u32,
        stack_slots: &[(u32, u32)],
        spill_slots: u32,
        saved: &[u8],
        save_lr: bool,
    ) -> Frame {
        let leaf_without_stack = outgoing_arg_words == 0
            && stack_slots.is_empty()
            && spill_slots == 0
            && saved.is_empty()
            && !save_lr;
        if leaf_without_stack {
            return Frame::default();
        }
        // Our callees own [sp, sp+8); outgoing arguments follow.
        let mut off = STACK_OFFSET + 4 * outgoing_arg_words;
        let mut slot_offsets = Vec::with_capacity(stack_slots.len());
        for &(size, align) in stack_slots {
            let align = align.max(1);
            off = off.div_ceil(align) * align;
            slot_offsets.push(off);
            off += size;
        }
        off = off.div_ceil(4) * 4;
        let spill_base = off;
        off += 4 * spill_slots;
        let mut saves = Vec::new();
        if save_lr {
            saves.push((LR, off));
            off += 4;
        }
        for &r in saved {
            saves.push((r, off));
            off += 4;
        }
        let size = off.div_ceil(STACK_ALIGN) * STACK_ALIGN;
        Frame {
            size,
            slot_offsets,
            spill_base,
            saves,
        }
    }

    /// Offset from sp of incoming stack argument `index`.
    pub fn incoming_arg(&self, index: u32) -> u32 {
        self.size + STACK_OFFSET + 4 * index
    }

    /// Offset from sp of outgoing stack argument `index`.
    pub fn outgoing_arg(index: u32) -> u32 {
        STACK_OFFSET + 4 * index
    }
}
