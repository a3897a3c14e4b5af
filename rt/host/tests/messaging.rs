//! Point-to-point message passing between virtual cores.
mod common;
use common::*;

/// ring.py: a token goes 0 -> 1 -> 2 -> 3 -> 0.
unsafe extern "C" fn ring(_g: *mut u8) {
    let me = me();
    let n = epyc_numcores();
    if me == 0 {
        epyc_send(1, INT, 1, at(7));
        let token = epyc_recv(n - 1, INT, at(8));
        print(&format!("token back at 0: {token}"));
    } else {
        let token = epyc_recv(me - 1, INT, at(11));
        print(&format!("core {me} got {token}"));
        if me == n - 1 {
            epyc_send(token * 10, INT, 0, at(14));
        } else {
            epyc_send(token + me, INT, me + 1, at(16));
        }
    }
}

#[test]
fn ring_passes_the_token() {
    let out = run(4, ring);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["token back at 0: 40"]);
    assert_eq!(out.core(1), ["core 1 got 1"]);
    assert_eq!(out.core(2), ["core 2 got 2"]);
    assert_eq!(out.core(3), ["core 3 got 4"]);
    assert_eq!(out.stderr, "");
}

/// sendrecv_pairs.py, then 1000 back-to-back exchanges that must never see stale values.
unsafe extern "C" fn pairs(_g: *mut u8) {
    let me = me();
    let partner = if me % 2 == 0 { me + 1 } else { me - 1 };
    let v = epyc_sendrecv(me * 100, INT, partner, INT, at(8));
    print(&format!("core {me} received {v}"));
    let f = epyc_sendrecv(
        (me as f32 + 0.5).to_bits() as i32,
        FLOAT,
        partner,
        FLOAT,
        at(10),
    );
    epyc_print_float(f32::from_bits(f as u32));
    // An int arriving where a float is expected is converted.
    let c = epyc_sendrecv(me, INT, partner, FLOAT, at(12));
    epyc_print_float(f32::from_bits(c as u32));
    let mut bad = 0;
    for i in 0..1000 {
        let got = epyc_sendrecv(me * 10_000 + i, INT, partner, INT, at(14));
        if got != partner * 10_000 + i {
            bad += 1;
        }
    }
    print(&format!("stale {bad}"));
}

#[test]
fn sendrecv_exchanges_pairwise() {
    let out = run(4, pairs);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.core(0),
        ["core 0 received 100", "1.500000", "1.000000", "stale 0"]
    );
    assert_eq!(
        out.core(1),
        ["core 1 received 0", "0.500000", "0.000000", "stale 0"]
    );
    assert_eq!(
        out.core(2),
        ["core 2 received 300", "3.500000", "3.000000", "stale 0"]
    );
    assert_eq!(
        out.core(3),
        ["core 3 received 200", "2.500000", "2.000000", "stale 0"]
    );
}

/// Messages between a pair arrive in the order sent, blocking and non-blocking mixed.
unsafe extern "C" fn fifo(_g: *mut u8) {
    if me() == 0 {
        for i in 0..200 {
            if i % 3 == 0 {
                epyc_send_nb(i, INT, 1, at(3));
            } else {
                epyc_send(i, INT, 1, at(4));
            }
        }
    } else {
        let mut in_order = true;
        for i in 0..200 {
            in_order &= epyc_recv(0, INT, at(8)) == i;
        }
        print(&format!("in order {in_order}"));
    }
}

#[test]
fn messages_between_a_pair_are_fifo() {
    let out = run(2, fifo);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(1), ["in order true"]);
}

/// probe_nonblocking.py.
unsafe extern "C" fn probe_nb(_g: *mut u8) {
    if me() == 0 {
        epyc_send_nb(123, INT, 1, at(5));
        epyc_sync(at(6));
        epyc_sync(at(7));
        print(if epyc_wait_sent(1, at(8)) == 1 {
            "true"
        } else {
            "false"
        });
        print(if epyc_test_sent(1, at(9)) == 1 {
            "true"
        } else {
            "false"
        });
    } else {
        epyc_sync(at(11));
        if epyc_probe(0, at(12)) == 1 {
            print("message waiting");
        }
        epyc_print_int(epyc_recv(0, INT, at(14)));
        epyc_sync(at(15));
        if epyc_probe(0, at(16)) == 1 {
            print("unexpected");
        } else {
            print("no message");
        }
    }
}

#[test]
fn probe_and_non_blocking_send() {
    let out = run(2, probe_nb);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["true", "true"]);
    assert_eq!(out.core(1), ["message waiting", "123", "no message"]);
}

/// test_sent is false until the receiver takes the message; wait_sent waits for it.
unsafe extern "C" fn test_sent_before_recv(_g: *mut u8) {
    if me() == 0 {
        epyc_send_nb(7, INT, 1, at(3));
        epyc_print_int(epyc_test_sent(1, at(4)));
        epyc_sync(at(5));
        epyc_print_int(epyc_wait_sent(1, at(6)));
    } else {
        epyc_sync(at(8));
        epyc_print_int(epyc_recv(0, INT, at(9)));
    }
}

#[test]
fn test_sent_reports_pending_sends() {
    let out = run(2, test_sent_before_recv);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["0", "1"]);
    assert_eq!(out.core(1), ["7"]);
}

/// dev_send_string.py: strings travel in messages (deviation D32).
unsafe extern "C" fn strings(_g: *mut u8) {
    if me() == 0 {
        epyc_send_str(s("hello"), 1, at(4));
        epyc_print_str(epyc_recv_str(1, at(5)));
    } else {
        let m = epyc_recv_str(0, at(7));
        epyc_print_str(epyc_str_concat(m, s(" world")));
        epyc_send_str(epyc_str_concat(m, s("!")), 0, at(9));
    }
}

#[test]
fn strings_in_messages() {
    let out = run(2, strings);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(0), ["hello!"]);
    assert_eq!(out.core(1), ["hello world"]);
}

/// A string arriving where an int is expected is a message type error.
unsafe extern "C" fn wrong_type(_g: *mut u8) {
    if me() == 0 {
        epyc_send_str(s("text"), 1, at(3));
    } else {
        let v = epyc_recv(0, INT, at(5));
        epyc_print_int(v);
    }
}

#[test]
fn wrong_message_type_is_an_error() {
    let out = run(2, wrong_type);
    assert_eq!(out.status, 3);
    assert_eq!(out.core(1), Vec::<String>::new());
    assert_eq!(
        out.stderr,
        "Error from core 1: Message of the wrong type: expected int, got str\n  at test.py:5\n"
    );
}

unsafe extern "C" fn float_for_int(_g: *mut u8) {
    if me() == 0 {
        epyc_send(2.5f32.to_bits() as i32, FLOAT, 1, at(3));
    } else {
        epyc_recv(0, INT, at(5));
    }
}

#[test]
fn float_where_int_expected_is_an_error() {
    let out = run(2, float_for_int);
    assert_eq!(out.status, 3);
    assert_eq!(
        out.stderr,
        "Error from core 1: Message of the wrong type: expected int, got float\n  at test.py:5\n"
    );
}

unsafe extern "C" fn bad_ids(_g: *mut u8) {
    match me() {
        0 => epyc_send(1, INT, 9, at(2)),
        1 => {
            epyc_recv(-1, INT, at(3));
        }
        _ => {
            epyc_sendrecv(1, INT, 3, INT, at(4));
        }
    }
}

#[test]
fn missing_cores_are_errors() {
    let out = run(3, bad_ids);
    assert_eq!(out.status, 3);
    let mut lines: Vec<&str> = out.stderr.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "  at test.py:2",
            "  at test.py:3",
            "  at test.py:4",
            "Error from core 0: Attempting to send to non-existent or inactive process",
            "Error from core 1: Attempting to receive from non-existent or inactive process",
            "Error from core 2: Attempting to sendrecv with non-existent or inactive process",
        ]
    );
}

/// Ids start at first_core: cores before it (device cores) are not part of this run.
unsafe extern "C" fn ids(_g: *mut u8) {
    print(&format!("{} of {}", me(), epyc_numcores()));
    if me() == 2 {
        epyc_send(5, INT, 3, at(3));
    } else {
        epyc_print_int(epyc_recv(2, INT, at(5)));
    }
}

#[test]
fn core_ids_start_at_first_core() {
    let cfg = epyc_rt_host::RunConfig {
        cores: 2,
        first_core: 2,
        timing: false,
    };
    let out = run_config(cfg, ids, Default::default());
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(2), ["2 of 4"]);
    assert_eq!(out.core(3), ["3 of 4", "5"]);
}

/// One message format for typed (native) and untyped (byte-code) code: core 0 sends as
/// native code does, core 1 takes each message with `epyc_recv_any` (tag and payload, a str
/// copied into its heap), then answers with a typed send that core 0 takes on the fast path.
unsafe extern "C" fn any_tag(_g: *mut u8) {
    if me() == 0 {
        epyc_send(42, INT, 1, at(3));
        epyc_send(2.5f32.to_bits() as i32, FLOAT, 1, at(4));
        epyc_send(1, BOOL, 1, at(5));
        epyc_send_str(s("three"), 1, at(6));
        let back = epyc_recv(1, FLOAT, at(7));
        epyc_print_float(f32::from_bits(back as u32));
    } else {
        let mut total = 0.0f32;
        for _ in 0..4 {
            let mut value = [0u64; 2];
            epyc_recv_any(0, at(10), value.as_mut_ptr() as *mut u8);
            let (tag, payload) = (value[0] as i32, value[1]);
            match tag {
                INT => total += payload as i32 as f32,
                FLOAT => total += f32::from_bits(payload as u32),
                BOOL => print(&format!("bool {payload}")),
                STR => print(&format!("str {}", text(payload as usize as *const u8))),
                other => print(&format!("unexpected tag {other}")),
            }
        }
        epyc_send(total.to_bits() as i32, FLOAT, 0, at(12));
    }
}

#[test]
fn recv_any_takes_every_kind_with_its_tag_and_typed_receivers_interoperate() {
    let out = run(2, any_tag);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.core(1), ["bool 1", "str three"]);
    assert_eq!(out.core(0), ["44.500000"]);
}
