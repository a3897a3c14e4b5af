//! The image linker: the runtime's `.ivt` at 0, its `.text` from `CODE_BASE`, then the
//! program's sections, then one core's globals block; program sections may instead go to
//! shared DRAM ([`Layout`]), with veneers for the calls that then are out of reach.
//! Relocations are resolved through the ISA crate (decode, replace the immediate, re-encode in
//! the same size). `epyc build` writes the result as an ELF (`epyc-image`); tests load it.

use crate::memmap;
use crate::object::{
    Reloc, RelocKind, RuntimeObject, Section, GLOBALS_SYMBOL, HEAP_END_SYMBOL, HEAP_START_SYMBOL,
};
use anyhow::{anyhow, bail, Result};
use std::collections::{HashMap, HashSet};

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
    let defining = runtime.defining_sections();
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

/// Where the program's sections go: by default everything is in every core's local memory.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Program sections (by name) placed in shared DRAM from `memmap::SHARED_IMAGE_BASE`
    /// (`-codeshared`: the functions, `-datashared`: the constants): one copy for all cores.
    pub shared_sections: HashSet<String>,
    /// Leave the local heap empty, so every list and string is allocated in the core's area
    /// of shared DRAM (`-datashared`).
    pub no_local_heap: bool,
}

/// A region of the address space the linker fills in order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    Local,
    Shared,
}

/// Lays out the runtime sections the program reaches and the `program` sections in local
/// memory, and resolves every relocation (a section's own labels first, then global symbols).
pub fn link(runtime: &RuntimeObject, program: &[Section], globals_size: u32) -> Result<Image> {
    link_with(runtime, program, globals_size, &Layout::default())
}

/// As [`link`], with some program sections in shared DRAM. A `b`/`bl` whose target is out of
/// its 24-bit reach (±16 MB: between shared DRAM and local memory) goes through a veneer the
/// linker adds in the caller's region: `mov`/`movt` of the target into r63 and `jr r63`
/// (lr still holds the caller's return address; r63 is scratch at every call for our code,
/// the runtime and GCC alike). Calls within reach stay direct.
pub fn link_with(
    runtime: &RuntimeObject,
    program: &[Section],
    globals_size: u32,
    layout: &Layout,
) -> Result<Image> {
    let mut placed: Vec<(u32, Section)> = Vec::new();
    let mut next = [memmap::CODE_BASE, memmap::SHARED_IMAGE_BASE];
    let region_of = |sec: &Section, is_program: bool| {
        if is_program && layout.shared_sections.contains(&sec.name) {
            Region::Shared
        } else {
            Region::Local
        }
    };
    for sec in reachable(runtime, program) {
        let is_program = program.iter().any(|p| std::ptr::eq(p, sec));
        let addr = match sec.fixed_address {
            Some(a) => a,
            None => {
                let n = &mut next[region_of(sec, is_program) as usize];
                let a = n.next_multiple_of(sec.align.max(2));
                *n = a + sec.data.len() as u32;
                a
            }
        };
        placed.push((addr, sec.clone()));
    }
    let mut symbols = HashMap::new();
    for (addr, sec) in &placed {
        for s in sec.symbols.iter().filter(|s| s.global) {
            if symbols.insert(s.name.clone(), addr + s.offset).is_some() {
                bail!("symbol `{}` defined twice", s.name);
            }
        }
    }
    // Veneers for the branches out of reach, one per (region, target), after the region's
    // sections. Placing them moves no section, so the targets found here stay right.
    let target_of = |symbols: &HashMap<String, u32>, addr: u32, sec: &Section, r: &Reloc| {
        let target = match sec.symbol(&r.symbol) {
            Some(off) => addr + off,
            None => *symbols
                .get(&r.symbol)
                .ok_or_else(|| anyhow!("undefined symbol `{}` in {}", r.symbol, sec.name))?,
        };
        Ok::<u32, anyhow::Error>(target.wrapping_add(r.addend as u32))
    };
    let mut veneers: HashMap<(u32, u32), u32> = HashMap::new();
    let mut veneer_code: Vec<(u32, Vec<u8>)> = Vec::new();
    for (addr, sec) in &placed {
        for r in sec.relocs.iter().filter(|r| r.kind == RelocKind::Simm24) {
            let value = target_of(&symbols, *addr, sec, r)?;
            let place = addr + r.offset;
            if in_branch_reach(place, value) {
                continue;
            }
            let region = region_at(place);
            if veneers.contains_key(&(region as u32, value)) {
                continue;
            }
            let n = &mut next[region as usize];
            let at = n.next_multiple_of(4);
            let code = veneer(value)?;
            *n = at + code.len() as u32;
            veneers.insert((region as u32, value), at);
            veneer_code.push((at, code));
        }
    }
    let [local_end, shared_end] = next;
    if shared_end > memmap::SHARED_IMAGE_BASE + memmap::SHARED_IMAGE_SIZE {
        bail!(
            "the code and constants placed in shared memory take {} bytes, more than the {} \
             bytes of its image area",
            shared_end - memmap::SHARED_IMAGE_BASE,
            memmap::SHARED_IMAGE_SIZE
        );
    }
    let globals = local_end.next_multiple_of(16);
    let end = (globals + globals_size).next_multiple_of(8);
    if end > memmap::HEAP_LOCAL_END {
        bail!(
            "the image ends at {end:#x}, past the local heap limit {:#x}",
            memmap::HEAP_LOCAL_END
        );
    }
    symbols.insert(GLOBALS_SYMBOL.to_string(), globals);
    symbols.insert(HEAP_START_SYMBOL.to_string(), end);
    let heap_end = if layout.no_local_heap {
        end
    } else {
        memmap::HEAP_LOCAL_END
    };
    symbols.insert(HEAP_END_SYMBOL.to_string(), heap_end);
    let mut segments = Vec::new();
    for (addr, mut sec) in placed {
        for r in &sec.relocs {
            let place = addr + r.offset;
            let mut value = target_of(&symbols, addr, &sec, r)?;
            if r.kind == RelocKind::Simm24 && !in_branch_reach(place, value) {
                value = veneers[&(region_at(place) as u32, value)];
            }
            apply_reloc(&mut sec.data, r.offset, r.kind, value, place)?;
        }
        segments.push((addr, sec.data));
    }
    segments.extend(veneer_code);
    segments.sort_by_key(|s| s.0);
    Ok(Image {
        segments,
        symbols,
        end,
    })
}

fn region_at(addr: u32) -> Region {
    if addr >= memmap::SHARED_IMAGE_BASE {
        Region::Shared
    } else {
        Region::Local
    }
}

/// Whether a `b`/`bl` at `place` reaches `target` (a signed 24-bit count of halfwords).
pub fn in_branch_reach(place: u32, target: u32) -> bool {
    let disp = target as i64 - place as i64;
    (-(1 << 24)..(1 << 24)).contains(&disp)
}

/// `mov r63,#lo; movt r63,#hi; jr r63` (no `movt` for a local target: `mov` zero-extends).
fn veneer(target: u32) -> Result<Vec<u8>> {
    let text = format!(" li r63,{target:#x}\n jr r63\n");
    Ok(crate::asm::assemble(".veneer", &text)?.data)
}
