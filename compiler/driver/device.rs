//! Epiphany device cores for `epyc build` and `epyc run`: the image built by `epyc-image`,
//! run on the simulated chip through the device runtime's monitor.

use crate::exit;
use crate::frontend::Compiled;
use epyc_image::{BuildError, Built, Options, Placement};
use epyc_rt_device::{monitor, sim_device::SimDevice};
use epyc_rt_host::external::ExternalCores;
use epyc_rt_host::MonitorIo;

/// Clock of the Epiphany-III on the Parallella, for `-t`.
pub const CLOCK_HZ: f64 = 600e6;

/// Builds the image of a checked program with code and data where `placement` asks; prints
/// the build's warnings; on failure prints why and returns the exit status.
pub fn build(compiled: &Compiled, placement: Placement) -> Result<Built, u8> {
    let options = Options {
        placement,
        ..Options::default()
    };
    match epyc_image::build(&compiled.analysis.program, &options) {
        Ok(built) => {
            for warning in &built.warnings {
                eprintln!("{warning}");
            }
            Ok(built)
        }
        Err(BuildError::TooLarge(text)) => {
            eprintln!("error: {text}");
            Err(exit::COMPILE_ERROR)
        }
        Err(BuildError::Internal(e)) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc) while building the Epiphany \
                 image: {e:#}"
            );
            Err(exit::COMPILE_ERROR)
        }
    }
}

/// Rows and columns of a workgroup of `n` cores: rows of 4 as on the E16 when `n` allows,
/// else the most columns (up to 4) that divide `n`, else one row.
pub fn workgroup_shape(n: u32) -> (u32, u32) {
    if n <= 4 {
        return (1, n);
    }
    match [4, 3, 2].into_iter().find(|&c| n.is_multiple_of(c)) {
        Some(cols) => (n / cols, cols),
        None => (1, n),
    }
}

/// The simulated chip with `built` loaded on `cores` cores; on failure prints why and
/// returns the exit status.
fn loaded(built: &Built, cores: u32) -> Result<SimDevice, u8> {
    let (rows, cols) = workgroup_shape(cores);
    let mut dev = match SimDevice::new(rows, cols) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Err(exit::USAGE);
        }
    };
    if let Err(e) = dev.load(&built.image) {
        eprintln!("error: loading the image: {e:#}");
        return Err(exit::RUNTIME_ERROR);
    }
    Ok(dev)
}

/// Runs `built` on `cores` simulated device cores; returns the exit status.
pub fn run(built: &Built, cores: u32, timing: bool) -> u8 {
    let mut dev = match loaded(built, cores) {
        Ok(d) => d,
        Err(status) => return status,
    };
    let cfg = monitor::MonitorConfig {
        files: built.files.clone(),
        ..Default::default()
    };
    finish(
        monitor::run_report(&mut dev, &epyc_rt_host::StdIo, &cfg),
        timing,
    )
}

/// Runs `built` on `cores` simulated device cores as cores `0..cores` of a run with cores
/// off the chip after them (host virtual cores, a CPython host program), whose host runtime
/// serves them through `ext`; output and errors go through `io`. Returns the device side's
/// exit status.
pub fn run_hybrid(
    built: &Built,
    cores: u32,
    timing: bool,
    ext: &ExternalCores,
    io: &dyn MonitorIo,
) -> u8 {
    let mut dev = match loaded(built, cores) {
        Ok(d) => d,
        Err(status) => {
            ext.abort();
            return status;
        }
    };
    let cfg = monitor::MonitorConfig {
        files: built.files.clone(),
        ..Default::default()
    };
    finish(monitor::run_hybrid(&mut dev, io, &cfg, ext), timing)
}

/// The exit status of a device run, after the `-t` lines.
pub fn finish(report: anyhow::Result<monitor::RunReport>, timing: bool) -> u8 {
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
                    *c as f64 / CLOCK_HZ
                ),
                None => println!("Core {core} did not complete"),
            }
        }
    }
    report.status.clamp(0, 255) as u8
}

#[cfg(test)]
mod tests {
    use super::workgroup_shape;

    #[test]
    fn workgroups_are_rows_of_four_when_possible() {
        assert_eq!(workgroup_shape(1), (1, 1));
        assert_eq!(workgroup_shape(4), (1, 4));
        assert_eq!(workgroup_shape(16), (4, 4));
        assert_eq!(workgroup_shape(6), (2, 3));
        assert_eq!(workgroup_shape(7), (1, 7));
    }
}
