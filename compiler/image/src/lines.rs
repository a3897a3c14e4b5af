//! The line table: which source line each piece of code comes from. Stored in the ELF as
//! section [`SECTION`] (pairs of little-endian u32 `{address, position}`, sorted by address,
//! position in `epyc_rt_abi::pos` encoding: file index << 20 | line) with the file names in
//! [`FILES_SECTION`] (NUL-terminated, in file-index order). Each function contributes its
//! definition line at its first address, then every change of line the backend recorded.

use crate::compile::ProgramCode;
use epyc_rt_device::link::Image;

pub const SECTION: &str = ".epyc.lines";
pub const FILES_SECTION: &str = ".epyc.files";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineTable {
    /// (code address, source position), sorted by address.
    pub entries: Vec<(u32, u32)>,
}

impl LineTable {
    pub fn of(image: &Image, code: &ProgramCode) -> LineTable {
        let mut entries = Vec::new();
        for f in &code.functions {
            let Some(&base) = image.symbols.get(&f.symbol) else {
                continue;
            };
            entries.push((base, f.def_pos));
            for &(off, pos) in &f.srclocs {
                entries.push((base + off, pos));
            }
        }
        entries.sort_by_key(|e| e.0);
        // A later entry at the same address is the more precise one.
        entries.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = later.1;
                true
            } else {
                false
            }
        });
        LineTable { entries }
    }

    /// The source position of the code at `addr` (the last entry at or before it).
    pub fn position(&self, addr: u32) -> Option<u32> {
        let i = self.entries.partition_point(|e| e.0 <= addr);
        i.checked_sub(1).map(|k| self.entries[k].1)
    }

    pub fn encode(&self) -> Vec<u8> {
        self.entries
            .iter()
            .flat_map(|(a, p)| a.to_le_bytes().into_iter().chain(p.to_le_bytes()))
            .collect()
    }

    /// The table from its section's bytes (None if they are not a whole number of entries).
    pub fn decode(bytes: &[u8]) -> Option<LineTable> {
        if !bytes.len().is_multiple_of(8) {
            return None;
        }
        let word = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
        Some(LineTable {
            entries: bytes
                .chunks_exact(8)
                .map(|c| (word(&c[..4]), word(&c[4..])))
                .collect(),
        })
    }
}

/// The file-name section's bytes.
pub fn encode_files(files: &[String]) -> Vec<u8> {
    files
        .iter()
        .flat_map(|f| f.bytes().chain(std::iter::once(0)))
        .collect()
}

/// The line table and file names of an epyc image (None for ELFs without them, e.g. GCC's),
/// for `epyc disasm` to show the source line above its instructions.
pub fn read_from_elf(elf: &[u8]) -> Option<(LineTable, Vec<String>)> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(elf).ok()?;
    let table = LineTable::decode(file.section_by_name(SECTION)?.data().ok()?)?;
    let names = file.section_by_name(FILES_SECTION)?.data().ok()?;
    let files = names
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    Some((table, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_are_found_by_address() {
        let t = LineTable {
            entries: vec![(0x100, 3), (0x120, 4), (0x200, 9)],
        };
        assert_eq!(LineTable::decode(&t.encode()), Some(t.clone()));
        assert_eq!(t.position(0xff), None);
        assert_eq!(t.position(0x100), Some(3));
        assert_eq!(t.position(0x1ff), Some(4));
        assert_eq!(t.position(0x300), Some(9));
        assert_eq!(LineTable::decode(&[1, 2, 3]), None);
    }
}
