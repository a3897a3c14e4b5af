//! Epiphany ELF images: validation, loadable segments and symbols (spec §5.3, §6.1).

use anyhow::{bail, Context, Result};
use object::elf::{FileHeader32, PT_LOAD};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::Endianness;

/// EM_ADAPTEVA_EPIPHANY.
pub const EM_EPIPHANY: u16 = 0x1223;

/// One PT_LOAD segment: bytes to copy at `vaddr`, then zeros up to `memsz`.
#[derive(Clone, Debug)]
pub struct Segment {
    pub vaddr: u32,
    pub memsz: u32,
    pub data: Vec<u8>,
}

/// A code section, for disassembly.
#[derive(Clone, Debug)]
pub struct CodeSection {
    pub name: String,
    pub addr: u32,
    pub data: Vec<u8>,
}

/// An ELF image reduced to what the simulator needs.
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub entry: u32,
    pub segments: Vec<Segment>,
    pub code: Vec<CodeSection>,
    pub symbols: Symbols,
    /// Address of the `workgroup_cfg` section (e-lib's `e_group_config`), if the image has one.
    pub workgroup_cfg: Option<u32>,
    /// Address of the `ext_mem_cfg` section (e-lib's `e_emem_config`), if the image has one.
    pub ext_mem_cfg: Option<u32>,
}

/// Symbols sorted by address, for `symbol+offset` in reports.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    pub by_addr: Vec<(u32, String)>,
}

impl Symbols {
    /// `name+0xoff` of the closest symbol at or below `addr` (same 1 MB window).
    pub fn locate(&self, addr: u32) -> String {
        let local = addr & 0xFFFFF;
        let probe = if addr >> 20 == 0 { addr } else { local };
        let i = self.by_addr.partition_point(|(a, _)| *a <= probe);
        match i.checked_sub(1).map(|k| &self.by_addr[k]) {
            Some((a, name)) if probe - a < 0x10000 => {
                if probe == *a {
                    format!("<{name}>")
                } else {
                    format!("<{name}+0x{:x}>", probe - a)
                }
            }
            _ => "<no symbol>".to_string(),
        }
    }

    /// Names of symbols exactly at `addr`.
    pub fn at(&self, addr: u32) -> impl Iterator<Item = &str> {
        let i = self.by_addr.partition_point(|(a, _)| *a < addr);
        self.by_addr[i..]
            .iter()
            .take_while(move |(a, _)| *a == addr)
            .map(|(_, n)| n.as_str())
    }
}

/// Parse and validate an Epiphany ELF.
pub fn parse(bytes: &[u8]) -> Result<Image> {
    let header = FileHeader32::<Endianness>::parse(bytes).context("not a 32-bit ELF file")?;
    let e = header.endian().context("bad ELF byte order")?;
    if e != Endianness::Little {
        bail!("not a little-endian ELF");
    }
    let machine = header.e_machine(e);
    if machine != EM_EPIPHANY {
        bail!("ELF machine is 0x{machine:x}, not Epiphany (0x{EM_EPIPHANY:x})");
    }
    let mut image = Image {
        entry: header.e_entry(e),
        ..Default::default()
    };
    for ph in header
        .program_headers(e, bytes)
        .context("bad program headers")?
    {
        if ph.p_type(e) != PT_LOAD || ph.p_memsz(e) == 0 {
            continue;
        }
        let data = ph
            .data(e, bytes)
            .map_err(|_| anyhow::anyhow!("segment data outside the file"))?;
        let (vaddr, memsz) = (ph.p_vaddr(e), ph.p_memsz(e));
        if (data.len() as u64) > memsz as u64 {
            bail!("segment at 0x{vaddr:x}: file size larger than memory size");
        }
        image.segments.push(Segment {
            vaddr,
            memsz,
            data: data.to_vec(),
        });
    }
    if image.segments.is_empty() {
        bail!("ELF has no loadable segment");
    }
    // Sections and symbols are optional extras: a stripped image still runs.
    if let Ok(sections) = header.sections(e, bytes) {
        for s in sections.iter() {
            if let Ok(name) = sections.section_name(e, s) {
                match name {
                    b"workgroup_cfg" => image.workgroup_cfg = Some(s.sh_addr(e)),
                    b"ext_mem_cfg" => image.ext_mem_cfg = Some(s.sh_addr(e)),
                    _ => {}
                }
            }
            let flags = s.sh_flags(e);
            if s.sh_type(e) == object::elf::SHT_PROGBITS && flags & object::elf::SHF_EXECINSTR != 0
            {
                if let (Ok(name), Ok(data)) = (sections.section_name(e, s), s.data(e, bytes)) {
                    image.code.push(CodeSection {
                        name: String::from_utf8_lossy(name).into_owned(),
                        addr: s.sh_addr(e),
                        data: data.to_vec(),
                    });
                }
            }
        }
        if let Ok(symtab) = sections.symbols(e, bytes, object::elf::SHT_SYMTAB) {
            for sym in symtab.iter() {
                use object::read::elf::Sym;
                let kind = sym.st_type();
                if sym.st_shndx(e) == 0
                    || !(kind == object::elf::STT_FUNC
                        || kind == object::elf::STT_NOTYPE
                        || kind == object::elf::STT_OBJECT)
                {
                    continue;
                }
                if let Ok(name) = sym.name(e, symtab.strings()) {
                    if !name.is_empty() && !name.starts_with(b"$") {
                        image
                            .symbols
                            .by_addr
                            .push((sym.st_value(e), String::from_utf8_lossy(name).into_owned()));
                    }
                }
            }
            image.symbols.by_addr.sort();
        }
    }
    Ok(image)
}
