//! epyc-sema's tests, one binary: the acceptance suite (`golden`), one program per rule
//! (`rules`), damaged programs (`robustness`).

mod common;
mod golden;
mod robustness;
mod rules;
