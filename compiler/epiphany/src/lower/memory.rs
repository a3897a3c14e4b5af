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
        let (inner, k) = self.constant_offset(addr);
        if let Some((base, index, shift, c)) = self.scaled_index(inner) {
            let disp = (c << shift) + k + off as i64;
            if fits(disp) {
                return (self.scaled_base(base, index, shift), Ok(disp as i32));
            }
        }
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

    /// `addr` as `inner + k` for a constant k (0 if it is not such a sum).
    fn constant_offset(&self, addr: Value) -> (Value, i64) {
        if let Some(add) = self.def_inst(addr) {
            if self.func.dfg.insts[add].opcode() == Opcode::Iadd {
                let args = self.func.dfg.inst_args(add).to_vec();
                for (x, y) in [(args[0], args[1]), (args[1], args[0])] {
                    if let Some(k) = self.iconst(y).filter(|k| k.abs() <= 1 << 16) {
                        return (x, k);
                    }
                }
            }
        }
        (addr, 0)
    }

    /// `addr = base + ((index + c) << shift)` (c = 0 when the index has no constant added),
    /// as (base, index, shift, c). In 32-bit wrapping arithmetic that is
    /// `(base + (index << shift)) + (c << shift)`: the first part can be shared by accesses to
    /// neighbouring elements (a[i-1], a[i], a[i+1]) and the second goes into the displacement.
    fn scaled_index(&self, addr: Value) -> Option<(Value, Value, i64, i64)> {
        let add = self.def_inst(addr)?;
        if self.func.dfg.insts[add].opcode() != Opcode::Iadd {
            return None;
        }
        let args = self.func.dfg.inst_args(add).to_vec();
        for (base, scaled) in [(args[0], args[1]), (args[1], args[0])] {
            let Some(shl) = self.def_inst(scaled) else {
                continue;
            };
            if self.func.dfg.insts[shl].opcode() != Opcode::Ishl {
                continue;
            }
            let shl_args = self.func.dfg.inst_args(shl).to_vec();
            let Some(shift) = self.iconst(shl_args[1]).filter(|s| (0..=4).contains(s)) else {
                continue;
            };
            let index = shl_args[0];
            if let Some(sum) = self.def_inst(index) {
                let sum_args = self.func.dfg.inst_args(sum).to_vec();
                match self.func.dfg.insts[sum].opcode() {
                    Opcode::Iadd => {
                        let (i, c) = self.constant_offset(index);
                        if c != 0 {
                            return Some((base, i, shift, c));
                        }
                    }
                    Opcode::Isub => {
                        if let Some(c) = self.iconst(sum_args[1]).filter(|c| c.abs() <= 1 << 16) {
                            return Some((base, sum_args[0], shift, -c));
                        }
                    }
                    _ => {}
                }
            }
            return Some((base, index, shift, 0));
        }
        None
    }

    /// A register holding `base + (index << shift)`, computed once per machine block.
    fn scaled_base(&mut self, base: Value, index: Value, shift: i64) -> Reg {
        let resolve = |v| self.func.dfg.resolve_aliases(v);
        let key = (self.cur, resolve(base), resolve(index), shift);
        if let Some(&r) = self.scaled_bases.get(&key) {
            return r;
        }
        let (b, i) = (self.reg(base), self.reg(index));
        let scaled = self.new_vreg();
        self.emit(MInst::AluImm {
            op: AluImmOp::Lsl,
            rd: scaled,
            rn: i,
            imm: shift as i32,
        });
        let sum = self.new_vreg();
        self.emit(MInst::Alu {
            op: AluOp::Add,
            rd: sum,
            rn: b,
            rm: scaled,
        });
        self.scaled_bases.insert(key, sum);
        sum
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
