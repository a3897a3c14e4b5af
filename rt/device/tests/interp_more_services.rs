//! Services added to the device interpreter after listing 5's: each run on the simulated chip
//! and on host cores under the host interpreter (rt/interp), with the same lines per core, the
//! same status and the same errors.

mod interp_support;
use interp_support::same_on_both;

#[test]
fn recvfunc_receives_a_function_to_call() {
    same_on_both(
        "recvfunc",
        "from parallel import *\ndef twice(x):\n    return 2 * x\ndef inc(x):\n    return x + 1\n\
         if coreid() == 0:\n    send(twice, 1)\n    send(inc, 1)\nelse:\n    \
         f = native rtl_recvfunc(0)\n    g = native rtl_recvfunc(0)\n    print(f(g(20)))\n",
        2,
    );
}

#[test]
fn recvfunc_of_another_kind_is_a_message_type_error() {
    let run = same_on_both(
        "recvfunc_int",
        "from parallel import *\nif coreid() == 0:\n    send(5, 1)\nelse:\n    \
         f = native rtl_recvfunc(0)\n    print(f)\n",
        2,
    );
    assert!(
        run.stderr
            .contains("Message of the wrong type: expected function, got int"),
        "{}",
        run.stderr
    );
}
