//! Dynamic code in the default mode (issue 6): it falls back to byte code, never silently —
//! a warning names each function and its first reason with file:line — `--strict` makes
//! that an error, and `epyc check` / `epyc build --explain` list every function that falls
//! back. Variables reused with another type after their value is dead are split, not dynamic.

mod support;

use std::time::Duration;
use support::*;

fn test_program(name: &str) -> String {
    repo_dir()
        .join("tests/programs")
        .join(name)
        .display()
        .to_string()
}

const DESCRIBE_FALLS_BACK: &str = "warning: function 'describe' falls back to byte code: this \
     return gives int but the function returns str at line 7";

#[test]
fn the_fallback_warning_names_the_function_its_reason_and_line_on_both_targets() {
    let path = test_program("mixed_calls.py");
    for target in [["-h", "1"], ["-d", "1"]] {
        let out = run_epyc(
            &["run", target[0], target[1], &path],
            Duration::from_secs(60),
        );
        assert_eq!(out.status, Some(0), "{}", out.stderr);
        assert!(out.stderr.contains(DESCRIBE_FALLS_BACK), "{}", out.stderr);
        assert!(
            out.stderr.contains(&format!("({path}:8)")),
            "names the line of the first reason: {}",
            out.stderr
        );
        assert!(out.stdout.contains("big"), "{}", out.stdout);
    }
}

#[test]
fn strict_makes_the_fallback_an_error_and_runs_nothing() {
    let path = test_program("mixed_calls.py");
    for target in [["-h", "1"], ["-d", "1"]] {
        let out = run_epyc(
            &["run", "--strict", target[0], target[1], &path],
            Duration::from_secs(60),
        );
        assert_eq!(out.status, Some(1), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing runs: {}", out.stdout);
        assert!(
            out.stderr
                .contains("error: function 'describe' falls back to byte code"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("--strict"), "{}", out.stderr);
    }
}

#[test]
fn check_and_build_explain_list_every_function_that_falls_back() {
    let path = shared_dir().join("golden/dynamic/poly_func.py");
    let path = path.display().to_string();
    let check = run_epyc(&["check", &path], Duration::from_secs(60));
    assert_eq!(check.status, Some(1), "{}", check.stderr);
    assert!(
        check.stdout.contains("1 function falls back to byte code:"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("function 'sign_name': this return gives none"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("twice(str) -> str  native"),
        "{}",
        check.stdout
    );
    let out = std::env::temp_dir().join("epyc_fallback_explain.elf");
    let build = run_epyc(
        &[
            "build",
            "--explain",
            &path,
            "-o",
            &out.display().to_string(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(build.status, Some(1), "{}", build.stderr);
    assert!(
        build.stdout.contains(&format!("({path}:6)")),
        "{}",
        build.stdout
    );
    assert!(
        build.stderr.contains("native images only"),
        "{}",
        build.stderr
    );
}

#[test]
fn a_variable_reused_with_a_new_type_after_it_is_dead_is_split_not_dynamic() {
    let path = test_program("split_variables.py");
    let check = run_epyc(&["check", &path], Duration::from_secs(60));
    assert_eq!(check.status, Some(0), "{}", check.stderr);
    assert!(
        check.stdout.contains("every function is native"),
        "{}",
        check.stdout
    );
    let run = run_epyc(&["run", "-h", "1", &path], Duration::from_secs(60));
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("byte code"), "{}", run.stderr);
    let explain = run_epyc(
        &[
            "build",
            "--explain",
            &path,
            "-o",
            &std::env::temp_dir()
                .join("epyc_split.elf")
                .display()
                .to_string(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(explain.status, Some(0), "{}", explain.stderr);
    assert!(
        explain.stdout.contains("report(int) -> none  native"),
        "{}",
        explain.stdout
    );
}

#[test]
fn a_hybrid_run_names_what_is_dynamic_and_stops() {
    let path = test_program("dynamic_messages.py");
    let out = run_epyc(
        &["run", "-d", "1", "-h", "1", &path],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing runs: {}", out.stdout);
    assert!(
        out.stderr
            .contains("error: function 'recv' falls back to byte code"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hybrid run"), "{}", out.stderr);
}
