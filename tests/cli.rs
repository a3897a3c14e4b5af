//! The command line as a user meets it: exit statuses, compile-error reports with
//! file:line:col and a caret, runtime errors naming core and line, deadlock reports.

mod support;

use std::time::{Duration, Instant};
use support::*;

fn program(name: &str) -> String {
    repo_dir()
        .join("tests/programs/errors")
        .join(name)
        .display()
        .to_string()
}

fn assert_caret_report(stderr: &str, file: &str, line: u32, col: u32) {
    let anchor = format!("{file}:{line}:{col}");
    assert!(
        stderr.contains(&anchor),
        "the report must name {anchor}:\n{stderr}"
    );
    assert!(
        stderr.contains('^'),
        "the report must show a caret:\n{stderr}"
    );
}

#[test]
fn version_and_help() {
    let out = run_epyc(&["--version"], Duration::from_secs(10));
    assert_eq!(out.status, Some(0));
    assert!(out.stdout.starts_with("epyc "), "{}", out.stdout);
    let out = run_epyc(&["--help"], Duration::from_secs(10));
    assert_eq!(out.status, Some(0));
    assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let out = run_epyc(&["run", "-h", "x", "f.py"], Duration::from_secs(10));
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    let out = run_epyc(
        &["run", "-h", "2", "no/such/file.py"],
        Duration::from_secs(10),
    );
    assert_eq!(out.status, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("no/such/file.py"), "{}", out.stderr);
}

#[test]
fn syntax_error_points_at_the_line() {
    let path = program("syntax.py");
    let out = run_epyc(&["run", "-h", "1", &path], Duration::from_secs(30));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing runs: {}", out.stdout);
    assert_caret_report(&out.stderr, &path, 3, 9);
}

#[test]
fn unknown_name_points_at_the_use() {
    let path = program("unknown_name.py");
    let out = run_epyc(&["run", "-h", "1", &path], Duration::from_secs(30));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert_caret_report(&out.stderr, &path, 3, 6);
    assert!(out.stderr.contains("totl"), "{}", out.stderr);
}

#[test]
fn type_conflict_names_both_types_and_lines() {
    let path = program("type_conflict.py");
    let out = run_epyc(&["check", &path], Duration::from_secs(30));
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("{path}:")), "{}", out.stderr);
    assert!(out.stderr.contains('^'), "{}", out.stderr);
    for word in ["x", "int", "list", "2", "4"] {
        assert!(
            out.stderr.contains(word),
            "must mention {word}: {}",
            out.stderr
        );
    }
}

#[test]
fn deadlock_is_reported_not_hung() {
    let path = program("deadlock.py");
    let started = Instant::now();
    let out = run_epyc(&["run", "-h", "2", &path], Duration::from_secs(30));
    assert!(!out.timed_out, "the run hung");
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "detected after {:?}",
        started.elapsed()
    );
    let report = out.stderr.to_lowercase();
    assert!(report.contains("deadlock"), "{}", out.stderr);
    assert!(
        out.stderr.contains("deadlock.py:4"),
        "names the line of each wait: {}",
        out.stderr
    );
}

#[test]
fn runtime_error_names_core_and_line() {
    let path = program("index_on_core_1.py");
    let out = run_epyc(&["run", "-h", "2", &path], Duration::from_secs(30));
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error from core 1: Array index in expression exceeds array size in that dimension"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("index_on_core_1.py:5"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_reports_listing5_native() {
    let path = repo_dir().join("examples/gauss_seidel.py");
    let out = run_epyc(
        &["check", &path.display().to_string()],
        Duration::from_secs(30),
    );
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(out.stdout.contains("computeNorm"), "{}", out.stdout);
    assert!(out.stdout.contains("native"), "{}", out.stdout);
    assert!(!out.stdout.contains("dynamic"), "{}", out.stdout);
}

#[test]
fn send_to_a_missing_core_names_the_users_line() {
    let path = program("send_to_missing_core.py");
    let out = run_epyc(&["run", "-h", "2", &path], Duration::from_secs(30));
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Error from core 0: Attempting to send to non-existent or inactive process"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("send_to_missing_core.py:3"),
        "{}",
        out.stderr
    );
}

#[test]
fn disasm_of_an_image_shows_source_lines_above_instructions() {
    let dir = std::env::temp_dir().join(format!("epyc-cli-disasm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let elf = dir.join("gs.elf").display().to_string();
    let src = repo_dir()
        .join("examples/gauss_seidel.py")
        .display()
        .to_string();
    let out = run_epyc(&["build", &src, "-o", &elf], Duration::from_secs(60));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let out = run_epyc(&["disasm", &elf], Duration::from_secs(60));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("gauss_seidel.py:13: def computeNorm(local_data, local_size, bnorm=none):"),
        "{}",
        out.stdout
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn placement_flags_the_device_interpreter_cannot_honour_are_refused() {
    let path = repo_dir().join("examples/gauss_seidel.py");
    let path = path.to_str().unwrap();
    for flag in ["-codeshared", "-datashared"] {
        let hybrid = run_epyc(
            &["run", "--interp", "-d", "1", "-h", "1", flag, path],
            Duration::from_secs(30),
        );
        assert_eq!(hybrid.status, Some(2), "{}", hybrid.stderr);
        assert!(hybrid.stdout.is_empty(), "{}", hybrid.stdout);
        let build = run_epyc(
            &["build", "--interp", flag, path, "-o", "/dev/null"],
            Duration::from_secs(30),
        );
        assert_eq!(build.status, Some(2), "{}", build.stderr);
        assert!(
            build
                .stderr
                .contains("not supported by the device byte-code interpreter"),
            "{}",
            build.stderr
        );
    }
}

/// `epyc run --interp -d N` with `-codeshared` / `-datashared` places the byte code in shared
/// DRAM (one copy for all cores) and runs it as from local memory.
#[test]
fn device_interpreter_runs_its_module_from_shared_memory_on_request() {
    let dir = std::env::temp_dir().join(format!("epyc-cli-shared-bc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("shared_bc.py");
    std::fs::write(
        &src,
        "from parallel import *\ndef f(x):\n    return x * 3\nprint('core ' + str(f(coreid())))\n",
    )
    .unwrap();
    let src = src.to_str().unwrap();
    for flag in ["-codeshared", "-datashared"] {
        let out = run_epyc(
            &["run", "--interp", "-d", "2", flag, src],
            Duration::from_secs(30),
        );
        assert_eq!(out.status, Some(0), "{}", out.stderr);
        let mut lines: Vec<&str> = out.stdout.lines().collect();
        lines.sort();
        assert_eq!(
            lines,
            ["[device 0] core 0", "[device 1] core 3"],
            "{}",
            out.stderr
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Byte code on both sides of a hybrid run (`--interp -d N -h M`): a device core and a host
/// core waiting for each other are a deadlock, reported with both waits, never a hang.
#[test]
fn a_deadlock_across_a_hybrid_byte_code_run_is_reported() {
    let path = program("hybrid_deadlock.py");
    let started = Instant::now();
    let out = run_epyc(
        &["run", "--interp", "-d", "2", "-h", "2", &path],
        Duration::from_secs(60),
    );
    assert!(!out.timed_out, "the run hung");
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "detected after {:?}",
        started.elapsed()
    );
    for line in [
        "Deadlock: every running core is blocked in message passing",
        "  core 0: recv from core 2 at ",
        "  core 2: recv from core 0 at ",
    ] {
        assert!(out.stderr.contains(line), "{line}:\n{}", out.stderr);
    }
}

/// A runtime error in byte code on a host core of a hybrid run names core and line; the
/// device core waiting for it is reported, not left hanging.
#[test]
fn a_runtime_error_in_a_hybrid_byte_code_run_names_core_and_line() {
    let path = program("hybrid_errors.py");
    let out = run_epyc(
        &["run", "--interp", "-d", "2", "-h", "2", &path],
        Duration::from_secs(60),
    );
    assert!(!out.timed_out, "the run hung");
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error from core 3: Array index in expression exceeds array size in that dimension"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hybrid_errors.py:6"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("core 1: recv from core 3 (stopped by an error)"),
        "{}",
        out.stderr
    );
}

/// A temporary directory of its own for a test's files.
fn scratch_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("epyc-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `epyc build --interp` writes the byte-code image (the program with the device interpreter)
/// as an ELF that `epyc sim -d N` runs under the device monitor with the golden output, for a
/// program with dynamic code too; a native image runs there as well.
#[test]
fn sim_runs_the_elf_of_build_and_build_interp_with_the_golden_output() {
    let dir = scratch_dir("sim");
    let program = shared_dir().join("golden/parallel/ring.py");
    let expected = std::fs::read_to_string(program.with_extension("out")).expect("ring.out");
    let src = program.display().to_string();
    for (name, flags) in [
        ("ring-interp.elf", &["--interp"][..]),
        ("ring.elf", &[][..]),
    ] {
        let elf = dir.join(name).display().to_string();
        let mut args = vec!["build"];
        args.extend(flags);
        args.extend([src.as_str(), "-o", elf.as_str()]);
        let built = run_epyc(&args, Duration::from_secs(60));
        assert_eq!(built.status, Some(0), "{}", built.stderr);
        let out = run_epyc(&["sim", &elf, "-d", "4"], Duration::from_secs(120));
        assert_eq!(out.status, Some(0), "{name}: {}", out.stderr);
        compare_cores(&split_output(&expected), &split_output(&out.stdout))
            .unwrap_or_else(|d| panic!("{name}:\n{d}\n{}", out.stdout));
    }
    // Dynamic code has no native image, but its byte-code image runs.
    let dynamic = repo_dir().join("tests/programs/dynamic_messages.py");
    let expected =
        std::fs::read_to_string(dynamic.with_extension("out")).expect("dynamic_messages.out");
    let elf = dir.join("dynamic.elf").display().to_string();
    let built = run_epyc(
        &[
            "build",
            "--interp",
            &dynamic.display().to_string(),
            "-o",
            &elf,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(built.status, Some(0), "{}", built.stderr);
    let out = run_epyc(&["sim", &elf, "-d", "2"], Duration::from_secs(120));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    compare_cores(&split_output(&expected), &split_output(&out.stdout))
        .unwrap_or_else(|d| panic!("dynamic_messages:\n{d}\n{}", out.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

/// The byte-code image's runtime errors name core and source line under `epyc sim`, and its
/// symbol table names the interpreter's functions in a fault report.
#[test]
fn a_byte_code_image_reports_errors_by_line_and_faults_by_function() {
    let dir = scratch_dir("sim-errors");
    let src = program("index_on_core_1.py");
    let elf = dir.join("index.elf");
    let elf_arg = elf.display().to_string();
    let built = run_epyc(
        &["build", "--interp", &src, "-o", &elf_arg],
        Duration::from_secs(60),
    );
    assert_eq!(built.status, Some(0), "{}", built.stderr);
    let out = run_epyc(&["sim", &elf_arg, "-d", "2"], Duration::from_secs(60));
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error from core 1: Array index in expression exceeds array size in that dimension"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("index_on_core_1.py:5"),
        "{}",
        out.stderr
    );

    // An invalid instruction at the start of the interpreter's loop: the fault report names
    // the function from the image's symbols.
    let mut bytes = std::fs::read(&elf).expect("the image");
    let image = epiphany_sim::elf::parse(&bytes).expect("an Epiphany ELF");
    let (exec, _) = image
        .symbols
        .by_addr
        .iter()
        .find(|(_, n)| n == "___epyc_bc_exec")
        .cloned()
        .expect("the interpreter loop's symbol");
    let seg = image
        .segments
        .iter()
        .find(|s| exec >= s.vaddr && exec < s.vaddr + s.data.len() as u32)
        .expect("its segment");
    // Its file offset: where its first 32 bytes occur in the file (once).
    let at = (exec - seg.vaddr) as usize;
    let needle = &seg.data[at..at + 32];
    let found: Vec<usize> = (0..bytes.len() - 32)
        .filter(|&i| &bytes[i..i + 32] == needle)
        .collect();
    assert_eq!(found.len(), 1, "the loop's code occurs once in the file");
    bytes[found[0]..found[0] + 4].copy_from_slice(&[0xff; 4]);
    let bad = dir.join("bad.elf");
    std::fs::write(&bad, &bytes).expect("write");
    let out = run_epyc(
        &["sim", &bad.display().to_string(), "-d", "2"],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(out.stderr.contains("invalid instruction"), "{}", out.stderr);
    assert!(out.stderr.contains("<___epyc_bc_exec>"), "{}", out.stderr);
    std::fs::remove_dir_all(&dir).ok();
}

/// `epyc run` flags of the targets a report case runs on.
const HOST: &[&str] = &["-h", "2"];
const DEVICE: &[&str] = &["-d", "2"];
const HYBRID: &[&str] = &["-d", "2", "-h", "2"];

/// A program of `tests/programs/errors` and the report it gives on some targets (`{file}`
/// standing for its path, `{dir}` for its directory), compiled and interpreted alike.
struct ReportCase {
    program: &'static str,
    targets: &'static [&'static [&'static str]],
    report: &'static str,
}

const LIBRARY_REPORTS: &[ReportCase] = &[
    ReportCase {
        program: "deadlock.py",
        targets: &[HOST, DEVICE],
        report: "Deadlock: every running core is blocked in message passing\n\
                 \x20 core 0: recv from core 1 at {file}:4\n\
                 \x20 core 1: recv from core 0 at {file}:4\n",
    },
    ReportCase {
        program: "deadlock.py",
        targets: &[HYBRID],
        report: "Error from core 2: Attempting to receive from non-existent or inactive process\n\
                 \x20 at {file}:4\n\
                 Error from core 3: Attempting to receive from non-existent or inactive process\n\
                 \x20 at {file}:4\n\
                 Deadlock: every running core is blocked in message passing\n\
                 \x20 core 0: recv from core 1 at {file}:4\n\
                 \x20 core 1: recv from core 0 at {file}:4\n",
    },
    ReportCase {
        program: "send_to_missing_core.py",
        targets: &[HOST, DEVICE, HYBRID],
        report: "Error from core 0: Attempting to send to non-existent or inactive process\n\
                 \x20 at {file}:3\n",
    },
    ReportCase {
        program: "hybrid_deadlock.py",
        targets: &[HYBRID],
        report: "Deadlock: every running core is blocked in message passing\n\
                 \x20 core 0: recv from core 2 at {file}:5\n\
                 \x20 core 2: recv from core 0 at {file}:7\n",
    },
    ReportCase {
        program: "module_code_error.py",
        targets: &[HOST, DEVICE],
        report: "Error from core 0: Array index in expression exceeds array size in that dimension\n\
                 \x20 at {dir}/module_code_helper.py:3\n\
                 Error from core 1: Array index in expression exceeds array size in that dimension\n\
                 \x20 at {dir}/module_code_helper.py:3\n",
    },
    ReportCase {
        program: "library_recv_list.py",
        targets: &[HOST, DEVICE],
        report: "Deadlock: every running core is blocked in message passing\n\
                 \x20 core 0: recv from core 1 at {file}:5\n\
                 \x20 core 1: recv from core 0 at {file}:7\n",
    },
    ReportCase {
        program: "library_recv_list.py",
        targets: &[HYBRID],
        report: "Deadlock: every running core is blocked in message passing\n\
                 \x20 core 0: recv from core 1 at {file}:5\n\
                 \x20 core 1: recv from core 0 at {file}:7\n\
                 \x20 core 2: recv from core 0 at {file}:7\n\
                 \x20 core 3: recv from core 0 at {file}:7\n",
    },
    ReportCase {
        program: "library_helper_division.py",
        targets: &[HOST, DEVICE],
        report: "Error from core 0: Division by zero\n\x20 at {file}:5\n\
                 Error from core 1: Division by zero\n\x20 at {file}:5\n",
    },
    ReportCase {
        program: "library_helper_division.py",
        targets: &[HYBRID],
        report: "Error from core 0: Division by zero\n\x20 at {file}:5\n\
                 Error from core 1: Division by zero\n\x20 at {file}:5\n\
                 Error from core 2: Division by zero\n\x20 at {file}:5\n\
                 Error from core 3: Division by zero\n\x20 at {file}:5\n",
    },
    ReportCase {
        program: "library_math_type.py",
        targets: &[HOST],
        report: "Error from core 1: Type error: math of a str\n\x20 at {file}:7\n",
    },
    ReportCase {
        program: "library_math_type.py",
        targets: &[DEVICE],
        report: "Error from core 1: Type error: unsupported operand type\n\x20 at {file}:7\n",
    },
    ReportCase {
        program: "library_math_type.py",
        targets: &[HYBRID],
        report: "Error from core 1: Type error: unsupported operand type\n\x20 at {file}:7\n\
                 Error from core 2: Type error: math of a str\n\x20 at {file}:7\n\
                 Error from core 3: Type error: math of a str\n\x20 at {file}:7\n",
    },
    ReportCase {
        program: "library_nested_calls.py",
        targets: &[HOST],
        report: "Error from core 0: Attempting to send to non-existent or inactive process\n\
                 \x20 at {file}:8\n\
                 Deadlock: every running core is blocked in message passing\n\
                 \x20 core 1: recv from core 0 (stopped by an error) at {file}:12\n",
    },
    ReportCase {
        program: "library_nested_calls.py",
        targets: &[DEVICE],
        report: "Error from core 0: Attempting to send to non-existent or inactive process\n\
                 \x20 at {file}:8\n\
                 Deadlock: every running core is blocked in message passing\n\
                 \x20 core 1: recv from core 0 (finished) at {file}:12\n",
    },
    ReportCase {
        program: "library_nested_calls.py",
        targets: &[HYBRID],
        report: "Error from core 0: Attempting to send to non-existent or inactive process\n\
                 \x20 at {file}:8\n\
                 Deadlock: every running core is blocked in message passing\n\
                 \x20 core 1: recv from core 0 (stopped by an error) at {file}:12\n\
                 \x20 core 2: recv from core 0 (stopped by an error) at {file}:12\n\
                 \x20 core 3: recv from core 0 (stopped by an error) at {file}:12\n",
    },
];

/// The run-time reports in `stderr` (an `Error from core N` or `Deadlock` line and the
/// indented lines after it), sorted: cores stop in any order.
fn runtime_reports(stderr: &str) -> Vec<String> {
    let mut reports: Vec<String> = Vec::new();
    let mut open = false;
    for line in stderr.lines() {
        if line.starts_with("Error from core ") || line.starts_with("Deadlock") {
            reports.push(format!("{line}\n"));
            open = true;
        } else if open && line.starts_with("  ") {
            reports
                .last_mut()
                .expect("open report")
                .push_str(&format!("{line}\n"));
        } else {
            open = false;
        }
    }
    reports.sort();
    reports
}

/// Run-time errors and deadlocks that happen inside library code (`libs/parallel.py`,
/// `random.py`, `math.py`, `taskfarm.py`) name the user's line that called into it, with the
/// same report from native code and from byte code (`--interp`) on host, device and hybrid
/// runs.
#[test]
fn errors_in_library_code_name_the_users_line_compiled_and_interpreted() {
    for case in LIBRARY_REPORTS {
        let path = program(case.program);
        let dir = program("");
        let expected =
            runtime_reports(&case.report.replace("{file}", &path).replace("{dir}/", &dir));
        for target in case.targets {
            for interp in [false, true] {
                let mut args = vec!["run"];
                if interp {
                    args.push("--interp");
                }
                args.extend_from_slice(target);
                args.push(&path);
                let out = run_epyc(&args, Duration::from_secs(60));
                let run = args.join(" ");
                assert!(!out.timed_out, "{run}: hung");
                assert_eq!(out.status, Some(3), "{run}:\n{}", out.stderr);
                assert_eq!(
                    runtime_reports(&out.stderr),
                    expected,
                    "{run}:\n{}",
                    out.stderr
                );
            }
        }
    }
}

/// `epyc build` of a program with dynamic code writes the mixed image `epyc run -d N` runs
/// (byte code under the device interpreter, calling native code where it can), never
/// silently: a warning names each function that falls back and a note each specialisation
/// that stays native. `epyc sim -d N` runs every golden dynamic program's image with its
/// expected output.
#[test]
fn build_writes_the_mixed_image_of_dynamic_code_and_sim_runs_it_with_the_golden_output() {
    let dir = scratch_dir("build-mixed");
    let mut programs: Vec<_> = std::fs::read_dir(shared_dir().join("golden/dynamic"))
        .expect("golden/dynamic")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "golden/dynamic has programs");
    for program in &programs {
        let name = program.file_stem().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(program).expect("the program");
        let (cores, _) = run_line(&src).unwrap_or((1, 0));
        let expected =
            std::fs::read_to_string(program.with_extension("out")).expect("its .out file");
        let elf = dir.join(format!("{name}.elf")).display().to_string();
        let built = run_epyc(
            &["build", &program.display().to_string(), "-o", &elf],
            Duration::from_secs(60),
        );
        assert_eq!(built.status, Some(0), "{name}: {}", built.stderr);
        assert!(
            built.stderr.contains("falls back to byte code: "),
            "{name}: the fallback is named:\n{}",
            built.stderr
        );
        let out = run_epyc(
            &["sim", &elf, "-d", &cores.max(1).to_string()],
            Duration::from_secs(120),
        );
        assert_eq!(out.status, Some(0), "{name}: {}", out.stderr);
        compare_cores(&split_output(&expected), &split_output(&out.stdout))
            .unwrap_or_else(|d| panic!("{name}:\n{d}\n{}", out.stdout));
    }
    // poly_func's `twice` stays native: said at build time, and its three specialisations
    // are code in the image beside the interpreter.
    let poly = dir.join("poly_func.elf");
    let built = run_epyc(
        &[
            "build",
            &shared_dir()
                .join("golden/dynamic/poly_func.py")
                .display()
                .to_string(),
            "-o",
            &poly.display().to_string(),
        ],
        Duration::from_secs(60),
    );
    for note in [
        "twice(int) -> int",
        "twice(float) -> float",
        "twice(str) -> str",
    ] {
        assert!(
            built
                .stderr
                .contains(&format!("note: {note} stays native (byte code calls it)")),
            "{note}:\n{}",
            built.stderr
        );
    }
    let bytes = std::fs::read(&poly).expect("the image");
    let image = epiphany_sim::elf::parse(&bytes).expect("an Epiphany ELF");
    let names: Vec<&str> = image
        .symbols
        .by_addr
        .iter()
        .map(|(_, n)| n.as_str())
        .collect();
    for symbol in ["___epyc_bc_exec", "_twice$i", "_twice$f", "_twice$s"] {
        assert!(names.contains(&symbol), "{symbol} in {names:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `epyc build --strict` refuses dynamic code: exit 1, the function named as an error, no
/// image written.
#[test]
fn build_strict_refuses_dynamic_code_and_writes_nothing() {
    let dir = scratch_dir("build-strict");
    let program = shared_dir().join("golden/dynamic/poly_func.py");
    let elf = dir.join("poly.elf");
    let out = run_epyc(
        &[
            "build",
            "--strict",
            &program.display().to_string(),
            "-o",
            &elf.display().to_string(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("error: function 'sign_name' falls back to byte code"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("error: --strict: dynamic code does not fall back to byte code"),
        "{}",
        out.stderr
    );
    assert!(!elf.exists(), "no image is written");
    std::fs::remove_dir_all(&dir).ok();
}
