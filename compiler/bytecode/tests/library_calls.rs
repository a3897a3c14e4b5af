//! Calls of library functions (`libs/`): positioned at the user's call, as native code
//! positions library code (so run-time errors and deadlock reports name the user's line):
//! one-service wrappers become the service at the call, other library functions are called
//! through a copy positioned at the call, and unused library functions are not carried.

use epyc_bytecode::{compile_program, Function, Module, Op, Svc};
use std::path::Path;

fn compile(src: &str) -> Module {
    let lib = epyc_syntax::default_lib_dir();
    let parsed = epyc_syntax::parse_program_text(Path::new("t.py"), src, &[lib])
        .unwrap_or_else(|f| panic!("parse failed: {:?}", f.diagnostics));
    compile_program(&parsed).unwrap_or_else(|e| panic!("{}", e.message))
}

fn ops(f: &Function) -> Vec<Op> {
    f.ops().unwrap().into_iter().map(|(_, op)| op).collect()
}

fn main_ops(m: &Module) -> Vec<Op> {
    ops(&m.funcs[0])
}

fn svc(s: Svc, argc: u8) -> Op {
    Op::Svc { svc: s as u8, argc }
}

/// The functions a function calls.
fn all_callees(f: &Function) -> Vec<u16> {
    ops(f)
        .into_iter()
        .filter_map(|op| match op {
            Op::Call { func, .. } => Some(func),
            _ => None,
        })
        .collect()
}

/// The functions a function calls, but imported modules' code (`<module m>`).
fn callees(m: &Module, f: &Function) -> Vec<u16> {
    all_callees(f)
        .into_iter()
        .filter(|&c| !m.funcs[c as usize].name.starts_with("<module "))
        .collect()
}

#[test]
fn one_service_wrappers_are_the_service_at_the_call() {
    let m = compile(
        "from parallel import *\nfrom math import sqrt\nfrom array import array\n\
         x = recv(1)\nsend(x, 1)\ny = sqrt(x)\nz = reduce(y, \"max\")\na = array(3, 4)\n\
         print coreid()\n",
    );
    let main = main_ops(&m);
    assert!(callees(&m, &m.funcs[0]).is_empty(), "{main:?}");
    for op in [
        svc(Svc::Recv, 1),
        svc(Svc::Send, 2),
        svc(Svc::Math, 2),
        svc(Svc::Reduce, 2),
        svc(Svc::ArrayNew, 7),
        svc(Svc::CoreId, 0),
    ] {
        assert!(main.contains(&op), "{op:?} in {main:?}");
    }
    // reduce's op "max" is its constant 2; sqrt is rtl_math(0, x): the constant first.
    let at = main
        .iter()
        .position(|op| *op == svc(Svc::Reduce, 2))
        .unwrap();
    assert_eq!(main[at - 1], Op::Int8 { v: 2 });
    let at = main.iter().position(|op| *op == svc(Svc::Math, 2)).unwrap();
    assert_eq!(main[at - 2], Op::Int8 { v: 0 });
    // send's result is none, as the wrapper's (falling off its end).
    let at = main.iter().position(|op| *op == svc(Svc::Send, 2)).unwrap();
    assert_eq!(main[at + 1], Op::Pop);
}

#[test]
fn other_library_calls_go_through_a_copy_positioned_at_the_call() {
    let m = compile("from parallel import *\nv = 0\nv = recv(1, 3)\nw = recv(\n  1, 2)\n");
    let calls = callees(&m, &m.funcs[0]);
    assert_eq!(calls.len(), 2, "{:?}", main_ops(&m));
    for (&copy, line) in calls.iter().zip([3, 4]) {
        let f = &m.funcs[copy as usize];
        assert_eq!(f.name, "recv");
        assert_eq!(f.file, 0, "the user's file");
        assert_eq!(
            f.lines,
            vec![(0, line)],
            "every position is the call's line"
        );
        // Its own receive is the service, at the same line.
        assert!(ops(f).contains(&svc(Svc::Recv, 1)));
    }
}

#[test]
fn library_code_calling_library_code_keeps_the_users_site() {
    let m = compile(
        "from taskfarm import *\ndef sq(x):\n    return x * x\n\
         if coreid() == 0:\n    shutdownTaskFarm()\n",
    );
    let [shutdown] = callees(&m, &m.funcs[0])[..] else {
        panic!("{:?}", main_ops(&m));
    };
    let f = &m.funcs[shutdown as usize];
    assert_eq!(f.name, "shutdownTaskFarm");
    assert_eq!((f.file, f.lines.clone()), (0, vec![(0, 5)]));
    // Its numcores() is the service; its send is too, all at line 5.
    assert!(ops(f).contains(&svc(Svc::NumCores, 0)));
    assert!(ops(f).contains(&svc(Svc::Send, 2)));
}

#[test]
fn calls_from_one_line_share_a_copy() {
    let m = compile("from parallel import *\na = recv(1, 2) + recv(1, 2)\nb = recv(1, 2)\n");
    let calls = callees(&m, &m.funcs[0]);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0], calls[1]);
    assert_ne!(calls[0], calls[2]);
}

#[test]
fn a_library_function_used_as_a_value_keeps_its_own_lines() {
    let m = compile("from random import *\nr = randrange\nprint r(5)\n");
    let f = m.funcs.iter().find(|f| f.name == "randrange").unwrap();
    assert_ne!(f.file, 0, "random.py");
    assert!(ops(f).contains(&svc(Svc::RandInt, 0)));
    assert_eq!(f.lines.len(), 1);
    assert!(f.lines[0].1 > 3, "a line of random.py: {:?}", f.lines);
}

#[test]
fn library_functions_the_program_never_calls_are_not_carried() {
    let m = compile("from parallel import *\nprint coreid()\n");
    let send = m.funcs.iter().find(|f| f.name == "send").unwrap();
    assert_eq!(ops(send), vec![Op::ReturnNone]);
    let bytes = m.encode().unwrap();
    assert_eq!(Module::decode(&bytes).unwrap(), m);
}

#[test]
fn the_users_own_one_line_functions_are_called_so_their_errors_name_their_line() {
    let m = compile("def div(a, b):\n    return a / b\nprint div(1, 0)\n");
    assert_eq!(callees(&m, &m.funcs[0]), vec![1]);
}

#[test]
fn a_service_call_on_a_later_line_of_a_statement_is_positioned_there() {
    let m = compile("from parallel import *\nx = [1,\n     recv(7)]\nprint x\n");
    let f = &m.funcs[0];
    let at = f
        .ops()
        .unwrap()
        .into_iter()
        .find(|(_, op)| *op == svc(Svc::Recv, 1))
        .unwrap()
        .0;
    assert_eq!(f.line_at(at), 3);
    assert_eq!(
        f.line_at(at + 3),
        2,
        "the rest of the statement stays at its line"
    );
}

#[test]
fn an_imported_modules_code_is_a_function_of_its_own_file() {
    let dir = std::env::temp_dir().join(format!("epyc-bc-modules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("helper.py"), "y = 2\nz = [1]\nw = z[y]\n").unwrap();
    let main = dir.join("main.py");
    std::fs::write(&main, "import helper\nimport parallel\nprint w\n").unwrap();
    let parsed = epyc_syntax::parse_program(&main, &[epyc_syntax::default_lib_dir()])
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    let m = compile_program(&parsed).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    // helper's code runs at line 1; parallel has no module code (only defs): nothing to call.
    let [helper] = all_callees(&m.funcs[0])[..] else {
        panic!("{:?}", main_ops(&m));
    };
    let f = &m.funcs[helper as usize];
    assert_eq!(
        parsed.files[f.file as usize].path,
        dir.join("helper.py").display().to_string()
    );
    assert_eq!(
        f.lines.iter().map(|l| l.1).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(m.funcs[0].line_at(0), 1);
}
