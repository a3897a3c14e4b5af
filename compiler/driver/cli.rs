//! The command line, with ePython's flags (`-d N` device cores, `-h N` host virtual cores,
//! `-s`, `-t`). Because `-h` means host cores, help is `--help` only.

use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  epyc run -h 16 examples/gauss_seidel.py   run on 16 host virtual cores
  epyc run -d 4 -h 4 prog.py                device cores 0-3 and host virtual cores 4-7
  epyc run device.py --fullpython host.py   16 device cores, CPython on host.py as core 16
  epyc check examples/gauss_seidel.py       show each function's types, native or dynamic
  epyc sim prog.elf --stats                  run an Epiphany ELF on the simulator
  epyc disasm --hex 0x2013 0x0042           disassemble instruction words

Exit status: 0 ok, 1 compile error, 2 usage error, 3 runtime error on any core.";

#[derive(Parser, Debug)]
#[command(
    name = "epyc",
    version,
    about = "Ahead-of-time compiler from ePython to the Adapteva Epiphany, with host virtual cores",
    after_help = EXAMPLES,
    disable_help_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print help
    #[arg(long, global = true, action = ArgAction::Help)]
    pub help: Option<bool>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile and run a program
    #[command(after_help = EXAMPLES, disable_help_flag = true)]
    Run(RunArgs),
    /// Compile a program to a loadable Epiphany image
    #[command(disable_help_flag = true)]
    Build(BuildArgs),
    /// Type-check a program: each function's specialisations, native or dynamic and why
    #[command(disable_help_flag = true)]
    Check(CheckArgs),
    /// Run an Epiphany ELF image on the cycle-counting simulator
    #[command(disable_help_flag = true)]
    Sim(SimArgs),
    /// Disassemble an Epiphany ELF image or instruction words
    #[command(disable_help_flag = true)]
    Disasm(DisasmArgs),
    /// Cycles of a program compiled and interpreted on 1..N simulated cores: table, CSV, SVG
    #[command(disable_help_flag = true)]
    Bench(BenchArgs),
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The ePython program
    pub file: PathBuf,
    /// Run on N Epiphany cores (device cores come first)
    #[arg(short = 'd', value_name = "N")]
    pub device_cores: Option<u32>,
    /// Run on N host virtual cores (their ids follow the device cores)
    #[arg(short = 'h', value_name = "N")]
    pub host_cores: Option<u32>,
    /// Print compilation statistics (sizes, functions, time)
    #[arg(short = 's')]
    pub stats: bool,
    /// Print each core's run time
    #[arg(short = 't')]
    pub timing: bool,
    /// Interpret byte code instead of compiling (-d N: the device interpreter; -h N: the host
    /// interpreter; both: each on its own cores, in one run)
    #[arg(long)]
    pub interp: bool,
    /// Stop with an error instead of falling back to byte code for dynamic code
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub placement: PlacementArgs,
    #[command(flatten)]
    pub fullpython: crate::fullpython::FullPythonArgs,
    /// Arguments for the program
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    pub file: PathBuf,
    /// Output image
    #[arg(short = 'o', value_name = "FILE.elf")]
    pub output: Option<PathBuf>,
    /// Print the local memory used per region (of the 32 KB)
    #[arg(short = 's')]
    pub stats: bool,
    /// List every function's specialisations, native or dynamic and why, before building
    #[arg(long)]
    pub explain: bool,
    /// Write the whole program as byte code with the device interpreter (the image `epyc run
    /// --interp -d N` runs)
    #[arg(long, conflicts_with = "explain")]
    pub interp: bool,
    /// Stop with an error instead of falling back to byte code for dynamic code
    #[arg(long, conflicts_with = "interp")]
    pub strict: bool,
    #[command(flatten)]
    pub placement: PlacementArgs,
}

/// ePython's placement flags for device images (also spelt with one dash, as ePython does).
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct PlacementArgs {
    /// Put the program's code in shared DRAM (automatic when it exceeds a core's memory)
    #[arg(long = "codeshared")]
    pub code_shared: bool,
    /// Keep lists, arrays and strings (and string constants) in shared DRAM
    #[arg(long = "datashared")]
    pub data_shared: bool,
}

impl PlacementArgs {
    pub fn placement(&self) -> epyc_image::Placement {
        epyc_image::Placement {
            code_shared: self.code_shared,
            data_shared: self.data_shared,
        }
    }
}

/// ePython spells its long flags with one dash (`-codeshared`, `-datashared`): those become
/// the `--` form clap knows (otherwise `-datashared` would read as `-d atashared`).
pub fn epython_spellings(
    args: impl Iterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    args.map(|a| match a.to_str() {
        Some(flag @ ("-codeshared" | "-datashared")) => format!("-{flag}").into(),
        _ => a,
    })
    .collect()
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    pub file: PathBuf,
}

#[derive(Args, Debug)]
pub struct SimArgs {
    /// The Epiphany ELF image (loaded on every core of the workgroup)
    pub image: PathBuf,
    /// Workgroup rows
    #[arg(long, value_name = "R")]
    pub rows: Option<u32>,
    /// Workgroup columns
    #[arg(long, value_name = "C")]
    pub cols: Option<u32>,
    /// Run on the first N cores of a 4-column workgroup
    #[arg(short = 'd', value_name = "N", conflicts_with_all = ["rows", "cols"])]
    pub cores: Option<u32>,
    /// Stop after this many cycles
    #[arg(long, value_name = "N")]
    pub max_cycles: Option<u64>,
    /// Per-core cycles, instructions, IPC and stalls on stderr
    #[arg(long)]
    pub stats: bool,
    /// Write the statistics as JSON
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Trace every instruction
    #[arg(long)]
    pub trace: bool,
}

#[derive(Args, Debug)]
pub struct DisasmArgs {
    /// The Epiphany ELF image
    #[arg(required_unless_present = "hex")]
    pub image: Option<PathBuf>,
    /// Disassemble these instruction words (hex) instead of an image
    #[arg(long, num_args = 1.., value_name = "WORD", conflicts_with = "image")]
    pub hex: Vec<String>,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The ePython program
    pub file: PathBuf,
    /// Size of the simulated chip: the default core counts are 1, 2, 4 ... up to N
    #[arg(short = 'd', value_name = "N", default_value_t = 16)]
    pub device_cores: u32,
    /// Core counts to run on, e.g. 1,2,4,8,16 (each at most the chip's 1024)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub cores: Vec<u32>,
    /// Modes to compare: compiled (native Epiphany code), interp (the device byte-code interpreter)
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "compiled,interp"
    )]
    pub modes: Vec<crate::commands::bench::Mode>,
    /// Write the table as CSV
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Plot runtime against cores, one line per mode, as SVG
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}
