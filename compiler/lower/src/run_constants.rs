//! Runtime queries whose answer is fixed for the whole run of a core (`coreid()`,
//! `numcores()`, `ishost()`, `isdevice()`): every call of one of them in a function is
//! replaced by a single call at the top of the entry block.
//!
//! Cranelift's mid-end never merges or hoists calls (it cannot know a callee is pure), so
//! without this a loop that tests `coreid() > 0` and sends to `coreid()-1` calls the runtime
//! three times per iteration. The runtime contract (rt/abi) makes these answers per core and
//! constant: on the Epiphany they are loads from the core's state block, on the host per
//! virtual-core thread. Run after inlining, so the calls that small library wrappers
//! (`parallel.coreid`) brought into a loop are hoisted too.

use crate::names::{self, ExternalRef};
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{self, ExternalName, InstBuilder, InstructionData, Opcode, Value};
use epyc_rt_abi::RtFn;
use std::collections::HashMap;

/// Whether runtime function `f` takes nothing and answers the same for the whole run of a
/// core.
pub fn is_run_constant(f: RtFn) -> bool {
    matches!(
        f,
        RtFn::CoreId | RtFn::NumCores | RtFn::IsHost | RtFn::IsDevice
    )
}

/// The run-constant runtime function `inst` calls (and its reference), if it is such a call.
fn run_constant_call(func: &ir::Function, inst: ir::Inst) -> Option<(RtFn, ir::FuncRef)> {
    let InstructionData::Call {
        opcode: Opcode::Call,
        func_ref,
        ..
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    let ExternalName::User(r) = func.dfg.ext_funcs[func_ref].name else {
        return None;
    };
    match names::resolve(&func.params.user_named_funcs()[r]) {
        Some(ExternalRef::Runtime(f)) if is_run_constant(f) => Some((f, func_ref)),
        _ => None,
    }
}

/// Replaces every call of a run-constant runtime function by one call per function at the
/// top of the entry block; returns how many calls were removed.
pub fn hoist_run_constants(func: &mut ir::Function) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let mut calls = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let Some((f, func_ref)) = run_constant_call(func, inst) {
                calls.push((inst, f, func_ref));
            }
        }
    }
    let mut hoisted: HashMap<RtFn, Value> = HashMap::new();
    let mut removed = 0;
    for (inst, f, func_ref) in calls {
        let value = *hoisted.entry(f).or_insert_with(|| {
            let mut cur = FuncCursor::new(func).at_first_insertion_point(entry);
            let call = cur.ins().call(func_ref, &[]);
            cur.func.dfg.first_result(call)
        });
        let old = func.dfg.first_result(inst);
        func.layout.remove_inst(inst);
        func.dfg.detach_inst_results(inst);
        func.dfg.change_to_alias(old, value);
        removed += 1;
    }
    removed
}
