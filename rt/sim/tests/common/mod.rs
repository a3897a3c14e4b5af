//! Shared helpers of the simulator's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `shared/` as the preamble says: $EPYC_SHARED, else repo/../shared, else /work/shared.
pub fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("EPYC_SHARED") {
        return PathBuf::from(p);
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

pub fn oracle_elf(name: &str) -> Vec<u8> {
    let p = shared_dir().join("oracle/c/elf").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

pub fn expected(program: &str) -> Vec<u8> {
    let p = shared_dir()
        .join("oracle/c/expected")
        .join(format!("{program}.out"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Run an image on a rows x cols workgroup at (32, 8).
pub fn run(bytes: &[u8], rows: u32, cols: u32, max_cycles: Option<u64>) -> epiphany_sim::RunResult {
    let cfg = epiphany_sim::Config {
        rows,
        cols,
        max_cycles,
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).expect("workgroup");
    sim.load_elf(bytes).expect("load");
    sim.run()
}

pub fn sorted_lines(b: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8_lossy(b)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

pub mod asm;
