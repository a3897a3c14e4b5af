//! `epyc bench FILE.py [-d N] [--cores 1,2,4] [--modes compiled,interp] [--csv F] [--plot F]`:
//! the program compiled to native Epiphany code and run by the device byte-code interpreter,
//! each on several core counts of the simulated chip. A run's cycles are the monitor's exact
//! per-core cycles at exit, of its slowest core; the table adds seconds at 600 MHz, speed-up
//! and parallel efficiency against the fewest cores measured, and interpreted / compiled.
//! A mode or run that cannot complete is a row "n/a: reason", never an abort of the others.

use crate::cli::BenchArgs;
use crate::device_interp::{self, BuildFailure};
use crate::{device, exit, frontend};
use epyc_rt_device::link::Image;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Native Epiphany code (epyc-image).
    Compiled,
    /// The whole program as byte code under the device interpreter.
    Interp,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Compiled => "compiled",
            Mode::Interp => "interp",
        }
    }
}

/// One mode on one core count: its cycles, or why there are none.
struct Row {
    mode: Mode,
    cores: u32,
    cycles: Result<u64, String>,
}

/// The figures derived from a row and the rest of the table.
struct Derived {
    seconds: f64,
    speedup: Option<f64>,
    efficiency: Option<f64>,
    /// Interpreted cycles / compiled cycles on the same core count.
    interp_ratio: Option<f64>,
}

pub fn main(args: &BenchArgs) -> u8 {
    let cores = match core_counts(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    // Each mode once, in the order given.
    let mut modes: Vec<Mode> = Vec::new();
    for &m in &args.modes {
        if !modes.contains(&m) {
            modes.push(m);
        }
    }
    // A program that does not even parse has nothing to compare: its errors, once.
    if let Err(status) = frontend::parse(&args.file) {
        return status;
    }
    let progress = progress_bar((modes.len() * cores.len()) as u64);
    let mut rows = Vec::new();
    for &mode in &modes {
        progress.set_message(format!("building {}", mode.name()));
        let built = build(mode, &args.file);
        for &n in &cores {
            progress.set_message(format!("{} on {n} cores", mode.name()));
            let cycles = match &built {
                Ok((image, files)) => measure(image, files, n),
                Err(why) => Err(why.clone()),
            };
            rows.push(Row {
                mode,
                cores: n,
                cycles,
            });
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    print!("{}", table(&rows));
    if let Some(path) = &args.csv {
        if let Err(e) = std::fs::write(path, csv(&rows)) {
            eprintln!("error: writing {}: {e}", path.display());
            return exit::RUNTIME_ERROR;
        }
    }
    if let Some(path) = &args.plot {
        if let Err(e) = plot(&rows, &args.file, path) {
            eprintln!("error: writing the plot {}: {e:#}", path.display());
            return exit::RUNTIME_ERROR;
        }
    }
    exit::OK
}

/// `--cores`, or 1, 2, 4 ... up to `-d` (and `-d` itself), sorted without duplicates.
fn core_counts(args: &BenchArgs) -> Result<Vec<u32>, String> {
    let max = epyc_rt_device::memmap::MAX_CORES;
    if args.device_cores == 0 || args.device_cores > max {
        return Err(format!("-d takes a number of device cores from 1 to {max}"));
    }
    let mut cores = if args.cores.is_empty() {
        let mut c: Vec<u32> = (0..)
            .map(|i| 1u32 << i)
            .take_while(|&n| n < args.device_cores)
            .collect();
        c.push(args.device_cores);
        c
    } else {
        args.cores.clone()
    };
    if let Some(bad) = cores.iter().find(|&&n| n == 0 || n > max) {
        return Err(format!(
            "--cores: {bad} is not a number of device cores (1 to {max})"
        ));
    }
    cores.sort_unstable();
    cores.dedup();
    Ok(cores)
}

/// The image of `mode` and its source paths, or why the mode cannot run. Diagnostics of a
/// program that does not compile are printed by the front end.
fn build(mode: Mode, file: &Path) -> Result<(Image, Vec<String>), String> {
    match mode {
        Mode::Compiled => {
            let compiled = frontend::compile(file)
                .map_err(|_| "does not compile (errors above)".to_string())?;
            let built = device::build(&compiled, Default::default())
                .map_err(|_| "no Epiphany image (errors above)".to_string())?;
            Ok((built.image, built.files))
        }
        Mode::Interp => match device_interp::build(file) {
            Ok(b) => Ok((b.image, b.files)),
            Err(BuildFailure::Rejected(_)) => {
                Err("not compiled to byte code (errors above)".into())
            }
            Err(BuildFailure::Refused(why)) => Err(format!("device interpreter: {why}")),
        },
    }
}

/// Runs `image` on `cores` simulated cores with its output captured: the cycles of its
/// slowest core, or the first line of its error.
fn measure(image: &Image, files: &[String], cores: u32) -> Result<u64, String> {
    let io = epyc_rt_host::CapturedIo::default();
    let report = device_interp::run_image(image, files, cores, &io)
        .map_err(|e| format!("the device monitor failed: {e:#}"))?;
    if report.status != 0 {
        let err = io.stderr();
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!("exit status {}: {}", report.status, first.trim()));
    }
    let mut slowest = 0;
    for (core, cycles) in report.core_cycles.iter().enumerate() {
        match cycles {
            Some(c) => slowest = slowest.max(*c),
            None => return Err(format!("core {core} did not complete")),
        }
    }
    Ok(slowest)
}

/// A progress bar on stderr when it is a terminal (simulated runs of many cores take a
/// while); hidden otherwise so redirected output stays clean.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Speed-up and efficiency against the same mode on the fewest cores it ran on, and the
/// interpreted / compiled ratio on the same core count.
fn derive(rows: &[Row], row: &Row) -> Option<Derived> {
    let cycles = *row.cycles.as_ref().ok()?;
    let baseline = rows
        .iter()
        .filter(|r| r.mode == row.mode)
        .find_map(|r| r.cycles.as_ref().ok().map(|c| (r.cores, *c)));
    let (speedup, efficiency) = match baseline {
        Some((base_cores, base_cycles)) => {
            let s = base_cycles as f64 / cycles as f64;
            (Some(s), Some(s * base_cores as f64 / row.cores as f64))
        }
        None => (None, None),
    };
    let on = |m: Mode| {
        rows.iter()
            .find(|r| r.mode == m && r.cores == row.cores)
            .and_then(|r| r.cycles.as_ref().ok().copied())
    };
    let interp_ratio = match (on(Mode::Interp), on(Mode::Compiled)) {
        (Some(i), Some(c)) if c > 0 => Some(i as f64 / c as f64),
        _ => None,
    };
    Some(Derived {
        seconds: cycles as f64 / device::CLOCK_HZ,
        speedup,
        efficiency,
        interp_ratio,
    })
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}")).unwrap_or_default()
}

/// The table printed on stdout.
fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<9} {:>5} {:>14} {:>12} {:>8} {:>10} {:>15}\n",
        "mode", "cores", "cycles", "seconds", "speed-up", "efficiency", "interp/compiled"
    );
    for row in rows {
        match (&row.cycles, derive(rows, row)) {
            (Ok(cycles), Some(d)) => {
                let _ = writeln!(
                    out,
                    "{:<9} {:>5} {:>14} {:>12.6} {:>8} {:>10} {:>15}",
                    row.mode.name(),
                    row.cores,
                    cycles,
                    d.seconds,
                    opt(d.speedup, 2),
                    opt(d.efficiency.map(|e| e * 100.0), 1).to_string()
                        + if d.efficiency.is_some() { "%" } else { "" },
                    opt(d.interp_ratio, 2),
                );
            }
            _ => {
                let why = row.cycles.as_ref().err().map_or("", |w| w.as_str());
                let _ = writeln!(out, "{:<9} {:>5} n/a: {why}", row.mode.name(), row.cores);
            }
        }
    }
    let _ = writeln!(
        out,
        "(cycles of the slowest core at exit; seconds at 600 MHz; speed-up and efficiency \
         against the fewest cores measured)"
    );
    out
}

/// Quotes a CSV field when it needs it.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One line per row; the numeric fields of a run without cycles are empty and `status`
/// says why.
fn csv(rows: &[Row]) -> String {
    let mut out =
        String::from("mode,cores,cycles,seconds,speedup,efficiency,interp_vs_compiled,status\n");
    for row in rows {
        let (cycles, d, status) = match (&row.cycles, derive(rows, row)) {
            (Ok(c), Some(d)) => (c.to_string(), Some(d), "ok".to_string()),
            (Err(why), _) => (String::new(), None, format!("n/a: {why}")),
            (Ok(c), None) => (c.to_string(), None, "ok".to_string()),
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            row.mode.name(),
            row.cores,
            cycles,
            d.as_ref()
                .map(|d| format!("{:.9}", d.seconds))
                .unwrap_or_default(),
            opt(d.as_ref().and_then(|d| d.speedup), 4),
            opt(d.as_ref().and_then(|d| d.efficiency), 4),
            opt(d.as_ref().and_then(|d| d.interp_ratio), 4),
            csv_field(&status),
        );
    }
    out
}

/// Runtime (seconds at 600 MHz, log scale: interpreted and compiled differ by an order of
/// magnitude or more) against cores, one line per mode, as the paper's Figure 3.
fn plot(rows: &[Row], file: &Path, path: &Path) -> anyhow::Result<()> {
    use plotters::prelude::*;
    let points = |m: Mode| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.mode == m)
            .filter_map(|r| {
                let c = *r.cycles.as_ref().ok()?;
                Some((r.cores as f64, c as f64 / device::CLOCK_HZ))
            })
            .collect()
    };
    let all: Vec<(f64, f64)> = [Mode::Compiled, Mode::Interp]
        .into_iter()
        .flat_map(points)
        .collect();
    let max_cores = rows.iter().map(|r| r.cores).max().unwrap_or(1) as f64;
    let (lo, hi) = all.iter().fold((f64::INFINITY, 0f64), |(lo, hi), &(_, s)| {
        (lo.min(s), hi.max(s))
    });
    let (lo, hi) = if all.is_empty() {
        (1e-6, 1.0)
    } else {
        (lo / 2.0, hi * 2.0)
    };
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!(
        "{}: runtime against Epiphany cores",
        file.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.5f64..max_cores + 0.5, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("cores")
        .y_desc("runtime (s at 600 MHz)")
        .draw()?;
    for (mode, color) in [(Mode::Compiled, BLUE), (Mode::Interp, RED)] {
        let pts = points(mode);
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(mode.name())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
