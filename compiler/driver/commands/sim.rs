//! `epyc sim IMAGE.elf`: run an Epiphany ELF on the simulator.

use crate::cli::SimArgs;
use crate::exit;

pub fn main(args: &SimArgs) -> u8 {
    let mut opts = epiphany_sim::SimOptions::default();
    if let Some(n) = args.cores {
        if n == 0 || n > 1024 {
            eprintln!("error: -d takes a number of cores from 1 to 1024");
            return exit::USAGE;
        }
        opts.cols = n.min(4);
        opts.rows = n.div_ceil(4);
    }
    if let Some(r) = args.rows {
        opts.rows = r;
    }
    if let Some(c) = args.cols {
        opts.cols = c;
    }
    if !(1..=32).contains(&opts.rows) || !(1..=32).contains(&opts.cols) {
        eprintln!("error: a workgroup has 1 to 32 rows and columns");
        return exit::USAGE;
    }
    opts.max_cycles = args.max_cycles;
    opts.stats = args.stats;
    opts.stats_json = args.stats_json.clone();
    opts.trace = args.trace;
    match epiphany_sim::run_elf_file(&args.image, &opts) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::RUNTIME_ERROR
        }
    }
}
