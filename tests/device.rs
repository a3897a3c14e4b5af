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

#[test]
fn a_program_too_large_for_local_memory_names_its_largest_functions() {
    let mut src = String::new();
    for f in 0..30 {
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
    for f in 0..30 {
        src += &format!("t = t + work{f}(t, {f})\n");
    }
    src += "print(t)\n";
    let path = program("too_large", &src);
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
    assert!(
        out.stderr.contains("-codeshared"),
        "the flag is named:\n{}",
        out.stderr
    );
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
