//! A small two-pass assembler over `epiphany_isa::assemble_line` that turns the runtime's
//! assembly text into a [`Section`] with symbols and relocations.
//!
//! Besides GNU instruction lines it knows:
//! * `name:` defines a label; `.global name` exports it;
//! * `b<cond> name` / `bl name`: a branch to a label of this section (the 16-bit form where
//!   the distance allows, found by relaxation) or, for a name of another section or object, a
//!   `Simm24` relocation (32-bit form);
//! * `li rd, VALUE`: a 32-bit constant (`mov` and, when the high half is not 0, `movt`);
//! * `la rd, name`: the address of a symbol (`mov.l`/`movt.l` with `Low`/`High` relocations);
//! * `.word VALUE`, `.align N`, `.section NAME`;
//! * `.byte VALUE` (one byte);
//! * `.hdiff A,B`: the 16-bit distance from label B to a later label A of the same section
//!   (tables of code offsets);
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
    HDiff(String, String),
    Byte(u8),
    Align(u32),
    Section(String),
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
            ".section" => Item::Section(rest.to_string()),
            ".word" => Item::Word(parse_num(rest)?),
            ".byte" => Item::Byte(
                u8::try_from(parse_num(rest)?).map_err(|_| anyhow!("`{line}`: not a byte"))?,
            ),
            ".hdiff" => match rest.split_once(',') {
                Some((a, b)) => Item::HDiff(a.trim().to_string(), b.trim().to_string()),
                None => bail!("`{line}`: needs two labels"),
            },
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

/// Assembles `src` (one section) into a section named `name`, placed at offset 0.
pub fn assemble(name: &str, src: &str) -> Result<Section> {
    let mut v = assemble_sections(name, src)?;
    if v.len() != 1 {
        bail!("`{name}`: expected one section, found {}", v.len());
    }
    Ok(v.remove(0))
}

/// Assembles `src`, split into sections by `.section NAME` lines (text before the first one
/// goes to a section named `default`). Labels are unique over the whole text; a branch to a
/// label of another section (or of another object) becomes a relocation, which the linker
/// resolves against `.global` symbols, so a linker can leave out sections nothing refers to.
pub fn assemble_sections(default: &str, src: &str) -> Result<Vec<Section>> {
    let items = parse(src)?;
    let mut groups: Vec<(String, Vec<Item>)> = vec![(default.to_string(), Vec::new())];
    let mut seen = HashSet::new();
    for it in items {
        match it {
            Item::Section(n) => groups.push((n, Vec::new())),
            Item::Label(ref l) if !seen.insert(l.clone()) => bail!("label `{l}` defined twice"),
            it => groups.last_mut().expect("one group").1.push(it),
        }
    }
    groups
        .into_iter()
        .filter(|(_, g)| !g.is_empty())
        .map(|(n, g)| assemble_group(&n, &g).with_context(|| format!("section {n}")))
        .collect()
}

/// Size of an item at `pc`, with `branch` bytes for a branch.
fn item_size(it: &Item, pc: u32, branch: u8) -> Result<u32> {
    Ok(match it {
        Item::Label(_) | Item::Global(_) | Item::Section(_) => 0,
        Item::Inst(t) => asm(t, pc)?.1 as u32,
        Item::Branch { .. } => branch as u32,
        Item::La { .. } => 8,
        Item::Li { rd, value } => {
            let mut n = 0;
            for l in li_lines(rd, *value) {
                n += asm(&l, pc + n)?.1 as u32;
            }
            n
        }
        Item::Word(_) => 4,
        Item::HDiff(..) => 2,
        Item::Byte(_) => 1,
        Item::Align(n) => pc.next_multiple_of(*n) - pc,
    })
}

/// A 16-bit branch reaches -256..=254 bytes.
fn short_reach(disp: i64) -> bool {
    (-256..=254).contains(&disp)
}

fn assemble_group(name: &str, items: &[Item]) -> Result<Section> {
    // Branch relaxation: local branches start short and grow to 32 bits until every
    // displacement fits (sizes only grow, so this ends; capped for safety).
    let mut long = vec![false; items.len()];
    let mut labels = HashMap::new();
    for round in 0.. {
        labels.clear();
        let mut pcs = Vec::with_capacity(items.len());
        let mut pc = 0u32;
        for (i, it) in items.iter().enumerate() {
            if let Item::Label(l) = it {
                labels.insert(l.clone(), pc);
            }
            pcs.push(pc);
            pc += item_size(it, pc, if long[i] { 4 } else { 2 })?;
        }
        let mut changed = false;
        for (i, it) in items.iter().enumerate() {
            if let Item::Branch { target, .. } = it {
                let grow = match labels.get(target) {
                    Some(&to) => !short_reach(to as i64 - pcs[i] as i64),
                    None => true,
                };
                if grow && !long[i] {
                    long[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        if round > 64 {
            long.iter_mut().for_each(|l| *l = true);
        }
    }
    // Emit.
    // Code needs 2-byte alignment; data words and `.align` need more.
    let align = items.iter().fold(2, |a, it| match it {
        Item::Word(_) => a.max(4),
        Item::Align(n) => a.max(*n),
        _ => a,
    });
    let mut sec = Section {
        name: name.to_string(),
        align,
        ..Section::default()
    };
    let mut globals = HashSet::new();
    let emit = |sec: &mut Section, word: u32, size: u8| {
        sec.data
            .extend_from_slice(&word.to_le_bytes()[..size as usize]);
    };
    for (i, it) in items.iter().enumerate() {
        let pc = sec.data.len() as u32;
        match it {
            Item::Label(l) => {
                if labels.get(l) != Some(&pc) {
                    bail!("label `{l}` moved while assembling");
                }
            }
            Item::Section(_) => {}
            Item::Global(g) => {
                globals.insert(g.clone());
            }
            Item::Inst(t) => {
                let (w, s) = asm(t, pc)?;
                emit(&mut sec, w, s);
            }
            Item::Branch { mnem, target } => {
                let suffix = if long[i] { "l" } else { "s" };
                let text = match labels.get(target) {
                    Some(&to) => format!("{mnem}.{suffix} .+{}", to.wrapping_sub(pc) as i32),
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
            Item::Byte(v) => emit(&mut sec, *v as u32, 1),
            Item::HDiff(a, b) => {
                let at = |l: &String| {
                    labels
                        .get(l)
                        .copied()
                        .ok_or_else(|| anyhow!("`.hdiff`: no label `{l}` in this section"))
                };
                let d = at(a)?
                    .checked_sub(at(b)?)
                    .filter(|d| *d <= 0xffff)
                    .ok_or_else(|| anyhow!("`.hdiff {a},{b}`: not 0..65535 bytes"))?;
                emit(&mut sec, d, 2);
            }
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
            bail!(".global `{g}` is not defined in its section");
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
