//! Arithmetic patterns: shifts of narrow values, fused multiply-add, multiply by constants.

use super::Lowerer;
use crate::inst::*;
use anyhow::Result;
use cranelift_codegen::ir::{Opcode, Value};

impl Lowerer<'_> {
    pub(super) fn lower_shift(
        &mut self,
        op: Opcode,
        res: Value,
        x: Value,
        amt: Value,
    ) -> Result<()> {
        let bits = self.ty(res).bits();
        let xr = self.reg(x);
        let xr = match op {
            Opcode::Ushr => self.zext(xr, bits),
            Opcode::Sshr => self.sext(xr, bits),
            _ => xr,
        };
        let rd = self.reg(res);
        if let Some(c) = self.iconst(amt) {
            let k = (c as u32 & (bits - 1)) as i32;
            let iop = match op {
                Opcode::Ishl => AluImmOp::Lsl,
                Opcode::Ushr => AluImmOp::Lsr,
                _ => AluImmOp::Asr,
            };
            self.emit(MInst::AluImm {
                op: iop,
                rd,
                rn: xr,
                imm: k,
            });
            return Ok(());
        }
        let mut n = self.reg(amt);
        if bits < 32 {
            // CLIF masks the amount to the type's width; the hardware masks with 31.
            let m = self.imm(bits - 1);
            n = self.alu(AluOp::And, n, m);
        }
        let aop = match op {
            Opcode::Ishl => AluOp::Lsl,
            Opcode::Ushr => AluOp::Lsr,
            _ => AluOp::Asr,
        };
        self.emit(MInst::Alu {
            op: aop,
            rd,
            rn: xr,
            rm: n,
        });
        Ok(())
    }

    /// With `fast_math`: `fadd(fmul(a, b), c)` → fmadd, `fsub(c, fmul(a, b))` → fmsub, when
    /// the product has no other use.
    pub(super) fn try_fused_mac(&mut self, op: Opcode, res: Value, x: Value, y: Value) -> bool {
        let is_single_fmul = |l: &Self, v: Value| {
            l.use_count(v) == 1
                && l.def_inst(v)
                    .is_some_and(|i| l.func.dfg.insts[i].opcode() == Opcode::Fmul)
        };
        let (prod, acc, sub) = if op == Opcode::Fadd {
            if is_single_fmul(self, y) {
                (y, x, false)
            } else if is_single_fmul(self, x) {
                (x, y, false)
            } else {
                return false;
            }
        } else if is_single_fmul(self, y) {
            (y, x, true)
        } else {
            return false;
        };
        let pi = self.def_inst(prod).unwrap();
        let pargs = self.func.dfg.inst_args(pi).to_vec();
        let (rn, rm, acc) = (self.reg(pargs[0]), self.reg(pargs[1]), self.reg(acc));
        let rd = self.reg(res);
        self.emit(MInst::FpuMac {
            sub,
            rd,
            acc,
            rn,
            rm,
        });
        true
    }

    /// rd = x * c with shifts and adds when c has at most three non-zero digits in
    /// non-adjacent form (cheaper than switching the FPU to integer mode).
    pub(super) fn mul_by_shifts(&mut self, rd: Reg, x: Value, c: i32) -> bool {
        let negative = c < 0;
        let digits = naf(c.unsigned_abs());
        if digits.len() > 3 {
            return false;
        }
        let xr = self.reg(x);
        let mut acc: Option<Reg> = None;
        for &(shift, sign) in digits.iter().rev() {
            let term = if shift == 0 {
                xr
            } else {
                self.alu_imm(AluImmOp::Lsl, xr, shift as i32)
            };
            acc = Some(match (acc, sign) {
                (None, true) => term,
                (None, false) => {
                    let z = self.imm(0);
                    self.alu(AluOp::Sub, z, term)
                }
                (Some(a), true) => self.alu(AluOp::Add, a, term),
                (Some(a), false) => self.alu(AluOp::Sub, a, term),
            });
        }
        let mut r = match acc {
            Some(r) => r,
            None => self.imm(0),
        };
        if negative {
            let z = self.imm(0);
            r = self.alu(AluOp::Sub, z, r);
        }
        self.emit(MInst::Mov { rd, rn: r });
        true
    }
}

/// Non-adjacent form of `c`: (bit position, positive?) for each non-zero digit, low first.
pub(super) fn naf(c: u32) -> Vec<(u32, bool)> {
    let mut digits = Vec::new();
    let mut n = c as u64;
    let mut pos = 0;
    while n != 0 {
        if n & 1 == 1 {
            let positive = n & 3 == 1;
            digits.push((pos, positive));
            n = if positive { n - 1 } else { n + 1 };
        }
        n >>= 1;
        pos += 1;
    }
    digits
}
