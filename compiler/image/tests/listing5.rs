//! Listing 5 (examples/gauss_seidel.py) as an image: it fits the code budget, its ELF
//! is one the simulator's loader accepts, and it runs on 16 simulated cores through the
//! monitor with the expected output.

use epyc_image::{build, lines::LineTable, Options};
use epyc_rt_device::{monitor, sim_device::SimDevice};
use std::path::{Path, PathBuf};

fn listing5() -> epyc_image::Built {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("examples/gauss_seidel.py");
    let libs: Vec<PathBuf> = vec![root.join("libs")];
    let parsed = epyc_syntax::parse_program(&path, &libs).expect("listing 5 parses");
    let analysis = epyc_sema::analyze(&parsed).expect("listing 5 type-checks");
    build(&analysis.program, &Options::default()).expect("listing 5 builds")
}

#[test]
fn code_per_core_is_at_most_8_kb() {
    let built = listing5();
    assert!(
        built.usage.code() <= 8 * 1024,
        "{} bytes of code per core:\n{}",
        built.usage.code(),
        built.usage
    );
}

#[test]
fn the_elf_loads_with_symbols_and_a_line_table() {
    let built = listing5();
    let image = epiphany_sim::elf::parse(&built.elf).expect("the simulator accepts the ELF");
    assert_eq!(image.entry, built.image.symbols["_epyc_start"]);
    let loaded: usize = image.segments.iter().map(|s| s.data.len()).sum();
    let linked: usize = built.image.segments.iter().map(|s| s.1.len()).sum();
    assert!(loaded >= linked, "every linked byte is in a segment");
    for name in ["_epyc_start", "_epyc_main", "_epyc_reduce"] {
        let addr = built.image.symbols.get(name).copied();
        assert!(
            addr.is_some_and(|a| image.symbols.at(a).any(|n| n == name)),
            "{name} in the ELF's symbols"
        );
    }
    // The entry function's first address maps to a line of listing 5.
    let main = built.image.symbols["_epyc_main"];
    let pos = built.lines.position(main).expect("a line for the entry");
    let (file, line) = epyc_rt_abi::pos::decode(pos as i32);
    assert!(built.files[file as usize].ends_with("gauss_seidel.py"));
    assert!(line >= 1);
    assert!(LineTable::decode(&built.lines.encode()).is_some());
    let (table, files) = epyc_image::lines::read_from_elf(&built.elf).expect("lines in the ELF");
    assert_eq!(table, built.lines);
    assert_eq!(files, built.files);
}

#[test]
fn runs_on_16_simulated_cores() {
    let built = listing5();
    let mut dev = SimDevice::new(4, 4).unwrap();
    dev.load(&built.image).unwrap();
    let io = epyc_rt_host::CapturedIo::with_input(&[]);
    let cfg = monitor::MonitorConfig {
        files: built.files.clone(),
        ..Default::default()
    };
    let status = monitor::run(&mut dev, &io, &cfg).unwrap();
    assert_eq!(status, 0, "{}", io.stderr());
    assert_eq!(
        io.stdout(),
        "[device 0] Completed in 1254 iterations, RNorm=0.001000\n"
    );
}
