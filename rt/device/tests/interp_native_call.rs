//! `CallNative` on the device interpreter (mixed programs, issue 6): byte code calling native
//! functions linked into the same image. The native functions here are written in assembly
//! (the driver's come from the Epiphany backend) and compute something the byte-code twin
//! does not (`x + x` against the byte code's `x * 3`), so the output shows which one ran.

mod interp_support;
use epyc_bytecode::format::{Module, Native, Op, NO_RET};
use epyc_rt_abi::Tag;
use epyc_rt_device::interp::native_call::{Fallback, NativeEntry, KIND_INT_NON_NEG};
use epyc_rt_device::{asm, interp, monitor, sim_device::SimDevice, Section};
use epyc_rt_host::CapturedIo;
use interp_support::{compile, lines_of};

/// Native functions with the compiled-code ABI: r0 the globals base, then the arguments.
const NATIVES: &str = r#"
.global _nat_twice_int
_nat_twice_int:
 add r0,r1,r1
 rts
.global _nat_twice_float
_nat_twice_float:
 fadd r0,r1,r1
 rts
.global _nat_stack
_nat_stack:
 ldr r16,[sp,#2]
 ldr r17,[sp,#3]
 sub r0,r16,r17
 add r0,r0,r2
 sub r0,r0,r1
 add r0,r0,r3
 rts
.global _nat_odd
_nat_odd:
 mov r0,#256
 orr r0,r0,r1
 rts
"#;

fn native_code() -> Vec<Section> {
    vec![asm::assemble(".text.natives", NATIVES).expect("assembles")]
}

/// Points every byte-code call of `name` at native entry `first`, and declares `entries`.
fn make_mixed(module: &mut Module, name: &str, first: u16, entries: &[NativeEntry]) {
    let f = module
        .funcs
        .iter()
        .position(|f| f.name == name)
        .expect("function");
    for e in entries {
        module.natives.push(Native {
            symbol: e.symbol.clone(),
            params: e
                .kinds
                .iter()
                .map(|&k| {
                    if k == KIND_INT_NON_NEG {
                        Tag::Int as u8
                    } else {
                        k
                    }
                })
                .collect(),
            ret: if e.ret == Tag::None {
                NO_RET
            } else {
                e.ret as u8
            },
        });
    }
    for func in &mut module.funcs {
        for (at, op) in func.ops().expect("decodes") {
            if let Op::Call { func: callee, argc } = op {
                if callee as usize == f {
                    let mut bytes = Vec::new();
                    Op::CallNative {
                        native: first,
                        argc,
                    }
                    .encode(&mut bytes);
                    func.code[at..at + 4].copy_from_slice(&bytes);
                }
            }
        }
    }
}

fn run(module: &Module, entries: &[NativeEntry], files: Vec<String>) -> (i32, String, String) {
    let image = interp::build_mixed_image(module, entries, native_code(), 0, false).expect("links");
    let mut dev = SimDevice::new(1, 1).unwrap();
    dev.load(&image).unwrap();
    let io = CapturedIo::default();
    let cfg = monitor::MonitorConfig {
        files,
        max_cycles: 50_000_000,
        ..Default::default()
    };
    let report = monitor::run_report(&mut dev, &io, &cfg).unwrap();
    (report.status, io.stdout(), io.stderr())
}

/// An entry whose type error (if any) names line 1 of file 0.
fn entry(symbol: &str, kinds: &[u8], ret: Tag, fallback: Fallback) -> NativeEntry {
    NativeEntry {
        symbol: symbol.into(),
        kinds: kinds.to_vec(),
        ret,
        fallback,
        pos: epyc_rt_abi::pos::encode(0, 1) as u32,
    }
}

const TWICE: &str = "def f(x):\n    return x * 3\nprint(f(5))\nprint(f(-5))\nprint(f(2.5))\n\
                     print(f(\"ab\"))\n";

#[test]
fn arguments_that_fit_run_native_code_the_others_the_chain_then_the_byte_code() {
    let (mut m, files) = compile("native_chain", TWICE);
    let f = m.funcs.iter().position(|f| f.name == "f").unwrap() as u16;
    let entries = [
        entry(
            "_nat_twice_int",
            &[KIND_INT_NON_NEG],
            Tag::Int,
            Fallback::Native(1),
        ),
        entry(
            "_nat_twice_float",
            &[Tag::Float as u8],
            Tag::Float,
            Fallback::ByteCode(f),
        ),
    ];
    make_mixed(&mut m, "f", 0, &entries);
    let (status, out, err) = run(&m, &entries, files);
    assert_eq!(status, 0, "{err}");
    // 5 fits `int >= 0` (native: 10); -5 does not, nor the float entry: byte code (-15);
    // 2.5 misses the first entry and fits the second (native: 5.0); a str runs byte code.
    assert_eq!(lines_of(&out, 0), ["10", "-15", "5.000000", "ababab"]);
}

#[test]
fn arguments_that_fit_nothing_without_byte_code_are_a_type_error_at_the_definition() {
    let (mut m, files) = compile("native_type_error", TWICE);
    let entries = [entry(
        "_nat_twice_int",
        &[Tag::Int as u8],
        Tag::Int,
        Fallback::TypeError,
    )];
    make_mixed(&mut m, "f", 0, &entries);
    let (status, out, err) = run(&m, &entries, files);
    assert_ne!(status, 0);
    assert_eq!(lines_of(&out, 0), ["10", "-10"]);
    assert!(err.contains("Error from core 0: Type error"), "{err}");
    assert!(err.contains("native_type_error.py:1"), "{err}");
}

#[test]
fn none_parameters_take_no_argument_word_and_results_are_boxed_with_their_tag() {
    let src = "def g(a, b):\n    return b % 2 == 1\nprint(g(None, 7))\nprint(g(None, 6))\n";
    let (mut m, files) = compile("native_bool", src);
    let entries = [entry(
        "_nat_odd",
        &[Tag::None as u8, Tag::Int as u8],
        Tag::Bool,
        Fallback::TypeError,
    )];
    make_mixed(&mut m, "g", 0, &entries);
    // `_nat_odd` returns 0x100 | b: the bool's mask keeps bit 0 (b's parity).
    let (status, out, err) = run(&m, &entries, files);
    assert_eq!(status, 0, "{err}");
    assert_eq!(lines_of(&out, 0), ["true", "false"]);
}

#[test]
fn arguments_past_the_registers_go_on_the_stack() {
    // `_nat_stack(a, b, c, d, e)` = (d - e) + (b - a) + c; the none parameter takes no word.
    let src = "def h(a, n, b, c, d, e):\n    return 0\nprint(h(1, None, 20, 300, 4000, 50000))\n";
    let (mut m, files) = compile("native_stack", src);
    let int = Tag::Int as u8;
    let entries = [entry(
        "_nat_stack",
        &[int, Tag::None as u8, int, int, int, int],
        Tag::Int,
        Fallback::TypeError,
    )];
    make_mixed(&mut m, "h", 0, &entries);
    let (status, out, err) = run(&m, &entries, files);
    assert_eq!(status, 0, "{err}");
    assert_eq!(lines_of(&out, 0), ["-45681"]);
}

#[test]
fn inconsistent_native_tables_and_calls_are_refused() {
    let (mut m, _) = compile("native_refused", TWICE);
    let entries = [entry(
        "_nat_twice_int",
        &[Tag::Int as u8],
        Tag::Int,
        Fallback::Native(7),
    )];
    make_mixed(&mut m, "f", 0, &entries);
    let e = interp::build_mixed_image(&m, &entries, native_code(), 0, false).expect_err("refused");
    assert!(format!("{e:#}").contains("inconsistently"), "{e:#}");
    let e = interp::build_mixed_image(&m, &[], native_code(), 0, false).expect_err("refused");
    assert!(format!("{e:#}").contains("native functions"), "{e:#}");
    let mut wrong_arity = m.clone();
    wrong_arity.natives[0].params.push(Tag::Int as u8);
    let e = interp::build_image(&wrong_arity).expect_err("refused");
    assert!(
        format!("{e:#}").contains("native call with 1 arguments"),
        "{e:#}"
    );
    let bad_kind = [entry("_nat_twice_int", &[9], Tag::Int, Fallback::TypeError)];
    let e = interp::native_call::table_sections(&bad_kind, 0, false).expect_err("refused");
    assert!(format!("{e:#}").contains("bad parameter kind"), "{e:#}");
}
