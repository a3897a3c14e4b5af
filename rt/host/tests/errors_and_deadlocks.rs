//! Runtime errors stop their core with a report; a run where no core can proceed is reported
//! as a deadlock within a second; nothing hangs.
mod common;
use common::*;
use std::time::{Duration, Instant};

const DIVISION_BY_ZERO: i32 = 3;

/// zero_division.py: core 1 fails, core 0 ends normally.
unsafe extern "C" fn zero_division(_g: *mut u8) {
    let x = me();
    print(&format!("core {x}"));
    if x == 1 {
        epyc_error(DIVISION_BY_ZERO, at(6));
        print("not reached");
    }
}

#[test]
fn error_on_one_core_stops_it_and_the_run_fails() {
    let out = run(2, zero_division);
    assert_eq!(out.status, 3);
    assert_eq!(out.core(0), ["core 0"]);
    assert_eq!(out.core(1), ["core 1"]);
    assert_eq!(
        out.stderr,
        "Error from core 1: Division by zero\n  at test.py:6\n"
    );
}

/// Two cores that both receive first.
unsafe extern "C" fn both_recv(_g: *mut u8) {
    let other = 1 - me();
    let v = epyc_recv(other, INT, at(3 + me() as u32));
    epyc_send(v, INT, other, at(9));
}

#[test]
fn deadlock_is_detected_within_a_second() {
    let start = Instant::now();
    let out = run(2, both_recv);
    let took = start.elapsed();
    assert_eq!(out.status, 3);
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(
        out.stderr,
        "Deadlock: every running core is blocked in message passing\n  \
         core 0: recv from core 1 at test.py:3\n  core 1: recv from core 0 at test.py:4\n"
    );
}

/// A ring where each core sendrecvs with the next (not symmetric) deadlocks, as in ePython.
unsafe extern "C" fn asymmetric_sendrecv(_g: *mut u8) {
    let n = epyc_numcores();
    epyc_sendrecv(me(), INT, (me() + 1) % n, INT, at(5));
}

#[test]
fn asymmetric_sendrecv_ring_deadlocks() {
    let out = run(3, asymmetric_sendrecv);
    assert_eq!(out.status, 3);
    assert!(
        out.stderr
            .contains("core 0: sendrecv with core 1 at test.py:5"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("core 2: sendrecv with core 0 at test.py:5"),
        "{}",
        out.stderr
    );
}

/// Waiting on a core that has finished can never succeed.
unsafe extern "C" fn recv_from_finished(_g: *mut u8) {
    if me() == 1 {
        epyc_recv(0, INT, at(7));
    }
}

#[test]
fn waiting_on_a_finished_core_is_reported() {
    let out = run(2, recv_from_finished);
    assert_eq!(out.status, 3);
    assert_eq!(
        out.stderr,
        "Deadlock: every running core is blocked in message passing\n  \
         core 1: recv from core 0 (finished) at test.py:7\n"
    );
}

/// A send nobody receives blocks (send waits for the receiver) and is reported.
unsafe extern "C" fn unreceived_send(_g: *mut u8) {
    if me() == 0 {
        epyc_send(1, INT, 1, at(2));
    } else {
        epyc_error(DIVISION_BY_ZERO, at(4));
    }
}

#[test]
fn send_to_a_failed_core_is_reported_after_its_error() {
    let out = run(2, unreceived_send);
    assert_eq!(out.status, 3);
    assert_eq!(
        out.stderr,
        "Error from core 1: Division by zero\n  at test.py:4\n\
         Deadlock: every running core is blocked in message passing\n  \
         core 0: send to core 1 (stopped by an error) at test.py:2\n"
    );
}

/// A barrier that a finished core never reaches.
unsafe extern "C" fn sync_without_core_2(_g: *mut u8) {
    if me() != 2 {
        epyc_sync(at(3));
    }
}

#[test]
fn barrier_missing_a_core_is_reported() {
    let out = run(3, sync_without_core_2);
    assert_eq!(out.status, 3);
    assert!(
        out.stderr
            .contains("core 0: sync, waiting for core(s) 2 (finished) at test.py:3"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("core 1: sync, waiting for core(s) 2 (finished)"),
        "{}",
        out.stderr
    );
}

/// exit() stops the core normally; nothing after it runs.
unsafe extern "C" fn early_exit(_g: *mut u8) {
    print("before");
    if me() == 0 {
        epyc_exit();
        print("not reached");
    }
    print("after");
}

#[test]
fn exit_stops_the_core_normally() {
    let out = run(2, early_exit);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["before"]);
    assert_eq!(out.core(1), ["before", "after"]);
}

/// An unknown error code still stops the core with a clear message.
unsafe extern "C" fn unknown_error(_g: *mut u8) {
    epyc_error(999, at(1));
}

#[test]
fn unknown_error_code_is_reported() {
    let out = run(1, unknown_error);
    assert_eq!(out.status, 3);
    assert_eq!(
        out.stderr,
        "Error from core 0: Type error: unknown runtime error code 999\n  at test.py:1\n"
    );
}

/// -t prints each core's run time.
unsafe extern "C" fn nothing(_g: *mut u8) {}

#[test]
fn timing_lines() {
    let cfg = epyc_rt_host::RunConfig {
        cores: 3,
        first_core: 0,
        timing: true,
    };
    let out = run_config(cfg, nothing, Default::default());
    assert_eq!(out.status, 0);
    let mut lines: Vec<String> = out.stdout.lines().map(|l| l.to_string()).collect();
    lines.sort();
    assert_eq!(lines.len(), 3);
    for (n, line) in lines.iter().enumerate() {
        let rest = line
            .strip_prefix(&format!("Core {n} completed in "))
            .expect(line);
        let secs = rest.strip_suffix(" seconds").expect(line);
        assert_eq!(secs.split_once('.').unwrap().1.len(), 6, "{line}");
    }
}

/// A list too big for the core's share of memory is a runtime error, not an abort.
unsafe extern "C" fn huge_list(_g: *mut u8) {
    epyc_list_new(i32::MAX, 8, at(2));
    print("not reached");
}

#[test]
fn out_of_memory_is_a_runtime_error() {
    let out = run(2, huge_list);
    assert_eq!(out.status, 3);
    assert_eq!(out.stdout, "");
    let mut lines: Vec<&str> = out.stderr.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "  at test.py:2",
            "  at test.py:2",
            "Error from core 0: Out of core and shared heap memory for data",
            "Error from core 1: Out of core and shared heap memory for data",
        ]
    );
}
