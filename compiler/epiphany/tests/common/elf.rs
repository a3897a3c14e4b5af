//! A minimal Epiphany ELF for test programs: one RWX PT_LOAD at address 0 holding the whole
//! image, a `.text` section and a symbol per function (e_machine 0x1223, as e-hal wants).

use object::elf;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Sym, Writer};
use object::write::StringId;
use object::Endianness;
use std::collections::BTreeMap;

pub fn write_elf(image: &[u8], symbols: &BTreeMap<String, u32>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, false, &mut buf);
    w.reserve_file_header();
    w.reserve_program_headers(1);
    let text_off = w.reserve(image.len(), 8);
    w.reserve_null_section_index();
    let text_name = w.add_section_name(b".text");
    let text_index = w.reserve_section_index();
    w.reserve_null_symbol_index();
    let names: Vec<(StringId, u32)> = symbols
        .iter()
        .map(|(n, &a)| (w.add_string(n.as_bytes()), a))
        .collect();
    for _ in &names {
        w.reserve_symbol_index(Some(text_index));
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
        e_machine: 0x1223,
        e_entry: 0,
        e_flags: 0,
    })
    .unwrap();
    w.write_align_program_headers();
    w.write_program_header(&ProgramHeader {
        p_type: elf::PT_LOAD,
        p_flags: elf::PF_R | elf::PF_W | elf::PF_X,
        p_offset: text_off as u64,
        p_vaddr: 0,
        p_paddr: 0,
        p_filesz: image.len() as u64,
        p_memsz: image.len() as u64,
        p_align: 8,
    });
    w.write_align(8);
    w.write(image);
    w.write_null_symbol();
    for &(name, addr) in &names {
        w.write_symbol(&Sym {
            name: Some(name),
            section: Some(text_index),
            st_info: (elf::STB_GLOBAL << 4) | elf::STT_FUNC,
            st_other: 0,
            st_shndx: 0,
            st_value: addr as u64,
            st_size: 0,
        });
    }
    w.write_strtab();
    w.write_shstrtab();
    w.write_null_section_header();
    w.write_section_header(&SectionHeader {
        name: Some(text_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: (elf::SHF_ALLOC | elf::SHF_EXECINSTR | elf::SHF_WRITE) as u64,
        sh_addr: 0,
        sh_offset: text_off as u64,
        sh_size: image.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 8,
        sh_entsize: 0,
    });
    w.write_symtab_section_header(1);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    buf
}
