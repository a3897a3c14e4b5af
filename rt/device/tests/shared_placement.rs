//! Program code and data in shared DRAM (`-codeshared`, `-datashared`): the linker reaches
//! across with veneers only where a branch is out of reach, the simulator fetches the code
//! from DRAM (at its external-fetch cost), and without a local heap every object is allocated
//! in the core's area of DRAM.

mod common;

use common::lines_of;
use epyc_rt_device::link::{self, Image, Layout};
use epyc_rt_device::{asm, memmap, monitor, runtime_object, sim_device::SimDevice};

/// `_epyc_main` printing 1..=3 and the top byte of a new list's address.
fn program() -> epyc_rt_device::Section {
    let src = "\
.global _epyc_main
_epyc_main:
 sub sp,sp,#16
 str lr,[sp,#2]
 mov r0,#1
 bl _epyc_print_int
 mov r0,#2
 bl _epyc_print_int
 mov r0,#3
 bl _epyc_print_int
 mov r0,#4
 mov r1,#4
 mov r2,#0
 bl _epyc_list_new
 lsr r0,r0,#24
 bl _epyc_print_int
 ldr lr,[sp,#2]
 add sp,sp,#16
 rts
";
    asm::assemble(".text.prog", src).expect("assembles")
}

fn layout(code_shared: bool, no_local_heap: bool) -> Layout {
    Layout {
        shared_sections: if code_shared {
            [".text.prog".to_string()].into()
        } else {
            Default::default()
        },
        no_local_heap,
    }
}

/// Runs `image` on one core: (printed lines, cycles).
fn run(image: &Image) -> (Vec<String>, u64) {
    let mut dev = SimDevice::new(1, 1).unwrap();
    dev.load(image).unwrap();
    let io = epyc_rt_host::CapturedIo::default();
    let report = monitor::run_report(&mut dev, &io, &monitor::MonitorConfig::default()).unwrap();
    assert_eq!(report.status, 0, "{}", io.stderr());
    (lines_of(&io.stdout(), 0), report.core_cycles[0].unwrap())
}

/// Addresses of the veneers (`jr r63`) in the image's segments.
fn veneers(image: &Image) -> Vec<u32> {
    let mut found = Vec::new();
    for (addr, bytes) in &image.segments {
        let mut off = 0;
        while off + 4 <= bytes.len() {
            let word = u32::from_le_bytes(bytes[off..off + 4].try_into().unwrap());
            let (text, size) = epiphany_isa::disasm_word(word, addr + off as u32);
            if text == "jr r63" {
                found.push(addr + off as u32);
            }
            off += (size as usize).max(2);
        }
    }
    found
}

#[test]
fn local_code_calls_directly() {
    let image =
        link::link_with(&runtime_object(), &[program()], 0, &layout(false, false)).expect("links");
    assert!(veneers(&image).is_empty(), "no branch is out of reach");
    let (lines, _) = run(&image);
    assert_eq!(lines, ["1", "2", "3", "0"], "the list is in local memory");
}

#[test]
fn shared_code_reaches_the_runtime_through_veneers_and_pays_for_dram_fetches() {
    let runtime = runtime_object();
    let local = link::link_with(&runtime, &[program()], 0, &layout(false, false)).unwrap();
    let shared = link::link_with(&runtime, &[program()], 0, &layout(true, false)).unwrap();
    assert_eq!(shared.symbols["_epyc_main"], memmap::SHARED_IMAGE_BASE);
    // One veneer in local memory (start-up -> the entry) and one in DRAM per runtime routine
    // the entry calls (print_int, list_new): calls to the same target share theirs.
    let v = veneers(&shared);
    let (in_dram, in_local): (Vec<u32>, Vec<u32>) =
        v.iter().partition(|&&a| a >= memmap::SHARED_IMAGE_BASE);
    assert_eq!(in_local.len(), 1, "{v:x?}");
    assert_eq!(in_dram.len(), 2, "{v:x?}");
    let (lines, shared_cycles) = run(&shared);
    assert_eq!(lines, ["1", "2", "3", "0"]);
    let (_, local_cycles) = run(&local);
    // 19 instructions of the entry and 2 of each veneer call are fetched from DRAM, each at
    // the simulator's external-fetch cost (hundreds of cycles).
    assert!(
        shared_cycles > local_cycles + 19 * 400,
        "shared {shared_cycles} vs local {local_cycles} cycles"
    );
}

#[test]
fn without_a_local_heap_lists_are_allocated_in_dram() {
    let image =
        link::link_with(&runtime_object(), &[program()], 0, &layout(false, true)).expect("links");
    let (lines, _) = run(&image);
    assert_eq!(
        lines.last().map(String::as_str),
        Some(&*format!("{}", memmap::DRAM_HEAP_BASE >> 24)),
        "the list's address is in core 0's area of DRAM"
    );
}
