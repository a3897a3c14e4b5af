//! Native code calling byte code (issue 6, mixed programs): a dynamic specialisation that
//! native code calls is defined, in the host JIT, as a stub with the specialisation's own
//! signature that boxes its arguments as tagged values (rt/abi `layout::VALUE_*`) in a
//! buffer on its stack and calls the interpreter's entry (`INTERP_CALL_SYMBOL`), which runs
//! the byte-code twin on this core.
//!
//! Native callers only call such a stub in statements that discard the result (see
//! `exports::closure_calling`): the stub returns a zero of its declared type, never read.

use crate::boxed::tag_of;
use anyhow::{anyhow, Context as _, Result};
use cranelift_codegen::ir::{
    self, types, AbiParam, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId as ClifFuncId, Linkage, Module};
use epyc_lower::Target;
use epyc_rt_abi::{layout, INTERP_CALL_SYMBOL};
use epyc_tir::{FuncId, Program, Ty};

/// Defines `id` (declared with `sig`, the lowering's signature of specialisation `f`) as a
/// call of byte-code function `byte_code` through the interpreter.
pub(crate) fn define_stub(
    module: &mut JITModule,
    prog: &Program,
    f: FuncId,
    id: ClifFuncId,
    sig: &ir::Signature,
    byte_code: u32,
    target: &Target,
) -> Result<()> {
    let func = prog.func(f);
    let ptr = target.pointer_type;
    let size = layout::value_size(ptr.bytes());
    let payload = layout::value_payload(ptr.bytes()) as i32;
    let mut entry_sig = ir::Signature::new(target.call_conv);
    entry_sig.params.extend([
        AbiParam::new(types::I32),
        AbiParam::new(ptr),
        AbiParam::new(types::I32),
        AbiParam::new(ptr),
    ]);
    let entry = module
        .declare_function(INTERP_CALL_SYMBOL, Linkage::Import, &entry_sig)
        .context("declaring the interpreter's entry")?;
    let mut ctx = Context::new();
    ctx.func.signature = sig.clone();
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        b.seal_block(block);
        let params = b.block_params(block).to_vec();
        let argc = func.params.len() as u32;
        let slot = b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (argc + 1) * size,
            4,
        ));
        // The lowering passes the globals base first, then each parameter but none ones.
        let mut next = params.iter().skip(1);
        for (i, p) in func.params.iter().enumerate() {
            let ty = &func.locals[p.index()].ty;
            let tag = tag_of(ty).ok_or_else(|| anyhow!("{} takes a non-scalar", func.symbol))?;
            let at = i as i32 * size as i32;
            let tag_word = b.ins().iconst(ptr, tag as i64);
            b.ins()
                .stack_store(ptr, tag_word, slot, at + layout::VALUE_TAG as i32);
            let word = if *ty == Ty::None {
                b.ins().iconst(ptr, 0)
            } else {
                let v = *next
                    .next()
                    .ok_or_else(|| anyhow!("{}: fewer parameters than declared", func.symbol))?;
                let vt = b.func.dfg.value_type(v);
                let bits = if vt == types::F32 {
                    b.ins().bitcast(types::I32, MemFlagsData::new(), v)
                } else {
                    v
                };
                let bt = b.func.dfg.value_type(bits);
                if bt == ptr {
                    bits
                } else {
                    b.ins().uextend(ptr, bits)
                }
            };
            b.ins().stack_store(ptr, word, slot, at + payload);
        }
        let args = b.ins().stack_addr(ptr, slot, 0);
        let result = b.ins().stack_addr(ptr, slot, (argc * size) as i32);
        let index = b.ins().iconst(types::I32, byte_code as i64);
        let count = b.ins().iconst(types::I32, argc as i64);
        let callee = module.declare_func_in_func(entry, b.func);
        b.ins().call(callee, &[index, args, count, result]);
        // Every caller discards the result (see the module docs).
        let rets: Vec<ir::Value> = sig
            .returns
            .iter()
            .map(|r| match r.value_type {
                types::F32 => b.ins().f32const(0.0),
                t => b.ins().iconst(t, 0),
            })
            .collect();
        b.ins().return_(&rets);
        b.finalize(module.isa().frontend_config());
    }
    module
        .define_function(id, &mut ctx)
        .map_err(|e| anyhow!("compiling the byte-code stub of {}: {e:?}", func.symbol))?;
    Ok(())
}
