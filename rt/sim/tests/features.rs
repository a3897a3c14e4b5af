//! Interrupts, timers, IDLE, inter-core interrupts, TESTSET, DMA, CONFIG rounding, the register
//! page and deadlock detection, on small hand-assembled programs.

mod common;
use asm_util::run_asm;
use common::asm as asm_util;
use epiphany_sim::FaultKind;

fn exit_codes(r: &epiphany_sim::RunResult) -> Vec<Option<i32>> {
    r.cores.iter().map(|c| c.exit_code).collect()
}

#[test]
fn timer_interrupt_wakes_idle_core() {
    let r = run_asm(
        "b.l @main
         .org 0xc
         b.l @timer0
         .org 0x100
         main:
         mov r1, 0
         mov r0, 1000
         movts ctimer0, r0
         mov r0, 0x10
         movts config, r0
         gie
         idle
         mov r0, r1
         trap 3
         timer0:
         mov r1, 42
         rti",
        1,
        1,
        1_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(42)]);
    assert!(
        r.cores[0].cycles >= 1000 && r.cores[0].counters.idle_cycles > 900,
        "{:?}",
        r.cores[0]
    );
}

#[test]
fn user_interrupt_from_another_core() {
    let r = run_asm(
        "b.l @main
         .org 0x24
         b.l @user
         .org 0x100
         main:
         mov r7, 0
         movfs r0, coreid
         mov r1, 0x808
         sub r2, r0, r1
         beq.l @core0
         ; core (32,9): set ILAT bit 9 of core (32,8) through its global ILATST address.
         mov r3, 0x042c
         movt r3, 0x808f
         mov r4, 0x200
         str r4, [r3]
         mov r0, 0
         trap 3
         core0:
         gie
         idle
         mov r0, r7
         trap 3
         user:
         mov r7, 9
         rti",
        1,
        2,
        1_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(9), Some(0)]);
    assert_eq!(r.exit_status(), 9);
}

#[test]
fn testset_on_global_address_is_atomic_swap_if_zero() {
    let r = run_asm(
        ".org 0x0
         mov r2, 0x7000
         movt r2, 0x8080
         mov r3, 0
         mov r0, 5
         testset r0, [r2, r3]
         mov r5, r0
         mov r0, 6
         testset r0, [r2, r3]
         ; r5 = 0 (old), r0 = 5 (lock already held), memory still 5
         ldr r1, [r2]
         add r0, r0, r5
         add r0, r0, r1
         trap 3",
        1,
        1,
        10_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(10)]);
}

#[test]
fn testset_on_local_address_faults() {
    let r = run_asm(
        "mov r2, 0x7000\n mov r3, 0\n testset r0, [r2, r3]\n trap 3",
        1,
        1,
        10_000,
    );
    assert!(matches!(
        r.fault.map(|f| f.kind),
        Some(FaultKind::BadTestset { .. })
    ));
}

#[test]
fn dma_copies_words_and_reports_busy_then_done() {
    let r = run_asm(
        "mov r0, 0x6000
         mov r1, 1234
         str r1, [r0]
         mov r1, 4321
         str r1, [r0, 1]
         ; inner stride 4 (src and dst), 2 elements, 0x6000 -> 0x6100
         mov r1, 4
         movt r1, 4
         movts dma0stride, r1
         mov r1, 0x0002
         movt r1, 0x0001
         movts dma0count, r1
         movts dma0srcaddr, r0
         mov r2, 0x6100
         movts dma0dstaddr, r2
         ; ENABLE | MASTER | word size
         mov r1, 0x43
         movts dma0config, r1
         wait:
         movfs r3, dma0status
         sub r3, r3, 0
         bne.l @wait
         ldr r4, [r2]
         ldr r5, [r2, 1]
         sub r0, r5, r4
         trap 3",
        1,
        1,
        100_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(4321 - 1234)]);
}

#[test]
fn config_rounding_mode_changes_fix() {
    let r = run_asm(
        "mov r0, 0
         movt r0, 0x4020
         fix r1, r0
         mov r2, 1
         movts config, r2
         fix r3, r0
         ; 2.5 rounds half away from zero to 3; truncation gives 2
         mov r4, 10
         lsl r1, r1, 4
         add r0, r1, r3
         trap 3",
        1,
        1,
        10_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(3 * 16 + 2)]);
}

#[test]
fn register_page_reads_coreid_and_own_registers() {
    let r = run_asm(
        "mov r0, 0x704
         movt r0, 0xf
         ldr r0, [r0]
         trap 3",
        2,
        2,
        10_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(
        exit_codes(&r),
        vec![Some(0x808), Some(0x809), Some(0x848), Some(0x849)]
    );
}

#[test]
fn idle_with_interrupts_disabled_is_a_deadlock() {
    let r = run_asm("gid\n idle\n trap 3", 2, 2, 1_000_000_000);
    let f = r.fault.expect("deadlock");
    assert_eq!(f.kind, FaultKind::Deadlock);
    assert!(r.cores.iter().all(|c| c.cycles < 1_000_000));
}

#[test]
fn branch_to_self_forever_is_a_deadlock_not_a_hang() {
    let r = run_asm("gid\n here:\n b.l @here", 1, 1, 10_000_000_000);
    assert_eq!(r.fault.expect("deadlock").kind, FaultKind::Deadlock);
}

#[test]
fn trap_write_output_and_exit_status() {
    let r = run_asm(
        "mov r0, 1
         mov r1, 0x7000
         mov r4, 0x6968
         str r4, [r1]
         mov r2, 2
         trap 0
         mov r0, 7
         trap 3",
        1,
        1,
        10_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(r.output, b"hi");
    assert_eq!(r.exit_status(), 7);
}

#[test]
fn thousand_core_workgroup_runs() {
    let r = run_asm("movfs r0, coreid\n mov r0, 0\n trap 3", 32, 32, 10_000);
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(r.cores.len(), 1024);
    assert!(r.cores.iter().all(|c| c.exit_code == Some(0)));
}

#[test]
fn long_timer_wait_is_skipped_not_simulated_cycle_by_cycle() {
    let r = run_asm(
        "b.l @main
         .org 0xc
         b.l @timer0
         .org 0x100
         main:
         mov r0, 0
         movt r0, 0x4000
         movts ctimer0, r0
         mov r0, 0x10
         movts config, r0
         gie
         idle
         mov r0, 3
         trap 3
         timer0:
         rti",
        1,
        1,
        10_000_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(r.exit_status(), 3);
    assert!(r.cores[0].cycles >= 0x4000_0000);
    assert!(r.host_seconds < 5.0);
}

#[test]
fn wand_barrier_interrupts_every_core_once_all_arrive() {
    let r = run_asm(
        "b.l @main
         .org 0x20
         b.l @wand_isr
         .org 0x100
         main:
         mov r7, 0
         ; cores arrive at different times: spin coreid & 3 x 100 times first
         movfs r0, coreid
         mov r1, 3
         and r0, r0, r1
         lsl r0, r0, 7
         delay:
         sub r0, r0, 1
         bgte.l @delay
         gie
         wand
         idle
         mov r0, r7
         trap 3
         wand_isr:
         mov r7, 8
         rti",
        2,
        2,
        1_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert!(
        r.cores.iter().all(|c| c.exit_code == Some(8)),
        "{:?}",
        r.cores
    );
}

#[test]
fn dma_descriptor_start_copies_to_another_core_and_interrupts() {
    // e_dma_copy style: descriptor at 0x5000 {config, strides, count, outer strides, src, dst},
    // started with DMA1CONFIG = (0x5000 << 16) | STARTUP; completion raises IVT 7.
    let r = run_asm(
        "b.l @main
         .org 0x1c
         b.l @dma1_done
         .org 0x100
         main:
         movfs r0, coreid
         mov r1, 0x808
         sub r1, r0, r1
         bne.l @other
         mov r7, 0
         mov r0, 0x6000
         mov r1, 111
         str r1, [r0]
         mov r1, 222
         str r1, [r0, 1]
         mov r1, 333
         str r1, [r0, 2]
         mov r3, 0x5000
         ; config: ENABLE | MASTER | IRQEN | word
         mov r1, 0x53
         str r1, [r3]
         mov r1, 4
         movt r1, 4
         str r1, [r3, 1]
         mov r1, 3
         movt r1, 1
         str r1, [r3, 2]
         mov r1, 4
         movt r1, 4
         str r1, [r3, 3]
         str r0, [r3, 4]
         ; destination: core (32,9) at 0x6000
         mov r1, 0x6000
         movt r1, 0x8090
         str r1, [r3, 5]
         gie
         mov r1, 0x8
         movt r1, 0x5000
         movts dma1config, r1
         idle
         ; read back remotely and sum
         mov r1, 0x6000
         movt r1, 0x8090
         ldr r2, [r1]
         ldr r3, [r1, 1]
         add r2, r2, r3
         ldr r3, [r1, 2]
         add r2, r2, r3
         add r0, r2, r7
         trap 3
         dma1_done:
         mov r7, 1000
         rti
         other:
         mov r0, 0
         trap 3",
        1,
        2,
        1_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(1666), Some(0)]);
}

#[test]
fn hardware_loop_repeats_ls_to_le_lc_times() {
    // Assumed semantics (crate docs): after the instruction at LE, LC counts down and the core
    // jumps back to LS while LC is not zero.
    let r = run_asm(
        "mov r0, 0
         mov r1, 5
         movts lc, r1
         mov r2, 0x200
         movts ls, r2
         mov r3, 0x202
         movts le, r3
         b.l @start
         .org 0x200
         start:
         add r0, r0, 1
         add r0, r0, 2
         trap 3",
        1,
        1,
        10_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(r.exit_status(), 15);
}

#[test]
fn loader_writes_e_group_config_when_the_image_has_the_section() {
    // Each core exits with core_row * 16 + core_col + group_rows * 256 read from 0x28.. .
    let code = asm_util::assemble(
        "mov r0, 0x28
         ldr r1, [r0, 7]
         ldr r2, [r0, 8]
         ldr r3, [r0, 5]
         lsl r1, r1, 4
         add r1, r1, r2
         lsl r3, r3, 8
         add r0, r1, r3
         trap 3",
    );
    let img = asm_util::elf_with_sections(
        &code,
        &[("workgroup_cfg", 0x28, 40), ("ext_mem_cfg", 0x50, 8)],
    );
    let cfg = epiphany_sim::Config {
        rows: 2,
        cols: 3,
        max_cycles: Some(10_000),
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).unwrap();
    sim.load_elf(&img).unwrap();
    let r = sim.run();
    assert!(r.fault.is_none(), "{:?}", r.fault);
    let want: Vec<Option<i32>> = (0..6).map(|i| Some((i / 3) * 16 + i % 3 + 512)).collect();
    assert_eq!(exit_codes(&r), want);
}

#[test]
fn host_drives_the_run_in_slices_and_talks_through_memory() {
    // Core spins on DRAM word 0x8F000000 until the host writes it, copies it to local 0x7000,
    // prints "ok" and exits with it.
    let code = asm_util::assemble(
        "mov r2, 0
         movt r2, 0x8f00
         wait:
         ldr r0, [r2]
         sub r1, r0, 0
         beq.l @wait
         mov r3, 0x7000
         str r0, [r3]
         mov r4, 0x6b6f
         str r4, [r3, 1]
         mov r5, r0
         mov r0, 1
         mov r1, 0x7004
         mov r2, 2
         trap 0
         mov r0, r5
         trap 3",
    );
    let cfg = epiphany_sim::Config {
        rows: 1,
        cols: 1,
        max_cycles: Some(100_000_000),
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).unwrap();
    sim.load_elf(&asm_util::elf(&code)).unwrap();
    assert_eq!(sim.run_for(20_000), epiphany_sim::Status::Running);
    assert!(sim.cycles() >= 20_000);
    assert!(sim.take_output().is_empty());
    sim.write_dram(0x8F00_0000, &77u32.to_le_bytes()).unwrap();
    assert_eq!(sim.run_for(1_000_000), epiphany_sim::Status::Finished);
    assert_eq!(sim.take_output(), b"ok");
    let mut word = [0u8; 4];
    sim.read_core(0, 0x7000, &mut word).unwrap();
    assert_eq!(u32::from_le_bytes(word), 77);
    assert_eq!(sim.result().exit_status(), 77);
    assert!(sim.read_dram(0x9000_0000, &mut word).is_err());
    assert!(sim.read_core(1, 0, &mut word).is_err());
    assert!(sim.write_core(0, 0x7ffe, &[0; 4]).is_err());
}

#[test]
fn segments_load_into_local_memory_another_core_and_dram() {
    // Code at 0 (every core); a word at core (32,9)'s global 0x80907000; a word in DRAM.
    let code = asm_util::assemble(
        "movfs r0, coreid
         mov r1, 0x809
         sub r1, r0, r1
         bne.l @done
         mov r2, 0x7000
         ldr r3, [r2]
         mov r2, 0
         movt r2, 0x8e10
         ldr r4, [r2]
         add r0, r3, r4
         trap 3
         done:
         mov r0, 0
         trap 3",
    );
    let img = asm_util::elf_segments(&[
        (0, &code[..0x100]),
        (0x8090_7000, &40u32.to_le_bytes()),
        (0x8E10_0000, &2u32.to_le_bytes()),
    ]);
    let cfg = epiphany_sim::Config {
        rows: 1,
        cols: 2,
        max_cycles: Some(1_000_000),
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).unwrap();
    sim.load_elf(&img).unwrap();
    let r = sim.run();
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(0), Some(42)]);
    // A segment for a core outside the workgroup is refused.
    let bad = asm_util::elf_segments(&[(0, &code[..0x100]), (0x80b0_7000, &[1, 2, 3, 4])]);
    let mut sim = epiphany_sim::Simulator::new(epiphany_sim::Config {
        rows: 1,
        cols: 2,
        ..Default::default()
    })
    .unwrap();
    assert!(sim.load_elf(&bad).is_err());
}

#[test]
fn reading_another_cores_registers() {
    // Core (32,8) reads core (32,9)'s COREID and CONFIG (set by (32,9)) through global addresses.
    let r = run_asm(
        "movfs r0, coreid
         mov r1, 0x809
         sub r1, r0, r1
         beq.l @other
         ; wait a little so (32,9) has written its CONFIG
         mov r5, 200
         spin:
         sub r5, r5, 1
         bne.l @spin
         mov r2, 0x0704
         movt r2, 0x809f
         ldr r3, [r2]
         mov r2, 0x0400
         movt r2, 0x809f
         ldr r4, [r2]
         add r0, r3, r4
         trap 3
         other:
         mov r1, 0x100
         movts config, r1
         mov r5, 2000
         spin2:
         sub r5, r5, 1
         bne.l @spin2
         mov r0, 0
         trap 3",
        1,
        2,
        1_000_000,
    );
    assert!(r.fault.is_none(), "{:?}", r.fault);
    assert_eq!(exit_codes(&r), vec![Some(0x809 + 0x100), Some(0)]);
    // Each remote register read counts once.
    assert!(r.cores[0].counters.load_stalls > 0);
}
