//! Every GCC-compiled oracle program prints exactly its expected output (oracle/README.md):
//! single-core programs on core (32,8) alone, byte for byte; 16-core programs on the 4x4
//! Parallella-16 workgroup, as sorted lines.

mod common;
use common::*;

const SINGLE: [&str; 4] = ["intops", "floatops", "memops", "calls"];
const MESH: [&str; 5] = ["mesh_ring", "gauss_seidel", "mandel", "primes", "matvec"];

fn elf_names() -> Vec<String> {
    let dir = shared_dir().join("oracle/c/elf");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".elf"))
        .collect();
    v.sort();
    v
}

fn program_of(elf: &str) -> &str {
    elf.split('-').next().unwrap()
}

fn check(elf: &str) -> Result<(), String> {
    let prog = program_of(elf);
    let bytes = oracle_elf(elf);
    let (rows, cols) = if SINGLE.contains(&prog) {
        (1, 1)
    } else {
        (4, 4)
    };
    let r = run(&bytes, rows, cols, Some(2_000_000_000));
    if let Some(f) = &r.fault {
        return Err(format!("{elf}: {f}"));
    }
    if r.exit_status() != 0 {
        return Err(format!("{elf}: exit status {}", r.exit_status()));
    }
    let want = expected(prog);
    let ok = if SINGLE.contains(&prog) {
        r.output == want
    } else {
        sorted_lines(&r.output) == sorted_lines(&want)
    };
    if !ok {
        return Err(format!(
            "{elf}: output differs\n--- got\n{}--- want\n{}",
            String::from_utf8_lossy(&r.output),
            String::from_utf8_lossy(&want)
        ));
    }
    Ok(())
}

fn check_all(filter: impl Fn(&str) -> bool) {
    let names: Vec<String> = elf_names()
        .into_iter()
        .filter(|n| filter(program_of(n)))
        .collect();
    assert!(!names.is_empty());
    let failures: Vec<String> = names.iter().filter_map(|n| check(n).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

#[test]
fn single_core_programs_match_byte_for_byte() {
    check_all(|p| SINGLE.contains(&p));
}

#[test]
fn mesh_programs_except_gauss_seidel_match_as_sorted_lines() {
    check_all(|p| MESH.contains(&p) && p != "gauss_seidel");
}

#[test]
fn gauss_seidel_programs_match() {
    check_all(|p| p == "gauss_seidel");
}

#[test]
fn every_oracle_elf_is_covered() {
    for n in elf_names() {
        let p = program_of(&n);
        assert!(
            SINGLE.contains(&p) || MESH.contains(&p),
            "{n} is in no test list"
        );
    }
}
