//! Expressions: dispatch, constants, variables, comparisons, short-circuit operators,
//! conditional expressions and printing.

use crate::function::FnLowerer;
use crate::types::value_type;
use anyhow::{anyhow, bail, Result};
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, Value,
};
use epyc_rt_abi::{layout, RtFn};
use epyc_tir::{CmpOp, Const, Expr, ExprKind, Ty, UnOp};

impl FnLowerer<'_, '_> {
    /// Lowers `e`; `None` for a value of type none.
    pub fn expr(&mut self, e: &Expr) -> Result<Option<Value>> {
        let v = match &e.kind {
            ExprKind::Const(c) => self.constant(c)?,
            ExprKind::Var(v) => self.read_var(*v)?,
            ExprKind::Unary(op, a) => Some(self.unary(*op, a)?),
            ExprKind::Binary(op, a, b) => Some(self.binary(*op, a, b, e.pos)?),
            ExprKind::Compare(op, a, b) => Some(self.compare(*op, a, b)?),
            ExprKind::And(a, b) => self.short_circuit(e, a, b, true)?,
            ExprKind::Or(a, b) => self.short_circuit(e, a, b, false)?,
            ExprKind::Select {
                cond,
                then_value,
                else_value,
            } => {
                let c = self.value(cond)?;
                self.branches(&e.ty, c, then_value, else_value)?
            }
            ExprKind::Convert(a) => self.convert(a, &e.ty)?,
            ExprKind::Call { func, args } => {
                let vals = self.args(args)?;
                self.call_func(*func, &vals)?
            }
            ExprKind::CallIndirect {
                callee,
                candidates,
                args,
            } => self.call_indirect(e, callee, candidates, args)?,
            ExprKind::Intrinsic { op, args } => self.intrinsic(*op, args, &e.ty, e.pos)?,
            ExprKind::Index { list, indices } => self.load_element(list, indices, e.pos)?,
            ExprKind::ListLit(items) => Some(self.list_literal(&e.ty, items, e.pos)?),
            ExprKind::ListRepeat { items, count } => {
                Some(self.list_repeat(&e.ty, items, count, e.pos)?)
            }
            ExprKind::FuncRef(id) => Some(self.i32_const(id.0 as i64)),
        };
        let want = value_type(&e.ty, self.ptr);
        let got = v.map(|v| self.b.func.dfg.value_type(v));
        if want != got {
            bail!(
                "internal error: line {}: expression of type {} lowered to {:?}",
                e.pos.line,
                e.ty,
                got
            );
        }
        Ok(v)
    }

    /// Lowers an expression that must have a value (not none).
    pub fn value(&mut self, e: &Expr) -> Result<Value> {
        self.expr(e)?
            .ok_or_else(|| anyhow!("internal error: line {}: none used as a value", e.pos.line))
    }

    /// Argument values for a call (none-typed arguments are evaluated but pass nothing).
    pub fn args(&mut self, args: &[Expr]) -> Result<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            if let Some(v) = self.expr(a)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    fn constant(&mut self, c: &Const) -> Result<Option<Value>> {
        Ok(match *c {
            Const::None => None,
            Const::Bool(b) => Some(self.b.ins().iconst(types::I8, b as i64)),
            Const::Int(i) => Some(self.i32_const(i as i64)),
            Const::Float(f) => Some(self.b.ins().f32const(f)),
            Const::Str(s) => Some(self.string_const(s)?),
        })
    }

    fn unary(&mut self, op: UnOp, a: &Expr) -> Result<Value> {
        let x = self.value(a)?;
        Ok(match (op, &a.ty) {
            (UnOp::Neg, Ty::Int) => self.b.ins().ineg(x),
            (UnOp::Neg, Ty::Float) => self.b.ins().fneg(x),
            (UnOp::Not, Ty::Bool) => self.b.ins().bxor_imm_u(x, 1),
            (op, t) => bail!("internal error: line {}: {op:?} on {t}", a.pos.line),
        })
    }

    fn compare(&mut self, op: CmpOp, a: &Expr, b: &Expr) -> Result<Value> {
        let ty = &a.ty;
        let x = self.expr(a)?;
        let y = self.expr(b)?;
        let (x, y) = match (x, y) {
            (Some(x), Some(y)) => (x, y),
            // none vs none: equal, never ordered.
            _ => {
                let r = matches!(op, CmpOp::Eq | CmpOp::Is | CmpOp::Le | CmpOp::Ge);
                return Ok(self.b.ins().iconst(types::I8, r as i64));
            }
        };
        let int_cc = |signed: bool| match op {
            CmpOp::Eq | CmpOp::Is => IntCC::Equal,
            CmpOp::Ne | CmpOp::IsNot => IntCC::NotEqual,
            CmpOp::Lt if signed => IntCC::SignedLessThan,
            CmpOp::Le if signed => IntCC::SignedLessThanOrEqual,
            CmpOp::Gt if signed => IntCC::SignedGreaterThan,
            CmpOp::Ge if signed => IntCC::SignedGreaterThanOrEqual,
            CmpOp::Lt => IntCC::UnsignedLessThan,
            CmpOp::Le => IntCC::UnsignedLessThanOrEqual,
            CmpOp::Gt => IntCC::UnsignedGreaterThan,
            CmpOp::Ge => IntCC::UnsignedGreaterThanOrEqual,
        };
        Ok(match ty {
            Ty::Int => self.b.ins().icmp(int_cc(true), x, y),
            Ty::Bool | Ty::Func(_) | Ty::AnyFunc => self.b.ins().icmp(int_cc(false), x, y),
            Ty::Float => {
                let cc = match op {
                    CmpOp::Eq | CmpOp::Is => FloatCC::Equal,
                    CmpOp::Ne | CmpOp::IsNot => FloatCC::NotEqual,
                    CmpOp::Lt => FloatCC::LessThan,
                    CmpOp::Le => FloatCC::LessThanOrEqual,
                    CmpOp::Gt => FloatCC::GreaterThan,
                    CmpOp::Ge => FloatCC::GreaterThanOrEqual,
                };
                self.b.ins().fcmp(cc, x, y)
            }
            // Identity of objects: the pointers.
            Ty::Str | Ty::List(..) if matches!(op, CmpOp::Is | CmpOp::IsNot) => {
                self.b.ins().icmp(int_cc(false), x, y)
            }
            Ty::Str => {
                let c = self.call_rt(RtFn::StrCompare, &[x, y]).expect("returns");
                self.b.ins().icmp_imm_s(int_cc(true), c, 0)
            }
            Ty::List(..) | Ty::None => bail!(
                "internal error: line {}: comparison {op:?} of {ty}",
                a.pos.line
            ),
        })
    }

    /// `a and b` (`is_and`) / `a or b`: the result is an operand, `b` evaluated only when
    /// `a` does not decide.
    fn short_circuit(
        &mut self,
        e: &Expr,
        a: &Expr,
        b: &Expr,
        is_and: bool,
    ) -> Result<Option<Value>> {
        let x = self.expr(a)?;
        let t = self.truthy(x, &a.ty)?;
        let eval_b = self.b.create_block();
        let merge = self.b.create_block();
        let res = value_type(&e.ty, self.ptr).map(|vt| self.b.append_block_param(merge, vt));
        let args: Vec<cranelift_codegen::ir::BlockArg> = x.into_iter().map(Into::into).collect();
        if is_and {
            self.b.ins().brif(t, eval_b, &[], merge, &args);
        } else {
            self.b.ins().brif(t, merge, &args, eval_b, &[]);
        }
        self.switch_to(eval_b);
        let y = self.expr(b)?;
        let args: Vec<cranelift_codegen::ir::BlockArg> = y.into_iter().map(Into::into).collect();
        self.b.ins().jump(merge, &args);
        self.switch_to(merge);
        Ok(res)
    }

    /// `then_value` if `c` else `else_value`, each evaluated only on its branch.
    fn branches(
        &mut self,
        ty: &Ty,
        c: Value,
        then_value: &Expr,
        else_value: &Expr,
    ) -> Result<Option<Value>> {
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let merge = self.b.create_block();
        let res = value_type(ty, self.ptr).map(|vt| self.b.append_block_param(merge, vt));
        self.b.ins().brif(c, then_b, &[], else_b, &[]);
        for (blk, e) in [(then_b, then_value), (else_b, else_value)] {
            self.switch_to(blk);
            let v = self.expr(e)?;
            let args: Vec<cranelift_codegen::ir::BlockArg> =
                v.into_iter().map(Into::into).collect();
            self.b.ins().jump(merge, &args);
        }
        self.switch_to(merge);
        Ok(res)
    }

    /// Python truthiness (D13) as an i8 0/1.
    pub fn truthy(&mut self, v: Option<Value>, ty: &Ty) -> Result<Value> {
        let Some(v) = v else {
            return Ok(self.b.ins().iconst(types::I8, 0));
        };
        Ok(match ty {
            Ty::Bool => v,
            Ty::Int => self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0),
            Ty::Float => {
                let zero = self.b.ins().f32const(0.0);
                // NaN is true in Python; `ne` is true for unordered operands.
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            }
            Ty::Str => {
                let len = self.b.ins().load(
                    types::I32,
                    crate::function::header_flags(),
                    v,
                    layout::STR_LEN as i32,
                );
                self.b.ins().icmp_imm_s(IntCC::NotEqual, len, 0)
            }
            Ty::List(..) => {
                let len = self.list_len(v);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, len, 0)
            }
            Ty::Func(_) | Ty::AnyFunc => self.b.ins().iconst(types::I8, 1),
            Ty::None => self.b.ins().iconst(types::I8, 0),
        })
    }

    /// `print e`: one line through the runtime, formatted per type.
    pub fn print(&mut self, e: &Expr) -> Result<()> {
        let v = self.expr(e)?;
        match (&e.ty, v) {
            (Ty::None, _) => {
                self.call_rt(RtFn::PrintNone, &[]);
            }
            (Ty::Int, Some(v)) => {
                self.call_rt(RtFn::PrintInt, &[v]);
            }
            (Ty::Float, Some(v)) => {
                self.call_rt(RtFn::PrintFloat, &[v]);
            }
            (Ty::Bool, Some(v)) => {
                let w = self.b.ins().uextend(types::I32, v);
                self.call_rt(RtFn::PrintBool, &[w]);
            }
            (Ty::Str, Some(v)) => {
                self.call_rt(RtFn::PrintStr, &[v]);
            }
            (ty @ (Ty::List(..) | Ty::Func(_) | Ty::AnyFunc), Some(v)) => {
                let s = self.str_of(v, ty, e.pos)?;
                self.call_rt(RtFn::PrintStr, &[s]);
            }
            (ty, None) => bail!("internal error: line {}: {ty} without a value", e.pos.line),
        }
        Ok(())
    }
}
