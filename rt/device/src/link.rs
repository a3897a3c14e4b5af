//! A minimal image linker: the runtime's `.ivt` at 0, its `.text` from `CODE_BASE`, then the
//! program's sections, then one core's globals block; relocations resolved through the ISA
//! crate (decode, replace the immediate, re-encode in the same size). Used by the tests and
//! by tools until the image builder of `epyc build` takes over; it writes no ELF.

use crate::memmap;
use crate::object::{RuntimeObject, Section, GLOBALS_SYMBOL, HEAP_START_SYMBOL};
use anyhow::{anyhow, bail, Result};
use std::collections::HashMap;

/// Bytes to load at local addresses of every core.
#[derive(Clone, Debug, Default)]
pub struct Image {
    /// (local address, bytes), in address order.
    pub segments: Vec<(u32, Vec<u8>)>,
    pub symbols: HashMap<String, u32>,
    /// First free byte after the image (the local heap starts here).
    pub end: u32,
}

impl Image {
    /// The symbol at or before `addr` (for reports).
    pub fn locate(&self, addr: u32) -> Option<(&str, u32)> {
        self.symbols
            .iter()
            .filter(|(_, &a)| a <= addr)
            .max_by_key(|(_, &a)| a)
            .map(|(n, &a)| (n.as_str(), addr - a))
    }
}

/// Relocations are patched by the backend's one implementation (decode, set the field,
/// re-encode through the ISA table).
pub use epyc_epiphany::link::apply_reloc;

/// Sections kept in the image: the program's, the fixed ones (the IVT) and, transitively,
/// every runtime section defining a global symbol that a kept section refers to.
pub fn reachable<'a>(runtime: &'a RuntimeObject, program: &'a [Section]) -> Vec<&'a Section> {
    let defining: HashMap<&str, usize> = runtime
        .sections
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.symbols
                .iter()
                .filter(|y| y.global)
                .map(move |y| (y.name.as_str(), i))
        })
        .collect();
    let mut keep = vec![false; runtime.sections.len()];
    let mut work: Vec<&Section> = program.iter().collect();
    for (i, s) in runtime.sections.iter().enumerate() {
        if s.fixed_address.is_some() {
            keep[i] = true;
            work.push(s);
        }
    }
    while let Some(sec) = work.pop() {
        for r in &sec.relocs {
            if sec.symbol(&r.symbol).is_some() {
                continue;
            }
            if let Some(&i) = defining.get(r.symbol.as_str()) {
                if !keep[i] {
                    keep[i] = true;
                    work.push(&runtime.sections[i]);
                }
            }
        }
    }
    runtime
        .sections
        .iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .chain(program)
        .collect()
}

/// Lays out the runtime sections the program reaches and the `program` sections, and resolves
/// every relocation (a section's own labels first, then global symbols).
pub fn link(runtime: &RuntimeObject, program: &[Section], globals_size: u32) -> Result<Image> {
    let mut placed: Vec<(u32, Section)> = Vec::new();
    let mut next = memmap::CODE_BASE;
    for sec in reachable(runtime, program) {
        let addr = match sec.fixed_address {
            Some(a) => a,
            None => {
                let a = next.next_multiple_of(sec.align.max(2));
                next = a + sec.data.len() as u32;
                a
            }
        };
        placed.push((addr, sec.clone()));
    }
    let globals = next.next_multiple_of(16);
    let end = (globals + globals_size).next_multiple_of(8);
    if end > memmap::HEAP_LOCAL_END {
        bail!(
            "the image ends at {end:#x}, past the local heap limit {:#x}",
            memmap::HEAP_LOCAL_END
        );
    }
    let mut symbols = HashMap::new();
    symbols.insert(GLOBALS_SYMBOL.to_string(), globals);
    symbols.insert(HEAP_START_SYMBOL.to_string(), end);
    for (addr, sec) in &placed {
        for s in sec.symbols.iter().filter(|s| s.global) {
            if symbols.insert(s.name.clone(), addr + s.offset).is_some() {
                bail!("symbol `{}` defined twice", s.name);
            }
        }
    }
    let mut segments = Vec::new();
    for (addr, mut sec) in placed {
        for r in &sec.relocs {
            let target = match sec.symbol(&r.symbol) {
                Some(off) => addr + off,
                None => *symbols
                    .get(&r.symbol)
                    .ok_or_else(|| anyhow!("undefined symbol `{}` in {}", r.symbol, sec.name))?,
            };
            let value = target.wrapping_add(r.addend as u32);
            apply_reloc(&mut sec.data, r.offset, r.kind, value, addr + r.offset)?;
        }
        segments.push((addr, sec.data));
    }
    segments.sort_by_key(|s| s.0);
    Ok(Image {
        segments,
        symbols,
        end,
    })
}
