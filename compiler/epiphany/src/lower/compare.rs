//! Compares: the flag-setting instruction and condition for icmp/fcmp and for any value used
//! as a condition (compares are fused into their branch or select user).

use super::{fits_simm11, Lowerer};
use crate::inst::*;
use anyhow::{bail, Result};
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    InstructionData, Value,
};
use epiphany_isa::Cond;

impl Lowerer<'_> {
    pub(super) fn icmp_compare(&mut self, cc: IntCC, x: Value, y: Value) -> (Compare, Cond) {
        let bits = self.ty(x).bits();
        let cond = match cc {
            IntCC::Equal => Cond::Eq,
            IntCC::NotEqual => Cond::Ne,
            IntCC::SignedLessThan => Cond::Lt,
            IntCC::SignedLessThanOrEqual => Cond::Lte,
            IntCC::SignedGreaterThan => Cond::Gt,
            IntCC::SignedGreaterThanOrEqual => Cond::Gte,
            IntCC::UnsignedLessThan => Cond::Ltu,
            IntCC::UnsignedLessThanOrEqual => Cond::Lteu,
            IntCC::UnsignedGreaterThan => Cond::Gtu,
            IntCC::UnsignedGreaterThanOrEqual => Cond::Gteu,
        };
        let a = self.reg(x);
        if bits >= 32 {
            if let Some(c) = self.iconst(y).filter(|&c| fits_simm11(c)) {
                return (Compare::IntImm { a, imm: c as i32 }, cond);
            }
            let b = self.reg(y);
            return (Compare::Int { a, b }, cond);
        }
        // Narrow: compare the values shifted to the top of the word, which orders them the
        // same way signed and unsigned and ignores the undefined upper bits.
        let shift = (32 - bits) as u8;
        if self.iconst(y) == Some(0) && matches!(cond, Cond::Eq | Cond::Ne) {
            return (Compare::Test { a, shift }, cond);
        }
        let b = self.reg(y);
        let a = self.alu_imm(AluImmOp::Lsl, a, shift as i32);
        let b = self.alu_imm(AluImmOp::Lsl, b, shift as i32);
        (Compare::Int { a, b }, cond)
    }

    pub(super) fn fcmp_compare(
        &mut self,
        cc: FloatCC,
        x: Value,
        y: Value,
    ) -> Result<(Compare, Cond)> {
        let (a, b) = (self.reg(x), self.reg(y));
        // fsub sets BZ/BN from a - b; "greater" swaps the operands.
        Ok(match cc {
            FloatCC::Equal => (Compare::Float { a, b }, Cond::Beq),
            FloatCC::NotEqual => (Compare::Float { a, b }, Cond::Bne),
            FloatCC::LessThan => (Compare::Float { a, b }, Cond::Blt),
            FloatCC::LessThanOrEqual => (Compare::Float { a, b }, Cond::Blte),
            FloatCC::GreaterThan => (Compare::Float { a: b, b: a }, Cond::Blt),
            FloatCC::GreaterThanOrEqual => (Compare::Float { a: b, b: a }, Cond::Blte),
            other => bail!("float condition {other} (NaN-aware compares) is not supported"),
        })
    }

    /// The compare and condition under which value `v` is "true" (non-zero). A `v` computed by
    /// `icmp`/`fcmp` is fused: its compare is emitted again here, right before the user.
    pub(super) fn cond_of(&mut self, v: Value) -> Result<(Compare, Cond)> {
        if let Some(i) = self.def_inst(v) {
            match self.func.dfg.insts[i] {
                InstructionData::IntCompare { cond, args, .. } => {
                    return Ok(self.icmp_compare(cond, args[0], args[1]));
                }
                InstructionData::FloatCompare { cond, args, .. } => {
                    return self.fcmp_compare(cond, args[0], args[1]);
                }
                _ => {}
            }
        }
        let bits = self.ty(v).bits();
        let a = self.reg(v);
        Ok(if bits >= 32 {
            (Compare::IntImm { a, imm: 0 }, Cond::Ne)
        } else {
            (
                Compare::Test {
                    a,
                    shift: (32 - bits) as u8,
                },
                Cond::Ne,
            )
        })
    }
}
