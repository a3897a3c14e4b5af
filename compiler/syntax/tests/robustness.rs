//! Damaged programs give diagnostics inside the file, never a panic; node ranges always lie
//! inside the original text.

mod common;
use common::shared_dir;
use epyc_syntax::ast::Ranged;
use epyc_syntax::{parse_module, SourceFile};

fn check(path: &str, text: &str) {
    let source = SourceFile::new(path, text);
    match parse_module(0, &source) {
        Ok(body) => {
            for stmt in &body {
                let r = stmt.range();
                let (s, e) = (r.start().to_usize(), r.end().to_usize());
                assert!(
                    s <= e && e <= text.len(),
                    "{path}: range {s}..{e} of {}",
                    text.len()
                );
                assert!(
                    text.is_char_boundary(s) && text.is_char_boundary(e),
                    "{path}: {s}..{e}"
                );
            }
        }
        Err(diags) => {
            for d in &diags {
                assert!(
                    d.start <= d.end && d.end as usize <= text.len(),
                    "{path}: {d:?}"
                );
            }
            let rendered = epyc_syntax::render(&[source], &diags, false);
            assert!(rendered.contains(&format!("{path}:")), "{rendered}");
        }
    }
}

#[test]
fn damaged_golden_programs_never_panic() {
    let dirs = ["golden/basics", "golden/parallel", "golden/numeric"];
    for dir in dirs {
        let entries = std::fs::read_dir(shared_dir().join(dir)).expect("golden directory");
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "py") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let name = path.display().to_string();
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            let step = (bounds.len() / 40).max(1);
            for &cut in bounds.iter().step_by(step) {
                // Cut the program short, and drop one character.
                check(&name, &text[..cut]);
                let next = text[cut..].chars().next().map_or(0, char::len_utf8);
                check(&name, &format!("{}{}", &text[..cut], &text[cut + next..]));
            }
        }
    }
}

#[test]
fn dialect_oddities_never_panic() {
    let samples = [
        "print",
        "print (",
        "print )",
        "native",
        "native (",
        "/*",
        "*/",
        "\"",
        "'",
        "\"\"\"",
        "0x",
        "0b",
        "1e",
        "1.e5f",
        "09",
        "!",
        "!=",
        "<>",
        "^",
        "x = \\",
        "\\\n",
        "\t\tx",
        "é = 1\nprint é\n",
        "print \"ü\\\" + 'ß'\n",
        "if x:\n\tprint 1\n  print 2\n",
        "/* é */ print 1\n",
        "\r\n\r\nprint 1\r",
    ];
    for s in samples {
        check("odd.py", s);
    }
}
