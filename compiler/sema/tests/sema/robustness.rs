//! Damaged programs never panic the specialiser: every golden program with one line removed
//! (or two lines swapped) either fails to parse or is checked (errors are fine) without a panic.

use crate::common::*;

#[test]
fn golden_programs_with_a_line_removed_never_panic() {
    let s = shared();
    let mut checked = 0;
    for dir in [
        "basics", "parallel", "numeric", "bench", "errors", "dynamic",
    ] {
        for e in std::fs::read_dir(s.join("golden").join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "py") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (skip, variant) in (0..lines.len()).flat_map(|i| [(i, 0), (i, 1)]) {
                // Variant 0: line `skip` removed; variant 1: lines `skip` and `skip+1` swapped.
                let mut ls: Vec<&str> = lines.clone();
                if variant == 0 {
                    ls.remove(skip);
                } else if skip + 1 < ls.len() {
                    ls.swap(skip, skip + 1);
                } else {
                    continue;
                }
                let damaged: String = ls.iter().map(|l| format!("{l}\n")).collect();
                let path = std::env::temp_dir()
                    .join("epyc_sema_tests")
                    .join("damaged.py");
                let Ok(prog) = epyc_syntax::parse_program_text(&path, &damaged, &[libs()]) else {
                    continue;
                };
                let c = epyc_sema::check(&prog);
                assert!(
                    !c.errors.iter().any(|d| d.message.contains("compiler bug")),
                    "{} without line {}: {:?}",
                    p.display(),
                    skip + 1,
                    c.errors
                );
                if let Some(prog) = &c.program {
                    prog.validate().unwrap_or_else(|e| {
                        panic!("{} without line {}: {e}", p.display(), skip + 1)
                    });
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} variants checked");
}
