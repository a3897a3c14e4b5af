//! Loads and stores: addressing modes (displacement, register index, post-modify).

use super::Lowerer;
use crate::inst::*;
use anyhow::{bail, Result};
use cranelift_codegen::ir::{Inst, Opcode, Type, Value};
use epiphany_isa::Width;

impl Lowerer<'_> {
    /// Address operands for an access of `width` at `addr + off`.
    pub(super) fn address(
        &mut self,
        addr: Value,
        off: i32,
        width: Width,
    ) -> (Reg, Result<i32, Reg>) {
        let size = width.bytes() as i64;
        let fits = |o: i64| o % size == 0 && (o / size).abs() <= 2047;
        if let Some(i) = self.def_inst(addr) {
            if self.func.dfg.insts[i].opcode() == Opcode::Iadd {
                let args = self.func.dfg.inst_args(i).to_vec();
                for (x, y) in [(args[0], args[1]), (args[1], args[0])] {
                    if let Some(c) = self.iconst(y) {
                        if fits(c + off as i64) {
                            let base = self.reg(x);
                            return (base, Ok((c + off as i64) as i32));
                        }
                    }
                }
                if off == 0 {
                    let (base, idx) = (self.reg(args[0]), self.reg(args[1]));
                    return (base, Err(idx));
                }
            }
        }
        let base = self.reg(addr);
        if fits(off as i64) {
            return (base, Ok(off));
        }
        let idx = self.imm(off as u32);
        (base, Err(idx))
    }

    /// A pointer bump that can fold into the access at `inst` as a post-modify: the access has
    /// no offset, its address `p` has exactly one other use, `q = iadd p, c` later in the same
    /// block, with `c` a non-zero multiple of the access size in range. Returns `q` and `c` and
    /// marks the `iadd` as done.
    pub(super) fn post_increment(
        &mut self,
        inst: Inst,
        p: Value,
        off: i32,
        width: Width,
    ) -> Option<(Value, i32)> {
        if off != 0 || self.use_count(p) != 2 {
            return None;
        }
        let size = width.bytes() as i64;
        let mut cur = self.func.layout.next_inst(inst);
        while let Some(i) = cur {
            if self.func.dfg.insts[i].opcode() == Opcode::Iadd {
                let a = self.func.dfg.inst_args(i);
                let p = self.func.dfg.resolve_aliases(p);
                let (x, y) = (
                    self.func.dfg.resolve_aliases(a[0]),
                    self.func.dfg.resolve_aliases(a[1]),
                );
                let other = if x == p {
                    Some(y)
                } else if y == p {
                    Some(x)
                } else {
                    None
                };
                if let Some(c) = other.and_then(|o| self.iconst(o)) {
                    if c != 0 && c % size == 0 && (c / size).abs() <= 2047 {
                        self.folded.insert(i);
                        return Some((self.func.dfg.first_result(i), c as i32));
                    }
                }
            }
            cur = self.func.layout.next_inst(i);
        }
        None
    }

    pub(super) fn load(&mut self, width: Width, rd: Reg, addr: Value, off: i32) {
        match self.address(addr, off, width) {
            (base, Ok(off)) => self.emit(MInst::Load {
                width,
                rd,
                base,
                off,
            }),
            (base, Err(idx)) => self.emit(MInst::LoadIdx {
                width,
                rd,
                base,
                idx,
            }),
        }
    }

    pub(super) fn store(&mut self, width: Width, src: Reg, addr: Value, off: i32) {
        match self.address(addr, off, width) {
            (base, Ok(off)) => self.emit(MInst::Store {
                width,
                src,
                base,
                off,
            }),
            (base, Err(idx)) => self.emit(MInst::StoreIdx {
                width,
                src,
                base,
                idx,
            }),
        }
    }

    pub(super) fn width_of(ty: Type) -> Result<Width> {
        Ok(match ty.bits() {
            8 => Width::Byte,
            16 => Width::Half,
            32 => Width::Word,
            _ => bail!("unsupported memory type {ty}"),
        })
    }
}
