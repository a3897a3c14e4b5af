//! Runtime-function signatures (rt/abi `RtFn`) for a target, and which ones a program uses.

use crate::Target;
use cranelift_codegen::ir::{types, AbiParam, Signature};
use epyc_rt_abi::{Arg, RtFn};
use std::collections::HashSet;

pub fn signature(f: RtFn, target: &Target) -> Signature {
    let ty = |a: Arg| match a {
        Arg::I32 => types::I32,
        Arg::F32 => types::F32,
        Arg::Ptr => target.pointer_type,
    };
    let mut sig = Signature::new(target.call_conv);
    sig.params
        .extend(f.params().iter().map(|&a| AbiParam::new(ty(a))));
    sig.returns.extend(f.ret().map(|a| AbiParam::new(ty(a))));
    sig
}

#[derive(Default)]
pub struct UsedRuntime {
    used: HashSet<RtFn>,
}

impl UsedRuntime {
    pub fn note(&mut self, f: RtFn) {
        self.used.insert(f);
    }

    /// The used functions in `RtFn::ALL` order (deterministic output).
    pub fn into_list(self) -> Vec<RtFn> {
        RtFn::ALL
            .iter()
            .copied()
            .filter(|f| self.used.contains(f))
            .collect()
    }
}
