//! A tiny two-pass assembler over `epiphany_isa::assemble_line` and an ELF writer, so tests can
//! build small programs: `name:` defines a label, `@name` in an operand is replaced by the
//! `.+N` offset to it (use `.l` branches so sizes do not depend on the offset), and `.org ADDR`
//! moves the location counter.

pub fn assemble(src: &str) -> Vec<u8> {
    let lines: Vec<&str> = src
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(';'))
        .collect();
    let mut labels = std::collections::HashMap::new();
    // Pass 1: addresses.
    let mut pc = 0u32;
    for l in &lines {
        if let Some(a) = l.strip_prefix(".org ") {
            pc = parse_num(a);
        } else if let Some(name) = l.strip_suffix(':') {
            labels.insert(name.to_string(), pc);
        } else {
            let text = substitute(l, pc, &|_| Some(pc));
            pc += epiphany_isa::assemble_line(&text, pc)
                .unwrap_or_else(|e| panic!("{l}: {e:?}"))
                .size as u32;
        }
    }
    // Pass 2: bytes.
    let mut mem = vec![0u8; 0x8000];
    let mut pc = 0u32;
    for l in &lines {
        if let Some(a) = l.strip_prefix(".org ") {
            pc = parse_num(a);
        } else if l.ends_with(':') {
        } else {
            let text = substitute(l, pc, &|n| labels.get(n).copied());
            let e =
                epiphany_isa::assemble_line(&text, pc).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            for (k, b) in e.bytes().into_iter().enumerate() {
                mem[pc as usize + k] = b;
            }
            pc += e.size as u32;
        }
    }
    mem
}

fn parse_num(s: &str) -> u32 {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

fn substitute(line: &str, pc: u32, label: &dyn Fn(&str) -> Option<u32>) -> String {
    match line.find('@') {
        None => line.to_string(),
        Some(i) => {
            let rest = &line[i + 1..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let target = label(&rest[..end]).unwrap_or_else(|| panic!("unknown label in {line}"));
            format!(
                "{}.+{}{}",
                &line[..i],
                target.wrapping_sub(pc) as i32,
                &rest[end..]
            )
        }
    }
}

/// A minimal little-endian ELF32 for Epiphany with one PT_LOAD of `image` at address 0.
pub fn elf(image: &[u8]) -> Vec<u8> {
    elf_with_sections(image, &[])
}

/// Like [`elf`], plus NOBITS section headers `(name, address, size)` (and a .shstrtab).
pub fn elf_with_sections(image: &[u8], sections: &[(&str, u32, u32)]) -> Vec<u8> {
    let mut f = elf_segment_only(image);
    if sections.is_empty() {
        return f;
    }
    let mut names = vec![0u8];
    let mut offsets = Vec::new();
    for (name, _, _) in sections {
        offsets.push(names.len() as u32);
        names.extend_from_slice(name.as_bytes());
        names.push(0);
    }
    let shstr_name = names.len() as u32;
    names.extend_from_slice(b".shstrtab\0");
    let names_off = f.len() as u32;
    f.extend_from_slice(&names);
    while !f.len().is_multiple_of(4) {
        f.push(0);
    }
    let shoff = f.len() as u32;
    let sh = |f: &mut Vec<u8>, w: [u32; 10]| {
        for x in w {
            f.extend_from_slice(&x.to_le_bytes());
        }
    };
    sh(&mut f, [0; 10]);
    for ((_, addr, size), name) in sections.iter().zip(&offsets) {
        // SHT_NOBITS, SHF_ALLOC | SHF_WRITE
        sh(&mut f, [*name, 8, 3, *addr, 0, *size, 0, 0, 4, 0]);
    }
    sh(
        &mut f,
        [
            shstr_name,
            3,
            0,
            0,
            names_off,
            names.len() as u32,
            0,
            0,
            1,
            0,
        ],
    );
    let shnum = sections.len() as u16 + 2;
    f[32..36].copy_from_slice(&shoff.to_le_bytes());
    f[48..50].copy_from_slice(&shnum.to_le_bytes());
    f[50..52].copy_from_slice(&(shnum - 1).to_le_bytes());
    f
}

fn elf_segment_only(image: &[u8]) -> Vec<u8> {
    elf_segments(&[(0, image)])
}

/// A minimal ELF32 for Epiphany with one PT_LOAD per `(address, bytes)`.
pub fn elf_segments(segments: &[(u32, &[u8])]) -> Vec<u8> {
    let mut f = Vec::new();
    let ehsize = 52u32;
    let phoff = ehsize;
    let mut data_off = 0x100u32.max(phoff + 32 * segments.len() as u32);
    f.extend_from_slice(b"\x7fELF\x01\x01\x01\x00");
    f.extend_from_slice(&[0; 8]);
    let h16 = |f: &mut Vec<u8>, v: u16| f.extend_from_slice(&v.to_le_bytes());
    let h32 = |f: &mut Vec<u8>, v: u32| f.extend_from_slice(&v.to_le_bytes());
    h16(&mut f, 2); // ET_EXEC
    h16(&mut f, 0x1223);
    h32(&mut f, 1);
    h32(&mut f, 0); // entry
    h32(&mut f, phoff);
    h32(&mut f, 0); // shoff
    h32(&mut f, 0); // flags
    h16(&mut f, ehsize as u16);
    h16(&mut f, 32); // phentsize
    h16(&mut f, segments.len() as u16);
    h16(&mut f, 40); // shentsize
    h16(&mut f, 0);
    h16(&mut f, 0);
    let start = data_off;
    for (addr, bytes) in segments {
        h32(&mut f, 1); // PT_LOAD
        h32(&mut f, data_off);
        h32(&mut f, *addr);
        h32(&mut f, *addr);
        h32(&mut f, bytes.len() as u32);
        h32(&mut f, bytes.len() as u32);
        h32(&mut f, 7);
        h32(&mut f, 8);
        data_off += bytes.len() as u32;
    }
    f.resize(start as usize, 0);
    for (_, bytes) in segments {
        f.extend_from_slice(bytes);
    }
    f
}

pub fn run_asm(src: &str, rows: u32, cols: u32, max_cycles: u64) -> epiphany_sim::RunResult {
    let cfg = epiphany_sim::Config {
        rows,
        cols,
        max_cycles: Some(max_cycles),
        ..Default::default()
    };
    let mut sim = epiphany_sim::Simulator::new(cfg).unwrap();
    sim.load_elf(&elf(&assemble(src))).unwrap();
    sim.run()
}
