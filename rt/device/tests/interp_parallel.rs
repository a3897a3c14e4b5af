//! Byte-code programs on several simulated cores: messages with their tags, collectives, and
//! runtime errors that name core and line, compared with the host interpreter.

mod interp_support;
use interp_support::{device_only, lines_of, same_on_both};

/// Checked against the expected lines: the host interpreter (rt/interp) stops here with
/// `Message of the wrong type: expected int, got float` (its `recv` does not take any tag).
#[test]
fn send_recv_of_every_scalar_and_str() {
    let r = device_only(
        "msgs",
        "from parallel import *\nif coreid() == 0:\n    send(42, 1)\n    send(2.5, 1)\n    send(\"hi\", 1)\n    send(True, 1)\n\
         else:\n    a = recv(0)\n    b = recv(0)\n    c = recv(0)\n    d = recv(0)\n    print(a + 1)\n    print(b * 2)\n    print(c + \"!\")\n    print(d)\n",
        2,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(lines_of(&r.stdout, 1), ["43", "5.000000", "hi!", "true"]);
    assert!(lines_of(&r.stdout, 0).is_empty());
}

#[test]
fn reduce_and_sync_on_four_cores() {
    let r = same_on_both(
        "collective",
        "from parallel import *\nx = reduce(coreid() + 1, \"sum\")\nsync()\ny = reduce(coreid() * 1.5, \"max\")\nprint(x)\nprint(y)\nprint(numcores())\n",
        4,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn runtime_error_names_core_and_line() {
    let r = same_on_both(
        "err",
        "from parallel import *\nx = 5\nif coreid() == 1:\n    y = 0\nelse:\n    y = 1\nprint(x // y)\n",
        2,
    );
    assert_ne!(r.status, 0);
    assert!(r.stderr.contains("core 1"), "{}", r.stderr);
    assert!(r.stderr.contains("err.py:7"), "{}", r.stderr);
}

#[test]
fn undefined_name_is_reported() {
    let r = same_on_both("undef", "if 1 > 2:\n    q = 1\nprint(q)\n", 1);
    assert_ne!(r.status, 0);
    assert!(r.stderr.contains("name 'q' is not defined"), "{}", r.stderr);
}
