//! Intrinsics: runtime services (messages, maths, random numbers, arrays) and the few
//! operations expanded in line (len, min/max/abs, dimensions).

use crate::function::FnLowerer;
use crate::lists::list_parts;
use crate::types::cell_size;
use anyhow::{anyhow, bail, Result};
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types, InstBuilder, MemFlagsData, Value,
};
use epyc_rt_abi::{layout, RtError, RtFn};
use epyc_tir::{Expr, Intrinsic, Pos, Ty};

/// Most dimensions `epyc_array_new` takes.
const MAX_ARRAY_DIMS: usize = 7;

impl FnLowerer<'_, '_> {
    pub fn intrinsic(
        &mut self,
        op: Intrinsic,
        args: &[Expr],
        ty: &Ty,
        pos: Pos,
    ) -> Result<Option<Value>> {
        let arg = |k: usize| {
            args.get(k).ok_or_else(|| {
                anyhow!(
                    "internal error: line {}: {op:?} needs argument {}",
                    pos.line,
                    k + 1
                )
            })
        };
        use Intrinsic as I;
        Ok(match op {
            I::CoreId => self.call_rt(RtFn::CoreId, &[]),
            I::NumCores => self.call_rt(RtFn::NumCores, &[]),
            I::IsHost => {
                let r = self.call_rt(RtFn::IsHost, &[]).expect("returns");
                Some(self.i32_to_bool(r))
            }
            I::IsDevice => {
                let r = self.call_rt(RtFn::IsDevice, &[]).expect("returns");
                Some(self.i32_to_bool(r))
            }
            I::Send | I::SendNonBlocking => {
                let value = arg(0)?;
                let dest = self.value(arg(1)?)?;
                let p = self.pos_const(pos);
                if value.ty == Ty::Str {
                    if op == I::SendNonBlocking {
                        bail!(
                            "line {}: a string cannot be sent without blocking",
                            pos.line
                        );
                    }
                    let s = self.value(value)?;
                    self.call_rt(RtFn::SendStr, &[s, dest, p]);
                } else {
                    let (bits, tag) = self.message_bits(value)?;
                    let f = if op == I::Send {
                        RtFn::Send
                    } else {
                        RtFn::SendNonBlocking
                    };
                    self.call_rt(f, &[bits, tag, dest, p]);
                }
                None
            }
            I::Recv => {
                let src = self.value(arg(0)?)?;
                let p = self.pos_const(pos);
                if *ty == Ty::Str {
                    self.call_rt(RtFn::RecvStr, &[src, p])
                } else {
                    let want = self.message_tag(ty, pos)?;
                    let bits = self.call_rt(RtFn::Recv, &[src, want, p]).expect("returns");
                    Some(self.value_of_bits(bits, ty))
                }
            }
            I::SendRecv | I::Bcast => {
                let (bits, tag) = self.message_bits(arg(0)?)?;
                let other = self.value(arg(1)?)?;
                let want = self.message_tag(ty, pos)?;
                let p = self.pos_const(pos);
                let f = if op == I::SendRecv {
                    RtFn::SendRecv
                } else {
                    RtFn::Bcast
                };
                let r = self
                    .call_rt(f, &[bits, tag, other, want, p])
                    .expect("returns");
                Some(self.value_of_bits(r, ty))
            }
            I::Reduce(rop) => {
                let (bits, tag) = self.message_bits(arg(0)?)?;
                let code = self.i32_const(rop as i64);
                let p = self.pos_const(pos);
                let r = self
                    .call_rt(RtFn::Reduce, &[bits, tag, code, p])
                    .expect("returns");
                Some(self.value_of_bits(r, ty))
            }
            I::Sync => {
                let p = self.pos_const(pos);
                self.call_rt(RtFn::Sync, &[p]);
                None
            }
            I::Probe | I::TestSent | I::WaitSent => {
                let who = self.value(arg(0)?)?;
                let p = self.pos_const(pos);
                let f = match op {
                    I::Probe => RtFn::Probe,
                    I::TestSent => RtFn::TestSent,
                    _ => RtFn::WaitSent,
                };
                let r = self.call_rt(f, &[who, p]).expect("returns");
                Some(self.i32_to_bool(r))
            }
            I::Math(m) => {
                let x = self.value(arg(0)?)?;
                let code = self.i32_const(m as i64);
                self.call_rt(RtFn::Math, &[code, x])
            }
            I::PowF => {
                let x = self.value(arg(0)?)?;
                let y = self.value(arg(1)?)?;
                Some(self.float_pow(x, y, None))
            }
            I::Len => {
                let l = self.value(arg(0)?)?;
                Some(self.list_len(l))
            }
            I::StrLen => {
                let s = self.value(arg(0)?)?;
                Some(self.b.ins().load(
                    types::I32,
                    crate::function::header_flags(),
                    s,
                    layout::STR_LEN as i32,
                ))
            }
            I::NDim => {
                let list = arg(0)?;
                let (_, ndim) = list_parts(&list.ty)?;
                self.expr(list)?;
                Some(self.i32_const(ndim as i64))
            }
            I::Dim => {
                let list = arg(0)?;
                let (_, ndim) = list_parts(&list.ty)?;
                let l = self.value(list)?;
                let d = self.value(arg(1)?)?;
                let ok = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedLessThan, d, ndim as i64);
                self.check(ok, RtError::IndexOutOfRange, pos);
                Some(if ndim == 1 {
                    self.list_len(l)
                } else {
                    let wide = if self.ptr == types::I32 {
                        d
                    } else {
                        self.b.ins().uextend(self.ptr, d)
                    };
                    let off = self.b.ins().imul_imm_u(wide, 4);
                    let addr = self.b.ins().iadd(l, off);
                    self.b.ins().load(
                        types::I32,
                        crate::function::header_flags(),
                        addr,
                        layout::LIST_DIMS as i32,
                    )
                })
            }
            I::ArrayNew => Some(self.array_new(args, ty, pos)?),
            I::Random => self.call_rt(RtFn::Random, &[]),
            I::RandInt => self.call_rt(RtFn::RandInt, &[]),
            I::Seed => {
                let s = self.value(arg(0)?)?;
                self.call_rt(RtFn::Seed, &[s]);
                None
            }
            I::Min | I::Max => {
                let a = arg(0)?;
                let x = self.value(a)?;
                let y = self.value(arg(1)?)?;
                Some(self.min_max(op == I::Min, x, y, &a.ty, pos)?)
            }
            I::Abs => {
                let a = arg(0)?;
                let x = self.value(a)?;
                Some(match a.ty {
                    Ty::Int => self.b.ins().iabs(x),
                    Ty::Float => self.b.ins().fabs(x),
                    ref t => bail!("internal error: line {}: abs of {t}", pos.line),
                })
            }
        })
    }

    fn i32_to_bool(&mut self, v: Value) -> Value {
        self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0)
    }

    /// Python's min/max of two: the first unless the second is strictly smaller/greater.
    fn min_max(&mut self, is_min: bool, x: Value, y: Value, ty: &Ty, pos: Pos) -> Result<Value> {
        Ok(match ty {
            Ty::Int if is_min => self.b.ins().smin(x, y),
            Ty::Int => self.b.ins().smax(x, y),
            Ty::Float => {
                let cc = if is_min {
                    FloatCC::LessThan
                } else {
                    FloatCC::GreaterThan
                };
                let second = self.b.ins().fcmp(cc, y, x);
                self.b.ins().select(second, y, x)
            }
            t => bail!("internal error: line {}: min/max of {t}", pos.line),
        })
    }

    /// A scalar message value as (bits, tag).
    fn message_bits(&mut self, e: &Expr) -> Result<(Value, Value)> {
        let tag = self.message_tag(&e.ty, e.pos)?;
        let v = self.value(e)?;
        let bits = match e.ty {
            Ty::Float => self.b.ins().bitcast(types::I32, MemFlagsData::new(), v),
            Ty::Bool => self.b.ins().uextend(types::I32, v),
            _ => v,
        };
        Ok((bits, tag))
    }

    fn message_tag(&mut self, ty: &Ty, pos: Pos) -> Result<Value> {
        match ty {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Func(_) | Ty::AnyFunc => {
                Ok(self.i32_const(ty.tag() as i64))
            }
            t => bail!("line {}: a {t} cannot travel in this message", pos.line),
        }
    }

    /// Message bits back to a value of `ty`.
    fn value_of_bits(&mut self, bits: Value, ty: &Ty) -> Value {
        match ty {
            Ty::Float => self.b.ins().bitcast(types::F32, MemFlagsData::new(), bits),
            Ty::Bool => self.i32_to_bool(bits),
            _ => bits,
        }
    }

    fn array_new(&mut self, args: &[Expr], ty: &Ty, pos: Pos) -> Result<Value> {
        let (elem, ndim) = list_parts(ty)?;
        if args.len() != ndim as usize || args.len() > MAX_ARRAY_DIMS {
            bail!(
                "line {}: array with {} dimensions (at most {MAX_ARRAY_DIMS} are supported)",
                pos.line,
                args.len()
            );
        }
        let mut call_args = vec![self.i32_const(ndim as i64)];
        for a in args {
            call_args.push(self.value(a)?);
        }
        while call_args.len() < 1 + MAX_ARRAY_DIMS {
            call_args.push(self.i32_const(1));
        }
        call_args.push(self.i32_const(cell_size(elem, self.ptr) as i64));
        call_args.push(self.pos_const(pos));
        Ok(self.call_rt(RtFn::ArrayNew, &call_args).expect("returns"))
    }
}
