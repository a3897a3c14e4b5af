//! Superinstructions (`IndexRef`, `StoreIndexRef`): read the list and the index through
//! `ref` operands (a frame slot, or a module variable from `GLOBAL_REF`), add the constant to
//! an int index inline, then join the code of `Index` / `StoreIndex`, so every kind of list
//! and every error keeps the plain instructions' semantics.

use super::gen::*;
use cranelift_codegen::ir::{condcodes::IntCC, InstBuilder, Value};
use epyc_bytecode::format::{Op, GLOBAL_REF};
use epyc_rt_abi::{RtError, Tag};

/// The (tag word, payload) a `ref` operand names. A module variable never assigned is the
/// `name 'x' is not defined` error; the compiler only names locals assigned on every path.
fn read_ref(g: &mut Gen, r: &View, rf: Value) -> (Value, Value) {
    let is_g = g.b.ins().ushr_imm_s(rf, 7);
    let idx = g.b.ins().band_imm_s(rf, (GLOBAL_REF - 1) as i64);
    let off = g.b.ins().ishl_imm_s(idx, 3);
    let (gl, fr) = (r.globals(g), r.frame());
    let global = g.b.ins().icmp_imm_s(IntCC::NotEqual, is_g, 0);
    let base = g.b.ins().select(global, gl, fr);
    let a = g.b.ins().iadd(base, off);
    let t = g.ld(a, 0);
    let p = g.ld(a, 4);
    // Module variables hold tag + 1 (0: never assigned).
    let t = g.b.ins().isub(t, is_g);
    let unset = g.b.ins().icmp_imm_s(IntCC::Equal, t, -1);
    let ok = g.b.create_block();
    g.b.ins()
        .brif(unset, r.unset_global(), &[idx.into()], ok, &[]);
    g.b.switch_to_block(ok);
    (t, p)
}

/// The shared error of a ref naming module variable `idx` never assigned.
pub fn unset_global(g: &mut Gen, r: &View, idx: Value) {
    let names = g.ld(r.m(), super::layout::H_NAMES);
    let o = g.b.ins().ishl_imm_s(idx, 2);
    let na = g.b.ins().iadd(names, o);
    let na = g.b.ins().iadd(r.m(), na);
    let name = g.ld(na, 0);
    let name = g.b.ins().iadd(r.m(), name);
    r.fail_detail(g, RtError::NameNotDefined, name);
}

/// `IndexRef` (is_store 0) / `StoreIndexRef` (1) `list i k`: an int index gets k added (any
/// other index is the `Index` type error, whatever `i + k` would give).
pub fn index_ref(g: &mut Gen, r: &View, is_store: Value) {
    let lr = r.u8(g);
    let ir_ = r.u8(g);
    let k = r.i8(g);
    let (tl, l) = read_ref(g, r, lr);
    let (ti, i) = read_ref(g, r, ir_);
    let bt = tag_of(g, ti);
    let il = intlike(g, bt);
    let sum = g.b.ins().iadd(i, k);
    let i = g.b.ins().select(il, sum, i);
    let int_tag = g.k(Tag::Int as i64);
    let ti = g.b.ins().select(il, int_tag, ti);
    r.push(g, tl, l);
    r.push(g, ti, i);
    g.b.ins()
        .brif(is_store, r.store_index_body(), &[], r.index_body(), &[]);
}

/// Emits the handler of superinstruction `code` in the current block.
pub fn handler(g: &mut Gen, r: &View, code: u8) {
    let is_store = g.k((code
        == Op::StoreIndexRef {
            list: 0,
            i: 0,
            k: 0,
        }
        .code()) as i64);
    g.b.ins().jump(r.index_ref(), &[is_store.into()]);
}
