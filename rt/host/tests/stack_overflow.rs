//! Deep recursion on a core ends the run with a clear error naming the core (deviation D35),
//! not a crash. Checked in a child process, since the error ends the process.
mod common;
use common::*;
use std::hint::black_box;
use std::process::Command;

const CHILD: &str = "EPYC_RT_HOST_OVERFLOW_CHILD";

#[inline(never)]
fn deep(n: u64) -> u64 {
    let frame = black_box([n; 32]);
    if n == u64::MAX {
        return 0;
    }
    deep(n + 1).wrapping_add(black_box(frame[7]))
}

unsafe extern "C" fn recurse_without_end(_g: *mut u8) {
    if me() == 1 {
        black_box(deep(0));
    }
}

#[test]
fn stack_overflow_is_a_runtime_error() {
    if std::env::var_os(CHILD).is_some() {
        let prog = epyc_rt_host::HostProgram {
            entry: recurse_without_end,
            globals_size: 0,
            files: vec![],
        };
        let cfg = epyc_rt_host::RunConfig {
            cores: 2,
            first_core: 0,
            timing: false,
        };
        let status = epyc_rt_host::run(&prog, &cfg);
        panic!("the run ended with status {status} instead of stopping the process");
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "stack_overflow_is_a_runtime_error",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "stderr: {stderr}");
    assert!(
        stderr.contains(
            "Error from core 1: Stack overflow: recursion too deep for this core's memory\n"
        ),
        "stderr: {stderr}"
    );
}
