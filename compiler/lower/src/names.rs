//! How lowered CLIF names what it calls and reads: `ir::UserExternalName { namespace, index }`.
//! Backends resolve these with [`resolve`].

use cranelift_codegen::ir::UserExternalName;
use epyc_rt_abi::RtFn;
use epyc_tir::FuncId;

/// A compiled function; index = `FuncId.0`.
pub const FUNC: u32 = 0;
/// A runtime function; index = position in `RtFn::ALL`.
pub const RUNTIME: u32 = 1;
/// Static data; index into `LoweredProgram::data`.
pub const DATA: u32 = 2;

/// What an external name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternalRef {
    Func(FuncId),
    Runtime(RtFn),
    Data(usize),
}

pub fn func(id: FuncId) -> UserExternalName {
    UserExternalName::new(FUNC, id.0)
}

pub fn runtime(f: RtFn) -> UserExternalName {
    let index = RtFn::ALL
        .iter()
        .position(|&g| g == f)
        .expect("every RtFn is in RtFn::ALL");
    UserExternalName::new(RUNTIME, index as u32)
}

pub fn data(index: usize) -> UserExternalName {
    UserExternalName::new(DATA, index as u32)
}

/// The meaning of a name produced by the lowering; `None` for names it never produces.
pub fn resolve(name: &UserExternalName) -> Option<ExternalRef> {
    match name.namespace {
        FUNC => Some(ExternalRef::Func(FuncId(name.index))),
        RUNTIME => RtFn::ALL
            .get(name.index as usize)
            .map(|&f| ExternalRef::Runtime(f)),
        DATA => Some(ExternalRef::Data(name.index as usize)),
        _ => None,
    }
}
