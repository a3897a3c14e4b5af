//! The compiler from the front end's tree to byte code: scoping, control flow, errors, and
//! that every image it makes survives the encode/decode round trip.

use epyc_bytecode::{compile_program, CompileError, Module, Op, Svc};
use std::path::Path;

fn compile(src: &str) -> Result<Module, CompileError> {
    let lib = epyc_syntax::default_lib_dir();
    let parsed = epyc_syntax::parse_program_text(Path::new("t.py"), src, &[lib])
        .unwrap_or_else(|f| panic!("parse failed: {:?}", f.diagnostics));
    compile_program(&parsed)
}

fn ops(m: &Module, name: &str) -> Vec<Op> {
    let f = m
        .funcs
        .iter()
        .find(|f| f.name == name)
        .expect("function exists");
    f.ops().unwrap().into_iter().map(|(_, op)| op).collect()
}

#[test]
fn module_code_uses_module_variables_and_functions_use_locals() {
    let m = compile("x = 1\ndef f(a):\n    y = a + x\n    return y\nprint f(2)\n").unwrap();
    assert_eq!(m.funcs[0].name, "__main__");
    let main = ops(&m, "__main__");
    assert!(main.contains(&Op::StoreG { global: 0 }));
    assert!(main.contains(&Op::Call { func: 1, argc: 1 }));
    assert!(main.contains(&Op::Svc {
        svc: Svc::Print as u8,
        argc: 1
    }));
    let f = ops(&m, "f");
    // a is slot 0 (a parameter), y slot 1 (assigned), x the module variable.
    assert!(f.contains(&Op::Load { slot: 0 }));
    assert!(f.contains(&Op::LoadG { global: 0 }));
    assert!(f.contains(&Op::Store { slot: 1 }));
    assert_eq!(m.funcs[1].nparams, 1);
}

#[test]
fn a_module_variable_assigned_before_the_def_is_shared_d20() {
    let m = compile("n = 0\ndef bump():\n    n = n + 1\nbump()\nprint n\n").unwrap();
    let f = ops(&m, "bump");
    assert!(f.contains(&Op::StoreG { global: 0 }), "{f:?}");
    assert_eq!(m.funcs[1].nlocals, 0);
}

#[test]
fn for_over_range_uses_range_next_and_break_jumps_out() {
    let m = compile("for i in range(3):\n    if i == 1:\n        break\n    print i\n").unwrap();
    let main = ops(&m, "__main__");
    assert!(main.iter().any(|op| matches!(op, Op::RangeNext { .. })));
    assert!(
        main.iter()
            .filter(|op| matches!(op, Op::Jump { .. }))
            .count()
            >= 2
    );
}

#[test]
fn positions_are_recorded_per_line() {
    let m = compile("a = 1\n\nprint a\n").unwrap();
    let lines: Vec<u32> = m.funcs[0].lines.iter().map(|l| l.1).collect();
    assert_eq!(lines, vec![1, 3]);
}

#[test]
fn unknown_names_are_compile_errors_naming_the_other_spelling() {
    let e = compile("Value = 5\nprint value\n").unwrap_err();
    assert!(e.message.contains("'value'"), "{}", e.message);
    assert!(e.message.contains("'Value'"), "{}", e.message);
    let e = compile("foo(3)\n").unwrap_err();
    assert!(
        e.message.contains("Can not find function 'foo'"),
        "{}",
        e.message
    );
}

#[test]
fn images_of_real_programs_round_trip() {
    let m = compile(
        "from parallel import *\nfrom math import *\nitems = [1, 2.5, \"s\", true, none]\n\
         if coreid() == 0 and 1 < 2 < 3:\n    send(sqrt(2.0), 1)\nprint items[0-1]\n",
    )
    .unwrap();
    let bytes = m.encode().unwrap();
    assert_eq!(Module::decode(&bytes).unwrap(), m);
    for f in &m.funcs {
        f.ops().unwrap();
    }
}
