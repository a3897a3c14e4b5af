//! Figures of the device interpreter: its code size with the runtime it links (issue 6: at most
//! 12 KB of a core's 32 KB; ePython's interpreter took 24 KB) and cycles per iteration of a
//! small loop interpreted vs the same loop as native code.

mod interp_support;
use epyc_rt_device::{asm, interp, link, memmap, monitor, runtime_object, sim_device::SimDevice};
use interp_support::{compile, device_only, lines_of};

/// Bytes of the image from the code base to the end, less the module's block, the value
/// stack and the globals: the interpreter and every runtime routine it reaches.
#[test]
fn interpreter_and_runtime_fit_in_12_kb() {
    let (module, _) = compile("size", "print(1)\n");
    let image = interp::build_image(&module).unwrap();
    let obj = interp::interpreter_object().unwrap();
    let interp_code = interp::code_size(&obj);
    let data: usize = image
        .segments
        .iter()
        .filter(|(a, _)| {
            let name = image
                .locate(*a)
                .map(|(n, _)| n.to_string())
                .unwrap_or_default();
            name == interp::MODULE_SYMBOL || name == interp::VSTACK_SYMBOL
        })
        .map(|(_, d)| d.len())
        .sum();
    let code: usize = image
        .segments
        .iter()
        .filter(|(a, _)| *a >= memmap::CODE_BASE)
        .map(|(_, d)| d.len())
        .sum::<usize>()
        - data;
    eprintln!(
        "device interpreter: {interp_code} bytes of code; with the runtime it links: {code} bytes \
         (value stack {} bytes, ePython 24576)",
        interp::VSTACK_BYTES
    );
    assert!(code <= 12 * 1024, "{code} bytes");
}

/// Cycles core 0 ran for a program printing one number (whole run, start-up included).
fn native_cycles(iterations: u32) -> u64 {
    let body = format!(
        " mov r0,#0\n mov r1,#0\n li r2,{iterations}\n_loop:\n add r0,r0,r1\n add r1,r1,#1\n \
         sub r3,r1,r2\n blt _loop\n bl _epyc_print_int\n"
    );
    let src = format!(
        ".global _epyc_main\n_epyc_main:\n sub sp,sp,#16\n str lr,[sp,#2]\n{body} ldr lr,[sp,#2]\n \
         add sp,sp,#16\n rts\n"
    );
    let prog = asm::assemble(".prog", &src).unwrap();
    let image = link::link(&runtime_object(), &[prog], 8).unwrap();
    let mut dev = SimDevice::new(1, 1).unwrap();
    dev.load(&image).unwrap();
    let io = epyc_rt_host::CapturedIo::default();
    let report = monitor::run_report(&mut dev, &io, &monitor::MonitorConfig::default()).unwrap();
    assert_eq!(report.status, 0);
    let want = (0..iterations as i64).sum::<i64>().to_string();
    assert_eq!(lines_of(&io.stdout(), 0), [want]);
    report.core_cycles[0].unwrap()
}

fn interp_cycles(iterations: u32) -> u64 {
    let src = format!(
        "def f(n):\n    s = 0\n    for i in range(n):\n        s = s + i\n    return s\nprint(f({iterations}))\n"
    );
    let r = device_only("loop", &src, 1);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let want = (0..iterations as i64).sum::<i64>().to_string();
    assert_eq!(lines_of(&r.stdout, 0), [want]);
    r.cycles[0].unwrap()
}

#[test]
fn loop_cycles_interpreted_vs_native() {
    let (n0, n1) = (native_cycles(10), native_cycles(1010));
    let (i0, i1) = (interp_cycles(10), interp_cycles(1010));
    let native = (n1 - n0) as f64 / 1000.0;
    let interp = (i1 - i0) as f64 / 1000.0;
    eprintln!(
        "`for i in range(n): s = s + i`: interpreted {interp:.1} cycles/iteration, native \
         {native:.1}, ratio {:.1}",
        interp / native
    );
    assert!(interp > native);
}
