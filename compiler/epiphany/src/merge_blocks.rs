//! Merges each block that ends in an unconditional jump with its target when it is the
//! target's only predecessor (block parameters become the jump's arguments).
//!
//! The lowering's rotated loops end in a latch block holding only the compare and branch back;
//! the scheduler orders instructions within a block and the compare is part of the branch,
//! so, left apart, the increment, compare and branch of a loop can never be interleaved with
//! the body's work. Cranelift's own backends do the equivalent when they lay out blocks.

use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{BlockArg, Function, InstructionData, Opcode};

/// Merges straight-line block pairs in `func`; returns how many blocks were merged away.
pub fn merge_straight_line_blocks(func: &mut Function) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let mut cfg = ControlFlowGraph::with_function(func);
    let mut merged = 0;
    let mut blocks: Vec<_> = func.layout.blocks().collect();
    while let Some(b) = blocks.pop() {
        if !func.layout.is_block_inserted(b) {
            continue;
        }
        let Some(term) = func.layout.last_inst(b) else {
            continue;
        };
        let InstructionData::Jump {
            opcode: Opcode::Jump,
            destination,
        } = func.dfg.insts[term]
        else {
            continue;
        };
        let dest = destination.block(&func.dfg.value_lists);
        if dest == b
            || dest == entry
            || cfg.pred_iter(dest).count() != 1
            || func.layout.is_cold(dest) != func.layout.is_cold(b)
        {
            continue;
        }
        let mut args = Vec::new();
        for a in destination.args(&func.dfg.value_lists) {
            match a {
                BlockArg::Value(v) => args.push(v),
                _ => break,
            }
        }
        let params = func.dfg.block_params(dest).to_vec();
        if args.len() != params.len() {
            continue;
        }
        func.layout.remove_inst(term);
        func.dfg.detach_block_params(dest);
        for (p, a) in params.into_iter().zip(args) {
            func.dfg.change_to_alias(p, a);
        }
        while let Some(i) = func.layout.first_inst(dest) {
            func.layout.remove_inst(i);
            func.layout.append_inst(i, b);
        }
        func.layout.remove_block(dest);
        merged += 1;
        cfg.compute(func);
        // b now ends in dest's terminator: it may merge again.
        blocks.push(b);
    }
    if merged > 0 {
        func.dfg.resolve_all_aliases();
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, UserFuncName};
    use cranelift_codegen::isa::CallConv;
    use cranelift_codegen::settings;
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    /// fn(n): i = 0; loop { body: i' = i + 1; jump latch(i') ; latch(j): brif j < n, body(j), exit }
    /// exit: jump tail(j); tail(k): return k
    fn loop_with_latch() -> Function {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(types::I32));
        sig.returns.push(AbiParam::new(types::I32));
        let mut func = Function::with_name_signature(UserFuncName::default(), sig);
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let entry = b.create_block();
        let body = b.create_block();
        let latch = b.create_block();
        let exit = b.create_block();
        let tail = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.append_block_param(body, types::I32);
        b.append_block_param(latch, types::I32);
        b.append_block_param(tail, types::I32);
        b.switch_to_block(entry);
        let n = b.block_params(entry)[0];
        let zero = b.ins().iconst(types::I32, 0);
        b.ins().jump(body, &[zero.into()]);
        b.switch_to_block(body);
        let i = b.block_params(body)[0];
        let next = b.ins().iadd_imm_s(i, 1);
        b.ins().jump(latch, &[next.into()]);
        b.switch_to_block(latch);
        let j = b.block_params(latch)[0];
        let more = b.ins().icmp(
            cranelift_codegen::ir::condcodes::IntCC::SignedLessThan,
            j,
            n,
        );
        b.ins().brif(more, body, &[j.into()], exit, &[]);
        b.switch_to_block(exit);
        b.ins().jump(tail, &[j.into()]);
        b.switch_to_block(tail);
        let k = b.block_params(tail)[0];
        b.ins().return_(&[k]);
        b.seal_all_blocks();
        b.finalize(cranelift_codegen::isa::TargetFrontendConfig {
            default_call_conv: CallConv::SystemV,
            pointer_width: target_lexicon::PointerWidth::U32,
            page_size_align_log2: 12,
        });
        func
    }

    #[test]
    fn a_latch_joins_the_loop_body_and_a_tail_its_only_predecessor() {
        let mut f = loop_with_latch();
        assert_eq!(merge_straight_line_blocks(&mut f), 2, "{}", f.display());
        assert_eq!(f.layout.blocks().count(), 3, "{}", f.display());
        cranelift_codegen::verify_function(&f, &settings::Flags::new(settings::builder()))
            .unwrap_or_else(|e| panic!("{e}\n{}", f.display()));
    }
}
