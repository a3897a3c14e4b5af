//! Assembler-line parser for GNU syntax, driven by the table's syntax templates.

use crate::encode::{check_gnu, EncodeError, Encoded};
use crate::fields::{parse_gpr, parse_sreg, Opnd};
use crate::table::{decode, forms, Form, Tok, ASM, SFX_B, SFX_L, SFX_S};
use std::fmt;

/// Why a line does not assemble.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError(pub String);

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AsmError {}

impl From<EncodeError> for AsmError {
    fn from(e: EncodeError) -> Self {
        AsmError(e.0)
    }
}

/// Assemble one instruction line (GNU syntax, e.g. `ldr r0,[r1,#2]`, `beq.s .+8`), placed at
/// address `addr` (`.` in a branch operand; a plain number is an absolute target). Chooses the
/// 16-bit form when the operands fit, as GNU as does, and refuses what GNU as refuses.
pub fn assemble_line(text: &str, addr: u32) -> Result<Encoded, AsmError> {
    let text = text.trim();
    let (mnem, rest) = match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    if mnem.is_empty() {
        return Err(AsmError("empty line".into()));
    }
    let mnem = mnem.to_ascii_lowercase();
    let (base, suffix) = match mnem.split_once('.') {
        Some((b, s)) => (b, Some(s)),
        None => (mnem.as_str(), None),
    };
    let base = integer_mode_alias(base);
    let need = match suffix {
        None => 0,
        Some("s") => SFX_S,
        Some("l") => SFX_L,
        Some("b") => SFX_B,
        Some(s) => return Err(AsmError(format!("unknown suffix .{s}"))),
    };
    let operands: String = rest.chars().filter(|c| !c.is_whitespace()).collect();

    let mut candidates: Vec<&Form> = forms()
        .iter()
        .filter(|f| f.has(ASM) && f.mnemonic == base && (need == 0 || f.has(need)))
        .collect();
    if candidates.is_empty() {
        return Err(AsmError(format!("unknown instruction `{mnem}`")));
    }
    candidates.sort_by_key(|f| f.size);

    let mut last = AsmError(format!("bad operands for `{mnem}`: {}", rest.trim()));
    for form in candidates {
        match parse_with(form, &operands, addr) {
            Ok(word) => {
                let inst =
                    decode(word).ok_or_else(|| AsmError(format!("{word:#x} does not decode")))?;
                check_gnu(&inst)?;
                return Ok(Encoded {
                    word,
                    size: form.size,
                });
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `iadd` etc. are the integer-mode names of the FPU encodings.
fn integer_mode_alias(base: &str) -> &str {
    match base {
        "iadd" => "fadd",
        "isub" => "fsub",
        "imul" => "fmul",
        "imadd" => "fmadd",
        "imsub" => "fmsub",
        other => other,
    }
}

/// Match the whitespace-free operand text against `form`'s template; the encoded word.
fn parse_with(form: &Form, text: &str, addr: u32) -> Result<u32, AsmError> {
    let mut cur = Cursor {
        s: text.as_bytes(),
        pos: 0,
    };
    let mut word = form.value;
    for tok in &form.syntax {
        match *tok {
            Tok::Lit(c) => {
                if !cur.eat(c as u8) {
                    return Err(AsmError(format!("expected `{c}` in `{text}`")));
                }
            }
            Tok::Op(o) => {
                let raw = parse_operand(form, o, &mut cur, addr)?;
                if !o.fits(raw) {
                    return Err(AsmError(format!("operand {raw} out of range in `{text}`")));
                }
                word = o.insert(word, raw);
            }
        }
    }
    if cur.pos != cur.s.len() {
        return Err(AsmError(format!("junk at end of `{text}`")));
    }
    // Operands the syntax does not mention (hidden fields) stay zero, as GNU as leaves them.
    Ok(word)
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &str {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    /// An integer: optional `#`, optional sign, decimal or 0x hex.
    fn number(&mut self) -> Result<i64, AsmError> {
        self.eat(b'#');
        let neg = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        self.unsigned().map(|v| if neg { -v } else { v })
    }

    fn unsigned(&mut self) -> Result<i64, AsmError> {
        let tok = self.ident().to_ascii_lowercase();
        let v = if let Some(h) = tok.strip_prefix("0x") {
            i64::from_str_radix(h, 16).ok()
        } else if !tok.is_empty() && tok.bytes().all(|c| c.is_ascii_digit()) {
            tok.parse::<i64>().ok()
        } else {
            None
        };
        v.filter(|v| *v <= u32::MAX as i64)
            .ok_or_else(|| AsmError(format!("expected a number, found `{tok}`")))
    }

    /// `+` or `-` (absent = `+`): 1 when minus.
    fn sign(&mut self) -> i32 {
        self.eat(b'#');
        if self.eat(b'-') {
            1
        } else {
            self.eat(b'+');
            0
        }
    }
}

fn parse_operand(form: &Form, o: Opnd, cur: &mut Cursor, addr: u32) -> Result<i32, AsmError> {
    let small = |v: i64| i32::try_from(v).map_err(|_| AsmError(format!("{v} out of range")));
    match o {
        Opnd::Rd | Opnd::Rn | Opnd::Rm | Opnd::Rd6 | Opnd::Rn6 | Opnd::Rm6 => {
            let name = cur.ident().to_string();
            let r = parse_gpr(&name)
                .ok_or_else(|| AsmError(format!("expected a register, found `{name}`")))?;
            Ok(r as i32)
        }
        Opnd::Sn | Opnd::Sn6 => {
            let name = cur.ident().to_string();
            let group = if o == Opnd::Sn { 0 } else { form.group as u32 };
            parse_sreg(group, &name).map(|i| i as i32).ok_or_else(|| {
                AsmError(format!(
                    "`{name}` is not a special register of group {group}"
                ))
            })
        }
        Opnd::Dpmi | Opnd::Dir => Ok(cur.sign()),
        Opnd::Disp11 => small(cur.unsigned()?),
        Opnd::Simm3
        | Opnd::Simm11
        | Opnd::Disp3
        | Opnd::Imm8
        | Opnd::Imm16
        | Opnd::Shift
        | Opnd::Trap6
        | Opnd::Swi6 => small(cur.number()?),
        Opnd::Simm8 | Opnd::Simm24 => {
            // `.`, `.+N`, `.-N`, `.+-N` (relative to this instruction) or an absolute address.
            let target: u32 = if cur.eat(b'.') {
                let mut neg = false;
                let mut any = false;
                while let Some(c @ (b'+' | b'-')) = cur.peek() {
                    neg ^= c == b'-';
                    any = true;
                    cur.pos += 1;
                }
                let n = if any { cur.unsigned()? } else { 0 };
                (addr as i64 + if neg { -n } else { n }) as u32
            } else {
                cur.number()? as u32
            };
            let off = target.wrapping_sub(addr) as i32;
            if off % 2 != 0 {
                return Err(AsmError(format!("branch offset {off} is odd")));
            }
            Ok(off / 2)
        }
    }
}
