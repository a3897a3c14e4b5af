//! Layout of the per-core globals block: the module variables plus the words compiled code
//! keeps per core (the recursion depth counter).

use crate::types::value_type;
use cranelift_codegen::ir::Type;
use epyc_tir::{GlobalId, Program};

/// Where each module variable lives in a core's globals block.
#[derive(Clone, Debug)]
pub struct GlobalsLayout {
    /// Byte offset of each `GlobalId` (globals of type none get an offset but no bytes).
    pub offsets: Vec<u32>,
    /// Byte size of each `GlobalId`'s slot.
    pub sizes: Vec<u32>,
    /// Offset of the i32 call-depth counter of recursive functions.
    pub depth_offset: u32,
    /// Total size of the block, a multiple of 8; the runtime zero-initialises it per core.
    pub size: u32,
}

impl GlobalsLayout {
    pub fn new(prog: &Program, ptr: Type) -> GlobalsLayout {
        let depth_offset = 0;
        let mut next = 4u32;
        let mut offsets = Vec::with_capacity(prog.globals.len());
        let mut sizes = Vec::with_capacity(prog.globals.len());
        for g in &prog.globals {
            let size = value_type(&g.ty, ptr).map_or(0, |t| t.bytes());
            let align = size.max(1);
            next = next.div_ceil(align) * align;
            offsets.push(next);
            sizes.push(size);
            next += size;
        }
        GlobalsLayout {
            offsets,
            sizes,
            depth_offset,
            size: next.div_ceil(8) * 8,
        }
    }

    pub fn offset(&self, g: GlobalId) -> u32 {
        self.offsets[g.index()]
    }
}
