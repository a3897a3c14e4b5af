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
    // The build goes on and writes the mixed image (tests/cli.rs runs such images).
    assert_eq!(build.status, Some(0), "{}", build.stderr);
    assert!(
        build.stdout.contains(&format!("({path}:6)")),
        "{}",
        build.stdout
    );
    assert!(
        build
            .stderr
            .contains("note: twice(str) -> str stays native (byte code calls it)"),
        "{}",
        build.stderr
    );
    assert!(out.is_file(), "the image is written");
    std::fs::remove_file(&out).ok();
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

/// A hybrid run of a program with dynamic code runs as byte code on both sides (here no
/// function byte code calls can stay native): the device interpreter on the device cores, the
/// host interpreter on the host cores, messages of every type crossing both ways; never
/// silently, and `--strict` still refuses it.
#[test]
fn a_hybrid_run_falls_back_to_byte_code_on_both_sides() {
    let path = test_program("dynamic_messages.py");
    let out = run_epyc(
        &["run", "-d", "1", "-h", "1", &path],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: function 'recv' falls back to byte code"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "warning: the whole program runs as byte code (no function byte code calls can \
             run natively)"
        ),
        "{}",
        out.stderr
    );
    for line in [
        "[host 1] 7",
        "[host 1] 0.250000",
        "[host 1] hello",
        "[host 1] false",
        "[device 0] 3.500000",
        "[device 0] done",
    ] {
        assert!(out.stdout.contains(line), "{line}:\n{}", out.stdout);
    }
    let strict = run_epyc(
        &["run", "--strict", "-d", "1", "-h", "1", &path],
        Duration::from_secs(60),
    );
    assert_eq!(strict.status, Some(1), "{}", strict.stderr);
    assert!(strict.stdout.is_empty(), "nothing runs: {}", strict.stdout);
    assert!(
        strict
            .stderr
            .contains("error: function 'recv' falls back to byte code"),
        "{}",
        strict.stderr
    );
}

/// Mixed programs on host cores, the other direction: a typed function that calls a dynamic
/// one where it discards the result stays native and calls the byte code through the
/// interpreter (`note`, 4 calls), which calls native code back (`square`, 3 calls); a function
/// that uses a dynamic result (`summary` of `describe`) stays byte code. The output is the
/// byte code's.
#[test]
fn on_host_cores_native_code_calls_byte_code_where_it_discards_the_result() {
    let path = test_program("mixed_calls_byte_code.py");
    let out = run_epyc_with_env(
        &["run", "-h", "1", &path],
        &[("EPYC_MIXED_STATS", "1")],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for native in ["work(int, float) -> int", "square(int) -> int"] {
        let note = format!("note: {native} stays native (byte code calls it)");
        assert!(out.stderr.contains(&note), "{note}: {}", out.stderr);
    }
    assert!(!out.stderr.contains("note: summary"), "{}", out.stderr);
    let check = run_epyc(&["check", &path], Duration::from_secs(60));
    let listed = format!("{}{}", check.stdout, check.stderr);
    assert!(
        listed.contains(
            "on host cores, 1 more stays native (calling byte code where it discards its \
             result):\n  work(int, float) -> int\n"
        ),
        "{listed}"
    );
    assert!(
        out.stderr.contains("mixed: 4 calls ran native code"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("mixed: 4 calls from native code ran byte code"),
        "{}",
        out.stderr
    );
    let interp = run_epyc(
        &["run", "--interp", "-h", "1", &path],
        Duration::from_secs(60),
    );
    assert_eq!(interp.status, Some(0), "{}", interp.stderr);
    assert_eq!(out.stdout, interp.stdout);
}

/// A hybrid run of a program with dynamic code is mixed on both sides: byte code calls
/// `show(int) -> str` natively on the device cores (in the mixed image) and on the host cores
/// (host JIT code). Each side's counter (`EPYC_MIXED_STATS=1`) shows its one native call —
/// device core 1 and host core 3 receive ints, cores 0 and 2 strings — and the output is the
/// program's golden output.
#[test]
fn a_hybrid_run_of_dynamic_code_calls_native_code_on_both_sides() {
    let path = test_program("hybrid_dynamic.py");
    let expected = std::fs::read_to_string(repo_dir().join("tests/programs/hybrid_dynamic.out"))
        .expect("hybrid_dynamic.out");
    let out = run_epyc_with_env(
        &["run", "-d", "2", "-h", "2", &path],
        &[("EPYC_MIXED_STATS", "1")],
        Duration::from_secs(120),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for said in [
        "warning: the module code falls back to byte code",
        "note: show(int) -> str stays native on device and host cores (byte code calls it)",
        "mixed: 1 calls ran native code on device cores",
        "mixed: 1 calls ran native code on host cores",
    ] {
        assert!(out.stderr.contains(said), "{said}:\n{}", out.stderr);
    }
    compare_cores(&split_output(&expected), &split_output(&out.stdout))
        .unwrap_or_else(|d| panic!("{d}\n{}", out.stdout));
}

/// Mixed programs on host cores: byte code calls native code for the specialisations that
/// take and return scalars or strings. The notes name each; the interpreter's counter (shown with
/// `EPYC_MIXED_STATS=1`) proves the calls ran natively; the output is the byte code's.
#[test]
fn on_host_cores_byte_code_calls_native_code_for_typed_scalar_functions() {
    let path = test_program("mixed_native.py");
    let out = run_epyc_with_env(
        &["run", "-h", "1", &path],
        &[("EPYC_MIXED_STATS", "1")],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for native in [
        "checksum(int, int) -> int",
        "fib(int) -> int",
        "mean(float, int) -> float",
        "mean(int, int) -> float",
        "pick(bool, none) -> int",
        "shout(str, int) -> str",
    ] {
        let note = format!("note: {native} stays native (byte code calls it)");
        assert!(out.stderr.contains(&note), "{note}: {}", out.stderr);
    }
    assert!(
        out.stderr
            .contains("warning: function 'describe' falls back to byte code"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("note: describe"), "{}", out.stderr);
    // Two checksum calls, one fib (its recursion stays inside native code), two means, one
    // pick, two shouts: the calls made from byte code.
    assert!(
        out.stderr.contains("mixed: 8 calls ran native code"),
        "{}",
        out.stderr
    );
    let interp = run_epyc(
        &["run", "--interp", "-h", "1", &path],
        Duration::from_secs(60),
    );
    assert_eq!(interp.status, Some(0), "{}", interp.stderr);
    assert_eq!(out.stdout, interp.stdout);
}

#[test]
fn check_lists_the_specialisations_that_stay_native() {
    let path = test_program("mixed_native.py");
    let check = run_epyc(&["check", &path], Duration::from_secs(60));
    assert_eq!(check.status, Some(1), "{}", check.stderr);
    assert!(
        check
            .stdout
            .contains("6 specialisations stay native (byte code calls them):\n  checksum(int, int) -> int\n  fib(int) -> int\n"),
        "{}",
        check.stdout
    );
    let four = run_epyc(
        &["check", &test_program("mixed_fallthrough.py")],
        Duration::from_secs(60),
    );
    assert!(
        four.stdout.contains("  sum4(int, int, int, int) -> int\n"),
        "{}",
        four.stdout
    );
    assert!(
        four.stdout.contains("  half(int) -> int\n"),
        "{}",
        four.stdout
    );
    // A function that uses a module variable stays byte code: nothing of mixed_calls'
    // module code is exported, but square and scale are.
    let calls = run_epyc(
        &["check", &test_program("mixed_calls.py")],
        Duration::from_secs(60),
    );
    assert!(
        calls.stdout.contains("  square(int) -> int\n"),
        "{}",
        calls.stdout
    );
    assert!(!calls.stdout.contains("  <module>"), "{}", calls.stdout);
}

#[test]
fn a_runtime_error_in_native_code_called_from_byte_code_names_core_and_line() {
    let path = repo_dir()
        .join("tests/programs/errors/division_in_native_called_from_byte_code.py")
        .display()
        .to_string();
    for target in [["-h", "1"], ["-d", "1"]] {
        let out = run_epyc_with_env(
            &["run", target[0], target[1], &path],
            &[("EPYC_MIXED_STATS", "1")],
            Duration::from_secs(60),
        );
        assert_ne!(out.status, Some(0), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("note: ratio(int, int) -> int stays native"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!(
                "Error from core 0: Division by zero\n  at {path}:9"
            )),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("mixed: 2 calls ran native code"),
            "{}",
            out.stderr
        );
    }
}

/// The cycles of core 0 in a `-t` run.
fn core0_cycles(stdout: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Core 0 completed"))
        .unwrap_or_else(|| panic!("no timing line: {stdout}"));
    let (_, after) = line.split_once('(').expect("cycles in parentheses");
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no cycle count in {line:?}"))
}

/// Mixed programs on device cores: the specialisations byte code can call natively are
/// compiled into the image beside the device interpreter; the notes name them, the output
/// is the byte code's, the image's counter (`EPYC_MIXED_STATS=1`) counts the calls made as
/// the host's does, and the simulated cycles show them (with checksum and fib
/// native the program takes well under three quarters of its byte-code-only cycles: 607,488
/// against 1,571,648 when this was written).
#[test]
fn on_device_cores_byte_code_calls_native_code_in_the_same_image() {
    let path = test_program("mixed_native.py");
    let out = run_epyc_with_env(
        &["run", "-d", "1", "-t", &path],
        &[("EPYC_MIXED_STATS", "1")],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for native in [
        "checksum(int, int) -> int",
        "fib(int) -> int",
        "mean(float, int) -> float",
        "mean(int, int) -> float",
        "pick(bool, none) -> int",
        "shout(str, int) -> str",
    ] {
        let note = format!("note: {native} stays native (byte code calls it)");
        assert!(out.stderr.contains(&note), "{note}: {}", out.stderr);
    }
    assert!(
        !out.stderr.contains("the whole program runs as byte code"),
        "{}",
        out.stderr
    );
    // The same calls as on host cores (see above).
    assert!(
        out.stderr.contains("mixed: 8 calls ran native code"),
        "{}",
        out.stderr
    );
    let interp = run_epyc(
        &["run", "--interp", "-d", "1", "-t", &path],
        Duration::from_secs(60),
    );
    assert_eq!(interp.status, Some(0), "{}", interp.stderr);
    let printed = |s: &str| -> String { s.lines().filter(|l| l.starts_with('[')).collect() };
    assert_eq!(printed(&out.stdout), printed(&interp.stdout));
    let (mixed, bytecode) = (core0_cycles(&out.stdout), core0_cycles(&interp.stdout));
    assert!(
        4 * mixed < 3 * bytecode,
        "mixed {mixed} cycles, byte code only {bytecode}"
    );
}

/// Differential: every dynamic golden program and this repository's mixed programs print
/// the same in the default mixed mode and as byte code only, on two host cores and on two
/// simulated device cores.
#[test]
fn mixed_and_byte_code_only_runs_print_the_same() {
    let mut programs: Vec<String> = [
        "mixed_calls.py",
        "mixed_native.py",
        "mixed_fallthrough.py",
        "dynamic_messages.py",
    ]
    .iter()
    .map(|p| test_program(p))
    .collect();
    let dynamic = shared_dir().join("golden/dynamic");
    let mut shared: Vec<String> = std::fs::read_dir(&dynamic)
        .unwrap_or_else(|e| panic!("{}: {e}", dynamic.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .map(|p| p.display().to_string())
        .collect();
    shared.sort();
    assert!(!shared.is_empty(), "no dynamic golden programs");
    programs.extend(shared);
    for path in &programs {
        for target in ["-h", "-d"] {
            let mixed = run_epyc(&["run", target, "2", path], Duration::from_secs(60));
            let interp = run_epyc(
                &["run", "--interp", target, "2", path],
                Duration::from_secs(60),
            );
            assert_eq!(mixed.status, interp.status, "{path}: {}", mixed.stderr);
            if let Err(e) =
                compare_cores(&split_output(&interp.stdout), &split_output(&mixed.stdout))
            {
                panic!("{path} ({target} 2): mixed and byte-code runs differ: {e}");
            }
        }
    }
}

/// A mixed program whose native code does not fit beside the device interpreter: said
/// clearly, then the whole program runs as byte code — here too large for local memory as
/// well, so in shared DRAM (ePython's warning) — with the host's output, under `epyc run` and
/// from `epyc build`'s image under `epyc sim`.
#[test]
fn a_mixed_image_too_large_for_a_core_says_so() {
    let mut src =
        String::from("def describe(x):\n    if x > 10:\n        return \"big\"\n    return x\n\n");
    for i in 0..120 {
        src.push_str(&format!(
            "def f{i}(a, b):\n    s = a\n    for k in range(b):\n        s = (s * {m} + k * k - {i}) % 1000003\n        if s > 500:\n            s = s - {n}\n    return s + {i}\n\n",
            m = i + 3,
            n = i + 1
        ));
    }
    src.push_str("print describe(3)\n");
    for i in 0..120 {
        src.push_str(&format!("print f{i}({i}, 5)\n"));
    }
    let dir = std::env::temp_dir().join(format!("epyc-mixed-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big_mixed.py");
    std::fs::write(&path, src).unwrap();
    let path = path.display().to_string();
    // The host interpreter's output is the reference.
    let host = run_epyc(&["run", "-h", "1", &path], Duration::from_secs(60));
    assert_eq!(host.status, Some(0), "{}", host.stderr);
    let expected = split_output(&host.stdout);
    assert_eq!(expected.cores.get(&0).map(Vec::len), Some(121));
    let falls_back = [
        "warning: the mixed image (device interpreter, byte code and native code) does not fit \
         a core's 32 KB local memory",
        "does not fit beside the interpreter in a core's local memory so storing it in shared \
         memory",
        "warning: the whole program runs as byte code",
    ];
    let out = run_epyc(&["run", "-d", "1", &path], Duration::from_secs(60));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for said in falls_back {
        assert!(out.stderr.contains(said), "{said}:\n{}", out.stderr);
    }
    compare_cores(&expected, &split_output(&out.stdout))
        .unwrap_or_else(|d| panic!("run -d 1:\n{d}"));
    // `epyc build` falls back the same way; `epyc sim` runs its image.
    let elf = dir.join("big_mixed.elf").display().to_string();
    let built = run_epyc(&["build", &path, "-o", &elf], Duration::from_secs(60));
    assert_eq!(built.status, Some(0), "{}", built.stderr);
    for said in falls_back {
        assert!(built.stderr.contains(said), "{said}:\n{}", built.stderr);
    }
    let sim = run_epyc(&["sim", &elf, "-d", "1"], Duration::from_secs(60));
    assert_eq!(sim.status, Some(0), "{}", sim.stderr);
    compare_cores(&expected, &split_output(&sim.stdout)).unwrap_or_else(|d| panic!("sim:\n{d}"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Arguments no native specialisation takes interpret the function; a runtime error there
/// names core and line as byte code only does, on both targets.
#[test]
fn a_runtime_error_in_the_byte_code_a_native_call_falls_back_to_names_core_and_line() {
    let path = repo_dir()
        .join("tests/programs/errors/type_error_in_byte_code_twin.py")
        .display()
        .to_string();
    for target in [["-h", "1"], ["-d", "1"]] {
        let out = run_epyc_with_env(
            &["run", target[0], target[1], &path],
            &[("EPYC_MIXED_STATS", "1")],
            Duration::from_secs(60),
        );
        assert_eq!(out.status, Some(3), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("Error from core 0: Type error: unsupported operand type"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("\n  at {path}:10")),
            "{}",
            out.stderr
        );
        // half(9) and half(0) ran natively, half("many") as byte code.
        assert!(
            out.stderr.contains("mixed: 2 calls ran native code"),
            "{}",
            out.stderr
        );
        let printed: Vec<&str> = out
            .stdout
            .lines()
            .map(|l| l.split("] ").nth(1).unwrap_or(l))
            .collect();
        assert_eq!(printed, ["4", "0"], "{}", out.stdout);
    }
}

/// A runtime error in byte code that native code called names core and line as byte code
/// only does (host cores: through the interpreter's entry; device cores: the caller stays
/// byte code there).
#[test]
fn a_runtime_error_in_byte_code_called_from_native_code_names_core_and_line() {
    let path = repo_dir()
        .join("tests/programs/errors/type_error_in_byte_code_native_calls.py")
        .display()
        .to_string();
    for target in [["-h", "1"], ["-d", "1"]] {
        let out = run_epyc_with_env(
            &["run", target[0], target[1], &path],
            &[("EPYC_MIXED_STATS", "1")],
            Duration::from_secs(60),
        );
        assert_eq!(out.status, Some(3), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("Error from core 0: Type error: unsupported operand type"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("\n  at {path}:9")),
            "{}",
            out.stderr
        );
        let printed: Vec<&str> = out
            .stdout
            .lines()
            .map(|l| l.split("] ").nth(1).unwrap_or(l))
            .collect();
        assert_eq!(printed, ["-1", "0", "1"], "{}", out.stdout);
    }
    let host = run_epyc_with_env(
        &["run", "-h", "1", &path],
        &[("EPYC_MIXED_STATS", "1")],
        Duration::from_secs(60),
    );
    // work(5) ran natively; its fourth call of note failed.
    assert!(
        host.stderr.contains("mixed: 1 calls ran native code"),
        "{}",
        host.stderr
    );
    assert!(
        host.stderr
            .contains("mixed: 4 calls from native code ran byte code"),
        "{}",
        host.stderr
    );
}
