//! Every golden program (outside errors/ and dynamic/) lowers, inlines, verifies and
//! optimises for both pointer widths: the Epiphany backend will consume the i32 form.

use cranelift_codegen::ir::types;
use cranelift_codegen::isa::CallConv;
use epyc_lower::{lower_program, optimizer_flags, Target};
use std::path::{Path, PathBuf};

fn shared_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("EPYC_SHARED") {
        return PathBuf::from(dir);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

fn programs() -> Vec<PathBuf> {
    let golden = shared_dir().join("golden");
    let mut out = Vec::new();
    for dir in ["basics", "numeric", "parallel", "bench"] {
        let Ok(entries) = std::fs::read_dir(golden.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn golden_programs_lower_for_host_and_epiphany_pointer_widths() {
    let programs = programs();
    assert!(
        programs.len() >= 20,
        "golden programs not found under {}",
        shared_dir().display()
    );
    let libs = [epyc_syntax::default_lib_dir()];
    let flags = optimizer_flags();
    for path in &programs {
        let parsed = epyc_syntax::parse_program(path, &libs)
            .unwrap_or_else(|_| panic!("{} does not parse", path.display()));
        let analysis = epyc_sema::analyze(&parsed)
            .unwrap_or_else(|_| panic!("{} does not type", path.display()));
        for ptr in [types::I64, types::I32] {
            let target = Target::new(ptr, CallConv::SystemV);
            let mut lowered = lower_program(&analysis.program, &target)
                .unwrap_or_else(|e| panic!("{} ({ptr}): {e:#}", path.display()));
            lowered.verify(&flags).unwrap();
            lowered.inline_small_functions().unwrap();
            lowered.verify(&flags).unwrap();
            lowered
                .optimize(&flags)
                .unwrap_or_else(|e| panic!("{} ({ptr}): {e:#}", path.display()));
            lowered.verify(&flags).unwrap();
        }
    }
}
