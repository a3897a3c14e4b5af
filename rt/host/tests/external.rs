//! External cores (`run_with_external`): cores of a run served by someone else, as the device
//! monitor serves device cores. Here a Rust closure plays core 0 with `ExternalCores` while a
//! host core runs as compiled code would.
mod common;
use common::*;
use epyc_rt_abi::Tag;
use epyc_rt_host::external::{CollKind, ExternalCores, Payload, Scalar, Wait, WaitOp};
use epyc_rt_host::{run_with_external, CapturedIo, HostProgram, RunConfig};
use std::sync::Arc;
use std::time::Duration;

fn run_with(serve: Box<dyn FnOnce(ExternalCores) -> i32 + Send>) -> (i32, Arc<CapturedIo>) {
    run_entry(host_core, serve)
}

/// Core 0 served by `serve`, core 1 a host core running `entry`.
fn run_entry(
    entry: unsafe extern "C" fn(*mut u8),
    serve: Box<dyn FnOnce(ExternalCores) -> i32 + Send>,
) -> (i32, Arc<CapturedIo>) {
    let io = Arc::new(CapturedIo::default());
    let prog = HostProgram {
        entry,
        globals_size: 64,
        files: vec!["test.py".to_string()],
    };
    let cfg = RunConfig {
        cores: 1,
        first_core: 1,
        timing: false,
    };
    (run_with_external(&prog, &cfg, io.clone(), serve), io)
}

/// Core 1: sends 21 to core 0, prints its answer and the sum of coreid() + 1 over the run.
unsafe extern "C" fn host_core(_g: *mut u8) {
    assert_eq!(epyc_numcores(), 2);
    epyc_send(21, INT, 0, at(3));
    let got = epyc_recv(0, INT, at(4));
    let sum = epyc_reduce(me() + 1, INT, 0, at(5));
    print(&format!("got {got}, sum {sum}"));
}

/// Waits (polling, as the monitor does) until `f` gives a value.
fn until<T>(ext: &ExternalCores, mut f: impl FnMut() -> Option<T>) -> T {
    loop {
        let seen = ext.changes();
        if let Some(v) = f() {
            return v;
        }
        ext.wait_for_change(seen, Duration::from_millis(50));
    }
}

#[test]
fn an_external_core_messages_and_reduces_with_a_host_core() {
    let (status, io) = run_with(Box::new(|ext: ExternalCores| {
        assert_eq!((ext.count(), ext.numcores()), (1, 2));
        let v = match until(&ext, || ext.try_recv(1, 0)) {
            Payload::Scalar(s) => s.bits as i32,
            Payload::Str(_) => panic!("a str"),
        };
        let seq = ext.send(
            0,
            1,
            Payload::Scalar(Scalar {
                bits: (v * 2) as u32,
                tag: Tag::Int,
            }),
            false,
        );
        until(&ext, || ext.taken(0, 1, seq).then_some(()));
        let one = Scalar {
            bits: 1,
            tag: Tag::Int,
        };
        let gen = ext.join_collective(0, CollKind::Reduce, one, 0, 0, 0);
        let sum = until(&ext, || ext.collective_result(0, gen));
        assert_eq!(sum, Ok(3));
        ext.end(0, false);
        0
    }));
    assert_eq!(status, 0, "{}", io.stderr());
    assert_eq!(io.stdout(), "[host 1] got 42, sum 3\n");
}

#[test]
fn an_external_core_and_a_host_core_waiting_on_each_other_are_a_deadlock() {
    let (status, io) = run_with(Box::new(|ext: ExternalCores| {
        // Core 0 sends to core 1 and waits for it to be taken, while core 1 waits for core 0
        // to take its own message.
        let one = Payload::Scalar(Scalar {
            bits: 1,
            tag: Tag::Int,
        });
        let seq = ext.send(0, 1, one, false);
        let wait = Wait {
            op: WaitOp::Send { dest: 1, seq },
            pos: at(9),
        };
        ext.set_waits(&[(0, Some(wait))]);
        while !ext.halted() {
            ext.wait_for_change(ext.changes(), Duration::from_millis(50));
        }
        3
    }));
    assert_eq!(status, 3);
    let err = io.stderr();
    assert!(err.contains("core 0: send to core 1 at test.py:9"), "{err}");
    assert!(err.contains("core 1: send to core 0 at test.py:3"), "{err}");
}

const PING_PONG_ROUNDS: i32 = 40;

/// Core 1: each round sends its number to core 0, receives it back doubled, then exchanges
/// it with core 0 (`sendrecv`).
unsafe extern "C" fn ping_pong_core(_g: *mut u8) {
    for i in 0..PING_PONG_ROUNDS {
        epyc_send(i, INT, 0, at(3));
        assert_eq!(epyc_recv(0, INT, at(4)), 2 * i);
        assert_eq!(epyc_sendrecv(i, INT, 0, INT, at(5)), -i);
    }
    print("done");
}

/// Core 0 records its wait as the device monitor does once its side is idle, takes what it
/// waited for, and only some time later (as the monitor, after answering the device core)
/// clears the recorded wait.
fn serve_ping_pong(ext: ExternalCores) -> i32 {
    let idle_wait = |op| ext.set_waits(&[(0, Some(Wait { op, pos: at(9) }))]);
    let going_on = || {
        // The window in which the partner, woken by the taking, blocks again.
        std::thread::sleep(Duration::from_millis(2));
        ext.set_waits(&[(0, None)]);
        !ext.halted()
    };
    for i in 0..PING_PONG_ROUNDS {
        idle_wait(WaitOp::Recv { src: 1 });
        let got = match until(&ext, || ext.try_recv(1, 0)) {
            Payload::Scalar(s) => s.bits as i32,
            Payload::Str(_) => panic!("a str"),
        };
        assert_eq!(got, i);
        if !going_on() {
            return 3;
        }
        let doubled = Payload::Scalar(Scalar {
            bits: (2 * i) as u32,
            tag: Tag::Int,
        });
        let seq = ext.send(0, 1, doubled, false);
        until(&ext, || ext.taken(0, 1, seq).then_some(()));
        let negated = Scalar {
            bits: (-i) as u32,
            tag: Tag::Int,
        };
        ext.exchange_put(0, 1, negated);
        idle_wait(WaitOp::SendRecv { partner: 1 });
        assert_eq!(until(&ext, || ext.exchange_take(1, 0)).bits as i32, i);
        if !going_on() {
            return 3;
        }
    }
    ext.end(0, false);
    0
}

/// The race behind a false deadlock between a device core and the CPython core: an external
/// core's recorded wait must end when it takes its message, not when its server gets round to
/// clearing it, or the partner's next blocking call finds "every core blocked".
#[test]
fn an_external_core_that_took_its_message_is_never_part_of_a_deadlock() {
    let (status, io) = run_entry(ping_pong_core, Box::new(serve_ping_pong));
    assert_eq!(status, 0, "{}", io.stderr());
    assert_eq!(io.stdout(), "[host 1] done\n");
}
