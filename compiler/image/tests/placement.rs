//! Listing 5 built with its code and constants in shared DRAM (`-codeshared -datashared`):
//! the ELF has PT_LOADs there, in address order, that the simulator's loader accepts; the
//! memory report counts the program's code and constants as shared; the line table covers the
//! code at its DRAM addresses.

use epyc_image::{build, Options, Placement};
use epyc_rt_device::memmap;
use std::path::{Path, PathBuf};

fn listing5(placement: Placement) -> epyc_image::Built {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("examples/gauss_seidel.py");
    let libs: Vec<PathBuf> = vec![root.join("libs")];
    let parsed = epyc_syntax::parse_program(&path, &libs).expect("listing 5 parses");
    let analysis = epyc_sema::analyze(&parsed).expect("listing 5 type-checks");
    let options = Options {
        placement,
        ..Options::default()
    };
    build(&analysis.program, &options).expect("listing 5 builds")
}

#[test]
fn shared_code_and_constants_are_elf_segments_in_dram() {
    let placement = Placement {
        code_shared: true,
        data_shared: true,
    };
    let local = listing5(Placement::default());
    let built = listing5(placement);
    assert_eq!(built.placement, placement);
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let u = &built.usage;
    assert_eq!((u.program_code, u.data), (0, 0), "{u}");
    assert_eq!(u.shared_code, local.usage.program_code);
    assert_eq!(u.shared_data, local.usage.data);
    assert_eq!(u.heap, 0, "no local heap with -datashared");

    let main = built.image.symbols["_epyc_main"];
    assert_eq!(main, memmap::SHARED_IMAGE_BASE);
    let pos = built.lines.position(main).expect("a line for the entry");
    let (file, _) = epyc_rt_abi::pos::decode(pos as i32);
    assert!(built.files[file as usize].ends_with("gauss_seidel.py"));

    let elf = epiphany_sim::elf::parse(&built.elf).expect("the simulator accepts the ELF");
    let addrs: Vec<u32> = elf.segments.iter().map(|s| s.vaddr).collect();
    assert!(addrs.windows(2).all(|w| w[0] < w[1]), "{addrs:x?}");
    assert!(addrs.contains(&memmap::SHARED_IMAGE_BASE), "{addrs:x?}");
}
