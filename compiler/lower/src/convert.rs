//! `Convert`: numeric conversions, truthiness and conversion to str (ePython's `"" + x`
//! formats, done by the runtime: float formatting never uses the host's libc here).

use crate::function::FnLowerer;
use anyhow::{bail, Result};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use epyc_rt_abi::RtFn;
use epyc_tir::{Expr, Pos, Ty};

impl FnLowerer<'_, '_> {
    pub fn convert(&mut self, a: &Expr, to: &Ty) -> Result<Option<Value>> {
        let v = self.expr(a)?;
        let from = &a.ty;
        if from == to {
            return Ok(v);
        }
        if *to == Ty::Bool {
            return Ok(Some(self.truthy(v, from)?));
        }
        if *to == Ty::Str {
            return Ok(Some(match v {
                Some(v) => self.str_of(v, from, a.pos)?,
                None => self.extra_string("NONE"),
            }));
        }
        let Some(x) = v else {
            bail!(
                "internal error: line {}: conversion of none to {to}",
                a.pos.line
            );
        };
        Ok(Some(match (from, to) {
            (Ty::Int, Ty::Float) => self.b.ins().fcvt_from_sint(types::F32, x),
            // Truncation toward zero; NaN gives 0 and out-of-range values saturate.
            (Ty::Float, Ty::Int) => self.b.ins().fcvt_to_sint_sat(types::I32, x),
            (Ty::Bool, Ty::Int) => self.b.ins().uextend(types::I32, x),
            (Ty::Bool, Ty::Float) => {
                let i = self.b.ins().uextend(types::I32, x);
                self.b.ins().fcvt_from_sint(types::F32, i)
            }
            // Both are the i32 function index.
            (Ty::Func(_), Ty::AnyFunc) => x,
            (from, to) => bail!(
                "internal error: line {}: conversion of {from} to {to}",
                a.pos.line
            ),
        }))
    }

    /// A value as a new (or static) string, as printed.
    pub fn str_of(&mut self, v: Value, ty: &Ty, pos: Pos) -> Result<Value> {
        Ok(match ty {
            Ty::Str => v,
            Ty::Int => self.call_rt(RtFn::StrFromInt, &[v]).expect("returns"),
            Ty::Float => self.call_rt(RtFn::StrFromFloat, &[v]).expect("returns"),
            Ty::Bool => {
                let w = self.b.ins().uextend(types::I32, v);
                self.call_rt(RtFn::StrFromBool, &[w]).expect("returns")
            }
            Ty::List(elem, _) => {
                let tag = self.i32_const(tag_path(elem) as i64);
                self.call_rt(RtFn::StrFromList, &[v, tag]).expect("returns")
            }
            Ty::Func(id) => {
                let name = crate::statics::function_text(&self.cx.prog.func(*id).name);
                self.extra_string(&name)
            }
            Ty::AnyFunc => self.extra_string("<function>"),
            Ty::None => bail!("internal error: line {}: none with a value", pos.line),
        })
    }
}

/// The element tags of a (possibly nested) list type, innermost last, 4 bits each from the
/// low end: what `epyc_str_from_list` needs to print nested lists.
fn tag_path(elem: &Ty) -> u32 {
    match elem {
        Ty::List(inner, _) => Ty::List(inner.clone(), 1).tag() as u32 | (tag_path(inner) << 4),
        other => other.tag() as u32,
    }
}
