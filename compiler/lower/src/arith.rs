//! Arithmetic with ePython/Python semantics on 32-bit values: wrapping ints, floor division
//! and Python modulo (division by zero is a runtime error, i32::MIN / -1 wraps instead of
//! trapping), int power by repeated squaring, float floor division and floored modulo.

use crate::function::FnLowerer;
use anyhow::{bail, Result};
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, Value,
};
use epyc_rt_abi::{RtError, RtFn};
use epyc_tir::{BinOp, Const, Expr, ExprKind, Pos, Ty};

/// A float constant, also through an int -> float conversion (`x ** 2` after the
/// specialiser made the exponent float).
fn float_const(e: &Expr) -> Option<f32> {
    match &e.kind {
        ExprKind::Const(Const::Float(f)) => Some(*f),
        ExprKind::Convert(inner) => int_const(inner).map(|i| i as f32),
        _ => None,
    }
}

fn int_const(e: &Expr) -> Option<i32> {
    match e.kind {
        ExprKind::Const(Const::Int(i)) => Some(i),
        _ => None,
    }
}

impl FnLowerer<'_, '_> {
    pub fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, pos: Pos) -> Result<Value> {
        let x = self.value(a)?;
        let y = self.value(b)?;
        match (op, &a.ty) {
            (BinOp::Concat, Ty::Str) => {
                Ok(self.call_rt(RtFn::StrConcat, &[x, y]).expect("returns"))
            }
            (BinOp::Repeat, Ty::Str) => {
                Ok(self.call_rt(RtFn::StrRepeat, &[x, y]).expect("returns"))
            }
            (_, Ty::Int) => self.int_binary(op, x, y, int_const(b), pos),
            (BinOp::Pow, Ty::Float) => Ok(self.float_pow(x, y, float_const(b))),
            (_, Ty::Float) => self.float_binary(op, x, y),
            (op, t) => bail!("internal error: line {}: {op:?} on {t}", pos.line),
        }
    }

    fn int_binary(
        &mut self,
        op: BinOp,
        x: Value,
        y: Value,
        y_const: Option<i32>,
        pos: Pos,
    ) -> Result<Value> {
        Ok(match op {
            BinOp::Add => self.b.ins().iadd(x, y),
            BinOp::Sub => self.b.ins().isub(x, y),
            BinOp::Mul => self.b.ins().imul(x, y),
            BinOp::Div | BinOp::FloorDiv => {
                self.check_divisor(y, y_const, pos);
                self.int_floor_div(x, y, y_const)
            }
            BinOp::Mod => {
                self.check_divisor(y, y_const, pos);
                self.int_mod(x, y, y_const)
            }
            BinOp::Pow => match y_const {
                Some(n) => self.int_pow_const(x, n),
                None => self.int_pow(x, y),
            },
            BinOp::Concat | BinOp::Repeat => {
                bail!("internal error: line {}: {op:?} on int", pos.line)
            }
        })
    }

    fn float_binary(&mut self, op: BinOp, x: Value, y: Value) -> Result<Value> {
        Ok(match op {
            BinOp::Add => self.b.ins().fadd(x, y),
            BinOp::Sub => self.b.ins().fsub(x, y),
            BinOp::Mul => self.b.ins().fmul(x, y),
            BinOp::Div => self.b.ins().fdiv(x, y),
            BinOp::FloorDiv => {
                let q = self.b.ins().fdiv(x, y);
                self.b.ins().floor(q)
            }
            BinOp::Mod => {
                // Floored modulo: x - y * floor(x / y) has the sign of y (Python).
                let q = self.b.ins().fdiv(x, y);
                let f = self.b.ins().floor(q);
                let m = self.b.ins().fmul(y, f);
                self.b.ins().fsub(x, m)
            }
            BinOp::Pow | BinOp::Concat | BinOp::Repeat => {
                bail!("internal error: {op:?} on float")
            }
        })
    }

    /// `x ** y` on floats through the runtime, except `x ** 2.0`, which is `x * x` (the
    /// correctly rounded square, as ePython's repeated multiplication gives): decided here
    /// for a constant exponent, by a test otherwise (`pow(x, 2)` through a library function).
    pub fn float_pow(&mut self, x: Value, y: Value, y_const: Option<f32>) -> Value {
        match y_const {
            Some(2.0) => return self.b.ins().fmul(x, x),
            Some(_) => return self.call_rt(RtFn::PowF, &[x, y]).expect("returns"),
            None => {}
        }
        let square = self.b.create_block();
        let general = self.b.create_block();
        let merge = self.b.create_block();
        let two = self.b.ins().f32const(2.0);
        let is_two = self.b.ins().fcmp(FloatCC::Equal, y, two);
        self.b.ins().brif(is_two, square, &[], general, &[]);
        self.switch_to(square);
        let sq = self.b.ins().fmul(x, x);
        self.b.ins().jump(merge, &[sq.into()]);
        self.switch_to(general);
        let r = self.call_rt(RtFn::PowF, &[x, y]).expect("returns");
        self.b.ins().jump(merge, &[r.into()]);
        self.switch_to(merge);
        self.b.append_block_param(merge, types::F32)
    }

    /// Division by zero stops the core (a known non-zero constant needs no test).
    fn check_divisor(&mut self, y: Value, y_const: Option<i32>, pos: Pos) {
        match y_const {
            Some(c) if c != 0 => {}
            _ => {
                let ok = self.b.ins().icmp_imm_s(IntCC::NotEqual, y, 0);
                self.check(ok, RtError::DivisionByZero, pos);
            }
        }
    }

    /// Truncating quotient and remainder of y != 0, with y == -1 handled without `sdiv`
    /// (which traps on i32::MIN / -1 on x86): the quotient is -x (wrapping), the remainder 0.
    fn trunc_div_rem(&mut self, x: Value, y: Value, y_const: Option<i32>) -> (Value, Value) {
        match y_const {
            Some(-1) => {
                let q = self.b.ins().ineg(x);
                let r = self.i32_const(0);
                (q, r)
            }
            Some(_) => {
                let q = self.b.ins().sdiv(x, y);
                let r = self.b.ins().srem(x, y);
                (q, r)
            }
            None => {
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let one = self.i32_const(1);
                let d = self.b.ins().select(minus_one, one, y);
                let q = self.b.ins().sdiv(x, d);
                let neg = self.b.ins().ineg(x);
                let q = self.b.ins().select(minus_one, neg, q);
                // srem(x, 1) is 0, as x % -1 must be.
                let r = self.b.ins().srem(x, d);
                (q, r)
            }
        }
    }

    /// 1 (i32) when the truncated remainder `r` is non-zero and its sign differs from `y`'s:
    /// then floor division is one less and Python's modulo is `r + y`.
    fn needs_floor_fix(&mut self, r: Value, y: Value) -> Value {
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let signs = self.b.ins().bxor(r, y);
        let differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
        self.b.ins().band(nonzero, differ)
    }

    fn int_floor_div(&mut self, x: Value, y: Value, y_const: Option<i32>) -> Value {
        let (q, r) = self.trunc_div_rem(x, y, y_const);
        let fix = self.needs_floor_fix(r, y);
        let fix = self.b.ins().uextend(types::I32, fix);
        self.b.ins().isub(q, fix)
    }

    fn int_mod(&mut self, x: Value, y: Value, y_const: Option<i32>) -> Value {
        let (_, r) = self.trunc_div_rem(x, y, y_const);
        let fix = self.needs_floor_fix(r, y);
        let fixed = self.b.ins().iadd(r, y);
        self.b.ins().select(fix, fixed, r)
    }

    /// x ** n for a constant n >= 0 by square-and-multiply in line (n < 0: the specialiser
    /// makes that a float power; treated as 1 here, the empty product).
    fn int_pow_const(&mut self, x: Value, n: i32) -> Value {
        let mut result: Option<Value> = None;
        let mut base = x;
        let mut e = n.max(0) as u32;
        while e > 0 {
            if e & 1 == 1 {
                result = Some(match result {
                    None => base,
                    Some(r) => self.b.ins().imul(r, base),
                });
            }
            e >>= 1;
            if e > 0 {
                base = self.b.ins().imul(base, base);
            }
        }
        result.unwrap_or_else(|| self.i32_const(1))
    }

    /// x ** y by repeated squaring in a loop (wrapping); y <= 0 gives 1.
    fn int_pow(&mut self, x: Value, y: Value) -> Value {
        let head = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        let one = self.i32_const(1);
        self.b.ins().jump(head, &[one.into(), x.into(), y.into()]);
        self.switch_to(head);
        let r = self.b.append_block_param(head, types::I32);
        let base = self.b.append_block_param(head, types::I32);
        let e = self.b.append_block_param(head, types::I32);
        let more = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, e, 0);
        self.b.ins().brif(more, body, &[], exit, &[r.into()]);
        self.switch_to(body);
        let odd = self.b.ins().band_imm_u(e, 1);
        let rm = self.b.ins().imul(r, base);
        let r2 = self.b.ins().select(odd, rm, r);
        let b2 = self.b.ins().imul(base, base);
        let e2 = self.b.ins().sshr_imm_u(e, 1);
        self.b.ins().jump(head, &[r2.into(), b2.into(), e2.into()]);
        self.switch_to(exit);
        self.b.append_block_param(exit, types::I32)
    }
}
