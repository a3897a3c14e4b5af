//! `epyc run --interp -d N FILE.py`: the whole program as byte code, run by the device
//! byte-code interpreter (rt/device's `interp`) on N simulated Epiphany cores through the
//! same monitor as compiled images. `epyc bench` uses [`build`] and [`run_image`] too.

use crate::cli::RunArgs;
use crate::{device, exit, frontend};
use epyc_bytecode::Module;
use epyc_rt_device::{link::Image, monitor, sim_device::SimDevice};
use epyc_rt_host::external::ExternalCores;
use epyc_syntax::{Diagnostic, ParsedProgram};
use std::path::Path;

/// A byte-code program linked with the device interpreter, ready to load on every core.
pub struct InterpImage {
    pub image: Image,
    /// Source paths, indexed by the file part of a runtime error's position.
    pub files: Vec<String>,
    /// Bytes of the module's device form (the data object `interp::MODULE_SYMBOL`).
    pub module_bytes: u32,
    /// Bytes of the globals block (the module's variables, a tagged value each).
    pub globals_size: u32,
    /// Warnings of the build (the module placed in shared DRAM because it does not fit).
    pub warnings: Vec<String>,
}

impl InterpImage {
    /// The image as a loadable ELF file (`epyc build --interp`; `epyc sim` runs it; see
    /// [`byte_code_elf`]).
    pub fn elf(&self) -> anyhow::Result<Vec<u8>> {
        byte_code_elf(
            &self.image,
            self.module_bytes,
            self.globals_size,
            &[],
            &self.files,
        )
    }
}

/// The ELF of an image running byte code under the device interpreter: the runtime and the
/// interpreter (and any native code) as code, the module and the value stack as data
/// objects, with `extra` data objects (a mixed image's native constants), every symbol in the
/// symbol table (so a fault report names the function). Its line table is empty: a byte-code
/// runtime error takes its line from the module's own line tables, and the source paths
/// travel in the ELF for it.
pub fn byte_code_elf(
    image: &Image,
    module_bytes: u32,
    globals_size: u32,
    extra: &[epyc_image::elf::DataObject],
    files: &[String],
) -> anyhow::Result<Vec<u8>> {
    use epyc_image::elf::DataObject;
    use epyc_rt_device::interp::{MODULE_SYMBOL, VSTACK_BYTES, VSTACK_SYMBOL};
    let lines = epyc_image::lines::LineTable::default();
    let mut data = vec![
        DataObject {
            symbol: MODULE_SYMBOL,
            size: module_bytes,
            writable: false,
        },
        DataObject {
            symbol: VSTACK_SYMBOL,
            size: VSTACK_BYTES,
            writable: true,
        },
    ];
    data.extend_from_slice(extra);
    let contents = epyc_image::elf::Contents {
        data,
        globals_size,
        lines: &lines,
        files,
    };
    epyc_image::elf::write_contents(image, &contents)
}

/// Why a program has no device byte-code image.
pub enum BuildFailure {
    /// The front end or the byte-code compiler rejected it; diagnostics are already printed.
    Rejected(u8),
    /// The device interpreter cannot run the module (a missing instruction or service).
    Refused(String),
}

impl BuildFailure {
    /// The exit status, after saying why the device interpreter cannot take the program.
    pub fn report(self) -> u8 {
        match self {
            BuildFailure::Rejected(status) => status,
            BuildFailure::Refused(why) => {
                eprintln!("error: the device byte-code interpreter cannot run this program: {why}");
                exit::COMPILE_ERROR
            }
        }
    }
}

/// Parses and compiles `path` to byte code, then links it with the device interpreter.
pub fn build(path: &Path) -> Result<InterpImage, BuildFailure> {
    build_placed(path, false)
}

/// As [`build`], with the module in shared DRAM when `shared` (`-codeshared`/`-datashared`).
pub fn build_placed(path: &Path, shared: bool) -> Result<InterpImage, BuildFailure> {
    let parsed = frontend::parse(path).map_err(BuildFailure::Rejected)?;
    let module = compile(&parsed)?;
    link_placed(&parsed, &module, shared)
}

/// The whole of `parsed` as byte code (diagnostics printed when the compiler rejects it).
pub fn compile(parsed: &ParsedProgram) -> Result<Module, BuildFailure> {
    epyc_bytecode::compile_program(parsed).map_err(|e| {
        let d = Diagnostic::error(e.file, e.offset, e.offset, e.message);
        frontend::print_diagnostics(&parsed.files, &[d]);
        BuildFailure::Rejected(exit::COMPILE_ERROR)
    })
}

/// `module` (the byte code of `parsed`) linked with the device interpreter: in local memory
/// when it fits, else in shared DRAM with a warning.
pub fn link(parsed: &ParsedProgram, module: &Module) -> Result<InterpImage, BuildFailure> {
    link_placed(parsed, module, false)
}

/// As [`link`], with the module in shared DRAM when `shared`.
pub fn link_placed(
    parsed: &ParsedProgram,
    module: &Module,
    shared: bool,
) -> Result<InterpImage, BuildFailure> {
    let refused = |e: anyhow::Error| BuildFailure::Refused(format!("{e:#}"));
    let (image, warning) =
        epyc_rt_device::interp::placement::build_image_placed(module, shared).map_err(refused)?;
    // In shared DRAM, the local object is the module's header.
    let in_dram = image
        .symbols
        .contains_key(epyc_rt_device::interp::placement::SHARED_MODULE_SYMBOL);
    let module_bytes = if in_dram {
        epyc_rt_device::interp::layout::HEADER_BYTES as u32
    } else {
        epyc_rt_device::interp::module_section(module)
            .map_err(refused)?
            .data
            .len() as u32
    };
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    Ok(InterpImage {
        image,
        files,
        module_bytes,
        globals_size: epyc_rt_device::interp::globals_size(module),
        warnings: warning.into_iter().collect(),
    })
}

/// Loads `image` on `cores` simulated cores and runs it to the end under the monitor, with
/// the program's output going to `io`.
pub fn run_image(
    image: &Image,
    files: &[String],
    cores: u32,
    io: &dyn epyc_rt_host::MonitorIo,
) -> anyhow::Result<monitor::RunReport> {
    let mut dev = loaded(image, cores)?;
    monitor::run_report(&mut dev, io, &monitor_config(files))
}

/// Runs `image` (byte code under the device interpreter, with or without native code; its
/// source paths `files`) on `cores` simulated device cores as cores `0..cores` of a hybrid
/// run whose host runtime serves them through `ext` (see `hybrid`); prints the `-t` lines of
/// the device cores and returns the device side's exit status, and the chip after the run
/// (for counters an image keeps, `device_mixed::native_calls`).
pub fn run_hybrid(
    image: &Image,
    files: &[String],
    cores: u32,
    timing: bool,
    ext: &ExternalCores,
    io: &dyn epyc_rt_host::MonitorIo,
) -> (u8, Option<SimDevice>) {
    let mut dev = match loaded(image, cores) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            // The host cores would wait for device cores that never start.
            ext.abort();
            return (exit::RUNTIME_ERROR, None);
        }
    };
    let status = finish(
        monitor::run_hybrid(&mut dev, io, &monitor_config(files), ext),
        timing,
    );
    (status, Some(dev))
}

/// The simulated chip with `image` on `cores` cores.
fn loaded(image: &Image, cores: u32) -> anyhow::Result<SimDevice> {
    let (rows, cols) = device::workgroup_shape(cores);
    let mut dev = SimDevice::new(rows, cols)?;
    dev.load(image)
        .map_err(|e| anyhow::anyhow!("loading the image: {e:#}"))?;
    Ok(dev)
}

fn monitor_config(files: &[String]) -> monitor::MonitorConfig {
    monitor::MonitorConfig {
        files: files.to_vec(),
        ..Default::default()
    }
}

/// The exit status of a device run, after the `-t` lines.
fn finish(report: anyhow::Result<monitor::RunReport>, timing: bool) -> u8 {
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: the device monitor failed: {e:#}");
            return exit::RUNTIME_ERROR;
        }
    };
    if timing {
        for (core, cycles) in report.core_cycles.iter().enumerate() {
            match cycles {
                Some(c) => println!(
                    "Core {core} completed in {:.6} seconds ({c} cycles at 600 MHz)",
                    *c as f64 / device::CLOCK_HZ
                ),
                None => println!("Core {core} did not complete"),
            }
        }
    }
    report.status.clamp(0, 255) as u8
}

pub fn main(args: &RunArgs, cores: u32) -> u8 {
    let max = epyc_rt_device::memmap::MAX_CORES;
    if cores == 0 || cores > max {
        eprintln!("error: -d takes a number of device cores from 1 to {max}");
        return exit::USAGE;
    }
    // The byte code is the program's code and data: either flag places it in shared DRAM.
    let shared = args.placement.code_shared || args.placement.data_shared;
    let built = match build_placed(&args.file, shared) {
        Ok(b) => b,
        Err(failure) => return failure.report(),
    };
    for w in &built.warnings {
        eprintln!("{w}");
    }
    let files = &built.files;
    finish(
        loaded(&built.image, cores).and_then(|mut dev| {
            monitor::run_report(&mut dev, &epyc_rt_host::StdIo, &monitor_config(files))
        }),
        args.timing,
    )
}
