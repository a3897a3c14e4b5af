//! The cycle model's documented numbers (src/timing.rs) as observed on small programs: each test
//! compares two programs that differ in one respect.

mod common;
use asm_util::run_asm;
use common::asm as asm_util;

fn cycles(body: &str) -> u64 {
    cycles_on(body, 1, 1)
}

/// Cycles of core (32,8) running `body` between a fixed prologue and the exit trap (which
/// issues alone, so nothing after `body` can pair with it).
fn cycles_on(body: &str, rows: u32, cols: u32) -> u64 {
    let src = format!("mov r2, 0x4000\n mov r5, 0\n mov r6, 0\n mov r0, 0\n{body}\n trap 3");
    let r = run_asm(&src, rows, cols, 100_000);
    assert!(r.fault.is_none(), "{:?}", r.fault);
    r.cores[0].cycles
}

#[test]
fn load_use_costs_one_stall() {
    let dep = cycles("ldr r1, [r2]\n add r3, r1, r1");
    let indep = cycles("ldr r1, [r2]\n add r3, r4, r4");
    assert_eq!(dep - indep, 1);
}

#[test]
fn fpu_result_latency_is_five() {
    let dep = cycles("fadd r1, r5, r6\n fadd r4, r1, r1");
    let indep = cycles("fadd r1, r5, r6\n fadd r4, r5, r5");
    assert_eq!(dep - indep, 4);
}

#[test]
fn load_to_fpu_latency_is_three() {
    let fpu = cycles("ldr r1, [r2]\n fadd r3, r1, r1");
    let ialu = cycles("ldr r1, [r2]\n add r3, r1, r1");
    assert_eq!(fpu - ialu, 1);
}

#[test]
fn ialu_and_fpu_dual_issue() {
    let pair = cycles("fadd r1, r5, r6\n add r4, r5, r6");
    let two_ialu = cycles("add r1, r5, r6\n add r4, r5, r6");
    assert_eq!(two_ialu - pair, 1);
}

#[test]
fn taken_branch_costs_three() {
    let taken = cycles("b.l @next\n next:\n nop");
    let straight = cycles("nop\n nop");
    // A taken branch: 3 cycles instead of 1 for the replaced nop.
    assert_eq!(taken - straight, 2);
    // Branches issue alone; not taken they cost one cycle like the nop they replace.
    let not_taken = cycles("sub r7, r5, r6\n bne.l @skip\n skip:\n nop");
    let no_branch = cycles("sub r7, r5, r6\n nop\n nop");
    assert_eq!(not_taken, no_branch);
}

#[test]
fn remote_read_blocks_for_the_round_trip() {
    // Core (32,8) reads its neighbour (32,9)'s memory: one hop.
    let remote = cycles_on("mov r2, 0x4000\n movt r2, 0x8090\n ldr r1, [r2]", 1, 2);
    let local = cycles_on("mov r2, 0x4000\n movt r2, 0x0\n ldr r1, [r2]", 1, 2);
    assert_eq!(
        remote - local,
        epiphany_sim::timing::REMOTE_READ_BASE + epiphany_sim::timing::REMOTE_READ_PER_HOP
    );
}
