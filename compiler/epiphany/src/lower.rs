//! Instruction selection: optimised CLIF (i32 pointers) -> `MInst`s over virtual registers.
//!
//! Values of type i8/i16 live in 32-bit registers with undefined upper bits (as in Cranelift);
//! operations whose result depends on those bits (compares, right shifts, extensions, call
//! arguments and results, which the ABI wants zero-extended) normalise first.
//!
//! What the chip offers and we use: immediate forms of add/sub/shifts, displacement and
//! register-index loads/stores (loads zero-extend), conditional moves for select/min/max, the
//! compare fused into each branch/select (`sub`/`fsub` into the scratch register, then `b<cc>`),
//! FPU fadd/fsub/fmul, fmadd/fmsub for CLIF `fma` and, with `fast_math`, for fmul+fadd pairs.
//! Integer multiply is the FPU's `fmul` in integer mode (as GCC does). What the chip lacks
//! (divide, float division, sqrt, rounding functions, bit counting) becomes a call to a routine
//! from `runtime.rs`.
//!
//! Supported opcodes (types i8/i16/i32/f32; pointers are i32):
//! iconst, f32const, iadd, isub, ineg, imul, udiv, sdiv, urem, srem, umulhi, smulhi, band, bor,
//! bxor, bnot, ishl, ushr, sshr, rotl/rotr (i32), icmp, fcmp (eq ne lt le gt ge), select,
//! select_spectre_guard, bmask, smax, smin, umax, umin, iabs, bitrev/clz/ctz/popcnt (i32),
//! uextend, sextend, ireduce, bitcast, load, uload8, sload8, uload16, sload16, store, istore8,
//! istore16, stack_addr, symbol_value, func_addr, call, call_indirect, return (up to two
//! values), jump, brif, br_table, trap, trapz, trapnz, fadd, fsub, fmul, fma, fdiv, sqrt,
//! floor, ceil, trunc, nearest, fneg, fabs, fcopysign, fmin, fmax, fcvt_from_sint,
//! fcvt_from_uint, fcvt_to_sint(_sat), fcvt_to_uint(_sat), nop. Anything else (i64/f64 and
//! vector types, NaN-aware float conditions, atomics, tail and exception calls, overflow
//! arithmetic, TLS, dynamic stack slots) is refused with an error naming the instruction.
//!
//! Semantics that follow the chip rather than CLIF's trapping rules: division by zero and
//! `INT_MIN / -1` do not trap (the front end checks first), `fcvt_to_sint` saturates like FIX
//! instead of trapping, fmin/fmax do not propagate NaN, denormals are flushed by the FPU.

use crate::inst::*;
use crate::runtime::Routine;
use crate::Flags;
use anyhow::{anyhow, bail, Result};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, Block, BlockArg, BlockCall, Function, GlobalValueData, Inst,
    InstructionData, Opcode, Type, Value, ValueDef,
};
use epiphany_isa::{Cond, Width};
use std::collections::HashMap;

use crate::abi::preg;

mod analysis;
mod arith;
mod calls;
mod compare;
mod memory;

use analysis::{constant_homes, remove_dead_code, ConstantHomes};

/// Functions of more CLIF instructions than this are compiled for size first: they are
/// dispatch loops such as the device byte-code interpreter, whose paths each use few of the
/// function's constants and values and whose code competes for a core's 32 KB, where
/// ordinary functions are small and their loops hot.
pub const SIZE_FIRST_INSTS: usize = 1000;

/// Lower `func` to machine blocks.
pub fn lower(func: &Function, flags: &Flags) -> Result<MFunction> {
    let mut l = Lowerer::new(func, flags)?;
    l.run()?;
    let mut mf = l.mf;
    remove_dead_code(&mut mf);
    Ok(mf)
}

struct Lowerer<'a> {
    func: &'a Function,
    flags: &'a Flags,
    mf: MFunction,
    cur: usize,
    vregs: HashMap<Value, Reg>,
    blocks: HashMap<Block, MBlock>,
    /// Number of uses of each CLIF value (instruction arguments and branch arguments).
    uses: HashMap<Value, u32>,
    /// Number of branch edges into each CLIF block.
    preds: HashMap<Block, u32>,
    srcloc: cranelift_codegen::ir::SourceLoc,
    /// Blocks placed after all others (trap paths).
    cold: Vec<MBlock>,
    /// Constants loaded once before a loop (in the CLIF block `load_imm` chooses) so that
    /// the loop does not rebuild them (the mid-end places constants next to their uses):
    /// (home, value) -> register.
    hoisted: HashMap<(Block, u32), Reg>,
    /// The loads of those constants, by home block: after `Args` in the entry block, else
    /// before the home's terminator.
    hoisted_insts: HashMap<Block, Vec<MInst>>,
    /// The machine block where the lowering of each CLIF block ended (where its terminator is).
    last_mblock: HashMap<Block, usize>,
    /// `iadd` instructions already lowered as the post-modify of a load or store.
    folded: std::collections::HashSet<Inst>,
    /// The loops that decide where constants are loaded.
    constant_homes: ConstantHomes,
    /// Whether the function is so big that code size comes first (see [`MFunction::size_first`]).
    size_first: bool,
    /// The CLIF block being lowered.
    cur_clif: Option<Block>,
    /// `base + (i << s)` already computed in a machine block, keyed by (block, base, i, s):
    /// accesses to `base[i + c]` for several `c` share it (see `Lowerer::address`).
    scaled_bases: HashMap<(usize, Value, Value, i64), Reg>,
}

fn is_supported_type(ty: Type) -> bool {
    matches!(ty, types::I8 | types::I16 | types::I32 | types::F32)
}

fn fits_simm11(v: i64) -> bool {
    (-1024..=1023).contains(&v)
}

impl<'a> Lowerer<'a> {
    fn new(func: &'a Function, flags: &'a Flags) -> Result<Self> {
        let mut uses = HashMap::new();
        let mut preds = HashMap::new();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                for &a in func.dfg.inst_args(inst) {
                    *uses.entry(func.dfg.resolve_aliases(a)).or_insert(0) += 1;
                }
                for dest in func.dfg.insts[inst]
                    .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                {
                    *preds.entry(dest.block(&func.dfg.value_lists)).or_insert(0) += 1;
                    for arg in dest.args(&func.dfg.value_lists) {
                        if let BlockArg::Value(v) = arg {
                            *uses.entry(func.dfg.resolve_aliases(v)).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        let size_first = func
            .layout
            .blocks()
            .map(|b| func.layout.block_insts(b).count())
            .sum::<usize>()
            > SIZE_FIRST_INSTS;
        Ok(Lowerer {
            func,
            flags,
            mf: MFunction::default(),
            cur: 0,
            vregs: HashMap::new(),
            blocks: HashMap::new(),
            uses,
            preds,
            srcloc: Default::default(),
            cold: Vec::new(),
            hoisted: HashMap::new(),
            hoisted_insts: HashMap::new(),
            last_mblock: HashMap::new(),
            folded: Default::default(),
            constant_homes: constant_homes(func),
            size_first,
            cur_clif: None,
            scaled_bases: HashMap::new(),
        })
    }

    // ---- building blocks -------------------------------------------------------------------

    fn new_vreg(&mut self) -> Reg {
        let r = Reg(self.mf.num_vregs);
        self.mf.num_vregs += 1;
        r
    }

    /// The virtual register that holds CLIF value `v`.
    fn reg(&mut self, v: Value) -> Reg {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(&r) = self.vregs.get(&v) {
            return r;
        }
        let r = self.new_vreg();
        self.vregs.insert(v, r);
        r
    }

    fn new_block(&mut self) -> MBlock {
        self.mf.blocks.push(MBlockData::default());
        MBlock(self.mf.blocks.len() as u32 - 1)
    }

    fn emit(&mut self, inst: MInst) {
        let b = &mut self.mf.blocks[self.cur];
        b.insts.push(inst);
        b.srclocs.push(self.srcloc);
    }

    fn emit_to(&mut self, block: MBlock, inst: MInst) {
        let b = &mut self.mf.blocks[block.0 as usize];
        b.insts.push(inst);
        b.srclocs.push(self.srcloc);
    }

    fn ty(&self, v: Value) -> Type {
        self.func.dfg.value_type(v)
    }

    fn def_inst(&self, v: Value) -> Option<Inst> {
        match self.func.dfg.value_def(self.func.dfg.resolve_aliases(v)) {
            ValueDef::Result(i, _) => Some(i),
            _ => None,
        }
    }

    /// The constant value of `v` if it is an `iconst`, sign-extended from its type.
    fn iconst(&self, v: Value) -> Option<i64> {
        let i = self.def_inst(v)?;
        if let InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } = self.func.dfg.insts[i]
        {
            let bits = self.ty(v).bits();
            let raw = imm.bits();
            Some(if bits >= 64 {
                raw
            } else {
                (raw << (64 - bits)) >> (64 - bits)
            })
        } else {
            None
        }
    }

    fn use_count(&self, v: Value) -> u32 {
        self.uses
            .get(&self.func.dfg.resolve_aliases(v))
            .copied()
            .unwrap_or(0)
    }

    fn imm(&mut self, value: u32) -> Reg {
        if let Some(&r) = self.entry_copy_of(value) {
            return r;
        }
        let rd = self.new_vreg();
        self.load_imm(rd, value);
        rd
    }

    /// The entry block's copy of a constant that takes two instructions (`mov` + `movt`), in
    /// functions not compiled for size.
    fn entry_copy_of(&self, value: u32) -> Option<&Reg> {
        let entry = self.func.layout.entry_block()?;
        match value >> 16 != 0 && !self.size_first {
            true => self.hoisted.get(&(entry, value)),
            false => None,
        }
    }

    /// rd = value, where the constant is best loaded (the mid-end places constants next to
    /// their uses, also inside loops). Ordinary functions load constants used in loops, and
    /// those that take two instructions, once in the entry block. Functions compiled for size
    /// load them in place but for those used in small call-free loops, loaded before the loop.
    fn load_imm(&mut self, rd: Reg, value: u32) {
        let clif = self.cur_clif;
        let home = if self.size_first {
            clif.and_then(|b| self.constant_homes.small_loop_preheader.get(&b).copied())
        } else if value >> 16 != 0 || clif.is_some_and(|b| self.constant_homes.in_loop.contains(&b))
        {
            self.func.layout.entry_block()
        } else {
            None
        };
        let Some(home) = home else {
            self.emit(MInst::LoadImm { rd, imm: value });
            return;
        };
        if let Some(&h) = self.hoisted.get(&(home, value)) {
            self.emit(MInst::Mov { rd, rn: h });
        } else {
            self.hoisted.insert((home, value), rd);
            let insts = self.hoisted_insts.entry(home).or_default();
            insts.push(MInst::LoadImm { rd, imm: value });
        }
    }

    /// rd = cond ? 1 : 0 after `cmp`: a select between a 0 and a 1 the allocator places (in
    /// r0–r7 the `mov`s and the conditional `mov` take 2 bytes each, where `SetCond` needs the
    /// scratch r62 and takes 4 for two of its three).
    fn set_cond(&mut self, rd: Reg, cmp: Compare, cond: Cond) {
        let one = self.imm(1);
        let zero = self.new_vreg();
        self.emit(MInst::LoadImm { rd: zero, imm: 0 });
        self.emit(MInst::Select {
            rd,
            cmp,
            cond,
            a: one,
            b: zero,
        });
    }

    fn alu(&mut self, op: AluOp, rn: Reg, rm: Reg) -> Reg {
        let rd = self.new_vreg();
        self.emit(MInst::Alu { op, rd, rn, rm });
        rd
    }

    fn alu_imm(&mut self, op: AluImmOp, rn: Reg, imm: i32) -> Reg {
        let rd = self.new_vreg();
        self.emit(MInst::AluImm { op, rd, rn, imm });
        rd
    }

    /// `r` zero-extended from `bits` (no-op for 32).
    fn zext(&mut self, r: Reg, bits: u32) -> Reg {
        if bits >= 32 {
            return r;
        }
        let t = self.alu_imm(AluImmOp::Lsl, r, (32 - bits) as i32);
        self.alu_imm(AluImmOp::Lsr, t, (32 - bits) as i32)
    }

    /// `r` sign-extended from `bits` (no-op for 32).
    fn sext(&mut self, r: Reg, bits: u32) -> Reg {
        if bits >= 32 {
            return r;
        }
        let t = self.alu_imm(AluImmOp::Lsl, r, (32 - bits) as i32);
        self.alu_imm(AluImmOp::Asr, t, (32 - bits) as i32)
    }

    // ---- driver ----------------------------------------------------------------------------

    fn run(&mut self) -> Result<()> {
        let func = self.func;
        let Some(entry) = func.layout.entry_block() else {
            bail!("function has no blocks")
        };
        self.mf.size_first = self.size_first;
        // One machine block per CLIF block, the entry first.
        let order: Vec<Block> = std::iter::once(entry)
            .chain(func.layout.blocks().filter(|&b| b != entry))
            .collect();
        for &b in &order {
            let mb = self.new_block();
            self.blocks.insert(b, mb);
            let params: Vec<Reg> = func
                .dfg
                .block_params(b)
                .to_vec()
                .into_iter()
                .map(|v| self.reg(v))
                .collect();
            for &v in func.dfg.block_params(b) {
                let ty = self.ty(v);
                if !is_supported_type(ty) {
                    bail!("unsupported block parameter type {ty} in {b}");
                }
            }
            if b != entry {
                self.mf.blocks[mb.0 as usize].params = params;
            }
        }
        for &b in &order {
            self.cur = self.blocks[&b].0 as usize;
            self.mf.layout.push(MBlock(self.cur as u32));
            self.cur_clif = Some(b);
            if b == entry {
                self.lower_entry_params(b)?;
            }
            for inst in func.layout.block_insts(b) {
                self.srcloc = func.srcloc(inst);
                self.lower_inst(inst)
                    .map_err(|e| anyhow!("{}: {e}", func.dfg.display_inst(inst)))?;
            }
            self.last_mblock.insert(b, self.cur);
        }
        let cold = std::mem::take(&mut self.cold);
        self.mf.layout.extend(cold);
        // Hoisted constants go after `Args` in the entry block, else just before their home
        // block's terminator.
        for (home, insts) in std::mem::take(&mut self.hoisted_insts) {
            let (block, at) = match home == entry {
                true => (0, 1),
                false => {
                    let last = self.last_mblock[&home];
                    (last, self.mf.blocks[last].insts.len() - 1)
                }
            };
            let b = &mut self.mf.blocks[block];
            let n = insts.len();
            b.insts.splice(at..at, insts);
            b.srclocs
                .splice(at..at, std::iter::repeat_n(Default::default(), n));
        }
        Ok(())
    }

    /// Machine block and argument registers for a branch target.
    fn block_call(&mut self, bc: &BlockCall) -> Result<(MBlock, Vec<Reg>)> {
        let dfg = &self.func.dfg;
        let block = bc.block(&dfg.value_lists);
        let mut args = Vec::new();
        for a in bc.args(&dfg.value_lists) {
            match a {
                BlockArg::Value(v) => args.push(self.reg(v)),
                other => bail!("unsupported block argument {other:?}"),
            }
        }
        Ok((self.blocks[&block], args))
    }

    /// Target of one edge of a multi-way branch: the block itself when it takes no arguments
    /// and has no other predecessor, else a new edge block that jumps there with the arguments
    /// (regalloc2 needs critical edges split and no arguments on multi-way branches).
    fn edge_target(&mut self, bc: &BlockCall) -> Result<MBlock> {
        let block = bc.block(&self.func.dfg.value_lists);
        let (target, args) = self.block_call(bc)?;
        if args.is_empty() && self.preds.get(&block).copied().unwrap_or(0) == 1 {
            return Ok(target);
        }
        let edge = self.new_block();
        self.emit_to(edge, MInst::Jump { target, args });
        self.mf.layout.push(edge);
        Ok(edge)
    }

    // ---- compares --------------------------------------------------------------------------

    // ---- memory ----------------------------------------------------------------------------

    // ---- instructions ----------------------------------------------------------------------

    fn lower_inst(&mut self, inst: Inst) -> Result<()> {
        let dfg = &self.func.dfg;
        let data = dfg.insts[inst];
        let op = data.opcode();
        let args: Vec<Value> = dfg.inst_args(inst).to_vec();
        let results: Vec<Value> = dfg.inst_results(inst).to_vec();
        if self.folded.contains(&inst) {
            return Ok(());
        }
        for &v in args.iter().chain(&results) {
            let ty = self.ty(v);
            if !is_supported_type(ty) {
                bail!("unsupported type {ty} (the Epiphany backend handles i8/i16/i32/f32)");
            }
        }
        // Pure instructions whose results are unused (the mid-end leaves some) are skipped.
        if !results.is_empty()
            && results.iter().all(|&r| self.use_count(r) == 0)
            && !op.is_call()
            && !op.can_store()
            && !op.can_trap()
            && !op.other_side_effects()
            && !op.can_load()
        {
            return Ok(());
        }
        let res = results.first().copied();
        let bits = res.map(|r| self.ty(r).bits()).unwrap_or(32);
        macro_rules! rd {
            () => {
                self.reg(res.unwrap())
            };
        }
        match op {
            Opcode::Nop => {}
            Opcode::Iconst => {
                let c = self.iconst(res.unwrap()).unwrap_or(0);
                let rd = rd!();
                self.load_imm(rd, c as u32);
            }
            Opcode::F32const => {
                let InstructionData::UnaryIeee32 { imm, .. } = data else {
                    unreachable!()
                };
                let rd = rd!();
                self.load_imm(rd, imm.bits());
            }
            Opcode::Iadd | Opcode::Isub => {
                let rd = rd!();
                let (x, y) = (args[0], args[1]);
                let c = self.iconst(y).filter(|&c| fits_simm11(c));
                let cx = self
                    .iconst(x)
                    .filter(|&c| fits_simm11(c) && op == Opcode::Iadd);
                if let Some(c) = c {
                    let rn = self.reg(x);
                    let op = if op == Opcode::Iadd {
                        AluImmOp::Add
                    } else {
                        AluImmOp::Sub
                    };
                    self.emit(MInst::AluImm {
                        op,
                        rd,
                        rn,
                        imm: c as i32,
                    });
                } else if let Some(c) = cx {
                    let rn = self.reg(y);
                    self.emit(MInst::AluImm {
                        op: AluImmOp::Add,
                        rd,
                        rn,
                        imm: c as i32,
                    });
                } else {
                    let (rn, rm) = (self.reg(x), self.reg(y));
                    let op = if op == Opcode::Iadd {
                        AluOp::Add
                    } else {
                        AluOp::Sub
                    };
                    self.emit(MInst::Alu { op, rd, rn, rm });
                }
            }
            Opcode::Ineg => {
                let z = self.imm(0);
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Sub,
                    rd,
                    rn: z,
                    rm: rn,
                });
            }
            Opcode::Band | Opcode::Bor | Opcode::Bxor => {
                let aop = match op {
                    Opcode::Band => AluOp::And,
                    Opcode::Bor => AluOp::Orr,
                    _ => AluOp::Eor,
                };
                let (rn, rm) = (self.reg(args[0]), self.reg(args[1]));
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: aop,
                    rd,
                    rn,
                    rm,
                });
            }
            Opcode::Bnot => {
                let m = self.imm(u32::MAX);
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Eor,
                    rd,
                    rn,
                    rm: m,
                });
            }
            Opcode::Ishl | Opcode::Ushr | Opcode::Sshr => {
                self.lower_shift(op, res.unwrap(), args[0], args[1])?
            }
            Opcode::Rotl | Opcode::Rotr => {
                if bits != 32 {
                    bail!("rotates of {bits}-bit values are not supported");
                }
                let x = self.reg(args[0]);
                let (left, right) = if let Some(c) = self.iconst(args[1]) {
                    let k = (c & 31) as i32;
                    let k = if op == Opcode::Rotl { k } else { (32 - k) & 31 };
                    if k == 0 {
                        let rd = rd!();
                        self.emit(MInst::Mov { rd, rn: x });
                        return Ok(());
                    }
                    (
                        self.alu_imm(AluImmOp::Lsl, x, k),
                        self.alu_imm(AluImmOp::Lsr, x, 32 - k),
                    )
                } else {
                    // x << n | x >> (32 - n); the hardware masks shift counts with 31.
                    let n = self.reg(args[1]);
                    let t32 = self.imm(32);
                    let m = self.alu(AluOp::Sub, t32, n);
                    let (l, r) = if op == Opcode::Rotl { (n, m) } else { (m, n) };
                    (self.alu(AluOp::Lsl, x, l), self.alu(AluOp::Lsr, x, r))
                };
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Orr,
                    rd,
                    rn: left,
                    rm: right,
                });
            }
            Opcode::Imul => {
                // Low bits of the product do not depend on the upper bits of narrow operands.
                let rd = rd!();
                for (x, y) in [(args[0], args[1]), (args[1], args[0])] {
                    if let Some(c) = self.iconst(y) {
                        if self.mul_by_shifts(rd, x, c as i32) {
                            return Ok(());
                        }
                    }
                }
                let (rn, rm) = (self.reg(args[0]), self.reg(args[1]));
                self.emit(MInst::IMul { rd, rn, rm });
            }
            Opcode::Udiv
            | Opcode::Sdiv
            | Opcode::Urem
            | Opcode::Srem
            | Opcode::Umulhi
            | Opcode::Smulhi => {
                let signed = matches!(op, Opcode::Sdiv | Opcode::Srem | Opcode::Smulhi);
                let (mut a, mut b) = (self.reg(args[0]), self.reg(args[1]));
                if bits < 32 {
                    if matches!(op, Opcode::Umulhi | Opcode::Smulhi) {
                        bail!("multiply-high of {bits}-bit values is not supported");
                    }
                    if signed {
                        a = self.sext(a, bits);
                        b = self.sext(b, bits);
                    } else {
                        a = self.zext(a, bits);
                        b = self.zext(b, bits);
                    }
                }
                let routine = match op {
                    Opcode::Udiv => Routine::UDivSi3,
                    Opcode::Sdiv => Routine::DivSi3,
                    Opcode::Urem => Routine::UModSi3,
                    Opcode::Srem => Routine::ModSi3,
                    Opcode::Umulhi => Routine::UMulHi,
                    _ => Routine::SMulHi,
                };
                let r = self.call_routine(routine, &[a, b]);
                let rd = rd!();
                self.emit(MInst::Mov { rd, rn: r });
            }
            Opcode::Icmp => {
                let InstructionData::IntCompare { cond, args: a2, .. } = data else {
                    unreachable!()
                };
                let (cmp, cond) = self.icmp_compare(cond, a2[0], a2[1]);
                let rd = rd!();
                self.set_cond(rd, cmp, cond);
            }
            Opcode::Fcmp => {
                let InstructionData::FloatCompare { cond, args: a2, .. } = data else {
                    unreachable!()
                };
                let (cmp, cond) = self.fcmp_compare(cond, a2[0], a2[1])?;
                let rd = rd!();
                self.set_cond(rd, cmp, cond);
            }
            Opcode::Bmask => {
                let (cmp, cond) = self.cond_of(args[0])?;
                let rd = rd!();
                self.emit(MInst::SetCond {
                    rd,
                    cmp,
                    cond,
                    negate: true,
                });
            }
            Opcode::Select | Opcode::SelectSpectreGuard => {
                let (cmp, cond) = self.cond_of(args[0])?;
                let (a, b) = (self.reg(args[1]), self.reg(args[2]));
                let rd = rd!();
                self.emit(MInst::Select {
                    rd,
                    cmp,
                    cond,
                    a,
                    b,
                });
            }
            Opcode::Smax | Opcode::Smin | Opcode::Umax | Opcode::Umin => {
                let cc = match op {
                    Opcode::Smax => IntCC::SignedGreaterThan,
                    Opcode::Smin => IntCC::SignedLessThan,
                    Opcode::Umax => IntCC::UnsignedGreaterThan,
                    _ => IntCC::UnsignedLessThan,
                };
                let (cmp, cond) = self.icmp_compare(cc, args[0], args[1]);
                let (a, b) = (self.reg(args[0]), self.reg(args[1]));
                let rd = rd!();
                self.emit(MInst::Select {
                    rd,
                    cmp,
                    cond,
                    a,
                    b,
                });
            }
            Opcode::Iabs => {
                // t = x >> 31 (arithmetic); |x| = (x ^ t) - t
                let x = self.reg(args[0]);
                let x = self.sext(x, bits);
                let t = self.alu_imm(AluImmOp::Asr, x, 31);
                let e = self.alu(AluOp::Eor, x, t);
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Sub,
                    rd,
                    rn: e,
                    rm: t,
                });
            }
            Opcode::Bitrev if bits == 32 => {
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::Unary {
                    op: UnaryOp::Bitr,
                    rd,
                    rn,
                });
            }
            Opcode::Clz | Opcode::Ctz | Opcode::Popcnt if bits == 32 => {
                let routine = match op {
                    Opcode::Clz => Routine::ClzSi2,
                    Opcode::Ctz => Routine::CtzSi2,
                    _ => Routine::PopcountSi2,
                };
                let a = self.reg(args[0]);
                let r = self.call_routine(routine, &[a]);
                let rd = rd!();
                self.emit(MInst::Mov { rd, rn: r });
            }
            Opcode::Uextend | Opcode::Sextend => {
                let from = self.ty(args[0]).bits();
                let x = self.reg(args[0]);
                let r = if op == Opcode::Uextend {
                    self.zext(x, from)
                } else {
                    self.sext(x, from)
                };
                let rd = rd!();
                self.emit(MInst::Mov { rd, rn: r });
            }
            Opcode::Ireduce | Opcode::Bitcast => {
                // Same register, same bits: the result is the argument's register.
                let r = self.reg(args[0]);
                self.vregs.insert(dfg.resolve_aliases(res.unwrap()), r);
            }
            Opcode::Load | Opcode::Uload8 | Opcode::Sload8 | Opcode::Uload16 | Opcode::Sload16 => {
                let InstructionData::Load { offset, .. } = data else {
                    unreachable!()
                };
                let width = match op {
                    Opcode::Uload8 | Opcode::Sload8 => Width::Byte,
                    Opcode::Uload16 | Opcode::Sload16 => Width::Half,
                    _ => Self::width_of(self.ty(res.unwrap()))?,
                };
                let off: i32 = offset.into();
                let signed = matches!(op, Opcode::Sload8 | Opcode::Sload16);
                let rd = if signed { self.new_vreg() } else { rd!() };
                if let Some((next, c)) = self.post_increment(inst, args[0], off, width) {
                    let base = self.reg(args[0]);
                    let base_out = self.reg(next);
                    self.emit(MInst::LoadPost {
                        width,
                        rd,
                        base,
                        base_out,
                        off: c,
                    });
                } else {
                    self.load(width, rd, args[0], off);
                }
                if signed {
                    // Loads zero-extend; sign-extend afterwards.
                    let s = self.sext(rd, width.bytes() * 8);
                    let res = rd!();
                    self.emit(MInst::Mov { rd: res, rn: s });
                }
            }
            Opcode::Store | Opcode::Istore8 | Opcode::Istore16 => {
                let InstructionData::Store { offset, .. } = data else {
                    unreachable!()
                };
                let width = match op {
                    Opcode::Istore8 => Width::Byte,
                    Opcode::Istore16 => Width::Half,
                    _ => Self::width_of(self.ty(args[0]))?,
                };
                let src = self.reg(args[0]);
                if let Some((next, c)) = self.post_increment(inst, args[1], offset.into(), width) {
                    let base = self.reg(args[1]);
                    let base_out = self.reg(next);
                    self.emit(MInst::StorePost {
                        width,
                        src,
                        base,
                        base_out,
                        off: c,
                    });
                } else {
                    self.store(width, src, args[1], offset.into());
                }
            }
            Opcode::StackAddr => {
                let InstructionData::StackAddr {
                    stack_slot, offset, ..
                } = data
                else {
                    bail!("unexpected stack_addr form")
                };
                self.ensure_stack_slots()?;
                let rd = rd!();
                self.emit(MInst::StackAddr {
                    rd,
                    slot: stack_slot.as_u32(),
                    off: offset.into(),
                });
            }
            Opcode::SymbolValue => {
                let InstructionData::UnaryGlobalValue { global_value, .. } = data else {
                    unreachable!()
                };
                match &self.func.global_values[global_value] {
                    GlobalValueData::Symbol { name, offset, .. } => {
                        let rd = rd!();
                        let addend = offset.bits() as i32;
                        self.emit(MInst::LoadSym {
                            rd,
                            target: RelocTarget::Func(name.clone()),
                            addend,
                        });
                    }
                    other => bail!("unsupported global value {other}"),
                }
            }
            Opcode::FuncAddr => {
                let InstructionData::FuncAddr { func_ref, .. } = data else {
                    unreachable!()
                };
                let name = self.func.dfg.ext_funcs[func_ref].name.clone();
                let rd = rd!();
                self.emit(MInst::LoadSym {
                    rd,
                    target: RelocTarget::Func(name),
                    addend: 0,
                });
            }
            Opcode::Call | Opcode::CallIndirect => self.lower_call(inst, op, &args, &results)?,
            Opcode::Fadd | Opcode::Fsub => {
                if self.flags.fast_math && self.try_fused_mac(op, res.unwrap(), args[0], args[1]) {
                    return Ok(());
                }
                let (rn, rm) = (self.reg(args[0]), self.reg(args[1]));
                let rd = rd!();
                let fop = if op == Opcode::Fadd {
                    FpuOp::Fadd
                } else {
                    FpuOp::Fsub
                };
                self.emit(MInst::Fpu {
                    op: fop,
                    rd,
                    rn,
                    rm,
                });
            }
            Opcode::Fmul => {
                let (rn, rm) = (self.reg(args[0]), self.reg(args[1]));
                let rd = rd!();
                self.emit(MInst::Fpu {
                    op: FpuOp::Fmul,
                    rd,
                    rn,
                    rm,
                });
            }
            Opcode::Fma => {
                // CLIF fma is fused, and so is the chip's fmadd.
                let (rn, rm, acc) = (self.reg(args[0]), self.reg(args[1]), self.reg(args[2]));
                let rd = rd!();
                self.emit(MInst::FpuMac {
                    sub: false,
                    rd,
                    acc,
                    rn,
                    rm,
                });
            }
            Opcode::Fdiv
            | Opcode::Sqrt
            | Opcode::Floor
            | Opcode::Ceil
            | Opcode::Trunc
            | Opcode::Nearest => {
                let routine = match op {
                    Opcode::Fdiv => Routine::DivSf3,
                    Opcode::Sqrt => Routine::SqrtF,
                    Opcode::Floor => Routine::FloorF,
                    Opcode::Ceil => Routine::CeilF,
                    Opcode::Trunc => Routine::TruncF,
                    _ => Routine::NearestF,
                };
                let regs: Vec<Reg> = args.iter().map(|&a| self.reg(a)).collect();
                let r = self.call_routine(routine, &regs);
                let rd = rd!();
                self.emit(MInst::Mov { rd, rn: r });
            }
            Opcode::Fneg => {
                let m = self.imm(0x8000_0000);
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Eor,
                    rd,
                    rn,
                    rm: m,
                });
            }
            Opcode::Fabs => {
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::Unary {
                    op: UnaryOp::Fabs,
                    rd,
                    rn,
                });
            }
            Opcode::Fcopysign => {
                let mag = self.imm(0x7fff_ffff);
                let sign = self.imm(0x8000_0000);
                let (x, y) = (self.reg(args[0]), self.reg(args[1]));
                let a = self.alu(AluOp::And, x, mag);
                let b = self.alu(AluOp::And, y, sign);
                let rd = rd!();
                self.emit(MInst::Alu {
                    op: AluOp::Orr,
                    rd,
                    rn: a,
                    rm: b,
                });
            }
            Opcode::Fmin | Opcode::Fmax => {
                // min = a < b ? a : b; max = b < a ? a : b (NaN operands are not propagated).
                let (a, b) = (self.reg(args[0]), self.reg(args[1]));
                let cmp = if op == Opcode::Fmin {
                    Compare::Float { a, b }
                } else {
                    Compare::Float { a: b, b: a }
                };
                let rd = rd!();
                self.emit(MInst::Select {
                    rd,
                    cmp,
                    cond: Cond::Blt,
                    a,
                    b,
                });
            }
            Opcode::FcvtFromSint => {
                let from = self.ty(args[0]).bits();
                let x = self.reg(args[0]);
                let rn = self.sext(x, from);
                let rd = rd!();
                self.emit(MInst::Unary {
                    op: UnaryOp::Float,
                    rd,
                    rn,
                });
            }
            Opcode::FcvtFromUint => {
                let from = self.ty(args[0]).bits();
                let x = self.reg(args[0]);
                let rd = rd!();
                if from < 32 {
                    let rn = self.zext(x, from);
                    self.emit(MInst::Unary {
                        op: UnaryOp::Float,
                        rd,
                        rn,
                    });
                } else {
                    let r = self.call_routine(Routine::FloatUnSiSf, &[x]);
                    self.emit(MInst::Mov { rd, rn: r });
                }
            }
            Opcode::FcvtToSint | Opcode::FcvtToSintSat if bits == 32 => {
                let rn = self.reg(args[0]);
                let rd = rd!();
                self.emit(MInst::FixTrunc { rd, rn });
            }
            Opcode::FcvtToUint | Opcode::FcvtToUintSat if bits == 32 => {
                let x = self.reg(args[0]);
                let r = self.call_routine(Routine::FixUnsSfSi, &[x]);
                let rd = rd!();
                self.emit(MInst::Mov { rd, rn: r });
            }
            Opcode::Jump => {
                let InstructionData::Jump { destination, .. } = data else {
                    unreachable!()
                };
                let (target, args) = self.block_call(&destination)?;
                self.emit(MInst::Jump { target, args });
            }
            Opcode::Brif => {
                let InstructionData::Brif { arg, blocks, .. } = data else {
                    unreachable!()
                };
                let (cmp, cond) = self.cond_of(arg)?;
                // The not-taken edge first, so that it is laid out to fall through.
                let not_taken = self.edge_target(&blocks[1])?;
                let edges = self.mf.layout.len();
                let taken = self.edge_target(&blocks[0])?;
                // When the not-taken target is the next block itself, an edge block for the
                // taken side goes to the end: laid out here, it would stand between this block
                // and its fall-through (and the not-taken path would become a taken branch).
                let else_block = blocks[1].block(&dfg.value_lists);
                let next = self.cur_clif.and_then(|b| self.func.layout.next_block(b));
                if self.mf.layout.len() > edges
                    && next == Some(else_block)
                    && self.mf.layout.last() == Some(&taken)
                {
                    self.mf.layout.pop();
                    self.cold.push(taken);
                }
                self.emit(MInst::CondBr {
                    cmp,
                    cond,
                    taken,
                    not_taken,
                });
            }
            Opcode::BrTable => {
                let InstructionData::BranchTable { arg, table, .. } = data else {
                    unreachable!()
                };
                let jt = self.func.dfg.jump_tables[table].clone();
                let x = self.reg(arg);
                let idx = self.zext(x, self.ty(arg).bits());
                let mut targets = Vec::new();
                for bc in jt.as_slice() {
                    targets.push(self.edge_target(bc)?);
                }
                let default = self.edge_target(&jt.default_block())?;
                self.emit(MInst::BrTable {
                    idx,
                    targets,
                    default,
                });
            }
            Opcode::Return => {
                if args.len() > 2 {
                    bail!("more than two return values");
                }
                let mut vals = Vec::new();
                for (i, &a) in args.iter().enumerate() {
                    let r = self.reg(a);
                    let r = self.zext(r, self.ty(a).bits());
                    vals.push((r, preg(i as u8)));
                }
                self.emit(MInst::Ret { vals });
            }
            Opcode::Trap => {
                let InstructionData::Trap { code, .. } = data else {
                    unreachable!()
                };
                self.emit_trap(code.as_raw().get() as u32);
            }
            Opcode::Trapz | Opcode::Trapnz => {
                let InstructionData::CondTrap { arg, code, .. } = data else {
                    unreachable!()
                };
                let (cmp, cond) = self.cond_of(arg)?;
                let trap = self.new_block();
                let cont = self.new_block();
                let (taken, not_taken) = if op == Opcode::Trapnz {
                    (trap, cont)
                } else {
                    (cont, trap)
                };
                self.emit(MInst::CondBr {
                    cmp,
                    cond,
                    taken,
                    not_taken,
                });
                // The trap block goes at the end (cold); the continuation falls through.
                self.mf.layout.push(cont);
                self.cur = trap.0 as usize;
                self.emit_trap(code.as_raw().get() as u32);
                self.cur = cont.0 as usize;
                self.cold.push(trap);
            }
            other => bail!("opcode {other} is not supported by the Epiphany backend"),
        }
        Ok(())
    }

    fn ensure_stack_slots(&mut self) -> Result<()> {
        if self.mf.stack_slots.is_empty() {
            for (slot, data) in self.func.sized_stack_slots.iter() {
                let align = 1u32 << data.align_shift;
                if align > crate::abi::STACK_ALIGN {
                    bail!("{slot} wants {align}-byte alignment; the stack is only 8-byte aligned");
                }
                self.mf.stack_slots.push((data.size, align));
            }
        }
        Ok(())
    }
}
