//! The assembly core's fast paths and the fused sequences of the device form (`i += k`,
//! `while i < n`) on every kind of value, not only the ints and floats they run inline: the
//! device interpreter gives the host interpreter's output and errors line for line.

mod interp_support;
use interp_support::{device_only, lines_of, same_on_both};

#[test]
fn fused_loop_counters_of_every_kind() {
    // Locals and module variables counting with ints, floats, bools, wrapping ints and a
    // counter that changes kind inside the loop.
    same_on_both(
        "counters",
        "def f(i, n, k):\n    c = 0\n    while i < n:\n        i += 1\n        c += 1\n    \
         while i <= n + k:\n        i += 2\n    print(i)\n    print(c)\n    return c\n\
         f(0, 5, 1)\nf(0.5, 3, 2)\nf(True, 3, 0)\nf(0, 2.5, 0.5)\nf(2147483640, 2147483645, 0)\n\
         j = 0\nm = 4\nwhile j < m:\n    j += 1\nprint(j)\nj = 0.25\nwhile j <= m:\n    j += 1\n\
         print(j)\nj = 0\nwhile j < m:\n    j += 1\n    if j == 2:\n        j = 2.5\nprint(j)\n",
        1,
    );
}

#[test]
fn fused_sequences_keep_their_errors() {
    // A counter compared with a str (the device's type-error text is its own, as before the
    // fused form: compared on the device only), and a module variable never assigned in
    // `i += 1`.
    let r = device_only(
        "cmp_error",
        "def f(i, n):\n    while i < n:\n        i += 1\n    return i\nprint(f(0, 2))\nprint(f(0, \"x\"))\n",
        1,
    );
    assert_ne!(r.status, 0);
    assert_eq!(lines_of(&r.stdout, 0), ["2"]);
    assert!(r.stderr.contains("Type error"), "{}", r.stderr);
    assert!(r.stderr.contains("cmp_error.py:2"), "{}", r.stderr);
    let r = same_on_both("unset", "if 1 < 0:\n    q = 0\nq += 1\nprint(q)\n", 1);
    assert!(r.stderr.contains("name 'q' is not defined"), "{}", r.stderr);
}

#[test]
fn arithmetic_and_comparisons_of_mixed_kinds() {
    same_on_both(
        "mixed",
        "def f(a, b):\n    print(a + b)\n    print(a - b)\n    print(a * b)\n    print(a < b)\n    \
         print(a <= b)\n    print(a > b)\n    print(a >= b)\n    print(a == b)\n    print(a != b)\n    \
         print(a ** 2)\n    return 0\n\
         f(3, 4)\nf(2.5, 4)\nf(4, 2.5)\nf(1.5, 1.5)\nf(True, 2)\nf(2.0, False)\nf(-7, 2)\n\
         f(2147483647, 1)\nf(True, 2.5)\nf(0.5, False)\n",
        1,
    );
}

#[test]
fn lists_through_the_index_fast_path_and_around_it() {
    same_on_both(
        "lists",
        "def f(a, n):\n    i = 0\n    s = 0\n    while i < n:\n        a[i + 1] = a[i] + a[i + 1]\n        \
         s = s + a[i - 1]\n        i += 1\n    print(a)\n    print(s)\n    return s\n\
         f([1, 2, 3, 4, 5], 3)\nf([0.5, 1.5, 2.5, 3.5], 2)\nf(['a', 'b', 'c'], 2)\n\
         g = [1, 2]\nk = 0\nprint(g[k + 1])\ng[k] = 5\nprint(g)\nprint(g[k + 2])\n",
        1,
    );
}

#[test]
fn identity_and_core_queries() {
    same_on_both(
        "identity",
        "from parallel import *\ndef f(a, b):\n    print(a is b)\n    print(a is not b)\n    return 0\n\
         f(None, None)\nf(1, 1)\nf(1, True)\nf(1.0, 1)\nf('a', None)\nx = [1]\nf(x, x)\nf(x, [1])\n\
         print(coreid())\nprint(numcores())\n",
        2,
    );
}

#[test]
fn small_int_operands_fused_with_their_operator() {
    // `Int8 k; Mul` and `Int8 2; Pow` run inline on a float and fall back to the plain
    // instructions for every other operand (ints, bools, strs, lists).
    same_on_both(
        "int8_ops",
        "from math import pow\ndef f(a):\n    print(a * 2)\n    print(a * -3)\n    print(a ** 2)\n    \
         print(pow(a, 2))\n    return 0\n\
         f(2.5)\nf(-1.5)\nf(7)\nf(True)\nf(46341)\nprint('ab' * 2)\nprint([1, 2] * 2)\n",
        1,
    );
}

#[test]
fn module_variable_operands_fused_with_their_operator() {
    // `LoadG g; Sub|Mul` runs inline when g is a float and the other operand a float or an
    // int; every other pair (ints, bools, strs, lists) is the plain instructions'.
    same_on_both(
        "global_ops",
        "g = 2.5\nx = 3\nprint(x - g)\nprint(x * g)\nprint(1.5 - g)\nprint(0.5 * g)\n\
         print(True - g)\ng = 4\nprint(x - g)\nprint(x * g)\nprint('ab' * g)\ng = [1]\nprint(g * 2)\n",
        1,
    );
}

#[test]
fn accumulations_into_locals_of_every_kind() {
    // `Add; Store s` runs inline on two floats; every other pair is the plain `Add`'s.
    same_on_both(
        "accumulate",
        "def f(a, b):\n    s = a\n    s = s + b\n    print(s)\n    return 0\n\
         f(0.5, 0.25)\nf(1, 2)\nf(1, 0.5)\nf(0.5, True)\nf('a', 'b')\n\
         f(2147483647, 1)\n",
        1,
    );
}
