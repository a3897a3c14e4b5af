//! A relocatable object as the runtime is handed to an image linker: sections of bytes with
//! symbols and relocations. Relocation kinds are the backend's (one definition of the three
//! the Epiphany needs: a `bl`/`b` 24-bit displacement and the low/high halves of an address in
//! `mov`/`movt`).

pub use epyc_epiphany::RelocKind;

/// A place in a section's bytes that must refer to `symbol + addend`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reloc {
    pub offset: u32,
    pub kind: RelocKind,
    pub symbol: String,
    pub addend: i32,
}

/// A symbol defined in a section, at `offset` from its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub offset: u32,
    /// Visible to other objects (the `RtFn` symbols, helper routines, `_epyc_start`).
    pub global: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Section {
    pub name: String,
    pub data: Vec<u8>,
    /// Required alignment of the section's address.
    pub align: u32,
    /// Some(address) for a section that must be placed at a fixed address (the IVT at 0).
    pub fixed_address: Option<u32>,
    pub symbols: Vec<Symbol>,
    pub relocs: Vec<Reloc>,
}

impl Section {
    pub fn symbol(&self, name: &str) -> Option<u32> {
        self.symbols
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.offset)
    }
}

/// The device runtime: `.ivt` (at address 0) and one `.text.NAME` section per routine (placed
/// from `CODE_BASE`; a linker keeps only the sections the program reaches).
///
/// Symbols it needs from the program (resolved by the image linker):
/// * [`ENTRY_SYMBOL`]: the module's code, called with the globals base in r0;
/// * [`GLOBALS_SYMBOL`]: this core's globals block (zeroed by the loader);
/// * [`HEAP_START_SYMBOL`]: the first free byte after the image (8-byte aligned);
/// * [`HEAP_END_SYMBOL`]: the end of the local heap (`HEAP_LOCAL_END`, or the heap start when
///   every object is to be allocated in shared DRAM).
#[derive(Clone, Debug)]
pub struct RuntimeObject {
    pub sections: Vec<Section>,
}

pub const ENTRY_SYMBOL: &str = "_epyc_main";
pub const GLOBALS_SYMBOL: &str = "__epyc_globals";
pub const HEAP_START_SYMBOL: &str = "__epyc_heap_start";
pub const HEAP_END_SYMBOL: &str = "__epyc_heap_end";
/// The start-up code (target of the reset vector).
pub const START_SYMBOL: &str = "_epyc_start";

impl RuntimeObject {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Bytes of code and data the runtime adds to every core's image.
    pub fn size(&self) -> usize {
        self.sections.iter().map(|s| s.data.len()).sum()
    }

    /// The index of the section defining each global symbol.
    pub fn defining_sections(&self) -> std::collections::HashMap<&str, usize> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.symbols
                    .iter()
                    .filter(|y| y.global)
                    .map(move |y| (y.name.as_str(), i))
            })
            .collect()
    }

    /// Every global symbol with its section name and offset.
    pub fn global_symbols(&self) -> Vec<(&str, &str, u32)> {
        self.sections
            .iter()
            .flat_map(|s| {
                s.symbols
                    .iter()
                    .filter(|y| y.global)
                    .map(move |y| (s.name.as_str(), y.name.as_str(), y.offset))
            })
            .collect()
    }
}
