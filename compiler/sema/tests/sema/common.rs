//! Shared helpers: where /work/shared is, and parsing + checking a program with the libs.

use epyc_sema::{check, Checked};
use std::path::{Path, PathBuf};

pub fn shared() -> PathBuf {
    if let Some(d) = std::env::var_os("EPYC_SHARED") {
        return PathBuf::from(d);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside.is_dir() {
        return beside;
    }
    PathBuf::from("/work/shared")
}

pub fn libs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../libs")
}

/// Parses a program file as the driver would, except that its directory is not searched
/// for modules: golden/parallel/taskfarm.py imports `taskfarm` and would find itself there.
pub fn check_file(path: &Path) -> Checked {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let dir = std::env::temp_dir().join("epyc_sema_tests");
    std::fs::create_dir_all(&dir).unwrap();
    let prog =
        epyc_syntax::parse_program_text(&dir.join(path.file_name().unwrap()), &text, &[libs()])
            .unwrap_or_else(|e| panic!("{} does not parse: {e:?}", path.display()));
    check(&prog)
}

pub fn check_text(text: &str) -> Checked {
    let path = std::env::temp_dir().join("epyc_sema_tests").join("test.py");
    let prog = epyc_syntax::parse_program_text(&path, text, &[libs()])
        .unwrap_or_else(|e| panic!("test program does not parse: {e:?}\n{text}"));
    check(&prog)
}

/// Errors as `line: message` (line of the diagnostic's start in its file).
pub fn error_lines(c: &Checked, text: &str) -> Vec<(u32, String)> {
    c.errors
        .iter()
        .map(|d| {
            let line = text[..(d.start as usize).min(text.len())]
                .matches('\n')
                .count() as u32
                + 1;
            (line, d.message.clone())
        })
        .collect()
}
