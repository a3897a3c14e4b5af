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

/// Words are laid out from address 0 in the order given (a 16-bit instruction uses the low
/// half of its word), as objdump would show them.
fn disasm_words(words: &[String]) -> u8 {
    match epiphany_isa::disasm_hex_words(words) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}
