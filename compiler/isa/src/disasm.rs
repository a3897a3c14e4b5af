//! GNU objdump syntax, driven by the table's syntax templates.

use crate::encode::encode;
use crate::fields::{gpr_name, sreg_name, Opnd};
use crate::inst::Inst;
use crate::table::{print_form, Form, Tok};

/// What objdump prints for a word that is no instruction.
pub const UNKNOWN: &str = "*unknown*";

/// Bytes objdump consumes for a word that is no instruction (CGEN's default insn size).
pub const UNKNOWN_SIZE: u8 = 4;

/// Disassemble `inst`, placed at address `addr` (branch targets print as absolute addresses,
/// as objdump does). An `Inst` that cannot be encoded prints as `*unknown*`.
pub fn disasm(inst: &Inst, addr: u32) -> String {
    match encode(inst) {
        Ok(word) => disasm_word(word, addr).0,
        Err(_) => UNKNOWN.to_string(),
    }
}

/// Disassemble the word fetched at `addr` (low halfword = lower address). Returns the text and
/// the number of bytes objdump consumes: 2 or 4, and 4 for `*unknown*`.
pub fn disasm_word(word: u32, addr: u32) -> (String, u8) {
    match print_form(word) {
        Some(form) => (render(form, form.fetch(word), addr), form.size),
        None => (UNKNOWN.to_string(), UNKNOWN_SIZE),
    }
}

/// `epyc disasm --hex WORD...`: each word as hex (as in the oracle: the instruction as fetched;
/// 4 hex digits or fewer mean a 16-bit instruction), placed at consecutive addresses from 0.
/// Returns one line per word: address, word, disassembly.
pub fn disasm_hex_words<S: AsRef<str>>(words: &[S]) -> Result<Vec<String>, String> {
    let mut addr: u32 = 0;
    let mut out = Vec::new();
    for w in words {
        let text = w.as_ref().trim();
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        if digits.is_empty() || digits.len() > 8 {
            return Err(format!("not a 16- or 32-bit hex word: {text:?}"));
        }
        let word =
            u32::from_str_radix(digits, 16).map_err(|_| format!("not a hex word: {text:?}"))?;
        let (asm, size) = disasm_word(word, addr);
        let shown = if size == 2 {
            format!("{:04x}", word & 0xFFFF)
        } else {
            format!("{word:08x}")
        };
        out.push(format!("{addr:8x}:\t{shown}\t{asm}"));
        addr = addr.wrapping_add(size as u32);
    }
    Ok(out)
}

fn render(form: &Form, word: u32, addr: u32) -> String {
    let mut s = form.mnemonic.clone();
    if !form.syntax.is_empty() {
        s.push(' ');
    }
    for tok in &form.syntax {
        match *tok {
            Tok::Lit(c) => s.push(c),
            Tok::Op(o) => s.push_str(&operand(form, o, o.extract(word), addr)),
        }
    }
    s
}

fn operand(form: &Form, o: Opnd, raw: i32, addr: u32) -> String {
    match o {
        Opnd::Rd | Opnd::Rn | Opnd::Rm | Opnd::Rd6 | Opnd::Rn6 | Opnd::Rm6 => gpr_name(raw as u8),
        Opnd::Sn => sreg_name(0, raw as u32).unwrap_or("???").to_string(),
        Opnd::Sn6 => sreg_name(form.group as u32, raw as u32)
            .unwrap_or("???")
            .to_string(),
        Opnd::Simm3 | Opnd::Simm11 => raw.to_string(),
        Opnd::Disp3
        | Opnd::Disp11
        | Opnd::Imm8
        | Opnd::Imm16
        | Opnd::Shift
        | Opnd::Trap6
        | Opnd::Swi6 => format!("{:#x}", raw),
        Opnd::Dpmi | Opnd::Dir => if raw != 0 { "-" } else { "+" }.to_string(),
        Opnd::Simm8 | Opnd::Simm24 => format!("{:#x}", addr.wrapping_add((raw * 2) as u32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_words_print_at_consecutive_addresses() {
        let lines = disasm_hex_words(&["01a2", "0x0402194f", "e121c9a2", "fe00"]).unwrap();
        assert_eq!(
            lines,
            vec![
                "       0:\t01a2\tnop",
                "       2:\t0402194f\trts",
                "       6:\te121c9a2\t*unknown*",
                "       a:\tfe00\tbeq 0x6",
            ]
        );
        assert!(disasm_hex_words(&["xyz"]).is_err());
        assert!(disasm_hex_words(&["123456789"]).is_err());
    }
}
