//! The regalloc2 adapter: presents an `MFunction` as a `regalloc2::Function`, runs the
//! allocator and rewrites the instructions with physical registers, interleaved with the moves,
//! spills and reloads the allocator asked for.

use crate::abi;
use crate::inst::*;
use anyhow::{anyhow, Result};
use regalloc2::{
    Algorithm, Allocation, Block, Edit, Function, Inst, InstOrEdit, InstRange, Operand, PRegSet,
    RegClass, RegallocOptions, VReg,
};

/// An instruction after allocation.
#[derive(Clone, Debug, PartialEq)]
pub enum AInst {
    /// The original instruction, registers now physical (0..63), and its source location.
    Inst(MInst, cranelift_codegen::ir::SourceLoc),
    /// Register to register move.
    Move { rd: u8, rn: u8 },
    /// Store register to spill slot.
    Spill { slot: u32, rn: u8 },
    /// Load register from spill slot.
    Reload { rd: u8, slot: u32 },
}

/// The allocated function: blocks (same indices as the `MFunction`'s) of allocated instructions.
pub struct Allocated {
    pub blocks: Vec<Vec<AInst>>,
    pub num_spillslots: u32,
    /// Callee-saved registers written anywhere (they must be saved in the prologue).
    pub used_callee_saved: Vec<u8>,
}

struct Adapter<'a> {
    mf: &'a MFunction,
    /// First instruction index of each block; `starts[n]` = total.
    starts: Vec<u32>,
    /// Block of each instruction index.
    inst_block: Vec<u32>,
    succs: Vec<Vec<Block>>,
    preds: Vec<Vec<Block>>,
    params: Vec<Vec<VReg>>,
    operands: Vec<Vec<Operand>>,
    clobbers: Vec<PRegSet>,
    /// Outgoing block-argument vregs of each block's terminator, per successor.
    branch_args: Vec<Vec<VReg>>,
}

fn vreg(r: Reg) -> VReg {
    VReg::new(r.0 as usize, RegClass::Int)
}

impl<'a> Adapter<'a> {
    fn new(mf: &'a MFunction) -> Result<Self> {
        let n = mf.blocks.len();
        let mut starts = Vec::with_capacity(n + 1);
        let mut inst_block = Vec::new();
        let mut operands = Vec::new();
        let mut clobbers = Vec::new();
        let mut succs = vec![Vec::new(); n];
        let mut preds = vec![Vec::new(); n];
        let mut branch_args = vec![Vec::new(); n];
        let mut idx = 0u32;
        for (bi, b) in mf.blocks.iter().enumerate() {
            starts.push(idx);
            let last = b
                .insts
                .last()
                .ok_or_else(|| anyhow!("empty machine block {bi}"))?;
            if !last.is_terminator() {
                return Err(anyhow!("machine block {bi} does not end in a terminator"));
            }
            for inst in &b.insts {
                let mut inst = inst.clone();
                let mut ops = Vec::new();
                inst.visit_regs(&mut |r, k| {
                    let v = vreg(*r);
                    ops.push(match k {
                        OpKind::Use => Operand::reg_use(v),
                        OpKind::Def => Operand::reg_def(v),
                        OpKind::ReuseDef(i) => Operand::reg_reuse_def(v, i),
                        OpKind::FixedUse(p) => Operand::reg_fixed_use(v, p),
                        OpKind::FixedDef(p) => Operand::reg_fixed_def(v, p),
                    });
                });
                let mut clob = PRegSet::empty();
                if let MInst::Call { defs, .. } = &inst {
                    for r in abi::caller_saved() {
                        let fixed = defs.iter().any(|(_, p)| p.hw_enc() == r as usize);
                        if !fixed && r != abi::SCRATCH0 && r != abi::SCRATCH1 {
                            clob.add(abi::preg(r));
                        }
                    }
                }
                operands.push(ops);
                clobbers.push(clob);
                inst_block.push(bi as u32);
                idx += 1;
            }
            for s in last.successors() {
                succs[bi].push(Block::new(s.0 as usize));
                preds[s.0 as usize].push(Block::new(bi));
            }
            if let MInst::Jump { args, .. } = last {
                branch_args[bi] = args.iter().map(|&r| vreg(r)).collect();
            }
        }
        starts.push(idx);
        let params = mf
            .blocks
            .iter()
            .map(|b| b.params.iter().map(|&r| vreg(r)).collect())
            .collect();
        Ok(Adapter {
            mf,
            starts,
            inst_block,
            succs,
            preds,
            params,
            operands,
            clobbers,
            branch_args,
        })
    }

    fn inst(&self, i: Inst) -> &MInst {
        let b = self.inst_block[i.index()] as usize;
        &self.mf.blocks[b].insts[i.index() - self.starts[b] as usize]
    }
}

impl Function for Adapter<'_> {
    fn num_insts(&self) -> usize {
        *self.starts.last().unwrap() as usize
    }
    fn num_blocks(&self) -> usize {
        self.mf.blocks.len()
    }
    fn entry_block(&self) -> Block {
        Block::new(0)
    }
    fn block_insns(&self, block: Block) -> InstRange {
        let b = block.index();
        InstRange::new(
            Inst::new(self.starts[b] as usize),
            Inst::new(self.starts[b + 1] as usize),
        )
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        &self.succs[block.index()]
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        &self.preds[block.index()]
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        &self.params[block.index()]
    }
    fn is_ret(&self, insn: Inst) -> bool {
        matches!(self.inst(insn), MInst::Ret { .. } | MInst::Halt)
    }
    fn is_branch(&self, insn: Inst) -> bool {
        matches!(
            self.inst(insn),
            MInst::Jump { .. } | MInst::CondBr { .. } | MInst::BrTable { .. }
        )
    }
    fn branch_blockparams(&self, block: Block, _insn: Inst, _succ_idx: usize) -> &[VReg] {
        // Only unconditional jumps carry arguments (lowering splits the other edges).
        &self.branch_args[block.index()]
    }
    fn inst_operands(&self, insn: Inst) -> &[Operand] {
        &self.operands[insn.index()]
    }
    fn inst_clobbers(&self, insn: Inst) -> PRegSet {
        self.clobbers[insn.index()]
    }
    fn num_vregs(&self) -> usize {
        self.mf.num_vregs as usize
    }
    fn spillslot_size(&self, _regclass: RegClass) -> usize {
        1
    }
}

fn reg_of(a: Allocation) -> Result<u8> {
    a.as_reg()
        .map(|p| p.hw_enc() as u8)
        .ok_or_else(|| anyhow!("operand allocated to the stack"))
}

/// Allocate registers for `mf`.
pub fn allocate(mf: &MFunction) -> Result<Allocated> {
    let adapter = Adapter::new(mf)?;
    let env = abi::machine_env(mf.size_first);
    let opts = RegallocOptions {
        verbose_log: false,
        validate_ssa: cfg!(debug_assertions),
        algorithm: Algorithm::Ion,
    };
    let out = regalloc2::run(&adapter, &env, &opts)
        .map_err(|e| anyhow!("register allocation failed: {e:?}"))?;
    let mut blocks = Vec::with_capacity(mf.blocks.len());
    let mut used = [false; 64];
    for bi in 0..mf.blocks.len() {
        let mut v = Vec::new();
        for item in out.block_insts_and_edits(&adapter, Block::new(bi)) {
            match item {
                InstOrEdit::Inst(i) => {
                    let mut inst = adapter.inst(i).clone();
                    let allocs = out.inst_allocs(i);
                    let mut k = 0;
                    let mut err = None;
                    inst.visit_regs(&mut |r, _| {
                        match reg_of(allocs[k]) {
                            Ok(p) => *r = Reg(p as u32),
                            Err(e) => err = Some(e),
                        }
                        k += 1;
                    });
                    if let Some(e) = err {
                        return Err(e);
                    }
                    for a in allocs {
                        if let Some(p) = a.as_reg() {
                            used[p.hw_enc()] = true;
                        }
                    }
                    let srcloc = mf.blocks[bi].srclocs[i.index() - adapter.starts[bi] as usize];
                    v.push(AInst::Inst(inst, srcloc));
                }
                InstOrEdit::Edit(Edit::Move { from, to }) => {
                    let edit = match (from.as_reg(), to.as_reg(), from.as_stack(), to.as_stack()) {
                        (Some(f), Some(t), _, _) => AInst::Move {
                            rd: t.hw_enc() as u8,
                            rn: f.hw_enc() as u8,
                        },
                        (Some(f), None, _, Some(s)) => AInst::Spill {
                            slot: s.index() as u32,
                            rn: f.hw_enc() as u8,
                        },
                        (None, Some(t), Some(s), _) => AInst::Reload {
                            rd: t.hw_enc() as u8,
                            slot: s.index() as u32,
                        },
                        _ => return Err(anyhow!("unexpected allocator move {from} -> {to}")),
                    };
                    if let AInst::Move { rd, .. } | AInst::Reload { rd, .. } = edit {
                        used[rd as usize] = true;
                    }
                    v.push(edit);
                }
            }
        }
        blocks.push(v);
    }
    let used_callee_saved = (0..64u8)
        .filter(|&r| used[r as usize] && abi::is_callee_saved(r))
        .collect();
    Ok(Allocated {
        blocks,
        num_spillslots: out.num_spillslots as u32,
        used_callee_saved,
    })
}
