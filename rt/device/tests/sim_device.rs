//! The simulator as a device: a fault reaches the monitor's report with core, PC and
//! instruction, a core stopping behind the monitor's back ends the run, and runs repeat
//! exactly (output and cycle counts).

mod common;
use common::*;

/// Checks `stderr` is the simulator's fault report for the core at mesh (row, col): what
/// happened, then the PC inside the program's entry and the instruction there. Returns the
/// PC and the instruction's text.
fn fault_report(stderr: &str, row: u32, col: u32, what: &str) -> (u32, String) {
    let head = format!(
        "Error on the device: fault on core ({row},{col}) [coreid {:#x}] at cycle ",
        (row << 6) | col
    );
    assert!(stderr.starts_with(&head), "{stderr}");
    let (first, second) = stderr[head.len()..]
        .split_once('\n')
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(first.ends_with(&format!(": {what}")), "{stderr}");
    let (pc, rest) = second
        .strip_prefix("  pc 0x")
        .and_then(|s| s.split_once(' '))
        .unwrap_or_else(|| panic!("{stderr}"));
    let (place, instruction) = rest.split_once(": ").unwrap_or_else(|| panic!("{stderr}"));
    assert!(place.starts_with("<_epyc_main+0x"), "{stderr}");
    let instruction = instruction
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("{stderr}"));
    (
        u32::from_str_radix(pc, 16).unwrap(),
        instruction.to_string(),
    )
}

#[test]
fn an_invalid_instruction_is_reported_with_core_pc_and_instruction() {
    let o = run(" .word 0x000F000F\n", 1, 1);
    assert_eq!(o.status, 3);
    let (_, instruction) = fault_report(&o.stderr, 32, 8, "invalid instruction (word 0x000f000f)");
    assert_eq!(instruction, "000f000f  unimpl");
}

#[test]
fn a_wild_store_is_reported_on_the_core_that_made_it() {
    // Core 1 stores to a core outside the 1x2 group; core 0 returns normally.
    let body =
        " bl _epyc_coreid\n sub r0,r0,#1\n bne done\n li r0,0x80a00000\n str r1,[r0]\n done:\n";
    let o = run(body, 1, 2);
    assert_eq!(o.status, 3);
    let what = "4-byte write to unmapped address 0x80a00000";
    let (_, instruction) = fault_report(&o.stderr, 32, 9, what);
    assert_eq!(instruction, "2054      str r1,[r0]");
}

#[test]
fn the_only_core_waiting_forever_is_a_deadlock() {
    let o = run(" spin:\n b spin\n", 1, 1);
    assert_eq!(o.status, 3);
    let what = "deadlock: every live core is idle (or branching to itself) and none can be woken";
    let (pc, instruction) = fault_report(&o.stderr, 32, 8, what);
    assert_eq!(instruction, format!("00e0      b {pc:#x}"));
}

#[test]
fn a_core_leaving_without_telling_the_monitor_ends_the_run() {
    let o = run(" mov r0,#0\n trap 3\n", 1, 1);
    assert_eq!(o.status, 3);
    assert_eq!(
        o.stderr,
        "Error on the device: every core has stopped, core 0 (exit status 0) without an exit \
         request to the monitor\n"
    );
}

#[test]
fn runs_repeat_exactly() {
    // Each core waits a time of its own, then prints its id and two random numbers: the
    // order of the lines and every core's cycle count depend on the whole timing model.
    let body = " bl _epyc_coreid\n mov r4,r0\n lsl r0,r0,#9\n add r0,r0,#7\n \
         wait:\n sub r0,r0,#1\n bne wait\n mov r0,r4\n bl _epyc_print_int\n \
         bl _epyc_randint\n bl _epyc_print_int\n bl _epyc_randint\n bl _epyc_print_int\n";
    let (first, first_cycles) = run_report(body, 2, 2);
    assert_eq!(first.status, 0, "{}", first.stderr);
    for core in 0..4 {
        assert_eq!(lines_of(&first.stdout, core).len(), 3, "{}", first.stdout);
    }
    assert!(first_cycles.iter().all(Option::is_some), "{first_cycles:?}");
    for _ in 0..2 {
        let (again, cycles) = run_report(body, 2, 2);
        assert_eq!(again.stdout, first.stdout);
        assert_eq!(again.stderr, first.stderr);
        assert_eq!(cycles, first_cycles);
    }
}
