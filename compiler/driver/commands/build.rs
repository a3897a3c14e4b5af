//! `epyc build FILE.py [-o FILE.elf]`: a loadable Epiphany image.

use crate::cli::BuildArgs;
use crate::{exit, frontend};

pub fn main(args: &BuildArgs) -> u8 {
    // Check the program first, so that errors in it are reported either way.
    if let Err(status) = frontend::compile(&args.file) {
        return status;
    }
    eprintln!(
        "error: the Epiphany backend is not built yet, so `epyc build` cannot write an image; \
         `epyc run -h N {}` runs the program on N host virtual cores",
        args.file.display()
    );
    exit::USAGE
}
