//! Simulated Epiphany device cores from the command line: `epyc build` images, and runs that
//! end in an error name the core and the source line and exit non-zero.

mod support;

use std::path::PathBuf;
use std::time::Duration;
use support::*;

/// Writes `source` to a fresh file `NAME.py` in a directory of this test's own.
fn program(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("epyc-device-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(format!("{name}.py"));
    std::fs::write(&path, source).expect("write the program");
    path
}

fn run(args: &[&str]) -> Outcome {
    run_epyc(args, Duration::from_secs(60))
}

#[test]
fn build_writes_an_epiphany_elf_with_symbols() {
    let src = program("hello_image", "print(\"hi\")\n");
    let elf = src.with_extension("elf");
    let out = run(&[
        "build",
        src.to_str().unwrap(),
        "-o",
        elf.to_str().unwrap(),
        "-s",
    ]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("program code"),
        "-s shows the regions:\n{}",
        out.stderr
    );
    let bytes = std::fs::read(&elf).expect("the image was written");
    assert_eq!(&bytes[..6], b"\x7fELF\x01\x01", "ELFCLASS32, little-endian");
    assert_eq!(
        u16::from_le_bytes([bytes[18], bytes[19]]),
        0x1223,
        "e_machine"
    );
    let dis = run(&["disasm", elf.to_str().unwrap()]);
    assert_eq!(dis.status, Some(0), "{}", dis.stderr);
    for symbol in ["<_epyc_start>:", "<_epyc_main>:"] {
        assert!(dis.stdout.contains(symbol), "{symbol} in:\n{}", dis.stdout);
    }
}

#[test]
fn run_defaults_to_sixteen_device_cores() {
    let src = program(
        "cores",
        "from parallel import coreid, numcores\nprint(numcores())\n",
    );
    let out = run(&["run", src.to_str().unwrap()]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for core in 0..16 {
        assert!(
            out.stdout.contains(&format!("[device {core}] 16\n")),
            "core {core}:\n{}",
            out.stdout
        );
    }
}

#[test]
fn timing_reports_cycles_at_600_mhz() {
    let src = program("timed", "print(1)\n");
    let out = run(&["run", "-d", "2", "-t", src.to_str().unwrap()]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for core in 0..2 {
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("Core {core} completed in ")))
            .unwrap_or_else(|| panic!("no timing line for core {core}:\n{}", out.stdout));
        assert!(line.contains("cycles at 600 MHz"), "{line}");
    }
}

/// `work0` .. `work{count-1}`, each of 40 statements of integer arithmetic (about 2.7 KB of
/// code each), called in turn; then `tail` (more statements) and the result printed.
fn many_functions(count: u32, tail: &str) -> String {
    let mut src = String::new();
    for f in 0..count {
        src += &format!("def work{f}(a, b):\n");
        for k in 0..20 {
            src += &format!(
                "    a = a * {} + b * {} - {k}\n    b = b + a % {}\n",
                k + 3,
                f + 1,
                k + 7
            );
        }
        src += "    return a + b\n";
    }
    src += "t = 0\n";
    for f in 0..count {
        src += &format!("t = t + work{f}(t, {f})\n");
    }
    src += tail;
    src += "print(t)\n";
    src
}

#[test]
fn code_larger_than_a_core_goes_to_shared_memory_with_epythons_warning() {
    // 30 functions of about 2.7 KB: more code than a core can hold at all, so (as ePython
    // does with byte code) it is placed in shared DRAM, with the spec's warning.
    let path = program("too_much_code", &many_functions(30, ""));
    let out = run(&["run", "-d", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    assert!(
        out.stderr.contains("Warning: Your code size of ")
            && out
                .stderr
                .contains(" byte limit for placement on cores so storing in shared memory"),
        "{}",
        out.stderr
    );
    let host = run(&["run", "-h", "1", path.to_str().unwrap()]);
    let value = host.stdout.strip_prefix("[host 0] ").expect("one line");
    for core in 0..2 {
        assert!(
            out.stdout.contains(&format!("[device {core}] {value}")),
            "{}",
            out.stdout
        );
    }
    // Asked for, the placement needs no warning.
    let asked = run(&["run", "-d", "1", "-codeshared", path.to_str().unwrap()]);
    assert_eq!(asked.status, Some(0), "{}", asked.stderr);
    assert!(!asked.stderr.contains("Warning"), "{}", asked.stderr);
}

#[test]
fn a_program_too_large_for_local_memory_names_its_largest_functions_data_and_flags() {
    // 5 functions (about 14 KB of code) fit a core by themselves, and so does an 11 KB
    // string constant, but not both: an error names both and the flags that would move them.
    let constant = "ePython ".repeat(1400);
    let tail = format!("s = \"{constant}\"\nprint(len(s))\n");
    let path = program("too_large", &many_functions(5, &tail));
    let out = run(&["run", "-d", "4", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing runs: {}", out.stdout);
    assert!(
        out.stderr
            .contains("does not fit a core's 32 KB local memory"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("largest functions:"), "{}", out.stderr);
    // A function and the line it is defined on.
    let named = out
        .stderr
        .lines()
        .any(|l| l.contains(" bytes  work") && l.contains("(line "));
    assert!(named, "{}", out.stderr);
    assert!(out.stderr.contains("largest constants:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("11204 bytes  string \"ePython ePython"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("run with `-codeshared`") && out.stderr.contains("`-datashared`"),
        "the flags are named:\n{}",
        out.stderr
    );
    // With either flag it runs.
    let host = run(&["run", "-h", "1", path.to_str().unwrap()]);
    assert_eq!(host.status, Some(0), "{}", host.stderr);
    let want: Vec<&str> = host
        .stdout
        .lines()
        .map(|l| l.strip_prefix("[host 0] ").unwrap())
        .collect();
    assert_eq!(want[0], "11200");
    for flag in ["-datashared", "-codeshared"] {
        let out = run(&["run", "-d", "2", flag, path.to_str().unwrap()]);
        assert_eq!(out.status, Some(0), "{flag}: {}", out.stderr);
        for core in 0..2 {
            let lines: Vec<&str> = out
                .stdout
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("[device {core}] ")))
                .collect();
            assert_eq!(lines, want, "{flag}, core {core}:\n{}", out.stdout);
        }
    }
}

/// Runs `tests/programs/NAME.py` on its cores with `flags` and compares with `NAME.out`.
fn run_program_with(name: &str, flags: &[&str]) -> Outcome {
    let path = repo_dir().join("tests/programs").join(format!("{name}.py"));
    let src = std::fs::read_to_string(&path).expect("the program");
    let (cores, _) = run_line(&src).expect("a run line");
    let cores = cores.to_string();
    let mut args = vec!["run", "-d", cores.as_str()];
    args.extend_from_slice(flags);
    args.push(path.to_str().unwrap());
    let out = run(&args);
    assert_eq!(out.status, Some(0), "{flags:?}: {}", out.stderr);
    let expected = std::fs::read_to_string(path.with_extension("out")).expect("NAME.out");
    if let Err(diff) = compare_cores(&split_output(&expected), &split_output(&out.stdout)) {
        panic!("{name} {flags:?}: {diff}\n{}", out.stdout);
    }
    out
}

#[test]
fn lists_and_strings_larger_than_a_core_run_with_datashared() {
    run_program_with("big_list_shared", &["-datashared"]);
    // The flag empties the local heap and moves the string constants to shared DRAM.
    let path = repo_dir().join("tests/programs/big_list_shared.py");
    let elf = std::env::temp_dir().join(format!("epyc-datashared-{}.elf", std::process::id()));
    let built = run(&[
        "build",
        "-datashared",
        "-s",
        path.to_str().unwrap(),
        "-o",
        elf.to_str().unwrap(),
    ]);
    assert_eq!(built.status, Some(0), "{}", built.stderr);
    let _ = std::fs::remove_file(&elf);
    let row = |name: &str| -> u32 {
        let line = built
            .stderr
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row:\n{}", built.stderr));
        let words: Vec<&str> = line[line.find(name).unwrap() + name.len()..]
            .split_whitespace()
            .collect();
        words[0].parse().expect("a byte count")
    };
    assert_eq!(row("local heap (free at start)"), 0, "{}", built.stderr);
    assert_eq!(row("constants"), 0, "local constants:\n{}", built.stderr);
    assert!(
        built
            .stderr
            .contains("shared DRAM (one copy for all cores)"),
        "{}",
        built.stderr
    );
}

#[test]
fn generated_functions_run_from_shared_dram_with_codeshared() {
    let out = run_program_with("many_functions_shared", &["-codeshared", "-t"]);
    assert!(!out.stderr.contains("Warning"), "{}", out.stderr);
}

#[test]
fn a_message_to_a_core_that_does_not_exist_names_core_and_line() {
    let path = program(
        "send_missing",
        "from parallel import send, coreid\nif coreid() == 0:\n    send(1, 7)\n",
    );
    let out = run(&["run", "-d", "4", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Error from core 0: Attempting to send to non-existent or inactive process"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("  at "), "{}", out.stderr);
    assert!(out.stderr.contains("send_missing.py:3"), "{}", out.stderr);
}

#[test]
fn an_index_out_of_range_on_core_5_names_core_and_line() {
    let path = program(
        "index_core5",
        "from parallel import coreid\na = [1, 2, 3]\ni = coreid()\nif i == 5:\n    print(a[i])\nprint(a[0])\n",
    );
    let out = run(&["run", "-d", "16", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error from core 5: Array index in expression exceeds array size in that dimension"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("index_core5.py:5"), "{}", out.stderr);
    // The other cores finish their work.
    assert!(out.stdout.contains("[device 15] 1"), "{}", out.stdout);
}

#[test]
fn bad_core_counts_are_usage_errors() {
    let src = program("usage", "print(1)\n");
    for n in ["0", "17"] {
        let out = run(&["run", "-d", n, src.to_str().unwrap()]);
        assert_eq!(out.status, Some(2), "-d {n}: {}", out.stderr);
    }
}

#[test]
fn a_hybrid_run_has_device_cores_then_host_cores() {
    let path = program(
        "hybrid",
        "from parallel import ishost, coreid\nif ishost():\n    print(\"host \" + str(coreid()))\nelse:\n    print(\"device \" + str(coreid()))\n",
    );
    let out = run(&["run", "-d", "2", "-h", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    for line in [
        "[device 0] device 0",
        "[device 1] device 1",
        "[host 2] host 2",
        "[host 3] host 3",
    ] {
        assert!(out.stdout.contains(line), "{line}:\n{}", out.stdout);
    }
}

#[test]
fn a_device_core_and_a_host_core_waiting_on_each_other_are_a_deadlock() {
    let path = program(
        "hybrid_deadlock",
        "from parallel import recv, coreid\nif coreid() == 0:\n    print(recv(2))\nif coreid() == 2:\n    print(recv(0))\n",
    );
    let started = std::time::Instant::now();
    let out = run(&["run", "-d", "2", "-h", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(10));
    for line in [
        "Deadlock: every running core is blocked in message passing",
        "  core 0: recv from core 2 at ",
        "  core 2: recv from core 0 at ",
    ] {
        assert!(out.stderr.contains(line), "{line}:\n{}", out.stderr);
    }
    assert!(
        out.stderr.contains("hybrid_deadlock.py:3"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hybrid_deadlock.py:5"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_deadlock_through_on_chip_and_off_chip_waits_names_every_core() {
    // Core 0 waits on device core 1 (on the chip), which waits on host core 2, which waits on
    // core 0; core 3 has finished.
    let path = program(
        "hybrid_cycle",
        "from parallel import recv, coreid\nme = coreid()\nif me == 0:\n    print(recv(1))\nif me == 1:\n    print(recv(2))\nif me == 2:\n    print(recv(0))\n",
    );
    let out = run(&["run", "-d", "2", "-h", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    for line in [
        "  core 0: recv from core 1 at ",
        "  core 1: recv from core 2 at ",
        "  core 2: recv from core 0 at ",
    ] {
        assert!(out.stderr.contains(line), "{line}:\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("core 3:"), "{}", out.stderr);
}

#[test]
fn a_device_error_in_a_hybrid_run_ends_it_and_names_core_and_line() {
    let path = program(
        "hybrid_error",
        "from parallel import recv, coreid\nif coreid() == 1:\n    a = [1, 2]\n    print(a[5])\nif coreid() == 2:\n    print(recv(1))\n",
    );
    let out = run(&["run", "-d", "2", "-h", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("Error from core 1: Array index"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hybrid_error.py:4"), "{}", out.stderr);
    // The host core waiting for it is told, not left hanging.
    assert!(
        out.stderr
            .contains("core 2: recv from core 1 (stopped by an error)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_message_past_the_last_core_of_a_hybrid_run_names_core_and_line() {
    let path = program(
        "hybrid_missing",
        "from parallel import send, coreid\nif coreid() == 0:\n    send(5, 4)\n",
    );
    let out = run(&["run", "-d", "2", "-h", "2", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains("Error from core 0: Attempting to send"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hybrid_missing.py:3"), "{}", out.stderr);
}

#[test]
fn a_runaway_recursion_on_a_device_core_is_a_stack_overflow_naming_core_and_line() {
    // Every prologue that allocates a frame checks sp against the runtime's limit: core 2
    // stops with the error (at the recursive function's first line) instead of running its
    // stack through the runtime state; moderate recursion and the other cores are unaffected.
    let path = program(
        "deep_recursion",
        "from parallel import coreid\ndef depth(n):\n    if n == 0:\n        return 0\n    return depth(n - 1) + 1\nprint(depth(100))\nif coreid() == 2:\n    print(depth(100000))\n",
    );
    let out = run(&["run", "-d", "4", path.to_str().unwrap()]);
    assert_eq!(out.status, Some(3), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "Error from core 2: Stack overflow: recursion too deep for this core's memory"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("deep_recursion.py:3"), "{}", out.stderr);
    for core in 0..4 {
        assert!(
            out.stdout.contains(&format!("[device {core}] 100\n")),
            "core {core}:\n{}",
            out.stdout
        );
    }
    assert!(!out.stdout.contains("100000"), "{}", out.stdout);
}
