//! A small two-pass assembler over `epiphany_isa::assemble_line` that turns the runtime's
//! assembly text into a [`Section`] with symbols and relocations.
//!
//! Besides GNU instruction lines it knows:
//! * `name:` defines a label; `.global name` exports it;
//! * `b<cond> name` / `bl name`: a branch to a label of this section (always the 32-bit form,
//!   so sizes never depend on distances) or, for an undefined name, a `Simm24` relocation;
//! * `li rd, VALUE`: a 32-bit constant (`mov` and, when the high half is not 0, `movt`);
//! * `la rd, name`: the address of a symbol (`mov.l`/`movt.l` with `Low`/`High` relocations);
//! * `.word VALUE`, `.align N`;
//! * comments after `;`.

use crate::object::{Reloc, RelocKind, Section, Symbol};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::{HashMap, HashSet};

const BRANCHES: &[&str] = &[
    "b", "bl", "beq", "bne", "bgtu", "bgteu", "blteu", "bltu", "bgt", "bgte", "blt", "blte",
    "bbeq", "bbne", "bblt", "bblte",
];

enum Item {
    Label(String),
    Global(String),
    Inst(String),
    Branch { mnem: String, target: String },
    Li { rd: String, value: u32 },
    La { rd: String, symbol: String },
    Word(u32),
    Align(u32),
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

pub fn parse_num(s: &str) -> Result<u32> {
    let s = s.trim().trim_start_matches('#');
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse::<u32>(),
    }
    .map_err(|_| anyhow!("bad number `{s}`"))?;
    Ok(if neg { v.wrapping_neg() } else { v })
}

fn parse(src: &str) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for raw in src.lines() {
        let line = raw.split(';').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_suffix(':') {
            items.push(Item::Label(name.trim().to_string()));
            continue;
        }
        let (mnem, rest) = match line.find(char::is_whitespace) {
            Some(i) => (&line[..i], line[i..].trim()),
            None => (line, ""),
        };
        let item = match mnem {
            ".global" => Item::Global(rest.to_string()),
            ".word" => Item::Word(parse_num(rest)?),
            ".align" => Item::Align(parse_num(rest)?),
            "li" | "la" => {
                let (rd, v) = rest
                    .split_once(',')
                    .ok_or_else(|| anyhow!("`{line}`: needs a register and a value"))?;
                let rd = rd.trim().to_string();
                if mnem == "li" {
                    Item::Li {
                        rd,
                        value: parse_num(v)?,
                    }
                } else {
                    Item::La {
                        rd,
                        symbol: v.trim().to_string(),
                    }
                }
            }
            m if BRANCHES.contains(&m) && is_ident(rest) => Item::Branch {
                mnem: m.to_string(),
                target: rest.to_string(),
            },
            _ => Item::Inst(line.to_string()),
        };
        items.push(item);
    }
    Ok(items)
}

fn li_lines(rd: &str, value: u32) -> Vec<String> {
    let mut v = vec![format!("mov {rd},#{}", value & 0xffff)];
    if value >> 16 != 0 {
        v.push(format!("movt {rd},#{}", value >> 16));
    }
    v
}

fn asm(text: &str, pc: u32) -> Result<(u32, u8)> {
    let e = epiphany_isa::assemble_line(text, pc).map_err(|e| anyhow!("`{text}`: {e}"))?;
    Ok((e.word, e.size))
}

/// Assembles `src` into a section named `name` placed (for branch encoding) at offset 0.
pub fn assemble(name: &str, src: &str) -> Result<Section> {
    let items = parse(src)?;
    // Pass 1: label offsets.
    let mut labels = HashMap::new();
    let mut pc = 0u32;
    for it in &items {
        match it {
            Item::Label(l) => {
                if labels.insert(l.clone(), pc).is_some() {
                    bail!("label `{l}` defined twice");
                }
            }
            Item::Global(_) => {}
            Item::Inst(t) => pc += asm(t, pc)?.1 as u32,
            Item::Branch { .. } | Item::La { .. } => {
                pc += if matches!(it, Item::La { .. }) { 8 } else { 4 }
            }
            Item::Li { rd, value } => {
                for l in li_lines(rd, *value) {
                    pc += asm(&l, pc)?.1 as u32;
                }
            }
            Item::Word(_) => pc += 4,
            Item::Align(n) => pc = pc.next_multiple_of(*n),
        }
    }
    // Pass 2: bytes.
    let mut sec = Section {
        name: name.to_string(),
        align: 8,
        ..Section::default()
    };
    let mut globals = HashSet::new();
    let emit = |sec: &mut Section, word: u32, size: u8| {
        sec.data
            .extend_from_slice(&word.to_le_bytes()[..size as usize]);
    };
    for it in &items {
        let pc = sec.data.len() as u32;
        match it {
            Item::Label(_) => {}
            Item::Global(g) => {
                globals.insert(g.clone());
            }
            Item::Inst(t) => {
                let (w, s) = asm(t, pc)?;
                emit(&mut sec, w, s);
            }
            Item::Branch { mnem, target } => {
                let text = match labels.get(target) {
                    Some(&to) => format!("{mnem}.l .+{}", to.wrapping_sub(pc) as i32),
                    None => {
                        sec.relocs.push(Reloc {
                            offset: pc,
                            kind: RelocKind::Simm24,
                            symbol: target.clone(),
                            addend: 0,
                        });
                        format!("{mnem}.l .+0")
                    }
                };
                let (w, s) = asm(&text, pc).with_context(|| format!("branch to {target}"))?;
                emit(&mut sec, w, s);
            }
            Item::Li { rd, value } => {
                for l in li_lines(rd, *value) {
                    let (w, s) = asm(&l, sec.data.len() as u32)?;
                    emit(&mut sec, w, s);
                }
            }
            Item::La { rd, symbol } => {
                for (k, (op, kind)) in [("mov", RelocKind::Low), ("movt", RelocKind::High)]
                    .into_iter()
                    .enumerate()
                {
                    sec.relocs.push(Reloc {
                        offset: pc + 4 * k as u32,
                        kind,
                        symbol: symbol.clone(),
                        addend: 0,
                    });
                    let (w, s) = asm(&format!("{op}.l {rd},#0"), pc + 4 * k as u32)?;
                    if s != 4 {
                        bail!("`{op}.l` did not give a 32-bit instruction");
                    }
                    emit(&mut sec, w, s);
                }
            }
            Item::Word(v) => emit(&mut sec, *v, 4),
            Item::Align(n) => {
                while !sec.data.len().is_multiple_of(*n as usize) {
                    sec.data.push(0);
                }
            }
        }
    }
    let mut names: Vec<_> = labels.into_iter().collect();
    names.sort_by_key(|(n, o)| (*o, n.clone()));
    for (n, o) in names {
        let global = globals.contains(&n);
        sec.symbols.push(Symbol {
            name: n,
            offset: o,
            global,
        });
    }
    for g in &globals {
        if sec.symbol(g).is_none() {
            bail!(".global `{g}` is not defined");
        }
    }
    Ok(sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_branches_and_relocations() {
        let s = assemble(
            "t",
            ".global f\nf:\n li r0, 0x12345678\n beq f\n bl ext\n la r1, ext2\n rts\n",
        )
        .unwrap();
        assert_eq!(s.symbol("f"), Some(0));
        assert_eq!(s.relocs.len(), 3);
        assert_eq!(s.relocs[0].kind, RelocKind::Simm24);
        assert_eq!(s.relocs[1].kind, RelocKind::Low);
        assert_eq!(s.relocs[2].kind, RelocKind::High);
        let (text, _) =
            epiphany_isa::disasm_word(u32::from_le_bytes(s.data[8..12].try_into().unwrap()), 8);
        assert!(text.starts_with("beq"), "{text}");
    }
}
