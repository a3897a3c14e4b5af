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
    let annotate = source_lines(&bytes);
    match epiphany_sim::disasm_elf_annotated(&bytes, &annotate) {
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

/// For an epyc image: the source line of each address (`; file:line: text`), from the image's
/// line table and the source files where they can still be read. Other ELFs get no notes.
fn source_lines(elf: &[u8]) -> impl Fn(u32) -> Option<String> {
    let table = epyc_image::lines::read_from_elf(elf);
    let sources: Vec<Option<String>> = table
        .as_ref()
        .map(|(_, files)| {
            files
                .iter()
                .map(|f| std::fs::read_to_string(f).ok())
                .collect()
        })
        .unwrap_or_default();
    move |addr| {
        let (lines, files) = table.as_ref()?;
        let (file, line) = epyc_rt_abi::pos::decode(lines.position(addr)? as i32);
        let name = files.get(file as usize)?;
        let text = sources
            .get(file as usize)
            .and_then(|s| s.as_deref())
            .and_then(|s| s.lines().nth((line as usize).checked_sub(1)?))
            .map(str::trim)
            .unwrap_or("");
        Some(format!("; {name}:{line}: {text}"))
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
