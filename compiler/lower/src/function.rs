//! Lowering of one TIR function: the per-function state and the helpers every statement and
//! expression lowering shares (variables, runtime calls, error exits, static data).

use crate::globals::GlobalsLayout;
use crate::names;
use crate::runtime::{self, UsedRuntime};
use crate::statics::Statics;
use crate::types::{function_signature, value_type};
use crate::Target;
use anyhow::{anyhow, bail, Result};
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types, ExtFuncData, ExternalName, FuncRef, GlobalValue,
    GlobalValueData, InstBuilder, MemFlagsData, TrapCode, Type, UserFuncName, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use epyc_rt_abi::{pos as abi_pos, RtError, RtFn};
use epyc_tir::{FuncId, LocalOrGlobal, Pos, Program, StmtKind, Ty};
use std::collections::HashMap;

/// Program-wide facts every function lowering reads.
pub struct ProgramCx<'a> {
    pub prog: &'a Program,
    pub target: &'a Target,
    pub globals: &'a GlobalsLayout,
    pub recursive: &'a [bool],
    /// Globals kept in `main`'s SSA variables (see `promote`).
    pub main_only: &'a [bool],
}

/// Where `break` and `continue` jump inside the innermost loop.
#[derive(Clone, Copy)]
pub struct LoopExits {
    pub brk: ir::Block,
    pub cont: ir::Block,
}

pub struct FnLowerer<'a, 'b> {
    pub cx: &'a ProgramCx<'a>,
    pub func: &'a epyc_tir::Function,
    pub b: FunctionBuilder<'b>,
    pub statics: &'a mut Statics,
    pub used: &'a mut UsedRuntime,
    pub ptr: Type,
    /// The globals base (parameter 0).
    pub gbase: Value,
    /// One variable per local that has a value (none-typed locals have none).
    pub vars: Vec<Option<Variable>>,
    pub loops: Vec<LoopExits>,
    pub counts_depth: bool,
    func_refs: HashMap<names::ExternalRef, FuncRef>,
    data_refs: HashMap<usize, GlobalValue>,
    /// Cold blocks that stop the core, by (error, position); filled at the end of the
    /// function (see `check`).
    error_blocks: HashMap<(RtError, Pos), ir::Block>,
    /// Flat indices already checked in the current straight-line region, by list and index
    /// values (`a[i] = a[i] + 1` checks once).
    pub checked: HashMap<(Value, Vec<Value>), Value>,
    /// Inside the unchecked copy of a versioned counted loop: (list, counter) pairs whose
    /// `list[counter + c]` accesses are known in range (see `crate::ranges`).
    pub in_range: Vec<(LocalOrGlobal, LocalOrGlobal)>,
    /// Inside the unchecked copy of a versioned counted loop: the element carried in a
    /// variable across iterations, if any (see `crate::carry`).
    pub carry: Option<crate::loops::Carry>,
    /// In functions with loops: a cold block the entry can branch to (never at run time)
    /// that reaches every error block, so their immediate dominator is the entry.
    error_dispatch: Option<ir::Block>,
    /// Promoted globals (in `main` only).
    global_vars: HashMap<epyc_tir::GlobalId, Variable>,
}

/// Flags of loads from string and list headers (length, dimensions): those never change
/// after the object is created, and every str/list value points to a valid object (locals
/// start as the static empty object), so the mid-end may merge these loads and hoist them
/// out of loops.
pub fn header_flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Trap code after calls of no-return runtime functions (never reached).
pub const TRAP_AFTER_NORETURN: TrapCode = TrapCode::user(1).unwrap();
/// Trap code at the end of a value-returning function that the specialiser proved is never
/// reached by falling through.
pub const TRAP_FELL_OFF_END: TrapCode = TrapCode::user(2).unwrap();

pub fn lower_function(
    cx: &ProgramCx,
    id: FuncId,
    statics: &mut Statics,
    used: &mut UsedRuntime,
) -> Result<ir::Function> {
    let tf = cx.prog.func(id);
    let sig = function_signature(cx.prog, id, cx.target);
    let mut func = ir::Function::with_name_signature(UserFuncName::user(names::FUNC, id.0), sig);
    // Slot d names data d in every function (see `Statics::new`).
    for d in 0..statics.canonical_count() {
        func.declare_imported_user_function(names::data(d));
    }
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let ptr = cx.target.pointer_type;
    let params: Vec<Value> = b.block_params(entry).to_vec();
    let gbase = params[0];
    let vars = tf
        .locals
        .iter()
        .map(|l| value_type(&l.ty, ptr).map(|t| b.declare_var(t)))
        .collect::<Vec<_>>();
    let mut fl = FnLowerer {
        cx,
        func: tf,
        b,
        statics,
        used,
        ptr,
        gbase,
        vars,
        loops: Vec::new(),
        counts_depth: cx.recursive[id.index()] && cx.target.max_call_depth > 0,
        func_refs: HashMap::new(),
        data_refs: HashMap::new(),
        error_blocks: HashMap::new(),
        global_vars: HashMap::new(),
        checked: HashMap::new(),
        in_range: Vec::new(),
        carry: None,
        error_dispatch: None,
    };
    if has_loops(&tf.body) {
        fl.add_error_dispatch();
    }
    fl.init_locals();
    if id == cx.prog.main {
        fl.promote_globals();
    }
    fl.bind_params(&params[1..])?;
    if fl.counts_depth {
        fl.enter_depth(tf.pos);
    }
    fl.block(&tf.body)?;
    fl.fall_off_end();
    fl.emit_error_blocks();
    fl.b.seal_all_blocks();
    let config = cranelift_codegen::isa::TargetFrontendConfig {
        default_call_conv: cx.target.call_conv,
        pointer_width: target_pointer_width(ptr)
            .ok_or_else(|| anyhow!("unsupported pointer type {ptr}"))?,
        page_size_align_log2: 12,
    };
    fl.b.finalize(config);
    Ok(func)
}

/// Whether a body contains a loop statement (then error exits get the entry dispatch).
fn has_loops(body: &[epyc_tir::Stmt]) -> bool {
    body.iter().any(|s| match &s.kind {
        StmtKind::While { .. } | StmtKind::ForRange { .. } | StmtKind::ForList { .. } => true,
        StmtKind::If {
            then_body,
            else_body,
            ..
        } => has_loops(then_body) || has_loops(else_body),
        _ => false,
    })
}

fn target_pointer_width(ptr: Type) -> Option<target_lexicon::PointerWidth> {
    use target_lexicon::PointerWidth;
    match ptr {
        types::I16 => Some(PointerWidth::U16),
        types::I32 => Some(PointerWidth::U32),
        types::I64 => Some(PointerWidth::U64),
        _ => None,
    }
}

impl<'a, 'b> FnLowerer<'a, 'b> {
    /// str and list locals start as the static empty object (never null), so header loads
    /// are always safe to hoist.
    fn init_locals(&mut self) {
        for (k, l) in self.func.locals.iter().enumerate() {
            if let (Some(var), Ty::Str | Ty::List(..)) = (self.vars[k], &l.ty) {
                let empty = self.empty_object();
                self.b.def_var(var, empty);
            }
        }
    }

    /// Globals only the module code uses become variables of `main`, starting at zero as
    /// the globals block does.
    fn promote_globals(&mut self) {
        for (k, g) in self.cx.prog.globals.iter().enumerate() {
            if !self.cx.main_only.get(k).copied().unwrap_or(false) {
                continue;
            }
            let Some(t) = value_type(&g.ty, self.ptr) else {
                continue;
            };
            let var = self.b.declare_var(t);
            let zero = match &g.ty {
                Ty::Str | Ty::List(..) => self.empty_object(),
                Ty::Float => self.b.ins().f32const(0.0),
                _ => self.b.ins().iconst(t, 0),
            };
            self.b.def_var(var, zero);
            self.global_vars.insert(epyc_tir::GlobalId(k as u32), var);
        }
    }

    fn empty_object(&mut self) -> Value {
        let index = self.statics.empty_object();
        self.data_value(index)
    }

    fn bind_params(&mut self, values: &[Value]) -> Result<()> {
        let mut it = values.iter();
        for p in &self.func.params {
            if let Some(var) = self.vars[p.index()] {
                let v = *it
                    .next()
                    .ok_or_else(|| anyhow!("internal error: parameter count"))?;
                self.b.def_var(var, v);
            }
        }
        Ok(())
    }

    /// End of the body: a none function returns; otherwise the end is unreachable (every
    /// path returned), so it traps.
    fn fall_off_end(&mut self) {
        if self.func.ret == Ty::None {
            self.emit_return(None);
        } else {
            self.b.ins().trap(TRAP_FELL_OFF_END);
        }
    }

    pub fn emit_return(&mut self, value: Option<Value>) {
        if self.counts_depth {
            self.leave_depth();
        }
        match value {
            Some(v) => self.b.ins().return_(&[v]),
            None => self.b.ins().return_(&[]),
        };
    }

    fn enter_depth(&mut self, pos: Pos) {
        let off = self.cx.globals.depth_offset as i32;
        let d = self
            .b
            .ins()
            .load(types::I32, MemFlagsData::trusted(), self.gbase, off);
        let d1 = self.b.ins().iadd_imm_s(d, 1);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), d1, self.gbase, off);
        let max = self.cx.target.max_call_depth as i64;
        let ok = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedLessThanOrEqual, d1, max);
        self.check(ok, RtError::StackOverflow, pos);
    }

    fn leave_depth(&mut self) {
        let off = self.cx.globals.depth_offset as i32;
        let d = self
            .b
            .ins()
            .load(types::I32, MemFlagsData::trusted(), self.gbase, off);
        let d1 = self.b.ins().iadd_imm_s(d, -1);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), d1, self.gbase, off);
    }

    /// After a terminator: later statements of the same TIR block are dead; they go to a
    /// fresh block without predecessors, which the mid-end removes.
    /// Switches to `block`, starting a new region for the memo of checked indices (a value
    /// computed before may not dominate the new block).
    pub fn switch_to(&mut self, block: ir::Block) {
        self.checked.clear();
        self.b.switch_to_block(block);
    }

    pub fn continue_in_dead_block(&mut self) {
        let dead = self.b.create_block();
        self.switch_to(dead);
    }

    pub fn block(&mut self, body: &[epyc_tir::Stmt]) -> Result<()> {
        for s in body {
            self.stmt(s)?;
            if matches!(
                s.kind,
                StmtKind::Break
                    | StmtKind::Continue
                    | StmtKind::Return(_)
                    | StmtKind::Exit
                    | StmtKind::Raise(..)
            ) {
                self.continue_in_dead_block();
            }
        }
        Ok(())
    }

    // ---- variables ----

    pub fn var_ty(&self, v: LocalOrGlobal) -> &'a Ty {
        match v {
            LocalOrGlobal::Local(l) => &self.func.locals[l.index()].ty,
            LocalOrGlobal::Global(g) => &self.cx.prog.globals[g.index()].ty,
        }
    }

    pub fn read_var(&mut self, v: LocalOrGlobal) -> Result<Option<Value>> {
        let ty = self.var_ty(v);
        let Some(vt) = value_type(ty, self.ptr) else {
            return Ok(None);
        };
        Ok(Some(match v {
            LocalOrGlobal::Local(l) => {
                let var = self.local_var(l)?;
                self.b.use_var(var)
            }
            LocalOrGlobal::Global(g) => match self.global_vars.get(&g) {
                Some(&var) => self.b.use_var(var),
                None => {
                    let off = self.global_offset(g)?;
                    self.b
                        .ins()
                        .load(vt, MemFlagsData::trusted(), self.gbase, off)
                }
            },
        }))
    }

    /// Source location of the instructions built from here on: the encoded (file, line)
    /// of `pos` (rt/abi `pos::encode`), as the image's line table stores it.
    pub fn set_pos(&mut self, pos: Pos) {
        let p = abi_pos::encode(pos.file, pos.line) as u32;
        self.b.set_srcloc(ir::SourceLoc::new(p));
    }

    /// Whether `v` lives in an SSA variable (a local, or a module variable promoted into
    /// `main`): no call can change it.
    pub fn in_ssa(&self, v: LocalOrGlobal) -> bool {
        match v {
            LocalOrGlobal::Local(_) => true,
            LocalOrGlobal::Global(g) => self.global_vars.contains_key(&g),
        }
    }

    pub fn write_var(&mut self, v: LocalOrGlobal, value: Option<Value>) -> Result<()> {
        let Some(value) = value else { return Ok(()) };
        match v {
            LocalOrGlobal::Local(l) => {
                let var = self.local_var(l)?;
                self.b.def_var(var, value);
            }
            LocalOrGlobal::Global(g) => match self.global_vars.get(&g) {
                Some(&var) => self.b.def_var(var, value),
                None => {
                    let off = self.global_offset(g)?;
                    self.b
                        .ins()
                        .store(MemFlagsData::trusted(), value, self.gbase, off);
                }
            },
        }
        Ok(())
    }

    fn local_var(&self, l: epyc_tir::LocalId) -> Result<Variable> {
        self.vars
            .get(l.index())
            .copied()
            .flatten()
            .ok_or_else(|| anyhow!("internal error: local #{} has no value", l.0))
    }

    fn global_offset(&self, g: epyc_tir::GlobalId) -> Result<i32> {
        self.cx
            .globals
            .offsets
            .get(g.index())
            .map(|&o| o as i32)
            .ok_or_else(|| anyhow!("internal error: global #{} does not exist", g.0))
    }

    // ---- calls and data ----

    fn external_func(&mut self, what: names::ExternalRef) -> Result<FuncRef> {
        if let Some(&r) = self.func_refs.get(&what) {
            return Ok(r);
        }
        let (name, sig) = match what {
            names::ExternalRef::Func(id) => {
                if id.index() >= self.cx.prog.funcs.len() {
                    bail!("internal error: call of missing function #{}", id.0);
                }
                (
                    names::func(id),
                    function_signature(self.cx.prog, id, self.cx.target),
                )
            }
            names::ExternalRef::Runtime(f) => {
                self.used.note(f);
                (names::runtime(f), runtime::signature(f, self.cx.target))
            }
            names::ExternalRef::Data(_) => bail!("internal error: data called as a function"),
        };
        let name_ref = self.b.func.declare_imported_user_function(name);
        let signature = self.b.import_signature(sig);
        let r = self.b.import_function(ExtFuncData {
            name: ExternalName::user(name_ref),
            signature,
            colocated: false,
            patchable: false,
        });
        self.func_refs.insert(what, r);
        Ok(r)
    }

    /// Calls a runtime function; returns its result, if any.
    pub fn call_rt(&mut self, f: RtFn, args: &[Value]) -> Option<Value> {
        let r = self
            .external_func(names::ExternalRef::Runtime(f))
            .expect("runtime functions always resolve");
        let inst = self.b.ins().call(r, args);
        self.b.inst_results(inst).first().copied()
    }

    /// Calls compiled function `id` with the globals base and `args`.
    pub fn call_func(&mut self, id: FuncId, args: &[Value]) -> Result<Option<Value>> {
        let r = self.external_func(names::ExternalRef::Func(id))?;
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.gbase);
        all.extend_from_slice(args);
        let inst = self.b.ins().call(r, &all);
        Ok(self.b.inst_results(inst).first().copied())
    }

    fn data_value(&mut self, index: usize) -> Value {
        let gv = match self.data_refs.get(&index) {
            Some(&gv) => gv,
            None => {
                let name_ref = self
                    .b
                    .func
                    .declare_imported_user_function(names::data(index));
                let gv = self.b.create_global_value(GlobalValueData::Symbol {
                    name: ExternalName::user(name_ref),
                    offset: ir::immediates::Imm64::new(0),
                    colocated: false,
                    tls: false,
                });
                self.data_refs.insert(index, gv);
                gv
            }
        };
        self.b.ins().symbol_value(self.ptr, gv)
    }

    /// A pointer to the program's string constant `id`.
    pub fn string_const(&mut self, id: epyc_tir::StrId) -> Result<Value> {
        let index = self
            .statics
            .string(id)
            .ok_or_else(|| anyhow!("internal error: string #{} does not exist", id.0))?;
        Ok(self.data_value(index))
    }

    /// A pointer to a string the lowering itself needs.
    pub fn extra_string(&mut self, s: &str) -> Value {
        let index = self.statics.extra_string(s);
        self.data_value(index)
    }

    // ---- constants and errors ----

    pub fn i32_const(&mut self, v: i64) -> Value {
        self.b.ins().iconst(types::I32, v)
    }

    pub fn pos_const(&mut self, pos: Pos) -> Value {
        let p = abi_pos::encode(pos.file, pos.line);
        self.i32_const(p as i64)
    }

    /// Stops the core with `err` (the runtime function does not return).
    pub fn emit_error(&mut self, err: RtError, pos: Pos) {
        let code = self.i32_const(err as i64);
        let p = self.pos_const(pos);
        self.call_rt(RtFn::Error, &[code, p]);
        self.b.ins().trap(TRAP_AFTER_NORETURN);
    }

    /// As `emit_error`, with a detail string.
    pub fn emit_error_detail(&mut self, err: RtError, detail: Value, pos: Pos) {
        let code = self.i32_const(err as i64);
        let p = self.pos_const(pos);
        self.call_rt(RtFn::ErrorDetail, &[code, detail, p]);
        self.b.ins().trap(TRAP_AFTER_NORETURN);
    }

    /// Continues if `ok` (i8) is true, else stops the core with `err` in a cold block.
    ///
    /// One cold block per (error, position), laid out after all other code. In functions
    /// with loops they are also reached from the entry dispatch (`add_error_dispatch`), so
    /// they do not hide the loop from LICM.
    pub fn check(&mut self, ok: Value, err: RtError, pos: Pos) {
        let cont = self.b.create_block();
        let fail = *self.error_blocks.entry((err, pos)).or_insert_with(|| {
            let b = self.b.create_block();
            self.b.set_cold_block(b);
            b
        });
        // The failing edge comes first: the dominator tree orders children by reverse
        // post-order, which puts the first successor last, so the continuation is
        // elaborated before the error block (the mid-end folds the `== 0` into the
        // comparison).
        let bad = self.b.ins().icmp_imm_s(IntCC::Equal, ok, 0);
        self.b.ins().brif(bad, fail, &[], cont, &[]);
        // `cont` is dominated by everything before: the region (and its memo) goes on.
        self.b.switch_to_block(cont);
        self.b.seal_block(cont);
    }

    fn emit_error_blocks(&mut self) {
        let mut pending: Vec<_> = self.error_blocks.drain().collect();
        pending.sort_by_key(|&(_, b)| b);
        for &((err, pos), block) in &pending {
            self.switch_to(block);
            self.emit_error(err, pos);
        }
        if let Some(dispatch) = self.error_dispatch {
            self.switch_to(dispatch);
            let targets: Vec<ir::Block> = pending.iter().map(|&(_, b)| b).collect();
            match targets.split_first() {
                None => {
                    self.b.ins().trap(TRAP_AFTER_NORETURN);
                }
                Some((&first, rest)) => {
                    let index = if self.ptr == types::I32 {
                        self.gbase
                    } else {
                        self.b.ins().ireduce(types::I32, self.gbase)
                    };
                    let default = self.b.func.dfg.block_call(first, &[]);
                    let table: Vec<_> = rest
                        .iter()
                        .map(|&b| self.b.func.dfg.block_call(b, &[]))
                        .collect();
                    let jt = self
                        .b
                        .create_jump_table(ir::JumpTableData::new(default, &table));
                    self.b.ins().br_table(index, jt);
                }
            }
        }
    }

    /// The egraph pass forgets the enclosing loop once it has elaborated a dominator-tree
    /// child outside it, so an error block dominated by a block inside a loop (an index
    /// check in an `if` branch) would stop LICM for everything elaborated after it. Giving
    /// every error block a second, never-taken path from the entry makes the entry their
    /// immediate dominator. The price is one test of the globals base per call.
    fn add_error_dispatch(&mut self) {
        let dispatch = self.b.create_block();
        let body = self.b.create_block();
        self.b.set_cold_block(dispatch);
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, self.gbase, 0);
        self.b.ins().brif(null, dispatch, &[], body, &[]);
        self.switch_to(body);
        self.error_dispatch = Some(dispatch);
    }
}
