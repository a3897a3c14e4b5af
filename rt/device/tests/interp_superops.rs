//! The superinstructions (`IndexRef`, `StoreIndexRef`) on every kind of value and index,
//! not only the ints of their fast path: the device interpreter gives the host interpreter's
//! output and errors line for line.

mod interp_support;
use interp_support::{compile, device_only, same_on_both};

#[test]
fn superinstructions_are_emitted_for_variables() {
    let (m, _) = compile(
        "shape",
        "def f(a, n):\n    i = 1\n    s = 0.0\n    while i < n:\n        s = s + a[i - 1] * a[i]\n        a[i + 1] = s\n        i += 1\n    return s\nprint(f([1.0, 2.0, 3.0, 4.0], 3))\n",
    );
    let f = m.funcs.iter().find(|f| f.name == "f").unwrap();
    let names: Vec<String> = f
        .ops()
        .unwrap()
        .iter()
        .map(|(_, op)| format!("{op:?}"))
        .collect();
    for want in ["IndexRef", "StoreIndexRef"] {
        assert!(
            names.iter().any(|n| n.starts_with(want)),
            "{want} in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.starts_with("CheckLocal")),
        "{names:?}"
    );
}

#[test]
fn every_kind_of_value_through_the_superinstructions() {
    let r = same_on_both(
        "kinds",
        "def f(x, y, n):\n    print(x + y)\n    print(x * y)\n    print(x < y)\n    print(x == y)\n    \
         print(x + 1)\n    z = x < y\n    print(z)\n    if x >= y:\n        print(\"ge\")\n    else:\n        \
         print(\"lt\")\n    print(n + 1)\n    return 0\n\
         f(1, 2, 3)\nf(1.5, 2, 2.5)\nf(2.5, 1.5, True)\nf(True, False, -1)\n\
         a = [1, 2.5, \"s\", 4]\ni = 1\nprint(a[i])\nprint(a[i + 1])\nprint(a[i - 1])\nprint(a[i + 2])\n\
         b = True\nprint(a[b])\nprint(a[b + 1])\na[i + 2] = \"t\"\na[i] = 7\nprint(a[3])\nprint(a[1])\n\
         j = -1\nprint(a[j])\nprint(a[j - 1])\ns = \"x\"\nprint(s + 1)\nw = 2.0\nw += 1\nprint(w)\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn errors_through_the_superinstructions_name_line_and_cause() {
    for (name, src) in [
        ("float_index", "a = [1, 2]\nx = 0.5\nprint(a[x])\n"),
        ("float_index_plus", "a = [1, 2]\nx = 0.5\nprint(a[x + 1])\n"),
        ("str_index_store", "a = [1, 2]\nx = \"s\"\na[x - 1] = 3\n"),
        ("out_of_range", "a = [1, 2]\ni = 1\nprint(a[i + 1])\n"),
        ("not_a_list", "a = 3\ni = 0\nprint(a[i])\n"),
        ("none_plus", "x = None\nprint(x + 1)\n"),
        ("str_less_int", "x = \"a\"\ny = 1\nprint(x < y)\n"),
    ] {
        let r = device_only(name, src, 1);
        assert_eq!(r.status, 3, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains("Error from core 0"),
            "{name}: {}",
            r.stderr
        );
    }
}
