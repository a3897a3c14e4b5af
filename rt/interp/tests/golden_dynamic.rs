//! The golden programs of shared/golden/dynamic, compiled whole to byte code and interpreted
//! on host virtual cores: each core's lines must equal the expected ones.

use std::path::PathBuf;
use std::sync::Arc;

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

/// Runs `dir/name.py` and returns its stdout with `[host K]` turned into `[device K]`.
fn run(dir: &str, name: &str) -> (String, String) {
    let path = shared().join("golden").join(dir).join(format!("{name}.py"));
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
    let io = Arc::new(epyc_rt_host::CapturedIo::default());
    let cfg = epyc_rt_host::RunConfig {
        cores,
        first_core: 0,
        timing: false,
    };
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    epyc_interp::run(module, files, &cfg, io.clone()).unwrap();
    (io.stdout().replace("[host ", "[device "), io.stderr())
}

fn per_core(out: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut m = std::collections::BTreeMap::<String, Vec<String>>::new();
    for l in out.lines() {
        let core = l.split(']').next().unwrap_or("").to_string();
        m.entry(core).or_default().push(l.to_string());
    }
    m
}

fn check(dir: &str, name: &str) {
    let (out, err) = run(dir, name);
    let path = shared()
        .join("golden")
        .join(dir)
        .join(format!("{name}.out"));
    let want = std::fs::read_to_string(path).unwrap();
    assert_eq!(per_core(&out), per_core(&want), "{name}: stderr {err}");
}

#[test]
fn mixed_list() {
    check("dynamic", "mixed_list");
}
#[test]
fn poly_func() {
    check("dynamic", "poly_func");
}
#[test]
fn retype() {
    check("dynamic", "retype");
}
#[test]
fn widen_loop() {
    check("dynamic", "widen_loop");
}
#[test]
fn message_types() {
    check("dynamic", "message_types");
}
