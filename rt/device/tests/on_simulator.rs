//! The device runtime on the simulator, driven by the monitor: small programs written in
//! assembly (so nothing of the compiler's front end is involved) call the runtime's `RtFn`
//! symbols exactly as compiled code does.

mod common;
use common::{lines_of, run};

#[test]
fn prints_every_type() {
    let o = run(
        &format!(
            " li r0,42\n bl _epyc_print_int\n li r0,{}\n bl _epyc_print_float\n mov r0,#1\n bl _epyc_print_bool\n bl _epyc_print_none\n \
             li r0,0xfffffff9\n bl _epyc_str_from_int\n bl _epyc_print_str\n \
             li r0,{}\n bl _epyc_str_from_float\n mov r4,r0\n mov r1,r0\n bl _epyc_str_concat\n bl _epyc_print_str\n \
             mov r0,#3\n mov r1,#4\n mov r2,#0\n bl _epyc_list_new\n mov r4,r0\n mov r1,#5\n str r1,[r4,#2]\n mov r1,#6\n str r1,[r4,#4]\n \
             mov r0,r4\n mov r1,#2\n bl _epyc_str_from_list\n bl _epyc_print_str\n",
            1.5f32.to_bits(),
            (2.0f32 / 3.0).to_bits()
        ),
        1,
        2,
    );
    assert_eq!(o.status, 0, "{}", o.stderr);
    for core in 0..2 {
        assert_eq!(
            lines_of(&o.stdout, core),
            [
                "42",
                "1.500000",
                "true",
                "NONE",
                "-7",
                "0.6666670.666667",
                "[5, 0, 6]"
            ],
            "{}",
            o.stdout
        );
    }
}

#[test]
fn helper_routines_divide() {
    let o = run(
        &format!(
            " li r0,0xffffff9c\n mov r1,#7\n bl ___divsi3\n bl _epyc_print_int\n \
             li r0,0xffffff9c\n mov r1,#7\n bl ___modsi3\n bl _epyc_print_int\n \
             li r0,1000\n mov r1,#7\n bl ___udivsi3\n bl _epyc_print_int\n \
             li r0,1234\n li r1,5678\n bl ___mulsi3\n bl _epyc_print_int\n \
             li r0,{}\n li r1,{}\n bl ___divsf3\n bl _epyc_print_float\n",
            1.0f32.to_bits(),
            3.0f32.to_bits()
        ),
        1,
        1,
    );
    assert_eq!(o.status, 0, "{}", o.stderr);
    assert_eq!(
        lines_of(&o.stdout, 0),
        ["-14", "-2", "142", "7006652", "0.333333"]
    );
}

#[test]
fn token_ring_on_16_cores() {
    // core 0 sends 0 to core 1; every other core adds its id and passes it on; core 0 prints
    // what comes back from core 15.
    let o = run(
        " bl _epyc_coreid\n mov r4,r0\n add r0,r0,#0\n bne not_root\n \
         mov r0,#0\n mov r1,#2\n mov r2,#1\n mov r3,#10\n bl _epyc_send\n \
         mov r0,#15\n mov r1,#2\n mov r2,#11\n bl _epyc_recv\n bl _epyc_print_int\n b ring_done\n \
         not_root:\n sub r0,r4,#1\n mov r1,#2\n mov r2,#12\n bl _epyc_recv\n add r0,r0,r4\n \
         add r2,r4,#1\n mov r1,#16\n sub r1,r2,r1\n bne ring_send\n mov r2,#0\n ring_send:\n \
         mov r1,#2\n mov r3,#13\n bl _epyc_send\n ring_done:\n",
        4,
        4,
    );
    assert_eq!(o.status, 0, "{}", o.stderr);
    assert_eq!(lines_of(&o.stdout, 0), ["120"], "{}", o.stdout);
}

#[test]
fn sendrecv_pairs() {
    let o = run(
        " bl _epyc_coreid\n mov r4,r0\n mov r1,#10\n bl ___mulsi3\n mov r1,#2\n mov r2,#1\n eor r2,r4,r2\n mov r3,#2\n \
         mov r12,#5\n str r12,[sp,#0]\n sub sp,sp,#8\n str r12,[sp,#2]\n bl _epyc_sendrecv\n add sp,sp,#8\n bl _epyc_print_int\n",
        2,
        2,
    );
    assert_eq!(o.status, 0, "{}", o.stderr);
    for core in 0..4u32 {
        assert_eq!(lines_of(&o.stdout, core), [((core ^ 1) * 10).to_string()]);
    }
}

#[test]
fn bcast_reduce_and_sync() {
    // bcast 77 from core 3; reduce (id+1) with each op as int, then as float; sync.
    let mut body = String::from(
        " bl _epyc_coreid\n mov r4,r0\n li r0,77\n mov r1,#2\n mov r2,#3\n mov r3,#2\n \
         sub sp,sp,#8\n mov r12,#9\n str r12,[sp,#2]\n bl _epyc_bcast\n add sp,sp,#8\n bl _epyc_print_int\n",
    );
    for op in 0..4 {
        body += &format!(
            " add r0,r4,#1\n mov r1,#2\n mov r2,#{op}\n mov r3,#20\n bl _epyc_reduce\n bl _epyc_print_int\n"
        );
    }
    for op in 0..4 {
        body += &format!(
            " add r0,r4,#1\n float r0,r0\n mov r1,#3\n mov r2,#{op}\n mov r3,#21\n bl _epyc_reduce\n bl _epyc_print_float\n"
        );
    }
    body += " mov r0,#30\n bl _epyc_sync\n mov r0,#31\n bl _epyc_sync\n mov r0,r4\n bl _epyc_print_int\n";
    let o = run(&body, 2, 2);
    assert_eq!(o.status, 0, "{}", o.stderr);
    for core in 0..4u32 {
        assert_eq!(
            lines_of(&o.stdout, core),
            [
                "77".to_string(),
                "10".into(),
                "1".into(),
                "4".into(),
                "24".into(),
                "10.000000".into(),
                "1.000000".into(),
                "4.000000".into(),
                "24.000000".into(),
                core.to_string()
            ],
            "{}",
            o.stdout
        );
    }
}

#[test]
fn sendrecv_with_a_silent_partner_is_a_reported_deadlock() {
    // Core 0 exchanges with core 1 (its fast path posts and spins), core 1 receives from
    // core 0 with a plain recv: that takes core 0's value, and then both wait for ever.
    let o = run(
        " sub sp,sp,#16\n bl _epyc_coreid\n sub r0,r0,#0\n bne one\n \
         mov r0,#7\n mov r1,#2\n mov r2,#1\n mov r3,#2\n mov r16,#5\n str r16,[sp,#2]\n \
         bl _epyc_sendrecv\n bl _epyc_sendrecv\n b out\n\
         one:\n mov r0,#0\n mov r1,#2\n mov r2,#6\n bl _epyc_recv\n \
         mov r0,#0\n mov r1,#2\n mov r2,#6\n bl _epyc_recv\n\
         out:\n add sp,sp,#16\n",
        1,
        2,
    );
    assert_eq!(o.status, 3, "{}", o.stderr);
    assert!(
        o.stderr
            .starts_with("Deadlock: every running core is blocked in message passing\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("  core 1: recv from core 0 at prog.py:6\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("  core 0: recv from core 1 at prog.py:5\n"),
        "{}",
        o.stderr
    );
}

#[test]
fn deadlock_is_reported() {
    // Both cores receive from each other first.
    let o = run(
        " bl _epyc_coreid\n mov r1,#1\n eor r0,r0,r1\n mov r1,#2\n mov r2,#4\n bl _epyc_recv\n",
        1,
        2,
    );
    assert_eq!(o.status, 3);
    assert!(
        o.stderr
            .starts_with("Deadlock: every running core is blocked in message passing\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("  core 0: recv from core 1 at prog.py:4\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("  core 1: recv from core 0 at prog.py:4\n"),
        "{}",
        o.stderr
    );
}

#[test]
fn runtime_error_names_core_and_line() {
    let o = run(
        " bl _epyc_coreid\n sub r0,r0,#1\n bne fine\n mov r0,#1\n mov r1,#7\n bl _epyc_error\n fine:\n \
         mov r0,#5\n mov r1,#2\n mov r2,#8\n bl _epyc_recv\n",
        1,
        2,
    );
    assert_eq!(o.status, 3);
    assert!(
        o.stderr.contains(
            "Error from core 1: Array index in expression exceeds array size in that dimension\n  at prog.py:7\n"
        ),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("Error from core 0: Attempting to receive from non-existent or inactive process\n  at prog.py:8\n"), "{}", o.stderr);
}

#[test]
fn heap_overflows_into_shared_dram() {
    // 12 lists of 1000 ints (48 KB) cannot all fit the local heap; the last one is in DRAM.
    let mut body = String::new();
    for _ in 0..12 {
        body += " li r0,1000\n mov r1,#4\n mov r2,#3\n bl _epyc_list_new\n mov r4,r0\n";
    }
    body += " li r1,999\n str r1,[r4,#500]\n ldr r0,[r4,#500]\n bl _epyc_print_int\n lsr r0,r4,#24\n bl _epyc_print_int\n";
    let o = run(&body, 1, 1);
    assert_eq!(o.status, 0, "{}", o.stderr);
    assert_eq!(lines_of(&o.stdout, 0), ["999", "142"]);
}
