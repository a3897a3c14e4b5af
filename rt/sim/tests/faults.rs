//! Faults stop the run with core, PC, symbol+offset and the instruction.

mod common;
use common::*;
use epiphany_sim::FaultKind;

#[test]
fn max_cycles_stops_a_long_run() {
    let r = run(&oracle_elf("gauss_seidel-O2.elf"), 4, 4, Some(10_000));
    let f = r.fault.clone().expect("fault");
    assert_eq!(f.kind, FaultKind::MaxCycles { limit: 10_000 });
    assert_ne!(r.exit_status(), 0);
}

#[test]
fn mesh_program_on_one_core_reports_the_wild_store() {
    // mesh_ring stores to its neighbour's memory: on a 1x1 group that core does not exist.
    let r = run(&oracle_elf("mesh_ring-O2.elf"), 1, 1, Some(50_000_000));
    let f = r.fault.clone().expect("fault");
    assert!(
        matches!(f.kind, FaultKind::Unmapped { write: true, .. }),
        "{f}"
    );
    assert!(f.location.starts_with("<_"), "{f}");
    assert!(f.instruction.contains("str"), "{f}");
}

#[test]
fn elf_for_another_machine_is_refused() {
    let mut img = oracle_elf("calls-O1.elf");
    img[18] = 0x28; // EM_ARM
    img[19] = 0;
    let mut sim = epiphany_sim::Simulator::new(Default::default()).unwrap();
    let e = sim.load_elf(&img).unwrap_err();
    assert!(e.to_string().contains("not Epiphany"), "{e}");
}

#[test]
fn disassembly_names_symbols() {
    let text = epiphany_sim::disasm_elf(&oracle_elf("calls-O2.elf")).unwrap();
    assert!(text.contains("<_main>:"), "{text}");
    assert!(text.contains("<_start>:"));
}

#[test]
fn tiny_cycle_limits_end_cleanly() {
    for limit in [0, 1, 2, 31, 33] {
        let r = run(&oracle_elf("calls-O2.elf"), 1, 1, Some(limit));
        let f = r.fault.clone().expect("fault");
        assert_eq!(f.kind, FaultKind::MaxCycles { limit });
        assert!(r.cores[0].cycles <= limit);
    }
}

#[test]
fn empty_segments_in_a_built_image_are_skipped() {
    // Image builders hand `load_image` segments directly; one of size 0 occupies nothing.
    let mut image = epiphany_sim::elf::parse(&oracle_elf("intops-O2.elf")).expect("parse");
    for vaddr in [0, 0x7fff, 0x8E00_0000] {
        image.segments.push(epiphany_sim::Segment {
            vaddr,
            memsz: 0,
            data: Vec::new(),
        });
    }
    let mut sim = epiphany_sim::Simulator::new(epiphany_sim::Config {
        rows: 1,
        cols: 1,
        ..Default::default()
    })
    .expect("workgroup");
    sim.load_image(&image).expect("empty segments load");
    let r = sim.run();
    assert_eq!(r.exit_status(), 0);
}
