//! Limits and bad input: deep recursion is the runtime's stack-overflow error (not a crash),
//! and modules the device interpreter cannot run are refused with an error that says why.

mod interp_support;
use epyc_bytecode::format::{Const, Function, Module, Op};
use epyc_rt_device::interp;
use interp_support::{device_only, lines_of};

#[test]
fn recursion_within_the_limit_runs() {
    let r = device_only(
        "deep",
        "def d(n):\n    if n == 0:\n        return 0\n    return d(n - 1) + 1\nprint(d(25))\n",
        1,
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(lines_of(&r.stdout, 0), ["25"]);
}

#[test]
fn runaway_recursion_is_a_stack_overflow_error() {
    let r = device_only(
        "runaway",
        "def d(n):\n    return d(n + 1) + 1\nprint(d(0))\n",
        1,
    );
    assert_ne!(r.status, 0);
    assert!(r.stderr.contains("Stack overflow"), "{}", r.stderr);
    assert!(r.stderr.contains("core 0"), "{}", r.stderr);
}

fn module(code: &[Op], nlocals: u8) -> Module {
    let mut m = Module::default();
    m.constant(Const::Str("main".into()));
    let mut bytes = Vec::new();
    for op in code {
        op.encode(&mut bytes);
    }
    m.funcs.push(Function {
        name: "main".into(),
        nlocals,
        code: bytes,
        ..Default::default()
    });
    m
}

fn refused(m: &Module) -> String {
    format!("{:#}", interp::build_image(m).expect_err("refused"))
}

#[test]
fn bad_modules_are_refused_with_a_reason() {
    assert!(refused(&Module::default()).contains("no function"));
    let e = refused(&module(&[Op::Jump { off: 1 }, Op::ReturnNone], 0));
    assert!(e.contains("not an instruction"), "{e}");
    let e = refused(&module(&[Op::Load { slot: 3 }, Op::Return], 1));
    assert!(e.contains("slot 3"), "{e}");
    let e = refused(&module(&[Op::ListRepeat, Op::Return], 0));
    assert!(e.contains("not on the device yet"), "{e}");
    let e = refused(&module(&[Op::Int8 { v: 1 }], 0));
    assert!(e.contains("does not end in a return"), "{e}");
    let e = refused(&module(&[Op::Const { idx: 9 }, Op::Return], 0));
    assert!(e.contains("constant 9"), "{e}");
}
