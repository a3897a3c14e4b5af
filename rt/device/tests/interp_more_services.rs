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

#[test]
fn arrays_of_several_dimensions() {
    same_on_both(
        "arrays",
        "from array import *\na = array(2, 3, 4)\na[1][2][3] = 7\na[0][-1][0] = 5\n\
         print(a[1][2][3] + a[0][2][0])\nprint(len(a))\nprint(ndim(a))\ns = shape(a)\n\
         print(s[0] * 100 + s[1] * 10 + s[2])\nb = array(5)\nb[4] = 9\nprint(b[4])\n\
         print(ndim(b))\nc = array(2.7, none, 3)\nprint(ndim(c))\nprint(len(c))\n\
         print(native rtl_dsize(c, 1))\nprint(native rtl_dsize(c, 7))\n\
         print(native rtl_dsize(5, 0))\nprint(ndim(5))\n",
        1,
    );
}

#[test]
fn index_errors_of_arrays() {
    for (name, index) in [
        ("too_many", "a[1][2][0]"),
        ("out", "a[1][4]"),
        ("neg", "a[-4][0]"),
    ] {
        same_on_both(
            name,
            &format!("from array import *\na = array(3, 4)\nprint({index})\n"),
            1,
        );
    }
}

/// `range` as a value and `list * n` (assembly routines of their own).
#[test]
fn ranges_and_repeated_lists() {
    same_on_both(
        "ranges",
        "print(range(5))\nprint(range(2, 11, 3))\nprint(range(10, 0, -3))\nprint(range(3, 3))\n\
         print(range(5, 1))\nprint(range(1, 5, -1))\nprint(range(-4, 4, 4))\n\
         print([1, 'a'] * 3)\nprint([7] * 0)\nprint([7] * -2)\nprint([] * 4)\n\
         x = [0] * 5\nx[4] = 2\nprint(x)\n",
        1,
    );
    same_on_both("range_zero", "print(range(1, 5, 0))\n", 1);
}

/// With the module in shared DRAM (`-codeshared` / `-datashared`, or a module too large for
/// local memory) the program runs as in local memory: constants, strings, calls, module
/// variables and a runtime error's line all read through the local header.
#[test]
fn module_in_shared_dram_runs_as_in_local_memory() {
    use epyc_rt_device::{interp, monitor, sim_device::SimDevice};
    let src = "from parallel import *\nnames = ['a', 'bc']\ndef f(x):\n    return x * 2.5\n\
               print(f(coreid() + 1))\nprint(names[coreid()] + str(numcores()))\n\
               print([1, 'x'] * 2)\nprint(names[coreid() + 1])\n";
    let (module, files) = interp_support::compile("shared_module", src);
    let (image, warning) = interp::placement::build_image_placed(&module, true).unwrap();
    assert!(warning.is_none());
    assert!(image
        .symbols
        .contains_key(interp::placement::SHARED_MODULE_SYMBOL));
    let mut dev = SimDevice::new(1, 2).unwrap();
    dev.load(&image).unwrap();
    let io = epyc_rt_host::CapturedIo::default();
    let cfg = monitor::MonitorConfig {
        files: files.clone(),
        ..Default::default()
    };
    let report = monitor::run_report(&mut dev, &io, &cfg).unwrap();
    let (status, out, err) = interp_support::on_host(module, files, 2);
    use interp_support::per_core;
    assert_eq!(per_core(&io.stdout()), per_core(&out), "{}", io.stderr());
    assert_eq!(report.status, status);
    assert_eq!(per_core(&io.stderr()), per_core(&err));
}

#[test]
fn min_and_max_compare_as_less_than_does() {
    same_on_both(
        "minmax",
        "print(min(3, 5))\nprint(max(3, 5))\nprint(min(-2, True))\nprint(max(False, 0))\n\
         print(min(2, 1.5))\nprint(max(2, 2.0))\nprint(max(2.0, 2))\nprint(min(-0.0, 0.0))\n\
         print(min('pear', 'apple'))\nprint(max('ab', 'abc'))\nprint(min(none, none))\n\
         big = 3.0e38 * 10.0\nnan = big - big\nx = min(nan, 1.0)\nprint(x == x)\nprint(max(1.0, nan))\nprint(min(big, 1))\n\
         print(max(-2147483647, 2147483647))\n",
        1,
    );
}

#[test]
fn min_of_unordered_kinds_is_a_type_error() {
    for (name, args) in [("mm_str_int", "'a', 1"), ("mm_none_int", "none, 1")] {
        let (module, files) =
            interp_support::compile(name, &format!("x = 1\nprint(min({args}))\n"));
        let dev = interp_support::on_device(&module, files.clone(), 1);
        let (status, _, err) = interp_support::on_host(module, files, 1);
        for (what, st, e) in [("device", dev.status, &dev.stderr), ("host", status, &err)] {
            assert_ne!(st, 0, "{what}: {e}");
            assert!(e.contains(&format!("{name}.py:2")), "{what}: {e}");
            assert!(e.contains("Type error"), "{what}: {e}");
        }
    }
}

#[test]
fn int_and_float_of_numbers_and_strs() {
    same_on_both(
        "convert",
        "print(int(3.9))\nprint(int(-3.9))\nprint(int(True))\nprint(int(7))\nprint(float(2))\n\
         print(float(False))\nprint(float(2.5))\nprint(int(' 42 '))\nprint(int('-17'))\n\
         print(int('+5'))\nprint(float('1.5e3'))\nprint(float(' -0.25'))\nprint(float('7'))\n\
         print(int(str(123) + '4') + 1)\n",
        1,
    );
    for (name, expr) in [
        ("int_text", "int('4x')"),
        ("int_float_text", "int('2.5')"),
        ("float_text", "float('one')"),
        ("int_none", "int(none)"),
    ] {
        let (module, files) = interp_support::compile(name, &format!("x = 1\nprint({expr})\n"));
        let dev = interp_support::on_device(&module, files.clone(), 1);
        let (status, _, err) = interp_support::on_host(module, files, 1);
        for (what, st, e) in [("device", dev.status, &dev.stderr), ("host", status, &err)] {
            assert_ne!(st, 0, "{what}: {e}");
            assert!(e.contains(&format!("{name}.py:2")), "{what}: {e}");
            assert!(e.contains("Type error"), "{what}: {e}");
        }
        // A str that is no number: the host's own text on both.
        if expr.contains('\'') {
            assert_eq!(
                interp_support::per_core(&dev.stderr),
                interp_support::per_core(&err)
            );
        }
    }
}
