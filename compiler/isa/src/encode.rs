//! Structured encoder: `Inst` -> instruction word, through the table's real forms.

use crate::inst::{AddrMode, Inst, Op, Width};
use crate::table::{forms, raw_of, Form, AUTO, DECODE};
use std::fmt;

/// Why an `Inst` cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

/// An encoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// As fetched: for a 16-bit instruction only bits 15:0 are used (bits 31:16 are 0).
    pub word: u32,
    /// 2 or 4.
    pub size: u8,
}

impl Encoded {
    /// The bytes in memory order (little-endian halfwords, low halfword first).
    pub fn bytes(&self) -> Vec<u8> {
        self.word.to_le_bytes()[..self.size as usize].to_vec()
    }
}

/// Encode `inst` in exactly its `size` (so `decode` then `encode` gives back the same word).
/// Checks only that every operand fits the form; see [`check_gnu`] for GNU as's extra rules.
pub fn encode(inst: &Inst) -> Result<u32, EncodeError> {
    let mut last = None;
    for form in forms()
        .iter()
        .filter(|f| f.has(DECODE) && f.op == inst.op && f.size == inst.size)
    {
        match encode_with(inst, form) {
            Ok(w) => return Ok(w),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| EncodeError(format!("no {}-byte form of {:?}", inst.size, inst.op))))
}

/// Encode `inst` in the shortest form that holds it (16-bit when the registers and immediate
/// fit, as GNU as does), ignoring `inst.size`, after checking GNU as's rules.
pub fn encode_shortest(inst: &Inst) -> Result<Encoded, EncodeError> {
    // The strict (32-bit) reading of GNU's rules: never emit an odd ldrd/strd pair.
    check_gnu(&Inst { size: 4, ..*inst })?;
    let mut last = None;
    for size in [2u8, 4] {
        for form in forms()
            .iter()
            .filter(|f| f.has(DECODE) && f.has(AUTO) && f.op == inst.op && f.size == size)
        {
            match encode_with(inst, form) {
                Ok(word) => return Ok(Encoded { word, size }),
                Err(e) => last = Some(e),
            }
        }
    }
    Err(last.unwrap_or_else(|| EncodeError(format!("no form of {:?}", inst.op))))
}

/// Put `inst`'s operands into `form`.
pub(crate) fn encode_with(inst: &Inst, form: &Form) -> Result<u32, EncodeError> {
    let mut word = form.value;
    for o in form.operands() {
        let raw = raw_of(inst, form, o).map_err(EncodeError)?;
        word = o.insert(word, raw);
    }
    debug_assert!(form.matches(word));
    Ok(word)
}

/// The restrictions GNU as adds to the encodings (gas/config/tc-epiphany.c): `ldrd`/`strd`
/// need an even register, a post-modifying load may not write its base register (nor, for
/// `ldrd`, have the base as the pair's second register); and `swi` takes no number but 0.
/// `inst.size` matters: the rules differ slightly between the 16- and 32-bit forms.
pub fn check_gnu(inst: &Inst) -> Result<(), EncodeError> {
    match inst.op {
        Op::Load { width, mode } | Op::Store { width, mode } => {
            let load = matches!(inst.op, Op::Load { .. });
            let post = matches!(mode, AddrMode::PostDisp | AddrMode::PostIndex);
            let double = width == Width::Double;
            if load && post && (inst.rd == inst.rn || (double && inst.rd + 1 == inst.rn)) {
                return Err(EncodeError(
                    "destination register modified by displacement-post-modified address".into(),
                ));
            }
            // tc-epiphany.c tests the odd register of a 16-bit post-modify through a field
            // that is never filled in, so GNU accepts e.g. `ldrd r5,[r0],r7` (encode.tsv).
            let quirk = inst.size == 2 && mode == AddrMode::PostIndex;
            if double && inst.rd % 2 == 1 && !quirk {
                return Err(EncodeError(
                    "ldrd/strd requires even:odd register pair".into(),
                ));
            }
            Ok(())
        }
        Op::Swi if inst.imm != 0 => Err(EncodeError("swi takes no operand but 0".into())),
        _ => Ok(()),
    }
}
