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
    let src = format!(
        ".global _epyc_main\n_epyc_main:\n sub sp,sp,#16\n str lr,[sp,#2]\n str r4,[sp,#3]\n\
         {body}\n ldr lr,[sp,#2]\n ldr r4,[sp,#3]\n add sp,sp,#16\n rts\n"
    );
    let prog = asm::assemble(".prog", &src).expect("test program assembles");
    let image = link::link(&runtime_object(), &[prog], 64).expect("links");
    let mut dev = SimDevice::new(rows, cols).unwrap();
    dev.load(&image).unwrap();
    let io = CapturedIo::default();
    let cfg = monitor::MonitorConfig {
        files: vec!["prog.py".into()],
        max_cycles: 2_000_000_000,
        slice: 2_000,
        ..Default::default()
    };
    let status = monitor::run(&mut dev, &io, &cfg).unwrap();
    Outcome {
        status,
        stdout: io.stdout(),
        stderr: io.stderr(),
    }
}

pub fn lines_of(out: &str, core: u32) -> Vec<String> {
    let p = format!("[device {core}] ");
    out.lines()
        .filter_map(|l| l.strip_prefix(&p).map(str::to_string))
        .collect()
}
