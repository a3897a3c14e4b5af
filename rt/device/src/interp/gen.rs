//! The interpreter's slow path as CLIF (i32 pointers): [`step_function`] runs one
//! instruction the assembly core (`core`) does not run itself: the rarer instructions, the
//! operand types its fast paths leave out, and every runtime error. A byte-code call made here
//! is a native recursive call of the core (through the stack check `__epyc_bc_call`), so the
//! core's own stack holds the return state. The opcode's handler is chosen through a table
//! (`br_table`, a jump table in our backend) indexed by the core's dense numbering of these
//! opcodes; each handler ends by jumping to `dispatch`, which hands pc and the value-stack top
//! back. Error paths are laid out after the hot code ([`Gen::cold`]), so a check that passes
//! costs one untaken branch.

use super::layout::*;
use cranelift_codegen::ir::{
    self, condcodes::FloatCC, condcodes::IntCC, types::*, AbiParam, ExtFuncData, ExternalName,
    FuncRef, Function, InstBuilder, MemFlagsData, Signature, UserFuncName, Value,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use epyc_bytecode::format::{Op, Svc, DYN_ELEM};
use epyc_rt_abi::{RtError, Tag};
use std::cell::RefCell;
use std::collections::HashMap;

/// The interpreter of one byte-code call (the assembly core, `core`).
pub const EXEC_SYMBOL: &str = "__epyc_bc_exec";
/// One instruction the core does not run itself ([`step_function`]).
pub const STEP_SYMBOL: &str = "__epyc_bc_step";
/// A byte-code call: checks the core's stack, then runs `EXEC_SYMBOL` (see `asm_parts`).
pub const CALL_SYMBOL: &str = "__epyc_bc_call";
pub const POS_SYMBOL: &str = "__epyc_bc_pos";
pub const TO_STR_SYMBOL: &str = "__epyc_bc_to_str";
pub const RECV_SYMBOL: &str = "epyc_recv_any";
pub const LIST_STR_SYMBOL: &str = "__epyc_bc_list_str";
pub const REPEAT_SYMBOL: &str = "__epyc_bc_repeat";
/// Tag word of a slot never assigned (globals, locals beyond the parameters).
pub const UNSET: u32 = 0x7f;
/// Value slots every call may use above its locals (operand stack), checked on entry.
pub const STACK_HEADROOM: i64 = 48;

fn sig(params: &[ir::Type], rets: &[ir::Type]) -> Signature {
    let mut s = Signature::new(CallConv::SystemV);
    s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    s.returns.extend(rets.iter().map(|&t| AbiParam::new(t)));
    s
}

pub fn config() -> TargetFrontendConfig {
    TargetFrontendConfig {
        default_call_conv: CallConv::SystemV,
        pointer_width: target_lexicon_width(),
        page_size_align_log2: 12,
    }
}

fn target_lexicon_width() -> target_lexicon::PointerWidth {
    target_lexicon::PointerWidth::U32
}

/// Emission state: the builder and the symbols of the functions it calls (the relocation
/// target `User { index }` is the position in `symbols`).
pub struct Gen<'a> {
    pub b: FunctionBuilder<'a>,
    refs: HashMap<&'static str, FuncRef>,
    pub symbols: Vec<&'static str>,
    /// Blocks of rare paths (errors), moved after the hot code by [`move_cold_last`].
    pub cold: Vec<ir::Block>,
}

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl<'a> Gen<'a> {
    pub fn new(func: &'a mut Function, ctx: &'a mut FunctionBuilderContext) -> Self {
        Gen {
            b: FunctionBuilder::new(func, ctx),
            refs: HashMap::new(),
            symbols: Vec::new(),
            cold: Vec::new(),
        }
    }

    pub fn func(&mut self, sym: &'static str, params: &[ir::Type], rets: &[ir::Type]) -> FuncRef {
        if let Some(&r) = self.refs.get(sym) {
            return r;
        }
        let name = self
            .b
            .func
            .declare_imported_user_function(ir::UserExternalName::new(
                0,
                self.symbols.len() as u32,
            ));
        self.symbols.push(sym);
        let signature = self.b.import_signature(sig(params, rets));
        let r = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name),
            signature,
            colocated: false,
            patchable: false,
        });
        self.refs.insert(sym, r);
        r
    }

    pub fn call(
        &mut self,
        sym: &'static str,
        args: &[Value],
        ret: Option<ir::Type>,
    ) -> Option<Value> {
        let params: Vec<ir::Type> = args
            .iter()
            .map(|&a| self.b.func.dfg.value_type(a))
            .collect();
        let rets: Vec<ir::Type> = ret.into_iter().collect();
        let f = self.func(sym, &params, &rets);
        let inst = self.b.ins().call(f, args);
        self.b.inst_results(inst).first().copied()
    }

    pub fn ld(&mut self, addr: Value, off: i32) -> Value {
        self.b.ins().load(I32, flags(), addr, off)
    }
    pub fn st(&mut self, v: Value, addr: Value, off: i32) {
        self.b.ins().store(flags(), v, addr, off);
    }
    pub fn k(&mut self, v: i64) -> Value {
        self.b.ins().iconst(I32, v)
    }
}

/// Moves the blocks in `cold` to the end of the layout. Our backend emits blocks in layout
/// order and falls through to the next one: a check's rare path laid out right after it would
/// make the common path a taken branch (3 cycles) instead of an untaken one (1).
pub fn move_cold_last(func: &mut Function, cold: &[ir::Block]) {
    for &b in cold {
        if !func.layout.is_block_inserted(b) {
            continue;
        }
        let insts: Vec<ir::Inst> = func.layout.block_insts(b).collect();
        for &i in &insts {
            func.layout.remove_inst(i);
        }
        func.layout.remove_block(b);
        func.layout.append_block(b);
        for i in insts {
            func.layout.append_inst(i, b);
        }
    }
}

/// Builds one generated function: `body` writes its code from the entry block, which holds
/// the parameters; the cold blocks it lists go last. Returns the function and the symbols
/// its calls name.
pub fn build_function(
    symbol: &str,
    params: usize,
    ret: bool,
    body: impl FnOnce(&mut Gen, &[Value]),
) -> (Function, Vec<&'static str>) {
    let mut func =
        Function::with_name_signature(UserFuncName::testcase(symbol), signature_of(params, ret));
    let mut ctx = FunctionBuilderContext::new();
    let mut g = Gen::new(&mut func, &mut ctx);
    let entry = g.b.create_block();
    g.b.append_block_params_for_function_params(entry);
    g.b.switch_to_block(entry);
    let p = g.b.block_params(entry).to_vec();
    body(&mut g, &p);
    g.b.seal_all_blocks();
    let symbols = g.symbols.clone();
    let cold = std::mem::take(&mut g.cold);
    g.b.finalize(config());
    move_cold_last(&mut func, &cold);
    (func, symbols)
}

pub fn signature_of(params: usize, ret: bool) -> Signature {
    sig(&vec![I32; params], if ret { &[I32] } else { &[] })
}

/// Branches to `targets[index]` (`default` when out of range): a `br_table`, which our
/// backend lowers to a jump table (constant time).
pub fn table(g: &mut Gen, index: Value, targets: &[ir::Block], default: ir::Block) {
    let pool = &mut g.b.func.dfg.value_lists;
    let calls: Vec<ir::BlockCall> = targets
        .iter()
        .map(|&t| ir::BlockCall::new(t, [], pool))
        .collect();
    let dcall = ir::BlockCall::new(default, [], pool);
    let jt = g.b.create_jump_table(ir::JumpTableData::new(dcall, &calls));
    g.b.ins().br_table(index, jt);
}

/// Registers of the interpreter loop.
struct Regs {
    m: Value,
    fent: Value,
    frame: Value,
    code: Value,
    pc: Variable,
    sp: Variable,
    dispatch: ir::Block,
    /// (tag, payload): pushes and dispatches (one copy of the push for most handlers).
    push_next: ir::Block,
    /// (RtError code) -> reports it at the current instruction.
    error: ir::Block,
    /// (RtError code, detail str) -> the same with a detail.
    error_detail: ir::Block,
    /// `Index 1` and `StoreIndex 1` after their operand byte (superinstructions push their
    /// operands and jump here).
    index_body: ir::Block,
    store_index_body: ir::Block,
    /// (k, is store) -> indexing with k indices, or one index into an array of several
    /// dimensions (`lists::multi`).
    multi_index: ir::Block,
    /// (module variable index) -> `name 'x' is not defined` (one copy for every ref read).
    unset_global: ir::Block,
    /// (is store) -> `IndexRef` / `StoreIndexRef` (one copy for both).
    index_ref: ir::Block,
    /// (opcode) -> the four conditional jumps (one copy of the truth test for all).
    cond_jump: ir::Block,
    /// A type error at the current instruction: one copy every failing check branches to
    /// (a copy per check cost about 26 bytes each).
    type_error: ir::Block,
    /// The block reporting each error code, made on first use and shared by every check
    /// failing with that code.
    fails: RefCell<HashMap<u32, ir::Block>>,
}

impl Regs {
    fn push(&self, g: &mut Gen, tag: Value, pay: Value) {
        let sp = g.b.use_var(self.sp);
        g.st(tag, sp, 0);
        g.st(pay, sp, 4);
        let sp = g.b.ins().iadd_imm_s(sp, 8);
        g.b.def_var(self.sp, sp);
    }
    fn push_k(&self, g: &mut Gen, tag: Tag, pay: Value) {
        let t = g.k(tag as i64);
        self.push(g, t, pay);
    }
    /// Pops a value: (tag word, payload).
    fn pop(&self, g: &mut Gen) -> (Value, Value) {
        let sp = g.b.use_var(self.sp);
        let sp = g.b.ins().iadd_imm_s(sp, -8);
        g.b.def_var(self.sp, sp);
        (g.ld(sp, 0), g.ld(sp, 4))
    }
    fn operand(&self, g: &mut Gen, ty: ir::Type, signed: bool) -> Value {
        let pc = g.b.use_var(self.pc);
        // Byte code is not aligned and the core has no unaligned loads: 16-bit operands are
        // read a byte at a time.
        let v = match (ty.bytes(), signed) {
            (1, false) => g.b.ins().uload8(I32, flags(), pc, 0),
            (1, true) => g.b.ins().sload8(I32, flags(), pc, 0),
            (_, signed) => {
                let lo = g.b.ins().uload8(I32, flags(), pc, 0);
                let hi = if signed {
                    g.b.ins().sload8(I32, flags(), pc, 1)
                } else {
                    g.b.ins().uload8(I32, flags(), pc, 1)
                };
                let hi = g.b.ins().ishl_imm_s(hi, 8);
                g.b.ins().bor(hi, lo)
            }
        };
        let pc = g.b.ins().iadd_imm_s(pc, ty.bytes() as i64);
        g.b.def_var(self.pc, pc);
        v
    }
    fn fail(&self, g: &mut Gen, e: RtError) {
        let c = g.k(e as i64);
        g.b.ins().jump(self.error, &[c.into()]);
    }
    fn fail_if(&self, g: &mut Gen, cond: Value, e: RtError) {
        let ok = g.b.create_block();
        let known = self.fails.borrow().get(&(e as u32)).copied();
        let bad = known.unwrap_or_else(|| g.b.create_block());
        g.b.ins().brif(cond, bad, &[], ok, &[]);
        if known.is_none() {
            self.fails.borrow_mut().insert(e as u32, bad);
            g.cold.push(bad);
            g.b.switch_to_block(bad);
            self.fail(g, e);
        }
        g.b.switch_to_block(ok);
    }
    fn type_error_if(&self, g: &mut Gen, cond: Value) {
        let ok = g.b.create_block();
        g.b.ins().brif(cond, self.type_error, &[], ok, &[]);
        g.b.switch_to_block(ok);
    }
    /// The encoded source position of the current instruction: every handler reads its
    /// operands first, so the byte before `pc` is still inside the instruction.
    fn pos(&self, g: &mut Gen) -> Value {
        let pc = g.b.use_var(self.pc);
        let rel = g.b.ins().isub(pc, self.code);
        let rel = g.b.ins().iadd_imm_s(rel, -1);
        let (m, fent) = (self.m, self.fent);
        g.call(POS_SYMBOL, &[m, fent, rel], Some(I32))
            .expect("pos result")
    }
    fn next(&self, g: &mut Gen) {
        g.b.ins().jump(self.dispatch, &[]);
    }
}

pub fn tag_of(g: &mut Gen, t: Value) -> Value {
    g.b.ins().band_imm_s(t, 0xff)
}

/// 1 when `tag` is bool or int.
pub fn intlike(g: &mut Gen, tag: Value) -> Value {
    let d = g.b.ins().iadd_imm_s(tag, -(Tag::Bool as i64));
    g.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, d, 2)
}

/// 1 when `tag` is bool, int or float.
pub fn number(g: &mut Gen, tag: Value) -> Value {
    let d = g.b.ins().iadd_imm_s(tag, -(Tag::Bool as i64));
    g.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, d, 3)
}

pub fn as_float(g: &mut Gen, tag: Value, pay: Value) -> Value {
    let asf = g.b.ins().bitcast(F32, MemFlagsData::new(), pay);
    let conv = g.b.ins().fcvt_from_sint(F32, pay);
    let isf = g.b.ins().icmp_imm_s(IntCC::Equal, tag, Tag::Float as i64);
    g.b.ins().select(isf, asf, conv)
}

pub fn float_bits(g: &mut Gen, f: Value) -> Value {
    g.b.ins().bitcast(I32, MemFlagsData::new(), f)
}

/// Truth of a value (D13), inline for bool and int, by a small block chain otherwise.
pub fn truth_of(g: &mut Gen, tag: Value, pay: Value) -> Value {
    let done = g.b.create_block();
    g.b.append_block_param(done, I32);
    let slow = g.b.create_block();
    let t = tag_of(g, tag);
    let il = intlike(g, t);
    let nz = g.b.ins().icmp_imm_s(IntCC::NotEqual, pay, 0);
    let nz = g.b.ins().uextend(I32, nz);
    g.b.ins().brif(il, done, &[nz.into()], slow, &[]);
    g.b.switch_to_block(slow);
    // float: any bit but the sign; str/list: length; function: true; none: false.
    let fb = g.b.ins().band_imm_s(pay, 0x7fff_ffff);
    let fnz = g.b.ins().icmp_imm_s(IntCC::NotEqual, fb, 0);
    let isf = g.b.ins().icmp_imm_s(IntCC::Equal, t, Tag::Float as i64);
    let obj = g.b.create_block();
    let other = g.b.create_block();
    let d = g.b.ins().iadd_imm_s(t, -(Tag::Str as i64));
    let iso = g.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, d, 2);
    let fnz32 = g.b.ins().uextend(I32, fnz);
    let fcheck = g.b.create_block();
    g.b.ins().brif(isf, done, &[fnz32.into()], fcheck, &[]);
    g.b.switch_to_block(fcheck);
    g.b.ins().brif(iso, obj, &[], other, &[]);
    g.b.switch_to_block(obj);
    let len = g.ld(pay, 0);
    let lnz = g.b.ins().icmp_imm_s(IntCC::NotEqual, len, 0);
    let lnz = g.b.ins().uextend(I32, lnz);
    g.b.ins().jump(done, &[lnz.into()]);
    g.b.switch_to_block(other);
    let isfn = g.b.ins().icmp_imm_s(IntCC::Equal, t, Tag::Func as i64);
    let isfn = g.b.ins().uextend(I32, isfn);
    g.b.ins().jump(done, &[isfn.into()]);
    g.b.switch_to_block(done);
    g.b.block_params(done)[0]
}

/// Builds `__epyc_bc_step(module, handler, frame, pc) -> pc`: runs the one instruction at
/// `pc` (its opcode's position in `core::slow_opcodes`: `handler`) of the function whose
/// table entry is in the module header (`H_FENT`) and returns the next pc. The value stack's top comes and goes in the module header (`H_SP`). The assembly
/// core (`core`) runs the common cases itself and hands every other instruction here; it
/// also enters and leaves functions (frame set-up, `Return`), so no handler here returns.
pub fn step_function() -> (Function, Vec<&'static str>) {
    build_function(STEP_SYMBOL, 4, true, |g, p| {
        let (m, which, frame, pc0) = (p[0], p[1], p[2], p[3]);
        let fent = g.ld(m, H_FENT);
        let pc0 = g.b.ins().iadd_imm_s(pc0, 1);
        let code_off = g.ld(fent, F_CODE);
        let code = g.b.ins().iadd(m, code_off);
        let pc = g.b.declare_var(I32);
        let sp = g.b.declare_var(I32);
        g.b.def_var(pc, pc0);
        let sp0 = g.ld(m, H_SP);
        g.b.def_var(sp, sp0);
        let dispatch = g.b.create_block();
        let decode = g.b.create_block();
        let error = g.b.create_block();
        g.b.append_block_param(error, I32);
        let error_detail = g.b.create_block();
        g.b.append_block_param(error_detail, I32);
        g.b.append_block_param(error_detail, I32);
        let push_next = g.b.create_block();
        g.b.append_block_param(push_next, I32);
        g.b.append_block_param(push_next, I32);
        let r = Regs {
            m,
            fent,
            frame,
            code,
            pc,
            sp,
            dispatch,
            push_next,
            error,
            error_detail,
            index_body: g.b.create_block(),
            store_index_body: g.b.create_block(),
            multi_index: g.b.create_block(),
            unset_global: g.b.create_block(),
            index_ref: g.b.create_block(),
            cond_jump: g.b.create_block(),
            type_error: g.b.create_block(),
            fails: RefCell::new(HashMap::new()),
        };
        g.cold.push(r.type_error);
        g.b.append_block_param(r.unset_global, I32);
        g.b.append_block_param(r.index_ref, I32);
        g.b.append_block_param(r.cond_jump, I32);
        g.b.append_block_param(r.multi_index, I32);
        g.b.append_block_param(r.multi_index, I32);
        g.cold.push(r.unset_global);
        g.b.ins().jump(decode, &[]);

        // The instruction is done: hand pc and sp back to the core.
        g.b.switch_to_block(dispatch);
        let spv = g.b.use_var(sp);
        g.st(spv, m, H_SP);
        let pcv = g.b.use_var(pc);
        g.b.ins().return_(&[pcv]);

        // Errors.
        g.b.switch_to_block(error);
        let code_v = g.b.block_params(error)[0];
        let pos = r.pos(g);
        g.call("epyc_error", &[code_v, pos], None);
        g.b.ins().trap(ir::TrapCode::user(1).expect("trap code"));
        g.b.switch_to_block(error_detail);
        let (code_v, detail) = (
            g.b.block_params(error_detail)[0],
            g.b.block_params(error_detail)[1],
        );
        let pos = r.pos(g);
        g.call("epyc_error_detail", &[code_v, detail, pos], None);
        g.b.ins().trap(ir::TrapCode::user(1).expect("trap code"));
        g.b.switch_to_block(r.type_error);
        let off = g.ld(m, H_TYPE_TEXT);
        let text = g.b.ins().iadd(m, off);
        let c = g.k(RtError::TypeError as i64);
        g.b.ins().jump(error_detail, &[c.into(), text.into()]);

        g.b.switch_to_block(push_next);
        let (t, v) = (
            g.b.block_params(push_next)[0],
            g.b.block_params(push_next)[1],
        );
        r.push(g, t, v);
        g.b.ins().jump(dispatch, &[]);

        // Decode.
        g.b.switch_to_block(decode);
        let bad = g.b.create_block();
        let handlers: Vec<(u8, ir::Block)> = super::core::slow_opcodes()
            .into_iter()
            .map(|c| (c, g.b.create_block()))
            .collect();
        let targets: Vec<ir::Block> = handlers.iter().map(|h| h.1).collect();
        table(g, which, &targets, bad);
        g.b.switch_to_block(bad);
        r_type_error(g, &r);
        let binop = super::handlers::binop_block(g, &r_view(&r));
        g.b.switch_to_block(r.index_body);
        super::lists::load(g, &r_view(&r));
        g.b.switch_to_block(r.unset_global);
        let gi = g.b.block_params(r.unset_global)[0];
        super::superops::unset_global(g, &r_view(&r), gi);
        g.b.switch_to_block(r.index_ref);
        let is_store = g.b.block_params(r.index_ref)[0];
        super::superops::index_ref(g, &r_view(&r), is_store);
        g.b.switch_to_block(r.cond_jump);
        let code = g.b.block_params(r.cond_jump)[0];
        super::handlers::cond_jump(g, &r_view(&r), code);
        g.b.switch_to_block(r.store_index_body);
        super::lists::store(g, &r_view(&r));
        g.b.switch_to_block(r.multi_index);
        super::lists::multi(g, &r_view(&r));
        for (c, b) in handlers {
            g.b.switch_to_block(b);
            super::handlers::handler(g, &r_view(&r), c, binop);
        }
    })
}

fn r_type_error(g: &mut Gen, r: &Regs) {
    g.b.ins().jump(r.type_error, &[]);
}

/// The interpreter registers as the handlers see them.
pub struct View<'r> {
    regs: &'r Regs,
}

fn r_view(r: &Regs) -> View<'_> {
    View { regs: r }
}

impl View<'_> {
    pub fn m(&self) -> Value {
        self.regs.m
    }
    pub fn globals(&self, g: &mut Gen) -> Value {
        g.ld(self.regs.m, H_GLOBALS)
    }
    pub fn frame(&self) -> Value {
        self.regs.frame
    }
    pub fn sp(&self, g: &mut Gen) -> Value {
        g.b.use_var(self.regs.sp)
    }
    pub fn set_sp(&self, g: &mut Gen, v: Value) {
        g.b.def_var(self.regs.sp, v)
    }
    pub fn pc(&self, g: &mut Gen) -> Value {
        g.b.use_var(self.regs.pc)
    }
    pub fn set_pc(&self, g: &mut Gen, v: Value) {
        g.b.def_var(self.regs.pc, v)
    }
    pub fn push(&self, g: &mut Gen, tag: Value, pay: Value) {
        self.regs.push(g, tag, pay)
    }
    pub fn push_k(&self, g: &mut Gen, tag: Tag, pay: Value) {
        self.regs.push_k(g, tag, pay)
    }
    /// Pushes and goes to the next instruction.
    pub fn push_next(&self, g: &mut Gen, tag: Value, pay: Value) {
        g.b.ins()
            .jump(self.regs.push_next, &[tag.into(), pay.into()]);
    }
    pub fn push_k_next(&self, g: &mut Gen, tag: Tag, pay: Value) {
        let t = g.k(tag as i64);
        self.push_next(g, t, pay)
    }
    pub fn pop(&self, g: &mut Gen) -> (Value, Value) {
        self.regs.pop(g)
    }
    pub fn u8(&self, g: &mut Gen) -> Value {
        self.regs.operand(g, I8, false)
    }
    pub fn i8(&self, g: &mut Gen) -> Value {
        self.regs.operand(g, I8, true)
    }
    pub fn u16(&self, g: &mut Gen) -> Value {
        self.regs.operand(g, I16, false)
    }
    pub fn i16(&self, g: &mut Gen) -> Value {
        self.regs.operand(g, I16, true)
    }
    pub fn fail(&self, g: &mut Gen, e: RtError) {
        self.regs.fail(g, e)
    }
    pub fn fail_if(&self, g: &mut Gen, c: Value, e: RtError) {
        self.regs.fail_if(g, c, e)
    }
    /// Reports the error of code `code` (a value): a type error with its text.
    pub fn fail_code(&self, g: &mut Gen, code: Value) {
        let is_type =
            g.b.ins()
                .icmp_imm_s(IntCC::Equal, code, RtError::TypeError as i64);
        self.type_error_if(g, is_type);
        g.b.ins().jump(self.regs.error, &[code.into()]);
    }
    pub fn fail_detail(&self, g: &mut Gen, e: RtError, detail: Value) {
        let c = g.k(e as i64);
        g.b.ins()
            .jump(self.regs.error_detail, &[c.into(), detail.into()]);
    }
    pub fn type_error_if(&self, g: &mut Gen, c: Value) {
        self.regs.type_error_if(g, c)
    }
    pub fn pos(&self, g: &mut Gen) -> Value {
        self.regs.pos(g)
    }
    pub fn next(&self, g: &mut Gen) {
        self.regs.next(g)
    }
    pub fn dispatch(&self) -> ir::Block {
        self.regs.dispatch
    }
    pub fn index_body(&self) -> ir::Block {
        self.regs.index_body
    }
    pub fn store_index_body(&self) -> ir::Block {
        self.regs.store_index_body
    }
    pub fn multi_index(&self) -> ir::Block {
        self.regs.multi_index
    }
    pub fn unset_global(&self) -> ir::Block {
        self.regs.unset_global
    }
    pub fn index_ref(&self) -> ir::Block {
        self.regs.index_ref
    }
    pub fn cond_jump(&self) -> ir::Block {
        self.regs.cond_jump
    }
}

/// Comparison conditions of Eq..Ge (opcodes 40..45) for ints and floats.
pub fn int_cc(op: Op) -> IntCC {
    match op {
        Op::Eq => IntCC::Equal,
        Op::Ne => IntCC::NotEqual,
        Op::Lt => IntCC::SignedLessThan,
        Op::Le => IntCC::SignedLessThanOrEqual,
        Op::Gt => IntCC::SignedGreaterThan,
        _ => IntCC::SignedGreaterThanOrEqual,
    }
}
pub fn float_cc(op: Op) -> FloatCC {
    match op {
        Op::Eq => FloatCC::Equal,
        Op::Ne => FloatCC::NotEqual,
        Op::Lt => FloatCC::LessThan,
        Op::Le => FloatCC::LessThanOrEqual,
        Op::Gt => FloatCC::GreaterThan,
        _ => FloatCC::GreaterThanOrEqual,
    }
}

pub const DYN: u32 = DYN_ELEM;
pub const SVC_COUNT: usize = Svc::Range as usize + 1;
