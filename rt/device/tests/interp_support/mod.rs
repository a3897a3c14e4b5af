//! Runs ePython source through the byte-code compiler, then on the simulated chip under the
//! device interpreter and on host cores under the host interpreter (`rt/interp`).
#![allow(dead_code)]

use epyc_rt_device::{interp, monitor, sim_device::SimDevice};
use epyc_rt_host::CapturedIo;
use std::sync::Arc;

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// Per core: the cycle at which it ended.
    pub cycles: Vec<Option<u64>>,
}

/// Compiles `src` (written to a temporary `name.py`) to a byte-code module.
pub fn compile(name: &str, src: &str) -> (epyc_bytecode::Module, Vec<String>) {
    let dir = std::env::temp_dir().join(format!("epyc-devinterp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.py"));
    std::fs::write(&path, src).unwrap();
    let lib = epyc_syntax::default_lib_dir();
    let parsed = epyc_syntax::parse_program(&path, &[lib]).expect("parses");
    let module = epyc_bytecode::compile_program(&parsed).expect("compiles to byte code");
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    (module, files)
}

/// Runs a module on `cores` simulated cores (one row).
pub fn on_device(module: &epyc_bytecode::Module, files: Vec<String>, cores: u32) -> Run {
    on_device_for(module, files, cores, 500_000_000)
}

/// As [`on_device`], stopping the chip after `max_cycles`.
pub fn on_device_for(
    module: &epyc_bytecode::Module,
    files: Vec<String>,
    cores: u32,
    max_cycles: u64,
) -> Run {
    let image = interp::build_image(module).expect("device image links");
    let mut dev = SimDevice::new(1, cores).unwrap();
    dev.load(&image).unwrap();
    let io = CapturedIo::default();
    let cfg = monitor::MonitorConfig {
        files,
        max_cycles,
        ..Default::default()
    };
    let report = monitor::run_report(&mut dev, &io, &cfg).unwrap();
    Run {
        status: report.status,
        stdout: io.stdout(),
        stderr: io.stderr(),
        cycles: report.core_cycles,
    }
}

/// Runs a module on `cores` host cores; output with `[host K]` written `[device K]`.
pub fn on_host(
    module: epyc_bytecode::Module,
    files: Vec<String>,
    cores: u32,
) -> (i32, String, String) {
    // The host interpreter keeps the running program in a process-wide static: one run at a
    // time.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let io = Arc::new(CapturedIo::default());
    let cfg = epyc_rt_host::RunConfig {
        cores,
        first_core: 0,
        timing: false,
    };
    let status = epyc_interp::run(module, files, &cfg, io.clone()).unwrap();
    (
        status,
        io.stdout().replace("[host ", "[device "),
        io.stderr().replace("[host ", "[device "),
    )
}

/// Each core's lines, in order (cores interleave freely).
pub fn per_core(out: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut m = std::collections::BTreeMap::<String, Vec<String>>::new();
    for l in out.lines() {
        let core = l.split(']').next().unwrap_or("").to_string();
        m.entry(core).or_default().push(l.to_string());
    }
    m
}

/// Runs `src` on both interpreters and checks they print the same lines per core and end
/// with the same status; returns the device run.
pub fn same_on_both(name: &str, src: &str, cores: u32) -> Run {
    let (module, files) = compile(name, src);
    let dev = on_device(&module, files.clone(), cores);
    let (status, out, err) = on_host(module, files, cores);
    assert_eq!(
        per_core(&dev.stdout),
        per_core(&out),
        "{name}: device stderr {} host stderr {err}",
        dev.stderr
    );
    assert_eq!(
        dev.status, status,
        "{name}: device stderr {} host stderr {err}",
        dev.stderr
    );
    assert_eq!(per_core(&dev.stderr), per_core(&err), "{name}");
    dev
}

/// Runs `src` on the device interpreter only.
pub fn device_only(name: &str, src: &str, cores: u32) -> Run {
    let (module, files) = compile(name, src);
    on_device(&module, files, cores)
}

/// The lines core `core` printed.
pub fn lines_of(out: &str, core: u32) -> Vec<String> {
    let p = format!("[device {core}] ");
    out.lines()
        .filter_map(|l| l.strip_prefix(&p).map(str::to_string))
        .collect()
}
