//! Compiles hand-written TIR with the host JIT and runs it on the host runtime.
#![allow(dead_code)]

#[path = "../../../lower/tests/common/builder.rs"]
pub mod builder;

use epyc_rt_host::{CapturedIo, RunConfig};
use epyc_tir::Program;
use std::sync::Arc;

pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Core 0's lines without the `[host 0] ` prefix.
    pub fn lines(&self) -> Vec<String> {
        self.stdout
            .lines()
            .map(|l| l.strip_prefix("[host 0] ").unwrap_or(l).to_string())
            .collect()
    }
}

pub fn run(p: &Program) -> Outcome {
    run_cores(p, 1)
}

pub fn run_cores(p: &Program, cores: u32) -> Outcome {
    let compiled = epyc_host::compile(p).unwrap_or_else(|e| panic!("compile: {e:#}"));
    let io = Arc::new(CapturedIo::default());
    let cfg = RunConfig {
        cores,
        first_core: 0,
        timing: false,
    };
    let status = epyc_rt_host::run_with_io(&compiled.host_program(), &cfg, io.clone());
    Outcome {
        status,
        stdout: io.stdout(),
        stderr: io.stderr(),
    }
}

/// Runs and expects a clean exit; returns core 0's lines.
pub fn output(p: &Program) -> Vec<String> {
    let o = run(p);
    assert_eq!(o.status, 0, "stderr: {}", o.stderr);
    o.lines()
}
