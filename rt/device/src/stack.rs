//! How much stack the runtime's routines need below the frame of the compiled code that calls
//! them: the deepest chain of runtime frames, read from the assembled runtime (each `sub sp`
//! of a routine, and the routines it calls or branches to). Compiled prologues keep
//! `memmap::RUNTIME_STACK_RESERVE` bytes free for this; a test checks the chain fits.

use crate::object::{RelocKind, RuntimeObject, Section};
use anyhow::{bail, Result};

const SP: u8 = 13;

/// Bytes a section moves sp down by, summed over its instructions (an upper bound when a
/// section holds more than one routine).
fn frame_bytes(sec: &Section) -> u32 {
    let mut total = 0u32;
    let mut off = 0usize;
    while off < sec.data.len() {
        let mut b = [0u8; 4];
        let n = (sec.data.len() - off).min(4);
        b[..n].copy_from_slice(&sec.data[off..off + n]);
        match epiphany_isa::decode(u32::from_le_bytes(b)) {
            Some(inst) => {
                if inst.rd == SP && inst.rn == SP {
                    let down = match inst.op {
                        epiphany_isa::Op::SubImm => inst.imm,
                        epiphany_isa::Op::AddImm => -inst.imm,
                        _ => 0,
                    };
                    total += down.max(0) as u32;
                }
                off += inst.size as usize;
            }
            None => off += 2,
        }
    }
    total
}

/// The deepest chain of runtime frames, in bytes (from any runtime routine down through every
/// routine it may call or branch to). Err if the runtime's calls form a cycle.
pub fn runtime_stack_bytes(runtime: &RuntimeObject) -> Result<u32> {
    let defining = runtime.defining_sections();
    let callees: Vec<Vec<usize>> = runtime
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut out: Vec<usize> = s
                .relocs
                .iter()
                .filter(|r| r.kind == RelocKind::Simm24)
                .filter_map(|r| defining.get(r.symbol.as_str()).copied())
                .filter(|&c| c != i)
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let frames: Vec<u32> = runtime.sections.iter().map(frame_bytes).collect();
    // Depth-first with memo; `on_path` finds cycles.
    fn depth(
        i: usize,
        callees: &[Vec<usize>],
        frames: &[u32],
        memo: &mut [Option<u32>],
        on_path: &mut [bool],
        names: &dyn Fn(usize) -> String,
    ) -> Result<u32> {
        if let Some(d) = memo[i] {
            return Ok(d);
        }
        if on_path[i] {
            bail!(
                "the runtime's routines call each other in a cycle through {}",
                names(i)
            );
        }
        on_path[i] = true;
        let mut below = 0;
        for &c in &callees[i] {
            below = below.max(depth(c, callees, frames, memo, on_path, names)?);
        }
        on_path[i] = false;
        let d = frames[i] + below;
        memo[i] = Some(d);
        Ok(d)
    }
    let names = |i: usize| runtime.sections[i].name.clone();
    let mut memo = vec![None; runtime.sections.len()];
    let mut on_path = vec![false; runtime.sections.len()];
    let mut deepest = 0;
    for i in 0..runtime.sections.len() {
        deepest = deepest.max(depth(
            i,
            &callees,
            &frames,
            &mut memo,
            &mut on_path,
            &names,
        )?);
    }
    Ok(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap;

    #[test]
    fn the_runtime_fits_the_stack_reserve_of_compiled_prologues() {
        let deepest = runtime_stack_bytes(&crate::runtime_object()).unwrap();
        assert!(deepest > 0, "the runtime has frames");
        assert!(
            deepest <= memmap::RUNTIME_STACK_RESERVE,
            "runtime routines need {deepest} bytes of stack, the reserve is {}",
            memmap::RUNTIME_STACK_RESERVE
        );
    }
}
