//! Inlining of small non-recursive functions (ePython programs call many tiny library
//! wrappers: `coreid()`, `pow(x, 2)`, `sqrt(x)`), with Cranelift's inliner.

use crate::names::{self, ExternalRef};
use crate::LoweredProgram;
use anyhow::{anyhow, Result};
use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, ExternalName, Opcode};
use cranelift_codegen::Context;
use std::borrow::Cow;

/// Callees with at most this many CLIF instructions (before optimisation) are inlined.
pub const INLINE_MAX_INSTS: usize = 60;

struct SmallCallees<'a> {
    bodies: &'a [ir::Function],
    inlinable: &'a [bool],
}

impl Inline for SmallCallees<'_> {
    fn inline(
        &mut self,
        caller: &ir::Function,
        _inst: ir::Inst,
        opcode: Opcode,
        callee: ir::FuncRef,
        _args: &[ir::Value],
    ) -> InlineCommand<'_> {
        if opcode != Opcode::Call {
            return InlineCommand::KeepCall;
        }
        let ExternalName::User(r) = caller.dfg.ext_funcs[callee].name else {
            return InlineCommand::KeepCall;
        };
        match names::resolve(&caller.params.user_named_funcs()[r]) {
            Some(ExternalRef::Func(id)) if self.inlinable.get(id.index()) == Some(&true) => {
                InlineCommand::Inline {
                    callee: Cow::Borrowed(&self.bodies[id.index()]),
                    visit_callee: true,
                }
            }
            _ => InlineCommand::KeepCall,
        }
    }
}

/// Cranelift's inliner copies the callee's symbol global values without translating their
/// external names into the caller's name table, so only callees whose data names use the
/// canonical slots (the same in every function) can be inlined.
fn data_names_are_canonical(f: &ir::Function, canonical: usize) -> bool {
    f.global_values.values().all(|gv| match gv {
        ir::GlobalValueData::Symbol {
            name: ExternalName::User(r),
            ..
        } => {
            r.as_u32() < canonical as u32
                && names::resolve(&f.params.user_named_funcs()[*r])
                    == Some(ExternalRef::Data(r.as_u32() as usize))
        }
        ir::GlobalValueData::Symbol { .. } => false,
        _ => true,
    })
}

fn inst_count(f: &ir::Function) -> usize {
    f.layout
        .blocks()
        .map(|b| f.layout.block_insts(b).count())
        .sum()
}

/// Inlines calls of small functions that are not recursive into every function; returns
/// how many functions changed. Callees are inlined as lowered (their own small calls are
/// inlined in turn, which terminates because none of them is recursive).
pub fn inline_small_functions(lowered: &mut LoweredProgram) -> Result<usize> {
    let bodies: Vec<ir::Function> = lowered.funcs.iter().map(|f| f.func.clone()).collect();
    let inlinable: Vec<bool> = bodies
        .iter()
        .enumerate()
        .map(|(i, f)| {
            !lowered.recursive[i]
                && i != lowered.main.index()
                && inst_count(f) <= INLINE_MAX_INSTS
                && data_names_are_canonical(f, lowered.canonical_data)
        })
        .collect();
    let mut changed = 0;
    for f in &mut lowered.funcs {
        let mut ctx = Context::for_function(std::mem::replace(&mut f.func, ir::Function::new()));
        let res = ctx.inline(SmallCallees {
            bodies: &bodies,
            inlinable: &inlinable,
        });
        f.func = ctx.func;
        if res.map_err(|e| anyhow!("inlining into {}: {e:?}", f.symbol))? {
            changed += 1;
        }
    }
    Ok(changed)
}
