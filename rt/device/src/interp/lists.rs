//! List instructions: `List n` builds a list of value cells (`DYN`); `Index k` / `StoreIndex
//! k` read and write a cell of a byte-code list or, in place through the tag path, of a
//! typed list made by native code (4-byte cells), so both sides share one list: the
//! assembly routine `__epyc_bc_index` ([`super::arrays`]) does it for any number of indices.

use super::gen::*;
use cranelift_codegen::ir::{condcodes::IntCC, types::*, InstBuilder, Value};
use epyc_rt_abi::{layout, Tag};

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

/// `Index k` / `StoreIndex k` after reading k.
pub fn index_k(g: &mut Gen, r: &View, k: Value, is_store: bool) {
    let st = g.k(is_store as i64);
    g.b.ins().jump(r.multi_index(), &[k.into(), st.into()]);
}

/// `Index 1` [list i → v] (also the slow path of `IndexRef`).
pub fn load(g: &mut Gen, r: &View) {
    let (one, st) = (g.k(1), g.k(0));
    g.b.ins().jump(r.multi_index(), &[one.into(), st.into()]);
}

/// `StoreIndex 1` [v list i →] (also the slow path of `StoreIndexRef`).
pub fn store(g: &mut Gen, r: &View) {
    let (one, st) = (g.k(1), g.k(1));
    g.b.ins().jump(r.multi_index(), &[one.into(), st.into()]);
}

/// The block `(k, is store)` [v? list i0..ik-1]: `__epyc_bc_index` (assembly, see
/// [`super::arrays`]) reads or writes the cell, or returns the error's code.
pub fn multi(g: &mut Gen, r: &View) {
    let blk = g.b.current_block().expect("multi block");
    let (k, is_store) = (g.b.block_params(blk)[0], g.b.block_params(blk)[1]);
    let sp = r.sp(g);
    let kb = g.b.ins().ishl_imm_s(k, 3);
    let first = g.b.ins().isub(sp, kb);
    let e = g
        .call(
            super::arrays::INDEX_SYMBOL,
            &[first, k, is_store],
            Some(I32),
        )
        .expect("error code");
    let failed = g.b.create_block();
    let ok = g.b.create_block();
    g.cold.push(failed);
    g.b.ins().brif(e, failed, &[], ok, &[]);
    g.b.switch_to_block(failed);
    r.fail_code(g, e);
    g.b.switch_to_block(ok);
    // A read leaves the value in the list's slot; a store takes the value below it.
    let st = g.b.ins().ishl_imm_s(is_store, 4);
    let top = g.b.ins().isub(first, st);
    r.set_sp(g, top);
    r.next(g);
}
