//! Every ePython program of the shared reference material parses; the syntax-error program
//! fails at its line 3.

mod common;
use common::shared_dir;
use epyc_syntax::{parse_module, SourceFile};
use std::path::{Path, PathBuf};

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SourceFile::new(path.display().to_string(), text)
}

fn is_syntax_error_program(path: &Path) -> bool {
    path.ends_with("golden/errors/syntax_error.py")
}

#[test]
fn every_golden_program_and_listing_parses() {
    let shared = shared_dir();
    let mut files = Vec::new();
    python_files(&shared.join("golden"), &mut files);
    python_files(&shared.join("seed/listings"), &mut files);
    files.sort();
    assert!(
        files.len() >= 60,
        "expected the golden suite and listings, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in files.iter().filter(|p| !is_syntax_error_program(p)) {
        let source = load(path);
        if let Err(diags) = parse_module(0, &source) {
            failures.push(epyc_syntax::render(&[source], &diags, false));
        }
    }
    assert!(
        failures.is_empty(),
        "{} files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn syntax_error_program_fails_at_line_3() {
    let path = shared_dir().join("golden/errors/syntax_error.py");
    let source = load(&path);
    let diags = parse_module(0, &source).expect_err("syntax_error.py must not parse");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "syntax error");
    let (line, _) = source.line_col(diags[0].start);
    assert_eq!(line, 3);
    let rendered = epyc_syntax::render(&[source], &diags, false);
    assert!(
        rendered.contains(&format!("{}:3:", path.display())),
        "{rendered}"
    );
}

#[test]
fn every_statement_of_listing5_maps_to_its_own_line() {
    // Cross-check of the position mapping on a real program: each top-level statement's
    // original text starts with the first word of the line it is reported on.
    let source = load(&shared_dir().join("seed/listings/listing5_gauss_seidel.py"));
    let body = parse_module(0, &source).expect("listing 5 parses");
    use epyc_syntax::ast::Ranged;
    for stmt in &body {
        let range = stmt.range();
        let text = &source.text[range.start().to_usize()..range.end().to_usize()];
        let (line, col) = source.line_col(range.start().to_u32());
        assert_eq!(col, 1, "top-level statement {text:?} at column {col}");
        assert!(
            source
                .line_text(line)
                .starts_with(text.lines().next().unwrap_or("")),
            "{text:?}"
        );
    }
}
