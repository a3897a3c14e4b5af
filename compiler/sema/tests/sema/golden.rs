//! The acceptance suite: every golden program outside errors/ and dynamic/, and the paper's
//! listings 1, 2, 4, 5, type fully native and give valid TIR.

use crate::common::*;

fn native_programs() -> Vec<std::path::PathBuf> {
    let s = shared();
    let mut v = vec![];
    for dir in ["basics", "parallel", "numeric", "bench"] {
        let mut files: Vec<_> = std::fs::read_dir(s.join("golden").join(dir))
            .unwrap_or_else(|e| panic!("golden/{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .collect();
        files.sort();
        v.extend(files);
    }
    for l in [
        "listing1_hello",
        "listing2_p2p",
        "listing4_virtual",
        "listing5_gauss_seidel",
    ] {
        v.push(s.join("seed/listings").join(format!("{l}.py")));
    }
    v
}

#[test]
fn golden_programs_type_native() {
    let mut failures = vec![];
    let programs = native_programs();
    assert!(programs.len() > 40, "golden suite not found");
    for p in &programs {
        let c = check_file(p);
        if !c.errors.is_empty() || c.program.is_none() {
            let msgs: Vec<String> = c
                .errors
                .iter()
                .map(|d| format!("{}..: {}", d.start, d.message))
                .collect();
            failures.push(format!(
                "{}:\n  {}\n{}",
                p.display(),
                msgs.join("\n  "),
                c.report
            ));
            continue;
        }
        let prog = c.program.as_ref().unwrap();
        if let Err(e) = prog.validate() {
            failures.push(format!("{}: invalid TIR: {e}", p.display()));
        }
        if !c.report.all_native() {
            failures.push(format!("{}: not native:\n{}", p.display(), c.report));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs fail:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
}

#[test]
fn listing5_report_is_all_native() {
    let c = check_file(&shared().join("seed/listings/listing5_gauss_seidel.py"));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let text = c.report.to_string();
    assert!(c.report.all_native(), "{text}");
    assert!(
        text.contains("computeNorm(list[float], int, none) -> float  native"),
        "{text}"
    );
    assert!(
        text.contains("computeNorm(list[float], int, float) -> float  native"),
        "{text}"
    );
    assert!(
        text.contains("fillInitialConditions(list[float], int) -> none  native"),
        "{text}"
    );
}

fn expect_compile_error(name: &str, line: u32, must_contain: &[&str]) {
    let path = shared().join("golden/errors").join(format!("{name}.py"));
    let text = std::fs::read_to_string(&path).unwrap();
    let c = check_file(&path);
    assert!(c.program.is_none(), "{name} must not compile");
    let errs = error_lines(&c, &text);
    assert!(
        errs.iter()
            .any(|(l, m)| *l == line && must_contain.iter().all(|s| m.contains(s))),
        "{name}: expected an error at line {line} containing {must_contain:?}, got {errs:?}"
    );
}

#[test]
fn undefined_variable_is_a_compile_error() {
    expect_compile_error("undefined_variable", 3, &["'y'"]);
}

#[test]
fn unknown_function_is_a_compile_error() {
    expect_compile_error("unknown_function", 3, &["function 'foo'"]);
}

#[test]
fn case_mismatch_names_the_other_spelling() {
    let err = std::fs::read_to_string(shared().join("golden/errors/case_mismatch.err")).unwrap();
    let wanted: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut must = vec!["'value'"];
    must.extend(wanted);
    expect_compile_error("case_mismatch", 3, &must);
}

#[test]
fn runtime_error_programs_compile() {
    for name in ["index_exceeds_array", "index_out_of_range", "zero_division"] {
        let c = check_file(&shared().join("golden/errors").join(format!("{name}.py")));
        assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
    }
}

#[test]
fn output_is_deterministic() {
    for name in [
        "seed/listings/listing5_gauss_seidel.py",
        "golden/parallel/taskfarm.py",
    ] {
        let p = shared().join(name);
        let a = check_file(&p);
        let b = check_file(&p);
        assert_eq!(
            format!("{:?}", a.program),
            format!("{:?}", b.program),
            "{name} types differently on a second run"
        );
        assert_eq!(a.report, b.report);
    }
}
