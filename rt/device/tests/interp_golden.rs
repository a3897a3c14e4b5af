//! The golden programs of shared/golden/dynamic, compiled whole to byte code and run by the
//! device interpreter on the simulated chip: each core's lines must equal the expected ones.

mod interp_support;
use std::path::PathBuf;

fn shared() -> PathBuf {
    if let Some(p) = std::env::var_os("EPYC_SHARED") {
        return p.into();
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

fn check(name: &str) {
    let path = shared().join("golden/dynamic").join(format!("{name}.py"));
    let text = std::fs::read_to_string(&path).unwrap();
    let cores: u32 = text
        .lines()
        .next()
        .and_then(|l| l.split("-d").nth(1))
        .and_then(|n| n.trim().split(' ').next()?.parse().ok())
        .unwrap_or(1);
    let lib = epyc_syntax::default_lib_dir();
    let parsed = epyc_syntax::parse_program(&path, &[lib]).expect("parses");
    let module = epyc_bytecode::compile_program(&parsed).expect("compiles");
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    let run = interp_support::on_device(&module, files, cores);
    let want = std::fs::read_to_string(path.with_extension("out")).unwrap();
    assert_eq!(
        interp_support::per_core(&run.stdout),
        interp_support::per_core(&want),
        "{name}: stderr {}",
        run.stderr
    );
}

#[test]
fn mixed_list() {
    check("mixed_list");
}
#[test]
fn poly_func() {
    check("poly_func");
}
#[test]
fn retype() {
    check("retype");
}
#[test]
fn widen_loop() {
    check("widen_loop");
}
#[test]
fn message_types() {
    check("message_types");
}
