//! Byte-code programs run by the device interpreter on the simulator, compared line for line
//! with the host interpreter.

mod interp_support;
use interp_support::same_on_both;

#[test]
fn int_arithmetic_and_print() {
    let r = same_on_both(
        "ints",
        "a = 7\nb = -3\nprint(a + b)\nprint(a - b)\nprint(a * b)\nprint(a // b)\nprint(a % b)\nprint(-a)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn floats_mixing_and_division() {
    let r = same_on_both(
        "floats",
        "x = 1.5\ny = 2\nprint(x + y)\nprint(x * y)\nprint(y / 4)\nprint(7 / 2)\nprint(x - 4)\n\
         print(7.5 // 2)\nprint(-7.5 % 2)\nprint(-x)\nz = 3\nz = z * 0.5\nprint(z)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn strings_bools_none_and_concatenation() {
    let r = same_on_both(
        "strs",
        "s = \"ab\"\nt = s + \"cd\"\nprint(t)\nprint(s + 1)\nprint(\"x=\" + 2.5)\nprint(True)\n\
         print(None)\nprint(s == \"ab\")\nprint(s < \"b\")\nprint(len(t))\nprint(\"v\" + True)\n\
         print(not s)\nprint(3 > 2 and 1 == 2)\nprint(0 or 5)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn loops_calls_and_recursion() {
    let r = same_on_both(
        "loops",
        "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n\
         def total(k):\n    s = 0\n    for i in range(k):\n        s = s + i\n    return s\n\n\
         print(fib(12))\nprint(total(100))\nj = 10\nwhile j > 0:\n    j = j - 3\nprint(j)\n\
         for i in range(10, 0, -4):\n    print(i)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn lists_of_values() {
    let r = same_on_both(
        "lists",
        "a = [1, 2.5, \"x\", True]\nprint(a[0] + a[1])\nprint(a[2] + \"y\")\na[0] = 10\nprint(a[0])\n\
         print(a[-1])\nprint(len(a))\nb = [0, 0, 0]\nfor i in range(3):\n    b[i] = i * i\nprint(b[2])\n\
         print(a)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn index_out_of_range_names_the_line() {
    let r = same_on_both("oob", "a = [1, 2]\nx = 1\nprint(a[x + 5])\n", 1);
    assert_ne!(r.status, 0);
    assert!(r.stderr.contains("oob.py:3"), "{}", r.stderr);
}
