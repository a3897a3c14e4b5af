//! Host virtual cores backend: optimised CLIF -> native code with cranelift-jit, linked against
//! the host runtime (`epyc-rt-host`).
