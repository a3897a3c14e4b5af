//! Running hand-written assembly programs on the simulator through the monitor.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use epyc_rt_device::monitor::STATUS_OK;
use epyc_rt_device::{asm, link, monitor, runtime_object, sim_device::SimDevice};
use epyc_rt_host::CapturedIo;

pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `body` as the program's entry (`_epyc_main`, lr saved around it) on rows x cols cores.
pub fn run(body: &str, rows: u32, cols: u32) -> Outcome {
    run_with(body, "", rows, cols, &[])
}

/// As [`run`], with `data` (assembly after the entry) and input lines.
pub fn run_with(body: &str, data: &str, rows: u32, cols: u32, input: &[&str]) -> Outcome {
    let src = format!(
        ".global _epyc_main\n_epyc_main:\n sub sp,sp,#16\n str lr,[sp,#2]\n str r4,[sp,#3]\n\
         {body}\n ldr lr,[sp,#2]\n ldr r4,[sp,#3]\n add sp,sp,#16\n rts\n{data}\n"
    );
    let prog = asm::assemble(".prog", &src).expect("test program assembles");
    let image = link::link(&runtime_object(), &[prog], 64).expect("links");
    let mut dev = SimDevice::new(rows, cols).unwrap();
    dev.load(&image).unwrap();
    let io = CapturedIo::with_input(input);
    let cfg = monitor::MonitorConfig {
        files: vec!["prog.py".into()],
        max_cycles: 2_000_000_000,
        ..Default::default()
    };
    let report = monitor::run_report(&mut dev, &io, &cfg).unwrap();
    LAST_CYCLES.with(|c| *c.borrow_mut() = report.core_cycles.clone());
    Outcome {
        status: report.status,
        stdout: io.stdout(),
        stderr: io.stderr(),
    }
}

thread_local! {
    static LAST_CYCLES: std::cell::RefCell<Vec<Option<u64>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// As [`run`], with each core's cycles at its end.
pub fn run_report(body: &str, rows: u32, cols: u32) -> (Outcome, Vec<Option<u64>>) {
    let o = run(body, rows, cols);
    (o, LAST_CYCLES.with(|c| c.borrow().clone()))
}

pub fn lines_of(out: &str, core: u32) -> Vec<String> {
    let p = format!("[device {core}] ");
    out.lines()
        .filter_map(|l| l.strip_prefix(&p).map(str::to_string))
        .collect()
}

/// Assembly for a string object `text` at `label` (to pass as `data` to [`run_with`]).
pub fn str_data(label: &str, text: &str) -> String {
    let mut s = format!(".align 4\n{label}:\n .word {}\n", text.len());
    for chunk in text.as_bytes().chunks(4) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        s += &format!(" .word {}\n", u32::from_le_bytes(w));
    }
    s
}

/// `(file 0, line)` as the runtime's pos.
pub fn pos(line: u32) -> u32 {
    epyc_rt_abi::pos::encode(0, line) as u32
}
