//! Loops, emitted rotated so Cranelift's LICM hoists invariants:
//!
//! ```text
//!   guard:     brif cond, preheader, exit
//!   preheader: jump body
//!   body:      ...; jump latch          (continue jumps to latch, break to exit)
//!   latch:     brif cond, body, exit
//! ```
//! The condition is evaluated twice in the code (guard and latch), once per iteration at run
//! time. Without a `continue` the latch is just the end of the body.

use crate::carry::CarriedElement;
use crate::function::{FnLowerer, LoopExits};
use crate::ranges::{counter_access, CountedLoop};
use crate::types::{cell_type, value_type};
use anyhow::Result;
use cranelift_codegen::ir::{condcodes::IntCC, types, Block, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::Variable;
use epyc_rt_abi::{layout, RtError};
use epyc_tir::{Expr, ExprKind, LocalOrGlobal, Pos, Stmt, Ty};

/// The element a fast counted loop carries in `var` (see [`crate::carry`]); `stored` once its
/// store has been lowered (later reads in the body load from memory).
pub struct Carry {
    element: CarriedElement,
    counter: LocalOrGlobal,
    var: Variable,
    stored: bool,
}

impl FnLowerer<'_, '_> {
    /// Runs `body` as a loop body between `header` and `latch`, with break/continue targets.
    fn loop_body(&mut self, body: &[Stmt], latch: Block, exit: Block) -> Result<()> {
        self.loops.push(LoopExits {
            brk: exit,
            cont: latch,
        });
        let r = self.block(body);
        self.loops.pop();
        r?;
        self.b.ins().jump(latch, &[]);
        Ok(())
    }

    /// A `while` loop. A counted loop (see [`crate::ranges`]) is versioned: one test before
    /// the loop shows that every `a[i + c]` in it stays in range, and then a copy of the loop
    /// without those bounds checks runs; otherwise the checked loop runs (same errors, same
    /// iteration, same line).
    pub fn while_loop(&mut self, cond: &Expr, body: &[Stmt]) -> Result<()> {
        let counted = crate::ranges::counted_while(cond, body, &|v| self.in_ssa(v));
        let exit = self.b.create_block();
        let c = self.value(cond)?;
        let Some(counted) = counted else {
            let preheader = self.b.create_block();
            self.b.ins().brif(c, preheader, &[], exit, &[]);
            self.switch_to(preheader);
            return self.rotated_while(cond, body, exit);
        };
        let precheck = self.b.create_block();
        self.b.ins().brif(c, precheck, &[], exit, &[]);
        self.switch_to(precheck);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let in_range = self.counted_in_range(&counted, slow)?;
        self.b.ins().brif(in_range, fast, &[], slow, &[]);
        self.switch_to(fast);
        let saved = std::mem::take(&mut self.in_range);
        self.in_range = counted
            .lists
            .iter()
            .map(|r| (r.list, counted.counter))
            .collect();
        self.carry = self.start_carry(&counted, body)?;
        let r = self.rotated_while(cond, body, exit);
        self.in_range = saved;
        self.carry = None;
        r?;
        self.switch_to(slow);
        self.rotated_while(cond, body, exit)
    }

    /// In the fast loop's preheader (the current block): the element the loop carries in a
    /// variable (see [`crate::carry`]), with its value for the first iteration loaded.
    fn start_carry(&mut self, counted: &CountedLoop, body: &[Stmt]) -> Result<Option<Carry>> {
        let Some(element) = crate::carry::carried_element(counted, body) else {
            return Ok(None);
        };
        let Ty::List(elem, _) = &element.list_ty else {
            return Ok(None);
        };
        let Some(var_ty) = cell_type(elem, self.ptr).and(value_type(elem, self.ptr)) else {
            return Ok(None);
        };
        let (Some(list), Some(i0)) = (
            self.read_var(element.list)?,
            self.read_var(counted.counter)?,
        ) else {
            return Ok(None);
        };
        let index = self.b.ins().iadd_imm_s(i0, element.store_offset as i64 - 1);
        let Some(first) = self.load_cell(list, &element.list_ty, elem, index) else {
            return Ok(None);
        };
        let var = self.b.declare_var(var_ty);
        self.b.def_var(var, first);
        Ok(Some(Carry {
            element,
            counter: counted.counter,
            var,
            stored: false,
        }))
    }

    /// The carried value for a read of `list[indices]`, when it is the carried element and
    /// the store has not been lowered yet.
    pub fn carried_read(&mut self, list: &Expr, indices: &[Expr]) -> Option<Value> {
        let c = self.carry.as_ref()?;
        let wanted = (c.element.list, c.element.store_offset - 1);
        if c.stored || counter_access(list, indices, c.counter) != Some(wanted) {
            return None;
        }
        let var = c.var;
        Some(self.b.use_var(var))
    }

    /// After the store `list[indices] = value`: if it is the carried element's, the next
    /// iteration reads `value`.
    pub fn carried_store(&mut self, list: &Expr, indices: &[Expr], value: Value) {
        let Some(c) = self.carry.as_mut() else {
            return;
        };
        let target = (c.element.list, c.element.store_offset);
        if c.stored || counter_access(list, indices, c.counter) != Some(target) {
            return;
        }
        c.stored = true;
        let var = c.var;
        self.b.def_var(var, value);
    }

    /// From a preheader (the current block, condition known true) to `exit`.
    fn rotated_while(&mut self, cond: &Expr, body: &[Stmt], exit: Block) -> Result<()> {
        let header = self.b.create_block();
        let latch = self.b.create_block();
        self.b.ins().jump(header, &[]);
        self.switch_to(header);
        self.loop_body(body, latch, exit)?;
        self.switch_to(latch);
        self.set_pos(cond.pos);
        let c = self.value(cond)?;
        self.b.ins().brif(c, header, &[], exit, &[]);
        self.switch_to(exit);
        Ok(())
    }

    /// Whether every counter-indexed access of `l` is in range for all iterations, given
    /// the loop runs at least once: `i0 + min >= 0` and `last + max <= len - 1` for each
    /// list, where `last` is `n` (`<=`) or `n - 1` (`<`). Written without overflow: the
    /// offsets are small, `len >= 0`. A list variable not assigned yet (a null pointer; the
    /// body raises NameNotDefined at its first use) branches to `slow` before its length
    /// would be read.
    fn counted_in_range(&mut self, l: &crate::ranges::CountedLoop, slow: Block) -> Result<Value> {
        let i0 = self
            .read_var(l.counter)?
            .ok_or_else(|| anyhow::anyhow!("internal error: int counter without a value"))?;
        let n = match l.bound {
            crate::ranges::Bound::Const(n) => self.i32_const(n as i64),
            crate::ranges::Bound::Var(v) => self
                .read_var(v)?
                .ok_or_else(|| anyhow::anyhow!("internal error: int bound without a value"))?,
        };
        let mut all: Option<Value> = None;
        for r in &l.lists {
            let list = self
                .read_var(r.list)?
                .ok_or_else(|| anyhow::anyhow!("internal error: list without a value"))?;
            let assigned = self.b.create_block();
            self.b.ins().brif(list, assigned, &[], slow, &[]);
            self.switch_to(assigned);
            let low_ok =
                self.b
                    .ins()
                    .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, i0, -(r.min as i64));
            let len = self.list_len(list);
            // n <= len - 1 - max (inclusive) or n <= len - max (exclusive)
            let slack = if l.inclusive { 1 + r.max } else { r.max };
            let limit = self.b.ins().iadd_imm_s(len, -(slack as i64));
            let high_ok = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, n, limit);
            let ok = self.b.ins().band(low_ok, high_ok);
            all = Some(match all {
                None => ok,
                Some(a) => self.b.ins().band(a, ok),
            });
        }
        all.ok_or_else(|| anyhow::anyhow!("internal error: counted loop without lists"))
    }

    /// `for var in range(start, stop, step)`. The count lives in a hidden counter, so
    /// assigning to `var` in the body does not change the iteration (Python). The continue
    /// test is written without overflow: with step > 0 another iteration runs iff
    /// `stop - i > step` as unsigned numbers (i < stop holds), so ranges ending near
    /// i32::MAX terminate.
    pub fn for_range(
        &mut self,
        var: LocalOrGlobal,
        start: &Expr,
        stop: &Expr,
        step: &Expr,
        body: &[Stmt],
        pos: Pos,
    ) -> Result<()> {
        let start_v = self.value(start)?;
        let stop_v = self.value(stop)?;
        let step_v = self.value(step)?;
        let const_step = match step.kind {
            ExprKind::Const(epyc_tir::Const::Int(s)) => Some(s),
            _ => None,
        };
        match const_step {
            Some(0) => {
                self.emit_error(RtError::RangeStepZero, pos);
                self.continue_in_dead_block();
                return Ok(());
            }
            Some(_) => {}
            None => {
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, step_v, 0);
                self.check(ok, RtError::RangeStepZero, pos);
            }
        }
        let preheader = self.b.create_block();
        let header = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let counter = self.b.declare_var(types::I32);
        self.b.def_var(counter, start_v);

        // guard: start < stop (step > 0) or start > stop (step < 0)
        let first = match const_step {
            Some(s) if s > 0 => self.b.ins().icmp(IntCC::SignedLessThan, start_v, stop_v),
            Some(_) => self.b.ins().icmp(IntCC::SignedGreaterThan, start_v, stop_v),
            None => {
                let up = self.b.ins().icmp(IntCC::SignedLessThan, start_v, stop_v);
                let down = self.b.ins().icmp(IntCC::SignedGreaterThan, start_v, stop_v);
                let pos_step = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, step_v, 0);
                self.b.ins().select(pos_step, up, down)
            }
        };
        self.b.ins().brif(first, preheader, &[], exit, &[]);
        self.switch_to(preheader);
        self.b.ins().jump(header, &[]);

        self.switch_to(header);
        let i = self.b.use_var(counter);
        self.write_var(var, Some(i))?;
        self.loop_body(body, latch, exit)?;

        self.switch_to(latch);
        self.set_pos(pos);
        let i = self.b.use_var(counter);
        let more = match const_step {
            Some(s) if s > 0 => {
                let left = self.b.ins().isub(stop_v, i);
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThan, left, s as u32 as i64)
            }
            Some(s) => {
                let left = self.b.ins().isub(i, stop_v);
                let by = (s as i64).unsigned_abs() as i64;
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThan, left, by)
            }
            None => {
                let left_up = self.b.ins().isub(stop_v, i);
                let more_up = self
                    .b
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, left_up, step_v);
                let left_down = self.b.ins().isub(i, stop_v);
                let neg_step = self.b.ins().ineg(step_v);
                let more_down = self
                    .b
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThan, left_down, neg_step);
                let pos_step = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, step_v, 0);
                self.b.ins().select(pos_step, more_up, more_down)
            }
        };
        let next = self.b.ins().iadd(i, step_v);
        self.b.def_var(counter, next);
        self.b.ins().brif(more, header, &[], exit, &[]);
        self.switch_to(exit);
        Ok(())
    }

    /// `for var in list`: index from 0 while index < len (the length is read each step).
    pub fn for_list(&mut self, var: LocalOrGlobal, list: &Expr, body: &[Stmt]) -> Result<()> {
        let Ty::List(elem, _) = &list.ty else {
            anyhow::bail!("internal error: for loop over a {}", list.ty);
        };
        let l = self.value(list)?;
        let preheader = self.b.create_block();
        let header = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let counter = self.b.declare_var(types::I32);
        let zero = self.i32_const(0);
        self.b.def_var(counter, zero);
        let len = self.list_len(l);
        let nonempty = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, len, 0);
        self.b.ins().brif(nonempty, preheader, &[], exit, &[]);
        self.switch_to(preheader);
        self.b.ins().jump(header, &[]);

        self.switch_to(header);
        let i = self.b.use_var(counter);
        let x = self.load_cell(l, &list.ty, elem, i);
        self.write_var(var, x)?;
        self.loop_body(body, latch, exit)?;

        self.switch_to(latch);
        let i = self.b.use_var(counter);
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.b.def_var(counter, next);
        let len = self.list_len(l);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, next, len);
        self.b.ins().brif(more, header, &[], exit, &[]);
        self.switch_to(exit);
        Ok(())
    }

    /// The total element count of a list (`len` field).
    pub fn list_len(&mut self, list: Value) -> Value {
        self.b.ins().load(
            types::I32,
            crate::function::header_flags(),
            list,
            layout::LIST_LEN as i32,
        )
    }

    /// Loads flat element `i` (already in range) of a list of type `list_ty`.
    pub fn load_cell(&mut self, list: Value, list_ty: &Ty, elem: &Ty, i: Value) -> Option<Value> {
        let addr = self.cell_addr(list, list_ty, i);
        let ct = cell_type(elem, self.ptr)?;
        let raw = self.b.ins().load(ct, MemFlagsData::trusted(), addr, 0);
        Some(self.cell_value(elem, raw))
    }
}
