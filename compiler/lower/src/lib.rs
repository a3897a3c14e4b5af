//! TIR -> Cranelift IR for one target, then Cranelift's mid-end (egraph) optimisation.
//! The pointer type is the only target parameter: i64 on the host, i32 on the Epiphany.
//!
//! The lowering produces generic CLIF that refers to other functions, runtime functions and
//! static data through *user external names* (see [`names`]); a backend maps them to its own
//! symbols (cranelift-module ids for the JIT, ELF symbols for the Epiphany).
//!
//! Value representation inside compiled code: int = i32, float = f32, bool = i8 (0/1),
//! str/list = pointer, function value = i32 index, none = no value. At runtime-call boundaries
//! and in list cells a bool is an i32 0/1 (rt/abi). Every compiled function takes the core's
//! globals base pointer first.
//!
//! Use: [`lower_program`] (one CLIF function per TIR function, verifiable with
//! [`LoweredProgram::verify`]), optionally [`LoweredProgram::inline_small_functions`], then
//! [`LoweredProgram::optimize`] (or let a backend's `Context::compile` run the same mid-end
//! with `opt_level = speed`). [`LoweredProgram::clif_text`] dumps the CLIF.
//!
//! Shapes chosen for the mid-end: loops are rotated (guard, preheader, body, latch) so LICM
//! hoists invariants; runtime-error exits are cold blocks laid out last and reached by the
//! first edge of their branch (see `FnLowerer::check`); list and string header loads are
//! `readonly + can_move`, so lengths are loaded once per loop; module variables only the
//! module code uses are SSA variables of `main`.

mod arith;
mod calls;
mod carry;
mod convert;
mod exprs;
mod function;
mod globals;
mod inline;
mod intrinsics;
mod lists;
mod loops;
pub mod names;
mod optimize;
mod promote;
mod ranges;
mod recursion;
mod run_constants;
mod runtime;
mod statics;
mod stmts;
mod types;

use anyhow::{Context as _, Result};
use cranelift_codegen::ir;
use cranelift_codegen::isa::CallConv;
use epyc_rt_abi::RtFn;
use epyc_tir::Program;

pub use globals::GlobalsLayout;
pub use inline::INLINE_MAX_INSTS;
pub use optimize::{optimize, optimizer_flags, verify};
pub use statics::StaticData;

/// What lowering needs to know about the target.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// i64 on 64-bit hosts, i32 on the Epiphany (and in 32-bit tests).
    pub pointer_type: ir::Type,
    /// Calling convention of every compiled function (the target's C convention, so the
    /// runtime can call the entry directly).
    pub call_conv: CallConv,
    /// Deepest nesting of calls of recursive functions before the core stops with
    /// `RtError::StackOverflow` (D35). The runtime must give each core a stack that holds
    /// this many frames. 0: no depth counter, the target checks its stack pointer itself
    /// (Epiphany images: `epyc_epiphany::Flags::stack_check`).
    pub max_call_depth: u32,
}

impl Target {
    /// A target with the given pointer type and calling convention, and the default
    /// recursion limit for that pointer width.
    pub fn new(pointer_type: ir::Type, call_conv: CallConv) -> Target {
        let max_call_depth = if pointer_type.bits() >= 64 {
            HOST_MAX_CALL_DEPTH
        } else {
            DEVICE_MAX_CALL_DEPTH
        };
        Target {
            pointer_type,
            call_conv,
            max_call_depth,
        }
    }
}

/// Recursion limit on host cores. The host runtime gives each core at least 16 MiB of
/// stack (`epyc_rt_host::core_stack_size`), which leaves over 300 bytes per frame at this
/// depth; frames of compiled recursive functions are typically under 100 bytes.
pub const HOST_MAX_CALL_DEPTH: u32 = 50_000;
/// Recursion limit on a device core (the Epiphany backend may lower it further).
pub const DEVICE_MAX_CALL_DEPTH: u32 = 1_000;

/// One lowered function.
pub struct LoweredFunction {
    /// The TIR symbol of the specialisation (unique in the program).
    pub symbol: String,
    pub func: ir::Function,
}

/// A whole program in CLIF for one target.
pub struct LoweredProgram {
    /// One per TIR function, indexed like `Program::funcs` (by `FuncId`).
    pub funcs: Vec<LoweredFunction>,
    /// The TIR entry (module code): called with the globals base, returns nothing.
    pub main: epyc_tir::FuncId,
    /// Runtime functions the code calls, each once, in `RtFn::ALL` order.
    pub imports: Vec<RtFn>,
    /// Read-only data (string constants), referred to by [`names::DATA`] index.
    pub data: Vec<StaticData>,
    /// The per-core globals block.
    pub globals: GlobalsLayout,
    /// Per function: whether it can call itself (those count call depth, are never inlined).
    pub recursive: Vec<bool>,
    /// Data `0..canonical_data` is named by external-name slot `d` in every function.
    pub canonical_data: usize,
}

/// Lowers every function of `prog` to CLIF for `target`.
pub fn lower_program(prog: &Program, target: &Target) -> Result<LoweredProgram> {
    prog.validate()
        .map_err(|e| anyhow::anyhow!("internal error: invalid TIR: {e}"))?;
    if prog.funcs.get(prog.main.index()).is_none() {
        anyhow::bail!(
            "internal error: main function #{} does not exist",
            prog.main.0
        );
    }
    let globals = GlobalsLayout::new(prog, target.pointer_type);
    let recursive = recursion::recursive_functions(prog);
    let main_only = promote::main_only_globals(prog, &recursive);
    let mut statics = statics::Statics::new(prog);
    let canonical_data = statics.canonical_count();
    let mut used = runtime::UsedRuntime::default();
    let mut funcs = Vec::with_capacity(prog.funcs.len());
    for (i, f) in prog.funcs.iter().enumerate() {
        let id = epyc_tir::FuncId(i as u32);
        let cx = function::ProgramCx {
            prog,
            target,
            globals: &globals,
            recursive: &recursive,
            main_only: &main_only,
        };
        let func = function::lower_function(&cx, id, &mut statics, &mut used)
            .with_context(|| format!("lowering {} ({})", f.symbol, f.name))?;
        funcs.push(LoweredFunction {
            symbol: f.symbol.clone(),
            func,
        });
    }
    Ok(LoweredProgram {
        funcs,
        main: prog.main,
        imports: used.into_list(),
        data: statics.into_data(),
        globals,
        recursive,
        canonical_data,
    })
}

impl LoweredProgram {
    /// The CLIF of every function, for `epyc --dump-clif` style debugging.
    pub fn clif_text(&self) -> String {
        let mut out = String::new();
        for f in &self.funcs {
            out.push_str(&format!("; {}\n{}\n", f.symbol, f.func.display()));
        }
        out
    }

    /// Verifies every function with the CLIF verifier; the error names the function.
    pub fn verify(&self, flags: &cranelift_codegen::settings::Flags) -> Result<()> {
        for f in &self.funcs {
            verify(&f.func, flags).with_context(|| format!("verifying {}", f.symbol))?;
        }
        Ok(())
    }

    /// Inlines small non-recursive functions into their callers (before `optimize`);
    /// returns how many functions changed.
    /// Then hoists the run-constant runtime queries (`coreid()`, `numcores()`, ...) that
    /// inlining brought in: one call per function, at the top of its entry block.
    pub fn inline_small_functions(&mut self) -> Result<usize> {
        let changed = inline::inline_small_functions(self)?;
        for f in &mut self.funcs {
            run_constants::hoist_run_constants(&mut f.func);
        }
        Ok(changed)
    }

    /// Which functions the entry can reach through calls (after inlining, many small
    /// functions are no longer called and need no code).
    pub fn reachable_from_main(&self) -> Vec<bool> {
        self.reachable_from(&[self.main.index()])
    }

    /// Per function: whether one of `roots` (function indices) calls it, directly or not,
    /// after inlining (the roots included).
    pub fn reachable_from(&self, roots: &[usize]) -> Vec<bool> {
        let mut seen = vec![false; self.funcs.len()];
        let mut stack = roots.to_vec();
        while let Some(f) = stack.pop() {
            if f >= seen.len() || std::mem::replace(&mut seen[f], true) {
                continue;
            }
            let func = &self.funcs[f].func;
            for block in func.layout.blocks() {
                for inst in func.layout.block_insts(block) {
                    let ir::InstructionData::Call {
                        func_ref: callee, ..
                    } = func.dfg.insts[inst]
                    else {
                        continue;
                    };
                    let ir::ExternalName::User(r) = func.dfg.ext_funcs[callee].name else {
                        continue;
                    };
                    if let Some(names::ExternalRef::Func(id)) =
                        names::resolve(&func.params.user_named_funcs()[r])
                    {
                        stack.push(id.index());
                    }
                }
            }
        }
        seen
    }

    /// Runs the mid-end on every function.
    pub fn optimize(&mut self, flags: &cranelift_codegen::settings::Flags) -> Result<()> {
        for f in &mut self.funcs {
            optimize(&mut f.func, flags).with_context(|| format!("optimising {}", f.symbol))?;
        }
        Ok(())
    }
}

/// The signature of compiled function `f` for `target`: globals base, then the parameters
/// that have a value, returning the value if any.
pub fn function_signature(prog: &Program, f: epyc_tir::FuncId, target: &Target) -> ir::Signature {
    types::function_signature(prog, f, target)
}

/// The signature of runtime function `f` for `target` (rt/abi kinds; pointers at the
/// target's width).
pub fn runtime_signature(f: RtFn, target: &Target) -> ir::Signature {
    runtime::signature(f, target)
}
