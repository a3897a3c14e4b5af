//! Minimal command line over `run_elf_file`, for scripts/sim_speed and manual runs before the
//! `epyc sim` driver exists: `simrun IMAGE.elf [ROWS COLS] [--stats] [--json FILE] [--max-cycles N] [--trace]`.

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut opts = epiphany_sim::SimOptions::default();
    let mut image = None;
    let mut dims = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--stats" => opts.stats = true,
            "--trace" => opts.trace = true,
            "--json" => opts.stats_json = args.next().map(PathBuf::from),
            "--max-cycles" => opts.max_cycles = args.next().and_then(|n| n.parse().ok()),
            _ if image.is_none() => image = Some(PathBuf::from(a)),
            _ => dims.push(a.parse::<u32>().unwrap_or(0)),
        }
    }
    if let [r, c] = dims[..] {
        opts.rows = r;
        opts.cols = c;
    }
    let Some(image) = image else {
        eprintln!("usage: simrun IMAGE.elf [ROWS COLS] [--stats] [--json FILE] [--max-cycles N] [--trace]");
        std::process::exit(2);
    };
    match epiphany_sim::run_elf_file(&image, &opts) {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}
