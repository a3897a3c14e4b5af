//! The three GNU binutils oracle files (shared/oracle/isa), checked line by line, in place.
//! Every line counts; a mismatch prints the first failures with expected and actual values.

use epiphany_isa::{assemble_line, decode, disasm, disasm_word, encode, UNKNOWN};
use std::path::PathBuf;

fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("EPYC_SHARED") {
        return PathBuf::from(p);
    }
    let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.join("oracle").is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

fn oracle(name: &str) -> String {
    let path = shared_dir().join("oracle/isa").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Data rows of a TSV file with a header line.
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').collect())
        .collect()
}

fn report(what: &str, total: usize, failures: &[String]) {
    if !failures.is_empty() {
        let shown: Vec<&String> = failures.iter().take(40).collect();
        panic!(
            "{what}: {} of {total} lines fail; first {}:\n{}",
            failures.len(),
            shown.len(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    eprintln!("{what}: {total} of {total} lines pass");
}

fn hex_word(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap_or_else(|_| panic!("bad hex word {s:?} in the oracle"))
}

#[test]
fn encode_tsv_assembles_to_gnu_words() {
    let text = oracle("encode.tsv");
    let rows = rows(&text);
    let mut failures = Vec::new();
    for r in &rows {
        let (asm, size, word) = (r[0], r[1], hex_word(r[2]));
        let want = format!("{size} {word:0w$x}", w = if size == "2" { 4 } else { 8 });
        let got = match assemble_line(asm, 0) {
            Ok(e) => format!(
                "{} {:0w$x}",
                e.size,
                e.word,
                w = if e.size == 2 { 4 } else { 8 }
            ),
            Err(e) => format!("error: {e}"),
        };
        if got != want {
            failures.push(format!("{asm:<32} expected {want:<14} got {got}"));
        }
    }
    report("encode.tsv asm -> word", rows.len(), &failures);
}

#[test]
fn encode_tsv_disassembles_like_objdump() {
    let text = oracle("encode.tsv");
    let rows = rows(&text);
    let mut failures = Vec::new();
    for r in &rows {
        let (size, word, want) = (r[1], hex_word(r[2]), r[3]);
        let (got, got_size) = disasm_word(word, 0);
        if got != want || got_size.to_string() != size {
            failures.push(format!(
                "{:<10} expected {size} {want:<30} got {got_size} {got}",
                r[2]
            ));
        }
    }
    report("encode.tsv word -> objdump", rows.len(), &failures);
}

#[test]
fn decode_tsv_matches_objdump() {
    let text = oracle("decode.tsv");
    let rows = rows(&text);
    let mut failures = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let (word, size, want) = (hex_word(r[0]), r[1], r[2]);
        // The oracle disassembled the words in batches of 500, word k of a batch at 8*k (as
        // the branch targets in the file show).
        let addr = 8 * (i % 500) as u32;
        let (got, got_size) = disasm_word(word, addr);
        let mut problems = Vec::new();
        if got != want || got_size.to_string() != size {
            problems.push(format!(
                "objdump: expected {size} {want:?} got {got_size} {got:?}"
            ));
        }
        // The decoder agrees with objdump on validity and size, and its Inst re-encodes to the
        // same word and prints the same text.
        match decode(word) {
            None if want == UNKNOWN => {}
            None => problems.push("decode: None for a valid word".to_string()),
            Some(_) if want == UNKNOWN => problems.push("decode: Some for *unknown*".to_string()),
            Some(inst) => {
                if inst.size.to_string() != size {
                    problems.push(format!("decode: size {}", inst.size));
                }
                let mask = if inst.size == 2 { 0xFFFF } else { u32::MAX };
                match encode(&inst) {
                    Ok(w) if w == word & mask => {}
                    other => problems.push(format!("re-encode: {other:?}")),
                }
                let printed = disasm(&inst, addr);
                if printed != want {
                    problems.push(format!("disasm(inst): {printed:?}"));
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{:<10} {}", r[0], problems.join("; ")));
        }
    }
    report("decode.tsv", rows.len(), &failures);
}

#[test]
fn reject_txt_is_refused() {
    let text = oracle("reject.txt");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut failures = Vec::new();
    for l in &lines {
        if let Ok(e) = assemble_line(l, 0) {
            failures.push(format!("{l:<32} accepted as {} {:x}", e.size, e.word));
        }
    }
    report("reject.txt", lines.len(), &failures);
}
