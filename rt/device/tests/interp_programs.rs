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
