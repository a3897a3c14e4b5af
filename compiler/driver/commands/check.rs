//! `epyc check FILE.py`: the type report — each function's specialisations, native or dynamic.

use crate::cli::CheckArgs;
use crate::{exit, frontend};

pub fn main(args: &CheckArgs) -> u8 {
    match frontend::compile(&args.file) {
        Ok(compiled) => {
            print!("{}", compiled.analysis.report);
            exit::OK
        }
        Err(status) => status,
    }
}
