//! Front end, second stage: name resolution, whole-program type inference and specialisation.
//! Input: `epyc_syntax::ParsedProgram`; output: `epyc_tir::Program` plus a report of every
//! function's specialisations (native or dynamic, and why) for `epyc check`.
