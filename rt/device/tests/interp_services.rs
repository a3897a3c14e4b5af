//! Services and instructions added to the device interpreter, each compared with the host
//! interpreter (rt/interp): same lines per core, same status, same errors.

mod interp_support;
use interp_support::{compile, on_device, on_host, same_on_both};

/// Both interpreters stop with an error naming the core and the line; the device's type
/// errors carry the module's one generic detail, so the messages are not compared.
fn both_fail_at(name: &str, src: &str, cores: u32, core: u32, at: &str) {
    let (module, files) = compile(name, src);
    let dev = on_device(&module, files.clone(), cores);
    let (status, _, err) = on_host(module, files, cores);
    for (what, st, e) in [("device", dev.status, &dev.stderr), ("host", status, &err)] {
        assert_ne!(st, 0, "{what}: {e}");
        assert!(e.contains(&format!("core {core}")), "{what}: {e}");
        assert!(e.contains(at), "{what}: {e}");
        assert!(e.contains("ype error"), "{what}: {e}");
    }
}

#[test]
fn power_of_ints_and_floats() {
    same_on_both(
        "power",
        "print(2 ** 10)\nprint(3 ** 0)\nprint((-3) ** 3)\nprint(7 ** 13)\nprint(2 ** -1)\n\
         print(2.0 ** 3)\nprint(9 ** 0.5)\nprint(1.5 ** 2.0)\nprint(True ** 2)\n",
        1,
    );
}

#[test]
fn power_of_a_str_is_a_type_error() {
    both_fail_at("powstr", "x = 1\nprint(\"a\" ** 2)\n", 1, 0, "powstr.py:2");
}

#[test]
fn abs_of_numbers() {
    same_on_both(
        "abs",
        "print(abs(-5))\nprint(abs(5))\nprint(abs(-2.5))\nprint(abs(True))\nprint(abs(0.0))\n",
        1,
    );
}

#[test]
fn random_numbers_follow_the_cores_generator() {
    same_on_both(
        "rand",
        "from random import *\nfrom parallel import *\nprint(random())\nprint(randint(0, 100))\n\
         seed(7)\nprint(random())\nprint(randint(5, 10))\nseed(7)\nprint(random())\n",
        2,
    );
}

#[test]
fn bcast_from_a_root() {
    same_on_both(
        "bcast",
        "from parallel import *\nprint(bcast(coreid() * 10 + 3, 2))\nprint(bcast(coreid() * 0.5, 1))\n",
        4,
    );
}

/// Core 0 sends only after the barrier, so core 1's probes before it and after its receive
/// both find nothing waiting.
#[test]
fn probe_before_and_after_a_message() {
    same_on_both(
        "probe",
        "from parallel import *\nif coreid() == 0:\n    sync()\n    send(7, 1)\nelse:\n    \
         print(probe(0))\n    sync()\n    print(recv(0))\n    print(probe(0))\n",
        2,
    );
}

#[test]
fn sendrecv_of_a_list_is_a_type_error() {
    both_fail_at(
        "sendrecvlist",
        "from parallel import *\nx = [1, 2]\nprint(sendrecv(x, 0))\n",
        1,
        0,
        // The service runs in the library's `sendrecv`, called here: the user's line.
        "sendrecvlist.py:3",
    );
}
