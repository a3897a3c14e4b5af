//! Resolving relocations once symbol addresses are known (for image builders and tests): the
//! instruction at the relocation is decoded, its immediate replaced, and re-encoded in the same
//! size through the ISA crate.

use crate::emit::RelocKind;
use anyhow::{anyhow, bail, Result};
use epiphany_isa::{decode, encode};

/// Patch the instruction at `offset` of `code` (placed at address `place`) so that it refers to
/// `value` (the target's address plus the addend).
pub fn apply_reloc(
    code: &mut [u8],
    offset: u32,
    kind: RelocKind,
    value: u32,
    place: u32,
) -> Result<()> {
    let o = offset as usize;
    let bytes = code
        .get(o..o + 4)
        .ok_or_else(|| anyhow!("relocation at {offset:#x} outside the code"))?;
    let word = u32::from_le_bytes(bytes.try_into().unwrap());
    let mut inst =
        decode(word).ok_or_else(|| anyhow!("no instruction at relocation {offset:#x}"))?;
    if inst.size != 4 {
        bail!("relocation at {offset:#x} is not on a 32-bit instruction");
    }
    inst.imm = match kind {
        RelocKind::Simm24 => {
            let disp = value as i64 - place as i64;
            if !(-(1 << 24)..(1 << 24)).contains(&disp) {
                bail!("call target {value:#x} out of range of {place:#x} (needs a long call)");
            }
            disp as i32
        }
        RelocKind::Low => (value & 0xffff) as i32,
        RelocKind::High => (value >> 16) as i32,
    };
    let w = encode(&inst).map_err(|e| anyhow!("re-encoding relocated instruction: {e}"))?;
    code[o..o + 4].copy_from_slice(&w.to_le_bytes());
    Ok(())
}
