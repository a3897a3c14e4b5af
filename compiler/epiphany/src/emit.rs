//! Emission: allocated instructions -> Epiphany machine code through the ISA crate's encoder,
//! with the prologue/epilogue, branch threading (blocks that only jump are skipped), fall-through
//! elimination, branch relaxation (16-bit branches where the target is within ±256 bytes),
//! jump tables for `br_table`,
//! relocations for calls and symbol addresses, and the source-location table.

use crate::abi::{Frame, LR, SCRATCH0, SCRATCH1, SP};
use crate::early_compare;
use crate::hwloop::{self, HwLoop, Limit};
use crate::inst::*;
use crate::regalloc::{AInst, Allocated};
use anyhow::{anyhow, Context, Result};
use cranelift_codegen::ir::SourceLoc;
use epiphany_isa::{encode, encode_shortest, AddrMode, Cond, Inst, Op, Width};
use std::collections::{HashMap, HashSet};

/// What a relocation patches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelocKind {
    /// `bl`/`b` 24-bit halfword displacement (R_EPIPHANY_SIMM24): target + addend − place.
    Simm24,
    /// imm16 of `mov` (R_EPIPHANY_LOW): low half of target + addend.
    Low,
    /// imm16 of `movt` (R_EPIPHANY_HIGH): high half of target + addend.
    High,
}

impl RelocKind {
    /// The ELF relocation type number (include/elf/epiphany.h).
    pub fn elf_type(self) -> u32 {
        match self {
            RelocKind::Simm24 => 8,
            RelocKind::High => 9,
            RelocKind::Low => 10,
        }
    }
}

/// One relocation in a compiled function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// Byte offset of the instruction to patch.
    pub offset: u32,
    pub kind: RelocKind,
    pub target: RelocTarget,
    pub addend: i32,
}

/// The machine code of one function.
#[derive(Clone, Debug, Default)]
pub struct CompiledFunction {
    pub code: Vec<u8>,
    pub relocs: Vec<Reloc>,
    /// (code offset, CLIF source location) at every change of source location.
    pub srclocs: Vec<(u32, SourceLoc)>,
    /// Bytes of stack the function allocates.
    pub frame_size: u32,
    /// Spill slots (words) the register allocator needed.
    pub spill_slots: u32,
}

enum Item {
    Fixed(Inst),
    Branch {
        cond: Cond,
        target: MBlock,
    },
    Call(RelocTarget),
    Sym {
        high: bool,
        rd: u8,
        target: RelocTarget,
        addend: i32,
    },
    Label(MBlock),
    /// `b target` always in its 4-byte form: an entry of a `br_table` jump table.
    TableBranch(MBlock),
    /// rd += distance from `anchor` to `target`: `add rd, rd, #d` (4 bytes) or, when d does
    /// not fit simm11, `mov r62, #lo; movt r62, #hi; add rd, rd, r62` (12 bytes).
    PcOffset {
        rd: u8,
        target: MBlock,
        anchor: MBlock,
    },
}

fn inst(op: Op, rd: u8, rn: u8, rm: u8, imm: i32) -> Inst {
    Inst {
        op,
        size: 4,
        rd,
        rn,
        rm,
        sub: false,
        imm,
    }
}

struct Emitter {
    items: Vec<(Item, SourceLoc)>,
    srcloc: SourceLoc,
    /// Jump tables emitted so far (their labels are numbered by it).
    tables: u32,
    /// The block's compare was emitted before its trailing stores (`early_compare`): the
    /// conditional branch that ends the block emits none.
    compare_emitted: bool,
}

impl Emitter {
    fn push(&mut self, item: Item) {
        self.items.push((item, self.srcloc));
    }
    fn fixed(&mut self, i: Inst) {
        self.push(Item::Fixed(i));
    }
    fn mov_imm(&mut self, rd: u8, value: u32) {
        self.fixed(inst(Op::MovImm, rd, 0, 0, (value & 0xffff) as i32));
        if value >> 16 != 0 {
            self.fixed(inst(Op::Movt, rd, 0, 0, (value >> 16) as i32));
        }
    }
    /// rd = rn + value (any value; uses r63 when it does not fit simm11).
    fn add_imm(&mut self, rd: u8, rn: u8, value: i32) {
        if (-1024..=1023).contains(&value) {
            self.fixed(inst(Op::AddImm, rd, rn, 0, value));
        } else {
            self.mov_imm(SCRATCH0, value as u32);
            self.fixed(inst(Op::Add, rd, rn, SCRATCH0, 0));
        }
    }
    /// Load or store `reg` at `base + off`, through r63 when the displacement does not fit.
    fn mem(&mut self, store: bool, width: Width, reg: u8, base: u8, off: i32) {
        let size = width.bytes() as i32;
        let mode_op = |mode| {
            if store {
                Op::Store { width, mode }
            } else {
                Op::Load { width, mode }
            }
        };
        if off % size == 0 && (off / size).abs() <= 2047 {
            let mut i = inst(mode_op(AddrMode::Disp), reg, base, 0, off);
            i.sub = off < 0;
            self.fixed(i);
        } else {
            self.mov_imm(SCRATCH0, off as u32);
            self.fixed(inst(mode_op(AddrMode::Index), reg, base, SCRATCH0, 0));
        }
    }
    fn compare(&mut self, cmp: &Compare) {
        match *cmp {
            Compare::Int { a, b } => self.fixed(inst(Op::Sub, SCRATCH0, a.0 as u8, b.0 as u8, 0)),
            Compare::IntImm { a, imm } => self.fixed(inst(Op::SubImm, SCRATCH0, a.0 as u8, 0, imm)),
            Compare::Float { a, b } => {
                self.fixed(inst(Op::Fsub, SCRATCH0, a.0 as u8, b.0 as u8, 0))
            }
            Compare::Test { a, shift } => {
                self.fixed(inst(Op::LslImm, SCRATCH0, a.0 as u8, 0, shift as i32))
            }
        }
    }
}

/// CONFIG.ARITHMODE = 100 (signed integer mode of the FPU opcodes).
const INT_MODE: u32 = 1 << 19;

fn r(x: Reg) -> u8 {
    x.0 as u8
}

/// Emit an allocated function.
pub fn emit(mf: &MFunction, alloc: &Allocated, flags: &crate::Flags) -> Result<CompiledFunction> {
    let hw_loops = flags.hw_loops;
    let frame = Frame::layout(
        mf.outgoing_arg_words,
        &mf.stack_slots,
        alloc.num_spillslots,
        &alloc.used_callee_saved,
        mf.has_calls,
    );
    // Blocks that consist of a single jump are skipped: branches to them go to their target.
    let forward: Vec<Option<MBlock>> = alloc
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| match b.as_slice() {
            [AInst::Inst(MInst::Jump { target, .. }, _)] if i != 0 => Some(*target),
            _ => None,
        })
        .collect();
    let resolve = |mut b: MBlock| {
        for _ in 0..forward.len() {
            match forward[b.0 as usize] {
                Some(t) if t != b => b = t,
                _ => break,
            }
        }
        b
    };
    let order: Vec<MBlock> = mf
        .layout
        .iter()
        .copied()
        .filter(|b| forward[b.0 as usize].is_none())
        .collect();
    if order.first() != Some(&MBlock(0)) {
        return Err(anyhow!("entry block is not first in the layout"));
    }
    let order = copies_before_loop_headers(order, &alloc.blocks, &resolve);
    let dead = dead_moves(&alloc.blocks, &resolve);
    let mut e = Emitter {
        items: Vec::new(),
        srcloc: SourceLoc::default(),
        tables: 0,
        compare_emitted: false,
    };
    // Prologue: allocate the frame, then save lr and the callee-saved registers we use.
    let overflow_stub = MBlock(0x1000_0000);
    let check_stack = flags.stack_check && frame.size > 0;
    if frame.size > 0 {
        e.add_imm(SP, SP, -(frame.size as i32));
        if check_stack {
            // if sp <u [stack limit] goto stub (before anything is stored below the limit)
            let limit = RelocTarget::Symbol(crate::runtime::STACK_LIMIT_SYMBOL.to_string());
            for high in [false, true] {
                e.push(Item::Sym {
                    high,
                    rd: SCRATCH0,
                    target: limit.clone(),
                    addend: 0,
                });
            }
            e.mem(false, Width::Word, SCRATCH0, SCRATCH0, 0);
            e.fixed(inst(Op::Sub, SCRATCH0, SP, SCRATCH0, 0));
            e.push(Item::Branch {
                cond: Cond::Ltu,
                target: overflow_stub,
            });
        }
        for &(reg, off) in &frame.saves {
            e.mem(true, Width::Word, reg, SP, off as i32);
        }
    }
    let mut loops: HashMap<MBlock, HwLoop> = HashMap::new();
    if hw_loops {
        for &b in &order {
            if let Some(l) = hwloop::find(b, &alloc.blocks[b.0 as usize], &resolve) {
                loops.insert(b, l);
            }
        }
    }
    for (pos, &b) in order.iter().enumerate() {
        // Branches into a hardware loop go to its set-up code, which sits right before it.
        let enter = |t: MBlock| match loops.contains_key(&t) {
            true => hwloop::setup_label(t),
            false => t,
        };
        let next = order.get(pos + 1).copied().map(enter);
        let target = |t: MBlock| enter(resolve(t));
        let hw = loops.get(&b).copied();
        if let Some(l) = hw {
            e.push(Item::Label(hwloop::setup_label(b)));
            emit_loop_setup(&mut e, b, &l);
        }
        e.push(Item::Label(b));
        let insts = &alloc.blocks[b.0 as usize];
        let early = match hw {
            None => early_compare::hoist_point(insts),
            Some(_) => None,
        };
        for (k, ai) in insts.iter().enumerate() {
            if let Some((_, cmp)) = early.filter(|&(at, _)| at == k) {
                e.compare(&cmp);
                e.compare_emitted = true;
            }
            if dead.contains(&(b, k)) {
                continue;
            }
            if let (Some(l), true) = (hw, k + 1 == insts.len()) {
                // The compare and branch back are replaced by the hardware loop: LE marks the
                // block's last instruction; the exit follows it.
                let last = e
                    .items
                    .iter()
                    .rposition(|(it, _)| !matches!(it, Item::Label(_)));
                let at = last.ok_or_else(|| anyhow!("empty hardware loop body"))?;
                e.items
                    .insert(at, (Item::Label(hwloop::end_label(b)), e.srcloc));
                let exit = enter(l.exit);
                if Some(exit) != next {
                    e.push(Item::Branch {
                        cond: Cond::Al,
                        target: exit,
                    });
                }
                continue;
            }
            match ai {
                AInst::Move { rd, rn } => {
                    if rd != rn {
                        e.fixed(inst(Op::Mov(Cond::Al), *rd, *rn, 0, 0));
                    }
                }
                AInst::Spill { slot, rn } => e.mem(
                    true,
                    Width::Word,
                    *rn,
                    SP,
                    (frame.spill_base + 4 * slot) as i32,
                ),
                AInst::Reload { rd, slot } => e.mem(
                    false,
                    Width::Word,
                    *rd,
                    SP,
                    (frame.spill_base + 4 * slot) as i32,
                ),
                AInst::Inst(mi, loc) => {
                    e.srcloc = *loc;
                    emit_inst(&mut e, mi, &frame, next, &target)?;
                }
            }
        }
    }
    if check_stack {
        // Out of line: report the overflow at the function's first source position (the
        // routine does not return; exit if it does).
        e.push(Item::Label(overflow_stub));
        let first_pos = order
            .iter()
            .flat_map(|b| &alloc.blocks[b.0 as usize])
            .find_map(|ai| match ai {
                AInst::Inst(_, loc) if !loc.is_default() => Some(loc.bits()),
                _ => None,
            })
            .unwrap_or(0);
        e.mov_imm(0, first_pos);
        let routine = crate::runtime::Routine::StackOverflow.symbol().to_string();
        e.push(Item::Call(RelocTarget::Symbol(routine)));
        e.fixed(Inst {
            imm: 3,
            ..Inst::new(Op::Trap, 2)
        });
    }
    let mut cf = finish(e, frame.size)?;
    cf.spill_slots = alloc.num_spillslots;
    Ok(cf)
}

/// The condition that holds exactly when `cond` does not, where the chip has one (the float
/// `Blt`/`Blte` have none: their complements would also have to hold for unordered operands).
fn invert(cond: Cond) -> Option<Cond> {
    Some(match cond {
        Cond::Eq => Cond::Ne,
        Cond::Ne => Cond::Eq,
        Cond::Gtu => Cond::Lteu,
        Cond::Lteu => Cond::Gtu,
        Cond::Gteu => Cond::Ltu,
        Cond::Ltu => Cond::Gteu,
        Cond::Gt => Cond::Lte,
        Cond::Lte => Cond::Gt,
        Cond::Gte => Cond::Lt,
        Cond::Lt => Cond::Gte,
        Cond::Beq => Cond::Bne,
        Cond::Bne => Cond::Beq,
        _ => return None,
    })
}

/// Moves each block that only copies registers and jumps back to an earlier block (the
/// register allocator's moves on a loop's back edge) to just before that loop header, so
/// every iteration falls from the copies into the header instead of paying a taken jump; the
/// header is entered once per loop with a jump around the copies instead. The entry block
/// stays first; a header gets at most one such block.
fn copies_before_loop_headers(
    order: Vec<MBlock>,
    blocks: &[Vec<AInst>],
    resolve: &dyn Fn(MBlock) -> MBlock,
) -> Vec<MBlock> {
    let pos: HashMap<MBlock, usize> = order.iter().enumerate().map(|(i, &b)| (b, i)).collect();
    let mut before: HashMap<MBlock, MBlock> = HashMap::new();
    for (p, &b) in order.iter().enumerate() {
        let insts = &blocks[b.0 as usize];
        let Some((AInst::Inst(MInst::Jump { target, .. }, _), copies)) = insts.split_last() else {
            continue;
        };
        if copies.is_empty() || !copies.iter().all(|i| matches!(i, AInst::Move { .. })) {
            continue;
        }
        let header = resolve(*target);
        match pos.get(&header) {
            Some(&q) if q > 0 && q < p && !before.contains_key(&header) => {
                before.insert(header, b);
            }
            _ => {}
        }
    }
    // A header that is itself moved keeps its copies where they are (it is not emitted at
    // its own place, so nothing could be put before it there).
    let moved: HashSet<MBlock> = before.values().copied().collect();
    before.retain(|header, _| !moved.contains(header));
    let moved: HashSet<MBlock> = before.values().copied().collect();
    let mut out = Vec::with_capacity(order.len());
    for b in order {
        if moved.contains(&b) {
            continue;
        }
        if let Some(&copies) = before.get(&b) {
            out.push(copies);
        }
        out.push(b);
    }
    out
}

/// Register moves whose value nobody reads, as (block, index): in a block that ends with a
/// jump, a move whose destination the rest of the block, or else the jump's target, writes
/// before reading (the allocator leaves such moves on loop back edges, for a value it wants
/// in that register at the loop's exit only).
fn dead_moves(
    blocks: &[Vec<AInst>],
    resolve: &dyn Fn(MBlock) -> MBlock,
) -> HashSet<(MBlock, usize)> {
    let mut dead = HashSet::new();
    for (bi, insts) in blocks.iter().enumerate() {
        let Some((AInst::Inst(MInst::Jump { target, .. }, _), body)) = insts.split_last() else {
            continue;
        };
        let succ = &blocks[resolve(*target).0 as usize];
        for (k, ai) in body.iter().enumerate() {
            let AInst::Move { rd, rn } = ai else {
                continue;
            };
            if rd == rn {
                continue;
            }
            let overwritten = match body[k + 1..]
                .iter()
                .find_map(|later| first_access(later, *rd))
            {
                Some(Access::Def) => true,
                Some(Access::Use) => false,
                None => written_before_read(succ, *rd),
            };
            if overwritten {
                dead.insert((MBlock(bi as u32), k));
            }
        }
    }
    dead
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Read (or possibly read: calls and anything not understood).
    Use,
    /// Written without being read first.
    Def,
}

/// How `ai` touches register `reg`: `None` if not at all.
fn first_access(ai: &AInst, reg: u8) -> Option<Access> {
    match ai {
        // (emission drops a move to itself)
        AInst::Move { rd, rn } if rd == rn => None,
        AInst::Move { rd, rn } => {
            if *rn == reg {
                Some(Access::Use)
            } else if *rd == reg {
                Some(Access::Def)
            } else {
                None
            }
        }
        AInst::Spill { rn, .. } => (*rn == reg).then_some(Access::Use),
        AInst::Reload { rd, .. } => (*rd == reg).then_some(Access::Def),
        AInst::Inst(mi, _) => {
            if matches!(mi, MInst::Call { .. }) || mi.is_terminator() {
                return Some(Access::Use);
            }
            let (mut used, mut defined) = (false, false);
            mi.clone().visit_regs(&mut |x, kind| {
                if r(*x) == reg {
                    match kind {
                        OpKind::Def | OpKind::FixedDef(_) => defined = true,
                        _ => used = true,
                    }
                }
            });
            if used {
                Some(Access::Use)
            } else if defined {
                Some(Access::Def)
            } else {
                None
            }
        }
    }
}

/// Whether the block writes `reg` before anything in it may read it.
fn written_before_read(block: &[AInst], reg: u8) -> bool {
    for ai in block {
        match first_access(ai, reg) {
            Some(Access::Def) => return true,
            Some(Access::Use) => return false,
            None => {}
        }
    }
    false
}

/// LC = iterations (0 runs the body once, as the do-while does), LS = loop start, LE = the
/// loop's last instruction.
fn emit_loop_setup(e: &mut Emitter, b: MBlock, l: &HwLoop) {
    const LC: i32 = 5;
    const LS: i32 = 6;
    const LE: i32 = 7;
    const PC: i32 = 2;
    match l.limit {
        Limit::Reg(n) => e.fixed(inst(Op::Sub, SCRATCH0, n, l.counter, 0)),
        Limit::Imm(k) => {
            e.mov_imm(SCRATCH0, k as u32);
            e.fixed(inst(Op::Sub, SCRATCH0, SCRATCH0, l.counter, 0));
        }
    }
    e.fixed(inst(Op::MovImm, SCRATCH1, 0, 0, 0));
    let at_most = if l.unsigned { Cond::Lteu } else { Cond::Lte };
    e.fixed(inst(Op::Mov(at_most), SCRATCH0, SCRATCH1, 0, 0));
    e.fixed(inst(Op::Movts, SCRATCH0, 0, 0, LC));
    for (k, (target, sreg)) in [(b, LS), (hwloop::end_label(b), LE)]
        .into_iter()
        .enumerate()
    {
        let anchor = hwloop::anchor_label(b, k as u32);
        e.push(Item::Label(anchor));
        e.fixed(inst(Op::Movfs, SCRATCH0, 0, 0, PC));
        e.push(Item::PcOffset {
            rd: SCRATCH0,
            target,
            anchor,
        });
        e.fixed(inst(Op::Movts, SCRATCH0, 0, 0, sreg));
    }
}

fn emit_inst(
    e: &mut Emitter,
    mi: &MInst,
    frame: &Frame,
    next: Option<MBlock>,
    resolve: &dyn Fn(MBlock) -> MBlock,
) -> Result<()> {
    match mi {
        MInst::Args { .. } => {}
        MInst::Alu { op, rd, rn, rm } => {
            let op = match op {
                AluOp::Add => Op::Add,
                AluOp::Sub => Op::Sub,
                AluOp::And => Op::And,
                AluOp::Orr => Op::Orr,
                AluOp::Eor => Op::Eor,
                AluOp::Asr => Op::Asr,
                AluOp::Lsr => Op::Lsr,
                AluOp::Lsl => Op::Lsl,
            };
            e.fixed(inst(op, r(*rd), r(*rn), r(*rm), 0));
        }
        MInst::AluImm { op, rd, rn, imm } => {
            let op = match op {
                AluImmOp::Add => Op::AddImm,
                AluImmOp::Sub => Op::SubImm,
                AluImmOp::Asr => Op::AsrImm,
                AluImmOp::Lsr => Op::LsrImm,
                AluImmOp::Lsl => Op::LslImm,
            };
            e.fixed(inst(op, r(*rd), r(*rn), 0, *imm));
        }
        MInst::Fpu { op, rd, rn, rm } => {
            let op = match op {
                FpuOp::Fadd => Op::Fadd,
                FpuOp::Fsub => Op::Fsub,
                FpuOp::Fmul => Op::Fmul,
            };
            e.fixed(inst(op, r(*rd), r(*rn), r(*rm), 0));
        }
        MInst::FpuMac {
            sub,
            rd,
            acc,
            rn,
            rm,
        } => {
            if rd != acc {
                return Err(anyhow!(
                    "fmadd destination not allocated to its accumulator"
                ));
            }
            let op = if *sub { Op::Fmsub } else { Op::Fmadd };
            e.fixed(inst(op, r(*rd), r(*rn), r(*rm), 0));
        }
        MInst::Unary { op, rd, rn } => {
            let op = match op {
                UnaryOp::Float => Op::Float,
                UnaryOp::Fabs => Op::Fabs,
                UnaryOp::Bitr => Op::Bitr,
            };
            e.fixed(inst(op, r(*rd), r(*rn), 0, 0));
        }
        MInst::FixTrunc { rd, rn } => {
            // CONFIG.TRM (bit 0) = 1 selects truncation; restore the caller's mode after.
            e.fixed(inst(Op::Movfs, SCRATCH0, 0, 0, 0));
            e.fixed(inst(Op::MovImm, SCRATCH1, 0, 0, 1));
            e.fixed(inst(Op::Orr, SCRATCH1, SCRATCH0, SCRATCH1, 0));
            e.fixed(inst(Op::Movts, SCRATCH1, 0, 0, 0));
            e.fixed(inst(Op::Fix, r(*rd), r(*rn), 0, 0));
            e.fixed(inst(Op::Movts, SCRATCH0, 0, 0, 0));
        }
        MInst::IMul { rd, rn, rm } => {
            // CONFIG bits 19:17 = 100 selects integer arithmetic for the FPU opcodes.
            e.fixed(inst(Op::Movfs, SCRATCH0, 0, 0, 0));
            e.mov_imm(SCRATCH1, INT_MODE);
            e.fixed(inst(Op::Orr, SCRATCH1, SCRATCH0, SCRATCH1, 0));
            e.fixed(inst(Op::Movts, SCRATCH1, 0, 0, 0));
            e.fixed(inst(Op::Fmul, r(*rd), r(*rn), r(*rm), 0));
            e.fixed(inst(Op::Movts, SCRATCH0, 0, 0, 0));
        }
        MInst::LoadImm { rd, imm } => e.mov_imm(r(*rd), *imm),
        MInst::LoadSym { rd, target, addend } => {
            for high in [false, true] {
                e.push(Item::Sym {
                    high,
                    rd: r(*rd),
                    target: target.clone(),
                    addend: *addend,
                });
            }
        }
        MInst::Mov { rd, rn } => {
            if rd != rn {
                e.fixed(inst(Op::Mov(Cond::Al), r(*rd), r(*rn), 0, 0));
            }
        }
        MInst::SetCond {
            rd,
            cmp,
            cond,
            negate,
        } => {
            e.compare(cmp);
            e.mov_imm(r(*rd), 0);
            e.mov_imm(SCRATCH1, if *negate { u32::MAX } else { 1 });
            e.fixed(inst(Op::Mov(*cond), r(*rd), SCRATCH1, 0, 0));
        }
        MInst::Select {
            rd,
            cmp,
            cond,
            a,
            b,
        } => {
            if rd != b {
                return Err(anyhow!(
                    "select destination not allocated to its else-value"
                ));
            }
            e.compare(cmp);
            e.fixed(inst(Op::Mov(*cond), r(*rd), r(*a), 0, 0));
        }
        MInst::Load {
            width,
            rd,
            base,
            off,
        } => e.mem(false, *width, r(*rd), r(*base), *off),
        MInst::Store {
            width,
            src,
            base,
            off,
        } => e.mem(true, *width, r(*src), r(*base), *off),
        MInst::LoadIdx {
            width,
            rd,
            base,
            idx,
        } => e.fixed(inst(
            Op::Load {
                width: *width,
                mode: AddrMode::Index,
            },
            r(*rd),
            r(*base),
            r(*idx),
            0,
        )),
        MInst::LoadPost {
            width,
            rd,
            base,
            base_out,
            off,
        }
        | MInst::StorePost {
            width,
            src: rd,
            base,
            base_out,
            off,
        } => {
            if base != base_out {
                return Err(anyhow!(
                    "post-modified pointer not allocated to its base register"
                ));
            }
            let mode = AddrMode::PostDisp;
            let op = match mi {
                MInst::LoadPost { .. } => Op::Load {
                    width: *width,
                    mode,
                },
                _ => Op::Store {
                    width: *width,
                    mode,
                },
            };
            let mut i = inst(op, r(*rd), r(*base), 0, *off);
            i.sub = *off < 0;
            e.fixed(i);
        }
        MInst::StoreIdx {
            width,
            src,
            base,
            idx,
        } => e.fixed(inst(
            Op::Store {
                width: *width,
                mode: AddrMode::Index,
            },
            r(*src),
            r(*base),
            r(*idx),
            0,
        )),
        MInst::StackAddr { rd, slot, off } => {
            let base = *frame
                .slot_offsets
                .get(*slot as usize)
                .ok_or_else(|| anyhow!("unknown stack slot {slot}"))?;
            e.add_imm(r(*rd), SP, base as i32 + off);
        }
        MInst::LoadIncomingArg { rd, index } => e.mem(
            false,
            Width::Word,
            r(*rd),
            SP,
            frame.incoming_arg(*index) as i32,
        ),
        MInst::StoreOutgoingArg { src, index } => e.mem(
            true,
            Width::Word,
            r(*src),
            SP,
            Frame::outgoing_arg(*index) as i32,
        ),
        MInst::Call { target, callee, .. } => match (target, callee) {
            (Some(t), _) => e.push(Item::Call(t.clone())),
            (None, Some(c)) => e.fixed(inst(Op::Jalr, 0, r(*c), 0, 0)),
            (None, None) => return Err(anyhow!("call without a target")),
        },
        MInst::Jump { target, .. } => {
            let t = resolve(*target);
            if Some(t) != next {
                e.push(Item::Branch {
                    cond: Cond::Al,
                    target: t,
                });
            }
        }
        MInst::CondBr {
            cmp,
            cond,
            taken,
            not_taken,
        } => {
            if !std::mem::take(&mut e.compare_emitted) {
                e.compare(cmp);
            }
            let (t, f) = (resolve(*taken), resolve(*not_taken));
            // A taken target that follows anyway: branch on the opposite condition to the
            // other one (a not-taken branch costs 1 cycle, a taken one 3).
            if let (true, Some(inverse)) = (Some(t) == next && Some(f) != next, invert(*cond)) {
                e.push(Item::Branch {
                    cond: inverse,
                    target: f,
                });
                return Ok(());
            }
            e.push(Item::Branch {
                cond: *cond,
                target: t,
            });
            if Some(f) != next {
                e.push(Item::Branch {
                    cond: Cond::Al,
                    target: f,
                });
            }
        }
        MInst::BrTable {
            idx,
            targets,
            default,
        } => {
            // A jump table: idx >= n (unsigned) takes the default, else `jr` into a table
            // of 4-byte branches at pc-relative `table + 4 * idx` (constant time, where a
            // chain of compares is linear in idx).
            const PC: i32 = 2;
            let d = resolve(*default);
            let n = targets.len() as u32;
            if n <= 1023 {
                e.fixed(inst(Op::SubImm, SCRATCH0, r(*idx), 0, n as i32));
            } else {
                e.mov_imm(SCRATCH1, n);
                e.fixed(inst(Op::Sub, SCRATCH0, r(*idx), SCRATCH1, 0));
            }
            e.push(Item::Branch {
                cond: Cond::Gteu,
                target: d,
            });
            if n > 0 {
                let anchor = MBlock(0x0800_0000 | (e.tables << 1));
                let table = MBlock(0x0800_0000 | (e.tables << 1) | 1);
                e.tables += 1;
                e.push(Item::Label(anchor));
                e.fixed(inst(Op::Movfs, SCRATCH0, 0, 0, PC));
                e.push(Item::PcOffset {
                    rd: SCRATCH0,
                    target: table,
                    anchor,
                });
                e.fixed(inst(Op::LslImm, SCRATCH1, r(*idx), 0, 2));
                e.fixed(inst(Op::Add, SCRATCH0, SCRATCH0, SCRATCH1, 0));
                e.fixed(inst(Op::Jr, 0, SCRATCH0, 0, 0));
                e.push(Item::Label(table));
                for t in targets {
                    e.push(Item::TableBranch(resolve(*t)));
                }
            }
        }
        MInst::Ret { .. } => {
            if frame.size > 0 {
                for &(reg, off) in &frame.saves {
                    e.mem(false, Width::Word, reg, SP, off as i32);
                }
                e.add_imm(SP, SP, frame.size as i32);
            }
            e.fixed(inst(Op::Jr, 0, LR, 0, 0));
        }
        MInst::Halt => e.fixed(Inst {
            imm: 3,
            ..Inst::new(Op::Trap, 2)
        }),
    }
    Ok(())
}

/// Lay out the items (relaxing branches until every one fits) and encode them.
fn finish(e: Emitter, frame_size: u32) -> Result<CompiledFunction> {
    let items = e.items;
    let mut sizes = Vec::with_capacity(items.len());
    for (item, _) in &items {
        sizes.push(match item {
            Item::Fixed(i) => {
                encode_shortest(i)
                    .map_err(|er| anyhow!("cannot encode {i:?}: {er}"))?
                    .size as u32
            }
            Item::Branch { .. } => 2,
            Item::TableBranch(_) => 4,
            Item::Call(_) | Item::Sym { .. } => 4,
            Item::Label(_) => 0,
            Item::PcOffset { .. } => 4,
        });
    }
    let mut offsets = vec![0u32; items.len()];
    let mut labels = std::collections::HashMap::new();
    loop {
        let mut off = 0;
        for (k, (item, _)) in items.iter().enumerate() {
            offsets[k] = off;
            if let Item::Label(b) = item {
                labels.insert(*b, off);
            }
            off += sizes[k];
        }
        let mut changed = false;
        for (k, (item, _)) in items.iter().enumerate() {
            match item {
                Item::Branch { target, .. } => {
                    let disp = labels[target] as i64 - offsets[k] as i64;
                    if sizes[k] == 2 && !(-256..=254).contains(&disp) {
                        sizes[k] = 4;
                        changed = true;
                    }
                }
                Item::PcOffset { target, anchor, .. } => {
                    let d = labels[target] as i64 - labels[anchor] as i64;
                    if sizes[k] == 4 && !(-1024..=1023).contains(&d) {
                        sizes[k] = 12;
                        changed = true;
                    }
                }
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = CompiledFunction {
        frame_size,
        ..Default::default()
    };
    let mut last_loc = None;
    for (k, (item, loc)) in items.iter().enumerate() {
        let off = offsets[k];
        if sizes[k] > 0 && last_loc != Some(*loc) {
            out.srclocs.push((off, *loc));
            last_loc = Some(*loc);
        }
        let (word, size) = match item {
            Item::Label(_) => continue,
            Item::PcOffset { rd, target, anchor } => {
                let d = labels[target] as i64 - labels[anchor] as i64;
                let seq = if sizes[k] == 4 {
                    vec![inst(Op::AddImm, *rd, *rd, 0, d as i32)]
                } else {
                    vec![
                        inst(Op::MovImm, SCRATCH1, 0, 0, (d as u32 & 0xffff) as i32),
                        inst(Op::Movt, SCRATCH1, 0, 0, (d as u32 >> 16) as i32),
                        inst(Op::Add, *rd, *rd, SCRATCH1, 0),
                    ]
                };
                for i in seq {
                    let w = encode(&i).map_err(|er| anyhow!("cannot encode {i:?}: {er}"))?;
                    out.code.extend_from_slice(&w.to_le_bytes());
                }
                continue;
            }
            Item::Fixed(i) => {
                let enc = encode_shortest(i).map_err(|er| anyhow!("cannot encode {i:?}: {er}"))?;
                (enc.word, enc.size)
            }
            Item::TableBranch(target) => {
                let disp = labels[target] as i64 - off as i64;
                let i = Inst {
                    imm: disp as i32,
                    ..Inst::new(Op::B(Cond::Al), 4)
                };
                (
                    encode(&i).map_err(|er| anyhow!("cannot encode branch: {er}"))?,
                    4,
                )
            }
            Item::Branch { cond, target } => {
                let disp = labels[target] as i64 - off as i64;
                let i = Inst {
                    imm: disp as i32,
                    ..Inst::new(Op::B(*cond), sizes[k] as u8)
                };
                (
                    encode(&i).map_err(|er| anyhow!("cannot encode branch: {er}"))?,
                    sizes[k] as u8,
                )
            }
            Item::Call(target) => {
                out.relocs.push(Reloc {
                    offset: off,
                    kind: RelocKind::Simm24,
                    target: target.clone(),
                    addend: 0,
                });
                (encode(&Inst::new(Op::Bl, 4)).context("encoding bl")?, 4)
            }
            Item::Sym {
                high,
                rd,
                target,
                addend,
            } => {
                let (op, kind) = if *high {
                    (Op::Movt, RelocKind::High)
                } else {
                    (Op::MovImm, RelocKind::Low)
                };
                out.relocs.push(Reloc {
                    offset: off,
                    kind,
                    target: target.clone(),
                    addend: *addend,
                });
                (
                    encode(&inst(op, *rd, 0, 0, 0)).context("encoding mov/movt")?,
                    4,
                )
            }
        };
        out.code
            .extend_from_slice(&word.to_le_bytes()[..size as usize]);
    }
    // Functions are 4-byte aligned (GCC's FUNCTION_BOUNDARY); pad with a 16-bit nop.
    if !out.code.len().is_multiple_of(4) {
        let nop = encode(&Inst::new(Op::Nop, 2)).context("encoding nop")?;
        out.code.extend_from_slice(&nop.to_le_bytes()[..2]);
    }
    Ok(out)
}
