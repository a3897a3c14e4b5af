//! List instructions: `List n` builds a list of value cells (`DYN`), `Index 1` / `StoreIndex 1`
//! read and write a cell of a byte-code list or, in place through the tag path, of a typed
//! list made by native code (4-byte cells), so both sides share one list.

use super::gen::*;
use cranelift_codegen::ir::{condcodes::IntCC, types::*, InstBuilder, Value};
use epyc_rt_abi::{layout, RtError, Tag};

/// `List n` [n values → list].
pub fn build(g: &mut Gen, r: &View) {
    let n = r.u8(g);
    let pos = r.pos(g);
    let eight = g.k(8);
    let list = g
        .call("epyc_list_new", &[n, eight, pos], Some(I32))
        .expect("list");
    let sp = r.sp(g);
    let bytes = g.b.ins().ishl_imm_s(n, 3);
    let from = g.b.ins().isub(sp, bytes);
    r.set_sp(g, from);
    // Copy the values word by word into the cells.
    let data = g.b.ins().iadd_imm_s(list, layout::list_data(1, 8) as i64);
    let head = g.b.create_block();
    g.b.append_block_param(head, I32);
    let body = g.b.create_block();
    let done = g.b.create_block();
    let zero = g.k(0);
    g.b.ins().jump(head, &[zero.into()]);
    g.b.switch_to_block(head);
    let i = g.b.block_params(head)[0];
    let more = g.b.ins().icmp(IntCC::UnsignedLessThan, i, bytes);
    g.b.ins().brif(more, body, &[], done, &[]);
    g.b.switch_to_block(body);
    let src = g.b.ins().iadd(from, i);
    let w = g.ld(src, 0);
    let dst = g.b.ins().iadd(data, i);
    g.st(w, dst, 0);
    let i4 = g.b.ins().iadd_imm_s(i, 4);
    g.b.ins().jump(head, &[i4.into()]);
    g.b.switch_to_block(done);
    let tag = g.k((Tag::List as u32 | DYN << 8) as i64);
    r.push(g, tag, list);
}

/// Checks a list and an index; returns (cell address, element tag word, DYN flag).
fn cell(g: &mut Gen, r: &View, tl: Value, l: Value, ti: Value, i: Value) -> (Value, Value, Value) {
    let bt = tag_of(g, tl);
    let not_list = g.b.ins().icmp_imm_s(IntCC::NotEqual, bt, Tag::List as i64);
    r.type_error_if(g, not_list);
    let ti = tag_of(g, ti);
    let il = intlike(g, ti);
    let not_int = g.b.ins().bxor_imm_s(il, 1);
    r.type_error_if(g, not_int);
    let len = g.ld(l, layout::LIST_LEN as i32);
    let neg = g.b.ins().icmp_imm_s(IntCC::SignedLessThan, i, 0);
    let wrapped = g.b.ins().iadd(i, len);
    let i = g.b.ins().select(neg, wrapped, i);
    let out = g.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
    r.fail_if(g, out, RtError::IndexOutOfRange);
    let path = g.b.ins().ushr_imm_s(tl, 8);
    let et = g.b.ins().band_imm_s(path, 15);
    let is_dyn = g.b.ins().icmp_imm_s(IntCC::Equal, et, DYN as i64);
    // Header: len, ndim, then the dimensions when ndim > 1; cells aligned to their size.
    let ndim = g.ld(l, layout::LIST_NDIM as i32);
    let multi = g.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, ndim, 1);
    let dims = g.b.ins().ishl_imm_s(ndim, 2);
    let dims = g.b.ins().iadd_imm_s(dims, layout::LIST_DIMS as i64);
    let base = g.k(layout::LIST_DIMS as i64);
    let hdr = g.b.ins().select(multi, dims, base);
    let up = g.b.ins().iadd_imm_s(hdr, 7);
    let up = g.b.ins().band_imm_s(up, -8);
    let hdr = g.b.ins().select(is_dyn, up, hdr);
    let i8x = g.b.ins().ishl_imm_s(i, 3);
    let i4x = g.b.ins().ishl_imm_s(i, 2);
    let off = g.b.ins().select(is_dyn, i8x, i4x);
    let off = g.b.ins().iadd(off, hdr);
    let addr = g.b.ins().iadd(l, off);
    // A typed cell's value has the element tag, and the inner path for a list element.
    let inner = g.b.ins().ushr_imm_s(path, 4);
    let inner = g.b.ins().ishl_imm_s(inner, 8);
    let etw = g.b.ins().bor(et, inner);
    (addr, etw, is_dyn)
}

/// `Index 1` [list i → v].
pub fn load(g: &mut Gen, r: &View) {
    let (ti, i) = r.pop(g);
    let (tl, l) = r.pop(g);
    let (addr, etw, is_dyn) = cell(g, r, tl, l, ti, i);
    let dyn_b = g.b.create_block();
    let typed = g.b.create_block();
    g.b.ins().brif(is_dyn, dyn_b, &[], typed, &[]);
    g.b.switch_to_block(dyn_b);
    let t = g.ld(addr, 0);
    let p = g.ld(addr, 4);
    r.push_next(g, t, p);
    g.b.switch_to_block(typed);
    let p = g.ld(addr, 0);
    r.push(g, etw, p);
}

/// `StoreIndex 1` [v list i →].
pub fn store(g: &mut Gen, r: &View) {
    let (ti, i) = r.pop(g);
    let (tl, l) = r.pop(g);
    let (tv, v) = r.pop(g);
    let (addr, etw, is_dyn) = cell(g, r, tl, l, ti, i);
    let dyn_b = g.b.create_block();
    let typed = g.b.create_block();
    g.b.ins().brif(is_dyn, dyn_b, &[], typed, &[]);
    g.b.switch_to_block(dyn_b);
    g.st(tv, addr, 0);
    g.st(v, addr, 4);
    r.next(g);
    // Typed cell: the value must have the element's kind (an int converts to a float cell).
    g.b.switch_to_block(typed);
    let et = g.b.ins().band_imm_s(etw, 0xff);
    let bt = tag_of(g, tv);
    let isf = g.b.ins().icmp_imm_s(IntCC::Equal, et, Tag::Float as i64);
    let vi = intlike(g, bt);
    let conv = g.b.ins().band(isf, vi);
    let fv = as_float(g, bt, v);
    let fbits = float_bits(g, fv);
    let v = g.b.ins().select(conv, fbits, v);
    let same = g.b.ins().icmp(IntCC::Equal, bt, et);
    let ok = g.b.ins().bor(same, conv);
    let bad = g.b.ins().bxor_imm_s(ok, 1);
    r.type_error_if(g, bad);
    g.st(v, addr, 0);
}
