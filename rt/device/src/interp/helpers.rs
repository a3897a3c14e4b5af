//! Small functions the interpreter calls off its fast path: the source position of an
//! instruction (line-table walk) and the `str()` conversion by tag.

use super::gen::*;
use super::layout::*;
use crate::runtime::{epilogue, prologue};
use cranelift_codegen::ir::{condcodes::IntCC, types::*, Function, InstBuilder};
use epyc_rt_abi::Tag;

/// `__epyc_bc_pos(module, function entry, code offset) -> encoded pos`.
pub fn pos_function() -> (Function, Vec<&'static str>) {
    build_function(POS_SYMBOL, 3, true, |g, p| {
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
        g.b.ins()
            .brif(after, out, &[best.into()], head, &[next.into(), pos.into()]);
        g.b.switch_to_block(out);
        let r = g.b.block_params(out)[0];
        g.b.ins().return_(&[r]);
    })
}

/// `__epyc_bc_to_str(tag word, payload, module) -> str`: ePython's formats, as `"" + v`.
pub fn to_str_function() -> (Function, Vec<&'static str>) {
    build_function(TO_STR_SYMBOL, 3, true, |g, p| {
        let (t, v, m) = (p[0], p[1], p[2]);
        let bt = g.b.ins().band_imm_s(t, 0xff);
        let kinds = [
            Tag::None,
            Tag::Bool,
            Tag::Int,
            Tag::Float,
            Tag::Str,
            Tag::List,
        ];
        let blocks: Vec<_> = kinds.iter().map(|_| g.b.create_block()).collect();
        let other = g.b.create_block();
        table(g, bt, &blocks, other);
        for (k, b) in kinds.iter().zip(&blocks) {
            g.b.switch_to_block(*b);
            let s = match k {
                Tag::Bool => g.call("epyc_str_from_bool", &[v], Some(I32)).expect("str"),
                Tag::Int => g.call("epyc_str_from_int", &[v], Some(I32)).expect("str"),
                Tag::Float => {
                    let f =
                        g.b.ins()
                            .bitcast(F32, cranelift_codegen::ir::MemFlagsData::new(), v);
                    g.call("epyc_str_from_float", &[f], Some(I32)).expect("str")
                }
                Tag::Str => v,
                Tag::List => {
                    let path = g.b.ins().ushr_imm_s(t, 8);
                    let et = g.b.ins().band_imm_s(path, 15);
                    let is_dyn = g.b.ins().icmp_imm_s(IntCC::Equal, et, DYN as i64);
                    let dyn_b = g.b.create_block();
                    let typed = g.b.create_block();
                    g.b.ins().brif(is_dyn, dyn_b, &[], typed, &[]);
                    g.b.switch_to_block(dyn_b);
                    let s = g.call(LIST_STR_SYMBOL, &[v, m], Some(I32)).expect("str");
                    g.b.ins().return_(&[s]);
                    g.b.switch_to_block(typed);
                    g.call("epyc_str_from_list", &[v, path], Some(I32))
                        .expect("str")
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
    })
}

/// `__epyc_bc_list_str(list, module) -> str`: a list of value cells as printed,
/// `[1, 2.500000, 'x']` (each cell by `__epyc_bc_to_str`, strs quoted).
pub fn list_str_function() -> (Function, Vec<&'static str>) {
    build_function(LIST_STR_SYMBOL, 2, true, |g, p| {
        let (l, m) = (p[0], p[1]);
        let text = |g: &mut Gen, at: i32| {
            let o = g.ld(m, at);
            g.b.ins().iadd(m, o)
        };
        let open = text(g, H_OPEN);
        let len = g.ld(l, epyc_rt_abi::layout::LIST_LEN as i32);
        let data =
            g.b.ins()
                .iadd_imm_s(l, epyc_rt_abi::layout::list_data(1, 8) as i64);
        let head = g.b.create_block();
        g.b.append_block_param(head, I32); // index
        g.b.append_block_param(head, I32); // text so far
        let body = g.b.create_block();
        let done = g.b.create_block();
        let zero = g.k(0);
        g.b.ins().jump(head, &[zero.into(), open.into()]);
        g.b.switch_to_block(head);
        let (i, acc) = (g.b.block_params(head)[0], g.b.block_params(head)[1]);
        let more = g.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        g.b.ins().brif(more, body, &[], done, &[]);
        g.b.switch_to_block(body);
        let first = g.b.ins().icmp_imm_s(IntCC::Equal, i, 0);
        let with_sep = g.b.create_block();
        let cell_b = g.b.create_block();
        g.b.append_block_param(cell_b, I32);
        g.b.ins().brif(first, cell_b, &[acc.into()], with_sep, &[]);
        g.b.switch_to_block(with_sep);
        let sep = text(g, H_SEP);
        let acc2 = g
            .call("epyc_str_concat", &[acc, sep], Some(I32))
            .expect("str");
        g.b.ins().jump(cell_b, &[acc2.into()]);
        g.b.switch_to_block(cell_b);
        let acc = g.b.block_params(cell_b)[0];
        let o = g.b.ins().ishl_imm_s(i, 3);
        let cell = g.b.ins().iadd(data, o);
        let t = g.ld(cell, 0);
        let v = g.ld(cell, 4);
        let s = g.call(TO_STR_SYMBOL, &[t, v, m], Some(I32)).expect("str");
        let bt = g.b.ins().band_imm_s(t, 0xff);
        let is_str = g.b.ins().icmp_imm_s(IntCC::Equal, bt, Tag::Str as i64);
        let quoted = g.b.create_block();
        let plain = g.b.create_block();
        let next = g.b.create_block();
        g.b.append_block_param(next, I32);
        g.b.ins().brif(is_str, quoted, &[], plain, &[]);
        g.b.switch_to_block(quoted);
        let q = text(g, H_QUOTE);
        let a = g
            .call("epyc_str_concat", &[acc, q], Some(I32))
            .expect("str");
        let a = g.call("epyc_str_concat", &[a, s], Some(I32)).expect("str");
        let a = g.call("epyc_str_concat", &[a, q], Some(I32)).expect("str");
        g.b.ins().jump(next, &[a.into()]);
        g.b.switch_to_block(plain);
        let a = g
            .call("epyc_str_concat", &[acc, s], Some(I32))
            .expect("str");
        g.b.ins().jump(next, &[a.into()]);
        g.b.switch_to_block(next);
        let a = g.b.block_params(next)[0];
        let i1 = g.b.ins().iadd_imm_s(i, 1);
        g.b.ins().jump(head, &[i1.into(), a.into()]);
        g.b.switch_to_block(done);
        let close = text(g, H_CLOSE);
        let so_far = g.b.block_params(head)[1];
        let r = g
            .call("epyc_str_concat", &[so_far, close], Some(I32))
            .expect("str");
        g.b.ins().return_(&[r]);
    })
}

/// `__epyc_bc_repeat(list of values, n, pos) -> list`: `list * n` (n < 0 gives an empty
/// list). Assembly (142 bytes; 168 as a generated function): the cells are copied a
/// value at a time, the source wrapping at its end.
fn repeat_text() -> String {
    let regs = ["r4", "r5", "r6", "r7"];
    format!(
        r#"
.global ___epyc_bc_repeat
___epyc_bc_repeat:
{pro}
 mov r4,r0
 add r1,r1,#0
 bgte _repeat_count
 mov r1,#0
_repeat_count:
 ldr r5,[r0]
{mul} mov r6,r0
 mov r1,#8
 bl _epyc_list_new
 ; dst r1 .. r6, src r2 from r4 to r5 (values start 8 bytes in)
 add r1,r0,#8
 lsl r6,r6,#3
 add r6,r1,r6
 add r4,r4,#8
 lsl r5,r5,#3
 add r5,r4,r5
 mov r2,r4
_repeat_copy:
 sub r3,r1,r6
 beq _repeat_done
 ldrd r16,[r2]
 strd r16,[r1]
 add r1,r1,#8
 add r2,r2,#8
 sub r3,r2,r5
 bne _repeat_copy
 mov r2,r4
 b _repeat_copy
_repeat_done:
{epi}"#,
        pro = prologue(&regs),
        epi = epilogue(&regs),
        mul = super::arrays::in_config_mode(1 << 19, "fmul r0,r5,r1"),
    )
}

/// The repeat routine's section.
pub fn repeat_section() -> anyhow::Result<crate::object::Section> {
    crate::asm::assemble(".text.bc_repeat", &repeat_text())
}
