//! `epyc disasm IMAGE.elf` or `epyc disasm --hex WORD...`.

use crate::cli::DisasmArgs;
use crate::exit;

pub fn main(args: &DisasmArgs) -> u8 {
    if !args.hex.is_empty() {
        return disasm_words(&args.hex);
    }
    let Some(path) = &args.image else {
        eprintln!("error: give an ELF image or --hex WORD...");
        return exit::USAGE;
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read '{}': {e}", path.display());
            return exit::USAGE;
        }
    };
    match epiphany_sim::disasm_elf(&bytes) {
        Ok(text) => {
            print!("{text}");
            exit::OK
        }
        Err(e) => {
            eprintln!("error: '{}': {e:#}", path.display());
            exit::USAGE
        }
    }
}

/// Each word is decoded as fetched at address 0 (a 16-bit instruction uses the low half).
fn disasm_words(words: &[String]) -> u8 {
    let mut status = exit::OK;
    for w in words {
        let digits = w.trim_start_matches("0x").trim_start_matches("0X");
        match u32::from_str_radix(digits, 16) {
            Ok(word) => println!("{w}\t{}", epiphany_isa::disasm_word(word, 0)),
            Err(_) => {
                eprintln!("error: '{w}' is not a hexadecimal instruction word");
                status = exit::USAGE;
            }
        }
    }
    status
}
