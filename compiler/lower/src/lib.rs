//! TIR -> Cranelift IR for one target, then Cranelift's mid-end (egraph) optimisation.
//! The pointer type is the only target parameter: i64 on the host, i32 on the Epiphany.
