//! `epyc`: the command-line driver. Each subcommand is a module of `commands/`; the stages of
//! the pipeline live in their own crates (see the workspace's Cargo.toml).

mod cli;
mod commands;
mod device;
mod device_interp;
mod device_mixed;
mod fallback;
mod frontend;
mod fullpython;
mod hybrid;
mod interp;
mod mixed;

use clap::Parser;
use std::process::ExitCode;

/// Exit statuses, as `epyc --help` documents them.
pub mod exit {
    pub const OK: u8 = 0;
    pub const COMPILE_ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const RUNTIME_ERROR: u8 = 3;
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(cli::epython_spellings(std::env::args_os()));
    let status = match cli.command {
        cli::Command::Run(args) => commands::run::main(&args),
        cli::Command::Build(args) => commands::build::main(&args),
        cli::Command::Check(args) => commands::check::main(&args),
        cli::Command::Sim(args) => commands::sim::main(&args),
        cli::Command::Disasm(args) => commands::disasm::main(&args),
        cli::Command::Bench(args) => commands::bench::main(&args),
    };
    ExitCode::from(status)
}
