//! `epyc sim IMAGE.elf`: run an Epiphany ELF on the simulator. An image epyc wrote (`epyc
//! build`, with or without `--interp`: it carries the `.epyc.files` section) expects the host
//! side of the device runtime — the mailbox header and GO, print and error requests — so it
//! runs under the device monitor as `epyc run` runs it, with its output and errors (core id
//! and source line) shown the same way. Any other ELF runs on the bare simulator.

use crate::cli::SimArgs;
use crate::{device, exit};
use epyc_rt_device::{link::Image, monitor, sim_device::SimDevice};
use std::collections::HashMap;

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
    let bytes = match std::fs::read(&args.image) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read '{}': {e}", args.image.display());
            return exit::USAGE;
        }
    };
    if let Some((_, files)) = epyc_image::lines::read_from_elf(&bytes) {
        return run_epyc_image(args, &bytes, files);
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

/// An epyc image under the device monitor on `-d N` cores (rows of 4 as `epyc run`), or
/// `--rows`/`--cols`; `files` are its source paths (from the ELF).
fn run_epyc_image(args: &SimArgs, elf: &[u8], files: Vec<String>) -> u8 {
    // Never ignore a flag silently: these are the bare simulator's.
    if args.stats || args.stats_json.is_some() || args.trace {
        eprintln!(
            "error: --stats, --stats-json and --trace apply to the bare simulator; an epyc \
             image runs under the device monitor (EPYC_TRACE=1 traces it)"
        );
        return exit::USAGE;
    }
    let image = match image_of(elf) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: '{}': {e:#}", args.image.display());
            return exit::USAGE;
        }
    };
    let (rows, cols) = match (args.cores, args.rows, args.cols) {
        (Some(n), _, _) => device::workgroup_shape(n),
        (None, rows, cols) => (rows.unwrap_or(1), cols.unwrap_or(1)),
    };
    let mut dev = match SimDevice::new(rows, cols) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::USAGE;
        }
    };
    if let Err(e) = dev.load(&image) {
        eprintln!("error: loading '{}': {e:#}", args.image.display());
        return exit::RUNTIME_ERROR;
    }
    let mut cfg = monitor::MonitorConfig {
        files,
        ..Default::default()
    };
    if let Some(max) = args.max_cycles {
        cfg.max_cycles = max;
    }
    match monitor::run(&mut dev, &epyc_rt_host::StdIo, &cfg) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => {
            eprintln!("error: the device monitor failed: {e:#}");
            exit::RUNTIME_ERROR
        }
    }
}

/// The loadable segments (zero-filled up to their memory size) and symbols of an ELF, as the
/// device loader takes them.
fn image_of(elf: &[u8]) -> anyhow::Result<Image> {
    let parsed = epiphany_sim::elf::parse(elf)?;
    let mut segments = Vec::new();
    let mut end = 0;
    for s in parsed.segments {
        let mut data = s.data;
        data.resize(s.memsz as usize, 0);
        if s.vaddr < epyc_rt_device::memmap::LOCAL_SIZE {
            end = end.max(s.vaddr + s.memsz);
        }
        segments.push((s.vaddr, data));
    }
    segments.sort_by_key(|s| s.0);
    let symbols: HashMap<String, u32> = parsed
        .symbols
        .by_addr
        .into_iter()
        .map(|(addr, name)| (name, addr))
        .collect();
    Ok(Image {
        segments,
        symbols,
        end,
    })
}
