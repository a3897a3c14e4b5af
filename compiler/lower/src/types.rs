//! TIR types -> CLIF types and memory cells.

use crate::Target;
use cranelift_codegen::ir::{types, AbiParam, Signature, Type};
use epyc_tir::{FuncId, Program, Ty};

/// The CLIF type of a value of `ty` inside compiled code; `None` for `none`, which has no
/// runtime representation.
pub fn value_type(ty: &Ty, ptr: Type) -> Option<Type> {
    match ty {
        Ty::None => None,
        Ty::Bool => Some(types::I8),
        Ty::Int | Ty::Func(_) | Ty::AnyFunc => Some(types::I32),
        Ty::Float => Some(types::F32),
        Ty::Str | Ty::List(..) => Some(ptr),
    }
}

/// The type of a list cell holding `elem` (bools are i32 0/1 in cells); `None` for none.
pub fn cell_type(elem: &Ty, ptr: Type) -> Option<Type> {
    match elem {
        Ty::Bool => Some(types::I32),
        other => value_type(other, ptr),
    }
}

/// Bytes of one list cell: 4 for scalars (and none), a pointer for str and list elements.
pub fn cell_size(elem: &Ty, ptr: Type) -> u32 {
    match elem {
        Ty::Str | Ty::List(..) => ptr.bytes(),
        _ => 4,
    }
}

/// Signature of a compiled function: globals base first, then its parameters with values.
pub fn function_signature(prog: &Program, id: FuncId, target: &Target) -> Signature {
    let f = prog.func(id);
    let ptr = target.pointer_type;
    let mut sig = Signature::new(target.call_conv);
    sig.params.push(AbiParam::new(ptr));
    for p in &f.params {
        if let Some(t) = value_type(&f.locals[p.index()].ty, ptr) {
            sig.params.push(AbiParam::new(t));
        }
    }
    if let Some(t) = value_type(&f.ret, ptr) {
        sig.returns.push(AbiParam::new(t));
    }
    sig
}
