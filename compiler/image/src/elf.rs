//! The ELF writer: ELFCLASS32, little-endian, ET_EXEC, e_machine 0x1223 (Epiphany), entry at
//! the runtime's start-up. One PT_LOAD per contiguous run of the image (the vectors at 0, the
//! code and constants from `CODE_BASE`) plus one for the globals (zero-filled, no file bytes),
//! all at local addresses so the same image loads on every core; code and constants placed in
//! shared DRAM are a PT_LOAD of their own there (`.text.shared`, `.rodata.shared`). Sections `.ivt`, `.text`,
//! `.rodata` (`.data` when data written at run time is among it: the byte-code interpreter's
//! value stack), `.bss`, the line table ([`crate::lines`]), a symbol table with every function,
//! runtime routine and data object. [`write`] takes compiled code; [`write_contents`] any
//! linked image (the device interpreter's, `epyc build --interp`).

use crate::compile::ProgramCode;
use crate::lines::{self, LineTable};
use crate::usage::MemoryUsage;
use anyhow::{anyhow, Result};
use epyc_rt_device::link::Image;
use epyc_rt_device::object::{GLOBALS_SYMBOL, HEAP_END_SYMBOL, HEAP_START_SYMBOL, START_SYMBOL};
use object::elf;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, SectionIndex, Sym, Writer};
use object::write::StringId;
use object::Endianness;

pub const EM_EPIPHANY: u16 = 0x1223;

/// A loaded section of the image.
struct Alloc {
    name: &'static str,
    addr: u32,
    /// File bytes (empty for `.bss`).
    bytes: Vec<u8>,
    size: u32,
    flags: u32,
    /// Segment flags (PF_R/W/X).
    pflags: u32,
    nobits: bool,
}

/// Contiguous runs of the image's segments (gaps of alignment padding filled with zeros).
fn runs(image: &Image) -> Vec<(u32, Vec<u8>)> {
    let mut runs: Vec<(u32, Vec<u8>)> = Vec::new();
    for (addr, bytes) in &image.segments {
        if let Some((start, run)) = runs.last_mut() {
            let end = *start + run.len() as u32;
            if *addr >= end && *addr - end < 64 {
                run.resize((*addr - *start) as usize, 0);
                run.extend_from_slice(bytes);
                continue;
            }
        }
        runs.push((*addr, bytes.clone()));
    }
    runs
}

/// What the ELF says of a linked image beyond its bytes and symbols.
pub struct Contents<'a> {
    /// Every data object (constants, the byte-code module ...): typed STT_OBJECT, and placed
    /// in `.rodata`, or `.data` when one of them is written at run time (the code of a run
    /// comes before its data).
    pub data: Vec<DataObject<'a>>,
    /// Bytes of the globals block (`.bss`).
    pub globals_size: u32,
    /// Code address -> source position.
    pub lines: &'a LineTable,
    /// Source paths, indexed by the file part of a position.
    pub files: &'a [String],
}

/// A data object of an image.
#[derive(Clone, Copy, Debug)]
pub struct DataObject<'a> {
    pub symbol: &'a str,
    pub size: u32,
    /// Written at run time (the byte-code interpreter's value stack), not a constant.
    pub writable: bool,
}

fn allocs(image: &Image, contents: &Contents) -> Result<Vec<Alloc>> {
    // (start, end, writable) of each data object.
    let data_addrs: Vec<(u32, u32, bool)> = contents
        .data
        .iter()
        .filter_map(|d| {
            let &a = image.symbols.get(d.symbol)?;
            Some((a, a + d.size, d.writable))
        })
        .collect();
    let mut out = Vec::new();
    for (addr, bytes) in runs(image) {
        let end = addr + bytes.len() as u32;
        // The run's constants follow its code; the linker's veneers may follow them.
        let in_run = || data_addrs.iter().filter(|d| d.0 >= addr && d.0 < end);
        let data_start = in_run().map(|d| d.0).min();
        let data_end = in_run().map(|d| d.1).max();
        let writable = in_run().any(|d| d.2);
        let shared = addr >= epyc_rt_device::memmap::DRAM_BASE;
        let exec = elf::SHF_ALLOC | elf::SHF_EXECINSTR;
        let rx = elf::PF_R | elf::PF_X;
        if addr == 0 {
            out.push(Alloc {
                name: ".ivt",
                addr,
                size: bytes.len() as u32,
                bytes,
                flags: exec,
                pflags: rx,
                nobits: false,
            });
            continue;
        }
        let split = data_start.unwrap_or(end);
        let after = data_end.unwrap_or(end).next_multiple_of(4).min(end);
        let (text, rest) = bytes.split_at((split - addr) as usize);
        let (rodata, veneers) = rest.split_at((after - split) as usize);
        let code = |name: &'static str, at: u32, bytes: &[u8]| Alloc {
            name,
            addr: at,
            size: bytes.len() as u32,
            bytes: bytes.to_vec(),
            flags: exec,
            pflags: rx,
            nobits: false,
        };
        let pieces = [(text, addr), (rodata, split), (veneers, after)];
        for (k, (bytes, at)) in pieces.into_iter().enumerate() {
            if bytes.is_empty() {
                continue;
            }
            out.push(match (k, shared) {
                (0, false) => code(".text", at, bytes),
                (0, true) => code(".text.shared", at, bytes),
                (2, false) => code(".text.veneers", at, bytes),
                (2, true) => code(".text.shared.veneers", at, bytes),
                (_, _) if writable => Alloc {
                    name: if shared { ".data.shared" } else { ".data" },
                    flags: elf::SHF_ALLOC | elf::SHF_WRITE,
                    pflags: elf::PF_R | elf::PF_W,
                    ..code("", at, bytes)
                },
                (_, _) => Alloc {
                    name: if shared { ".rodata.shared" } else { ".rodata" },
                    flags: elf::SHF_ALLOC,
                    ..code("", at, bytes)
                },
            });
        }
    }
    let globals = *image
        .symbols
        .get(GLOBALS_SYMBOL)
        .ok_or_else(|| anyhow!("the image has no globals block"))?;
    out.push(Alloc {
        name: ".bss",
        addr: globals,
        bytes: Vec::new(),
        size: contents.globals_size.max(4),
        flags: elf::SHF_ALLOC | elf::SHF_WRITE,
        pflags: elf::PF_R | elf::PF_W,
        nobits: true,
    });
    // PT_LOAD entries in ascending address order (the ELF rule): the globals sit below the
    // shared DRAM pieces.
    out.sort_by_key(|a| a.addr);
    Ok(out)
}

/// The ELF file of a linked image of compiled code.
pub fn write(
    image: &Image,
    code: &ProgramCode,
    _usage: &MemoryUsage,
    lines: &LineTable,
    files: &[String],
) -> Result<Vec<u8>> {
    let contents = Contents {
        data: code
            .data
            .iter()
            .map(|d| DataObject {
                symbol: &d.symbol,
                size: d.size,
                writable: false,
            })
            .collect(),
        globals_size: code.globals_size,
        lines,
        files,
    };
    write_contents(image, &contents)
}

/// The ELF file of any linked image (compiled code, or byte code with the device
/// interpreter): loadable segments, a symbol table naming every function and data object
/// (for fault reports and `epyc disasm`), the line table and the source paths.
pub fn write_contents(image: &Image, contents: &Contents) -> Result<Vec<u8>> {
    let allocs = allocs(image, contents)?;
    let entry = *image
        .symbols
        .get(START_SYMBOL)
        .ok_or_else(|| anyhow!("the runtime has no start-up `{START_SYMBOL}`"))?;
    let line_bytes = contents.lines.encode();
    let file_bytes = lines::encode_files(contents.files);
    let data_syms: std::collections::HashSet<&str> =
        contents.data.iter().map(|d| d.symbol).collect();

    let mut symbols: Vec<(&str, u32)> = image
        .symbols
        .iter()
        .map(|(n, &a)| (n.as_str(), a))
        .collect();
    symbols.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));

    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, false, &mut buf);
    w.reserve_file_header();
    w.reserve_program_headers(allocs.len() as u32);
    w.reserve_null_section_index();
    let mut sec_ids: Vec<(SectionIndex, StringId, usize)> = Vec::new();
    for a in &allocs {
        let name = w.add_section_name(a.name.as_bytes());
        let idx = w.reserve_section_index();
        let off = if a.nobits {
            0
        } else {
            w.reserve(a.bytes.len(), 4)
        };
        sec_ids.push((idx, name, off));
    }
    let lines_name = w.add_section_name(lines::SECTION.as_bytes());
    let lines_idx = w.reserve_section_index();
    let lines_off = w.reserve(line_bytes.len(), 4);
    let files_name = w.add_section_name(lines::FILES_SECTION.as_bytes());
    let _files_idx = w.reserve_section_index();
    let files_off = w.reserve(file_bytes.len(), 1);
    let _ = lines_idx;

    let sym_names: Vec<StringId> = symbols
        .iter()
        .map(|(n, _)| w.add_string(n.as_bytes()))
        .collect();
    w.reserve_null_symbol_index();
    for &(_, addr) in &symbols {
        let sec = section_of(&allocs, addr).map(|i| sec_ids[i].0);
        w.reserve_symbol_index(sec);
    }
    w.reserve_symtab_section_index();
    w.reserve_strtab_section_index();
    w.reserve_shstrtab_section_index();
    w.reserve_symtab();
    w.reserve_strtab();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    w.write_file_header(&FileHeader {
        os_abi: elf::ELFOSABI_NONE,
        abi_version: 0,
        e_type: elf::ET_EXEC,
        e_machine: EM_EPIPHANY,
        e_entry: entry as u64,
        e_flags: 0,
    })
    .map_err(|e| anyhow!("writing the ELF header: {e}"))?;
    w.write_align_program_headers();
    for (a, (_, _, off)) in allocs.iter().zip(&sec_ids) {
        w.write_program_header(&ProgramHeader {
            p_type: elf::PT_LOAD,
            p_flags: a.pflags,
            p_offset: *off as u64,
            p_vaddr: a.addr as u64,
            p_paddr: a.addr as u64,
            p_filesz: a.bytes.len() as u64,
            p_memsz: a.size as u64,
            p_align: 4,
        });
    }
    for a in &allocs {
        if !a.nobits {
            w.write_align(4);
            w.write(&a.bytes);
        }
    }
    w.write_align(4);
    w.write(&line_bytes);
    w.write(&file_bytes);

    w.write_null_symbol();
    for (k, &(name, addr)) in symbols.iter().enumerate() {
        let in_section = section_of(&allocs, addr);
        let kind = if name == HEAP_START_SYMBOL || name == HEAP_END_SYMBOL {
            elf::STT_NOTYPE
        } else if data_syms.contains(name) || name == GLOBALS_SYMBOL {
            elf::STT_OBJECT
        } else {
            elf::STT_FUNC
        };
        // Size: up to the next symbol at a higher address in the same section.
        let size = match in_section {
            Some(i) => {
                let end = allocs[i].addr + allocs[i].size;
                let next = symbols[k + 1..]
                    .iter()
                    .map(|s| s.1)
                    .find(|&a| a > addr)
                    .unwrap_or(end)
                    .min(end);
                next - addr
            }
            None => 0,
        };
        w.write_symbol(&Sym {
            name: Some(sym_names[k]),
            section: in_section.map(|i| sec_ids[i].0),
            st_info: (elf::STB_GLOBAL << 4) | kind,
            st_other: elf::STV_DEFAULT,
            st_shndx: if in_section.is_none() {
                elf::SHN_ABS
            } else {
                0
            },
            st_value: addr as u64,
            st_size: size as u64,
        });
    }
    w.write_strtab();
    w.write_shstrtab();

    w.write_null_section_header();
    for (a, (_, name, off)) in allocs.iter().zip(&sec_ids) {
        w.write_section_header(&SectionHeader {
            name: Some(*name),
            sh_type: if a.nobits {
                elf::SHT_NOBITS
            } else {
                elf::SHT_PROGBITS
            },
            sh_flags: a.flags as u64,
            sh_addr: a.addr as u64,
            sh_offset: *off as u64,
            sh_size: a.size as u64,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: 4,
            sh_entsize: 0,
        });
    }
    w.write_section_header(&SectionHeader {
        name: Some(lines_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: 0,
        sh_addr: 0,
        sh_offset: lines_off as u64,
        sh_size: line_bytes.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 4,
        sh_entsize: 8,
    });
    w.write_section_header(&SectionHeader {
        name: Some(files_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: 0,
        sh_addr: 0,
        sh_offset: files_off as u64,
        sh_size: file_bytes.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 1,
        sh_entsize: 0,
    });
    w.write_symtab_section_header(1);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    Ok(buf)
}

fn section_of(allocs: &[Alloc], addr: u32) -> Option<usize> {
    allocs
        .iter()
        .position(|a| addr >= a.addr && addr < a.addr + a.size.max(1))
}
