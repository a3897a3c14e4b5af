//! Waiting cores sleep (condition variables), they never spin.
mod common;
use common::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static RECV_CPU_MICROS: AtomicU64 = AtomicU64::new(u64::MAX);
static SYNC_CPU_MICROS: AtomicU64 = AtomicU64::new(u64::MAX);

/// CPU time used so far by the calling thread.
fn thread_cpu_micros() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_THREAD fills `usage` for the calling thread.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(rc, 0);
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    micros(usage.ru_utime) + micros(usage.ru_stime)
}

unsafe extern "C" fn slow_sender(_g: *mut u8) {
    match me() {
        0 => {
            std::thread::sleep(Duration::from_millis(300));
            epyc_send(1, INT, 1, at(2));
            std::thread::sleep(Duration::from_millis(300));
            epyc_sync(at(3));
        }
        _ => {
            let before = thread_cpu_micros();
            epyc_recv(0, INT, at(5));
            RECV_CPU_MICROS.store(thread_cpu_micros() - before, Ordering::SeqCst);
            let before = thread_cpu_micros();
            epyc_sync(at(6));
            SYNC_CPU_MICROS.store(thread_cpu_micros() - before, Ordering::SeqCst);
        }
    }
}

#[test]
fn a_waiting_core_uses_almost_no_cpu() {
    let out = run(2, slow_sender);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let recv = RECV_CPU_MICROS.load(Ordering::SeqCst);
    let sync = SYNC_CPU_MICROS.load(Ordering::SeqCst);
    // 300 ms of waiting each; a spinning wait would burn about that much CPU.
    assert!(recv < 20_000, "recv used {recv} us of CPU while waiting");
    assert!(sync < 20_000, "sync used {sync} us of CPU while waiting");
}
