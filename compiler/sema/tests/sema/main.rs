//! epyc-sema's tests, one binary: the acceptance suite (`golden`), one program per rule
//! (`rules`), damaged programs (`robustness`), run-time positions of library code (`positions`).

mod common;
mod golden;
mod positions;
mod robustness;
mod rules;
