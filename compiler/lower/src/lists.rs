//! Lists in line: element addresses from the rt/abi `layout`, bounds checks with Python's
//! negative indices, literals and repetition (allocated by the runtime, filled here).

use crate::function::FnLowerer;
use crate::types::{cell_size, cell_type};
use anyhow::{bail, Result};
use cranelift_codegen::ir::{condcodes::IntCC, types, InstBuilder, MemFlagsData, Value};
use epyc_rt_abi::{layout, RtError, RtFn};
use epyc_tir::{Const, Expr, ExprKind, Pos, Ty};

/// The element type and dimension count of a list type.
pub fn list_parts(ty: &Ty) -> Result<(&Ty, u8)> {
    match ty {
        Ty::List(elem, ndim) if *ndim >= 1 => Ok((elem, *ndim)),
        other => bail!("internal error: indexing a value of type {other}"),
    }
}

impl FnLowerer<'_, '_> {
    /// Address of flat element `i` (i32, known in range).
    pub fn cell_addr(&mut self, list: Value, list_ty: &Ty, i: Value) -> Value {
        let (elem, ndim) = match list_ty {
            Ty::List(e, n) => (&**e, *n as u32),
            _ => (&Ty::Int, 1),
        };
        let size = cell_size(elem, self.ptr);
        let data = layout::list_data(ndim, size);
        let wide = if self.ptr == types::I32 {
            i
        } else {
            self.b.ins().uextend(self.ptr, i)
        };
        let scaled = self.b.ins().imul_imm_u(wide, size as i64);
        let base = self.b.ins().iadd(list, scaled);
        self.b.ins().iadd_imm_u(base, data as i64)
    }

    /// A value loaded from a cell, in the in-function representation (bool: i32 -> i8).
    pub fn cell_value(&mut self, elem: &Ty, raw: Value) -> Value {
        match elem {
            Ty::Bool => self.b.ins().icmp_imm_s(IntCC::NotEqual, raw, 0),
            _ => raw,
        }
    }

    /// A value in cell representation (bool: i8 -> i32 0/1).
    pub fn cell_of(&mut self, elem: &Ty, v: Value) -> Value {
        match elem {
            Ty::Bool => self.b.ins().uextend(types::I32, v),
            _ => v,
        }
    }

    /// `i` adjusted for a negative index and checked against `size`: the result is in
    /// `0..size`, else the core stops with IndexOutOfRange.
    ///
    /// Branch-free adjustment (`i + (size & (i >> 31))`), then one unsigned comparison whose
    /// failure leaves through a trapping error block: nothing stays live across the error
    /// call, so loops keep their values in registers, and `check` orders the blocks so
    /// LICM still sees the rest of the loop body.
    fn checked_index(&mut self, i: Value, size: Value, pos: Pos) -> Value {
        let sign = self.b.ins().sshr_imm_u(i, 31);
        let wrap = self.b.ins().band(sign, size);
        let adj = self.b.ins().iadd(i, wrap);
        let ok = self.b.ins().icmp(IntCC::UnsignedLessThan, adj, size);
        self.check(ok, RtError::IndexOutOfRange, pos);
        adj
    }

    /// The flat index of `list[indices...]`, each index checked against its dimension.
    fn flat_index(
        &mut self,
        list: Value,
        list_expr: &Expr,
        indices: &[Expr],
        pos: Pos,
    ) -> Result<Value> {
        let list_ty = &list_expr.ty;
        let (_, ndim) = list_parts(list_ty)?;
        if indices.len() != ndim as usize {
            bail!(
                "internal error: {} indices on a {list_ty} (line {})",
                indices.len(),
                pos.line
            );
        }
        let idx: Vec<Value> = indices
            .iter()
            .map(|e| self.value(e))
            .collect::<Result<_>>()?;
        if self.proven_in_range(list_expr, indices) {
            return Ok(idx[0]);
        }
        let key = (list, idx.clone());
        if let Some(&flat) = self.checked.get(&key) {
            return Ok(flat);
        }
        let flat = self.checked_flat_index(list, &idx, pos);
        self.checked.insert(key, flat);
        Ok(flat)
    }

    /// Inside the unchecked copy of a versioned loop, whether `list[indices]` is one of the
    /// accesses its pre-check showed in range (then the index is already non-negative and
    /// below the length: no wrap, no check).
    fn proven_in_range(&self, list_expr: &Expr, indices: &[Expr]) -> bool {
        self.in_range.iter().any(|&(list, counter)| {
            crate::ranges::counter_access(list_expr, indices, counter)
                .is_some_and(|(l, _)| l == list)
        })
    }

    fn checked_flat_index(&mut self, list: Value, idx: &[Value], pos: Pos) -> Value {
        if idx.len() == 1 {
            let len = self.list_len(list);
            return self.checked_index(idx[0], len, pos);
        }
        let mut flat: Option<Value> = None;
        for (d, &i) in idx.iter().enumerate() {
            let size = self.b.ins().load(
                types::I32,
                crate::function::header_flags(),
                list,
                layout::list_dim(d as u32) as i32,
            );
            let k = self.checked_index(i, size, pos);
            flat = Some(match flat {
                None => k,
                Some(f) => {
                    let scaled = self.b.ins().imul(f, size);
                    self.b.ins().iadd(scaled, k)
                }
            });
        }
        flat.expect("at least two indices")
    }

    pub fn load_element(
        &mut self,
        list: &Expr,
        indices: &[Expr],
        pos: Pos,
    ) -> Result<Option<Value>> {
        if let Some(v) = self.carried_read(list, indices) {
            return Ok(Some(v));
        }
        let l = self.value(list)?;
        let (elem, _) = list_parts(&list.ty)?;
        let i = self.flat_index(l, list, indices, pos)?;
        Ok(self.load_cell(l, &list.ty, elem, i))
    }

    pub fn store_element(
        &mut self,
        list: Value,
        list_expr: &Expr,
        indices: &[Expr],
        value: Option<Value>,
        pos: Pos,
    ) -> Result<()> {
        let list_ty = &list_expr.ty;
        let (elem, _) = list_parts(list_ty)?;
        let i = self.flat_index(list, list_expr, indices, pos)?;
        if let Some(v) = value {
            let addr = self.cell_addr(list, list_ty, i);
            let c = self.cell_of(elem, v);
            self.b.ins().store(MemFlagsData::trusted(), c, addr, 0);
            self.carried_store(list_expr, indices, v);
        }
        Ok(())
    }

    /// A new zeroed 1-dim list of `len` cells for `elem`.
    fn new_list(&mut self, elem: &Ty, len: Value, pos: Pos) -> Value {
        let size = self.i32_const(cell_size(elem, self.ptr) as i64);
        let p = self.pos_const(pos);
        self.call_rt(RtFn::ListNew, &[len, size, p])
            .expect("ListNew returns a pointer")
    }

    pub fn list_literal(&mut self, ty: &Ty, items: &[Expr], pos: Pos) -> Result<Value> {
        let (elem, _) = list_parts(ty)?;
        let values: Vec<Option<Value>> =
            items.iter().map(|e| self.expr(e)).collect::<Result<_>>()?;
        let len = self.i32_const(items.len() as i64);
        let l = self.new_list(elem, len, pos);
        let data = layout::list_data(1, cell_size(elem, self.ptr));
        let size = cell_size(elem, self.ptr);
        for (k, v) in values.into_iter().enumerate() {
            if let Some(v) = v {
                let c = self.cell_of(elem, v);
                let off = (data + size * k as u32) as i32;
                self.b.ins().store(MemFlagsData::trusted(), c, l, off);
            }
        }
        Ok(l)
    }

    /// `[items] * count`: allocated zeroed by the runtime; filled by a loop unless every
    /// item is a zero constant.
    pub fn list_repeat(
        &mut self,
        ty: &Ty,
        items: &[Expr],
        count: &Expr,
        pos: Pos,
    ) -> Result<Value> {
        let (elem, _) = list_parts(ty)?;
        let values: Vec<Option<Value>> =
            items.iter().map(|e| self.expr(e)).collect::<Result<_>>()?;
        let n = self.value(count)?;
        let zero = self.i32_const(0);
        let n = self.b.ins().smax(n, zero);
        if items.len() > 1 {
            // n * len(items) must fit the i32 length: larger is out of memory anyway.
            let limit = i32::MAX as i64 / items.len() as i64;
            let ok = self
                .b
                .ins()
                .icmp_imm_s(IntCC::SignedLessThanOrEqual, n, limit);
            self.check(ok, RtError::OutOfMemory, pos);
        }
        let total = self.b.ins().imul_imm_u(n, items.len() as i64);
        let l = self.new_list(elem, total, pos);
        let all_zero = items.iter().all(is_zero_const);
        if all_zero || cell_type(elem, self.ptr).is_none() || items.is_empty() {
            return Ok(l);
        }
        let cells: Vec<Value> = values
            .into_iter()
            .map(|v| {
                let v = v.expect("items with a cell type have values");
                self.cell_of(elem, v)
            })
            .collect();
        // for r in 0..n: store the items at r*len(items) ..
        let size = cell_size(elem, self.ptr);
        let data = layout::list_data(1, size);
        let stride = size * items.len() as u32;
        let body = self.b.create_block();
        let exit = self.b.create_block();
        let preheader = self.b.create_block();
        let nonempty = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, n, 0);
        self.b.ins().brif(nonempty, preheader, &[], exit, &[]);
        self.switch_to(preheader);
        let first = self.b.ins().iadd_imm_u(l, data as i64);
        let end_off = if self.ptr == types::I32 {
            n
        } else {
            self.b.ins().uextend(self.ptr, n)
        };
        let end_off = self.b.ins().imul_imm_u(end_off, stride as i64);
        let end = self.b.ins().iadd(first, end_off);
        let p0 = first;
        self.b.ins().jump(body, &[p0.into()]);
        self.switch_to(body);
        let p = self.b.append_block_param(body, self.ptr);
        for (k, c) in cells.iter().enumerate() {
            self.b
                .ins()
                .store(MemFlagsData::trusted(), *c, p, (size * k as u32) as i32);
        }
        let next = self.b.ins().iadd_imm_u(p, stride as i64);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, next, end);
        self.b.ins().brif(more, body, &[next.into()], exit, &[]);
        self.switch_to(exit);
        Ok(l)
    }
}

fn is_zero_const(e: &Expr) -> bool {
    match e.kind {
        ExprKind::Const(Const::Int(0)) | ExprKind::Const(Const::Bool(false)) => true,
        // +0.0 only: -0.0 has a sign bit.
        ExprKind::Const(Const::Float(f)) => f.to_bits() == 0,
        _ => false,
    }
}
