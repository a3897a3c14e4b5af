//! The typed part of a program that does not type fully (issue 6, mixed programs): the TIR
//! of every specialisation, with which of them the byte-code world may call natively.
//!
//! When a program falls back to byte code, the specialisations the type specialiser could
//! type still exist in the TIR. A byte-code call can run one of them natively when its
//! arguments are the ones the specialisation was made for; [`BoundaryArg`] says which
//! tagged values those are. Specialisations made for a constant argument (`pow(x, 2)`), for
//! a call site (list factories, library functions, whose positions are the user's call)
//! or taking lists or functions have no boundary signature: byte code never calls them.

use crate::engine::Slot;
use crate::ty::T;

/// What a byte-code argument must be for a native specialisation to take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryArg {
    None,
    Bool,
    Int,
    /// An int >= 0 (the specialisation was made for non-negative literals, and may rely on
    /// it: `x ** n` with such an `n` is an int).
    IntNonNeg,
    Float,
    Str,
}

/// The TIR of a program with dynamic specialisations, for mixed execution.
#[derive(Debug)]
pub struct Partial {
    /// Every specialisation, indexed by `FuncId` like `CheckReport::specs`; the bodies of
    /// dynamic ones are incomplete and must not be compiled.
    pub program: epyc_tir::Program,
    /// Per specialisation: its arguments as the byte-code boundary sees them, when byte code
    /// may call it (see the module docs).
    pub boundary: Vec<Option<Vec<BoundaryArg>>>,
    /// Per specialisation: whether native code may call it as byte code (native calling
    /// byte code): it is dynamic, made for the user's function with the arguments' types
    /// alone (no constant, call-site or list-factory key), so its byte-code twin computes
    /// what it stands for given the same values.
    pub byte_code_callable: Vec<bool>,
}

/// The boundary signature of one specialisation, if it has one.
pub(crate) fn boundary(slot: &Slot) -> Option<Vec<BoundaryArg>> {
    if !slot.dynamic.is_empty() || !slot.key.ctx.is_empty() || slot.key.at.is_some() {
        return None;
    }
    slot.key
        .args
        .iter()
        .map(|t| match t {
            T::None => Some(BoundaryArg::None),
            T::Bool => Some(BoundaryArg::Bool),
            T::Int => Some(BoundaryArg::Int),
            T::IntNN => Some(BoundaryArg::IntNonNeg),
            T::Float => Some(BoundaryArg::Float),
            T::Str => Some(BoundaryArg::Str),
            _ => None,
        })
        .collect()
}

/// Whether native code may call this (dynamic) specialisation's byte-code twin (see
/// [`Partial::byte_code_callable`]); the caller still decides whether the call is safe.
pub(crate) fn byte_code_callable(slot: &Slot) -> bool {
    !slot.dynamic.is_empty()
        && slot.key.ctx.is_empty()
        && slot.key.at.is_none()
        && slot
            .key
            .args
            .iter()
            .all(|t| matches!(t, T::None | T::Bool | T::Int | T::IntNN | T::Float | T::Str))
}
