//! Cranelift's mid-end on generic CLIF, without a backend ISA: the individual passes of
//! `Context::optimize` take only `Flags`, so this works for i32 pointers (Epiphany) as well as
//! for the host.

use anyhow::{anyhow, Result};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::Function;
use cranelift_codegen::settings::{self, Configurable, Flags};
use cranelift_codegen::Context;

/// Flags for the mid-end: `opt_level = speed` (with `none` the egraph pass does nothing),
/// verifier on.
pub fn optimizer_flags() -> Flags {
    let mut b = settings::builder();
    b.set("opt_level", "speed").expect("known setting");
    b.set("enable_verifier", "true").expect("known setting");
    Flags::new(b)
}

/// Runs the CLIF verifier.
pub fn verify(func: &Function, flags: &Flags) -> Result<()> {
    cranelift_codegen::verify_function(func, flags)
        .map_err(|e| anyhow!("CLIF verifier: {e}\n{}", func.display()))
}

/// Unreachable-code removal, constant-phi removal and the egraph pass (GVN, constant
/// folding, algebraic rewrites, LICM), as `Context::optimize` runs them.
pub fn optimize(func: &mut Function, flags: &Flags) -> Result<()> {
    let mut ctx = Context::for_function(std::mem::replace(func, Function::new()));
    let res = (|| -> Result<()> {
        let err = |e: cranelift_codegen::CodegenError| anyhow!("mid-end: {e:?}");
        ctx.compute_cfg();
        ctx.compute_domtree();
        ctx.eliminate_unreachable_code(flags).map_err(err)?;
        ctx.remove_constant_phis(flags).map_err(err)?;
        ctx.func.dfg.resolve_all_aliases();
        ctx.egraph_pass(flags, &mut ControlPlane::default())
            .map_err(err)?;
        Ok(())
    })();
    *func = ctx.func;
    res
}
