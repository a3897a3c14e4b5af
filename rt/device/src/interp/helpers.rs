//! Small functions the interpreter calls off its fast path: the source position of an
//! instruction (line-table walk) and the `str()` conversion by tag.

use super::gen::*;
use super::layout::*;
use cranelift_codegen::ir::{condcodes::IntCC, types::*, Function, InstBuilder, UserFuncName};
use cranelift_frontend::FunctionBuilderContext;
use epyc_rt_abi::Tag;

/// `__epyc_bc_pos(module, function entry, code offset) -> encoded pos`.
pub fn pos_function() -> (Function, Vec<&'static str>) {
    let mut func = Function::with_name_signature(UserFuncName::testcase(POS_SYMBOL), signature_of(3, true));
    let mut ctx = FunctionBuilderContext::new();
    let mut g = Gen::new(&mut func, &mut ctx);
    let entry = g.b.create_block();
    g.b.append_block_params_for_function_params(entry);
    g.b.switch_to_block(entry);
    let p = g.b.block_params(entry).to_vec();
    let (m, fent, rel) = (p[0], p[1], p[2]);
    let lines = g.ld(fent, F_LINES);
    let lines = g.b.ins().iadd(m, lines);
    let n = g.ld(fent, F_NLINES);
    let end = g.b.ins().ishl_imm_s(n, 3);
    let end = g.b.ins().iadd(lines, end);
    let head = g.b.create_block();
    g.b.append_block_param(head, I32);
    g.b.append_block_param(head, I32);
    let body = g.b.create_block();
    let out = g.b.create_block();
    g.b.append_block_param(out, I32);
    let zero = g.k(0);
    g.b.ins().jump(head, &[lines.into(), zero.into()]);
    g.b.switch_to_block(head);
    let (at, best) = (g.b.block_params(head)[0], g.b.block_params(head)[1]);
    let more = g.b.ins().icmp(IntCC::UnsignedLessThan, at, end);
    g.b.ins().brif(more, body, &[], out, &[best.into()]);
    g.b.switch_to_block(body);
    let off = g.ld(at, 0);
    let pos = g.ld(at, 4);
    let after = g.b.ins().icmp(IntCC::UnsignedGreaterThan, off, rel);
    let next = g.b.ins().iadd_imm_s(at, 8);
    g.b.ins().brif(after, out, &[best.into()], head, &[next.into(), pos.into()]);
    g.b.switch_to_block(out);
    let r = g.b.block_params(out)[0];
    g.b.ins().return_(&[r]);
    g.b.seal_all_blocks();
    let syms = g.symbols.clone();
    g.b.finalize(config());
    (func, syms)
}

/// `__epyc_bc_to_str(tag word, payload, module) -> str`: ePython's formats, as `"" + v`.
pub fn to_str_function() -> (Function, Vec<&'static str>) {
    let mut func = Function::with_name_signature(UserFuncName::testcase(TO_STR_SYMBOL), signature_of(3, true));
    let mut ctx = FunctionBuilderContext::new();
    let mut g = Gen::new(&mut func, &mut ctx);
    let entry = g.b.create_block();
    g.b.append_block_params_for_function_params(entry);
    g.b.switch_to_block(entry);
    let p = g.b.block_params(entry).to_vec();
    let (t, v, m) = (p[0], p[1], p[2]);
    let bt = g.b.ins().band_imm_s(t, 0xff);
    let kinds = [Tag::None, Tag::Bool, Tag::Int, Tag::Float, Tag::Str, Tag::List];
    let blocks: Vec<_> = kinds.iter().map(|_| g.b.create_block()).collect();
    let other = g.b.create_block();
    table(&mut g, bt, &blocks, other);
    for (k, b) in kinds.iter().zip(&blocks) {
        g.b.switch_to_block(*b);
        let s = match k {
            Tag::Bool => g.call("epyc_str_from_bool", &[v], Some(I32)).expect("str"),
            Tag::Int => g.call("epyc_str_from_int", &[v], Some(I32)).expect("str"),
            Tag::Float => {
                let f = g.b.ins().bitcast(F32, cranelift_codegen::ir::MemFlagsData::new(), v);
                g.call("epyc_str_from_float", &[f], Some(I32)).expect("str")
            }
            Tag::Str => v,
            Tag::List => {
                let path = g.b.ins().ushr_imm_s(t, 8);
                g.call("epyc_str_from_list", &[v, path], Some(I32)).expect("str")
            }
            _ => {
                let off = g.ld(m, H_NONE_TEXT);
                g.b.ins().iadd(m, off)
            }
        };
        g.b.ins().return_(&[s]);
    }
    g.b.switch_to_block(other);
    let f = g.call("epyc_str_from_int", &[v], Some(I32)).expect("str");
    g.b.ins().return_(&[f]);
    g.b.seal_all_blocks();
    let syms = g.symbols.clone();
    g.b.finalize(config());
    (func, syms)
}
