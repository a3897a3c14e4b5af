//! Calls and the calling convention at the CLIF level: arguments in r0–r3 then on the stack,
//! results in r0/r1, char/short zero-extended (GCC's ABI, see `abi.rs`), runtime routine calls.

use super::Lowerer;
use crate::abi::{preg, ARG_REGS};
use crate::inst::*;
use crate::runtime::Routine;
use anyhow::{bail, Result};
use cranelift_codegen::ir::{Block, Inst, InstructionData, Opcode, Value};
use regalloc2::PReg;

impl Lowerer<'_> {
    /// Call a runtime routine with word arguments; returns the r0 result.
    pub(super) fn call_routine(&mut self, routine: Routine, args: &[Reg]) -> Reg {
        debug_assert_eq!(args.len(), routine.arity());
        let rd = self.new_vreg();
        let uses = args
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, preg(i as u8)))
            .collect();
        self.emit(MInst::Call {
            target: Some(RelocTarget::Symbol(routine.symbol().to_string())),
            callee: None,
            uses,
            defs: vec![(rd, preg(0))],
        });
        self.mf.has_calls = true;
        rd
    }

    pub(super) fn lower_entry_params(&mut self, entry: Block) -> Result<()> {
        let params = self.func.dfg.block_params(entry).to_vec();
        let mut defs = Vec::new();
        for (i, &v) in params.iter().enumerate() {
            let r = self.reg(v);
            if i < ARG_REGS as usize {
                defs.push((r, preg(i as u8)));
            }
        }
        self.emit(MInst::Args { defs });
        for (i, &v) in params.iter().enumerate().skip(ARG_REGS as usize) {
            let rd = self.reg(v);
            self.emit(MInst::LoadIncomingArg {
                rd,
                index: (i - ARG_REGS as usize) as u32,
            });
        }
        Ok(())
    }

    pub(super) fn lower_call(
        &mut self,
        inst: Inst,
        op: Opcode,
        args: &[Value],
        results: &[Value],
    ) -> Result<()> {
        let dfg = &self.func.dfg;
        let (target, callee, call_args) = if op == Opcode::Call {
            let InstructionData::Call { func_ref, .. } = dfg.insts[inst] else {
                unreachable!()
            };
            (
                Some(RelocTarget::Func(dfg.ext_funcs[func_ref].name.clone())),
                None,
                args.to_vec(),
            )
        } else {
            let c = self.reg(args[0]);
            (None, Some(c), args[1..].to_vec())
        };
        if results.len() > 2 {
            bail!("calls with more than two results are not supported");
        }
        let mut uses: Vec<(Reg, PReg)> = Vec::new();
        for (i, &a) in call_args.iter().enumerate() {
            let r = self.reg(a);
            // The ABI passes char/short zero-extended.
            let r = self.zext(r, self.ty(a).bits());
            if i < ARG_REGS as usize {
                uses.push((r, preg(i as u8)));
            } else {
                self.emit(MInst::StoreOutgoingArg {
                    src: r,
                    index: (i - ARG_REGS as usize) as u32,
                });
            }
        }
        let stack_words = call_args.len().saturating_sub(ARG_REGS as usize) as u32;
        self.mf.outgoing_arg_words = self.mf.outgoing_arg_words.max(stack_words);
        let defs = results
            .iter()
            .enumerate()
            .map(|(i, &r)| (self.reg(r), preg(i as u8)))
            .collect();
        self.emit(MInst::Call {
            target,
            callee,
            uses,
            defs,
        });
        self.mf.has_calls = true;
        Ok(())
    }

    pub(super) fn emit_trap(&mut self, code: u32) {
        let c = self.imm(code);
        let _ = self.call_routine(Routine::Trap, &[c]);
        self.emit(MInst::Halt);
    }
}
