//! The rendered form of diagnostics (plain text, as tests and CI see it).

mod common;
use epyc_syntax::{parse_module, render, Diagnostic, SourceFile};

#[test]
fn syntax_error_snapshot() {
    let file = SourceFile::new("prog.py", "# run: -d 1\nprint \"hi\"\nx = 1 +\n");
    let diags = parse_module(0, &file).expect_err("must fail");
    let text = render(&[file], &diags, false);
    let expected = "\
error: syntax error
  --> prog.py:3:8
  |
3 | x = 1 +
  |        ^
  |
  = help: the line ends in the middle of a statement
";
    assert_eq!(text.trim_end(), expected.trim_end(), "\n{text}");
}

#[test]
fn notes_and_help_carry_their_positions() {
    let main = SourceFile::new("main.py", "a = 1\nb = a + \"s\"\n");
    let other = SourceFile::new("libs/m.py", "def f():\n    return 2\n");
    let diag = Diagnostic::error(0, 10, 11, "type conflict")
        .with_note(1, 13, 21, "returned here")
        .with_help("convert with str()");
    let text = render(&[main, other], &[diag], false);
    assert!(text.starts_with("error: type conflict\n"), "{text}");
    assert!(text.contains("main.py:2:5"), "{text}");
    assert!(
        text.contains("note: libs/m.py:2:5: returned here"),
        "{text}"
    );
    assert!(text.contains("help: convert with str()"), "{text}");
    assert!(text.contains("2 | b = a + \"s\""), "{text}");
}

#[test]
fn warnings_and_color() {
    let file = SourceFile::new("w.py", "Value = 1\nvalue = 2\n");
    let diag = Diagnostic::warning(0, 10, 15, "names differ only in case");
    let plain = render(
        std::slice::from_ref(&file),
        std::slice::from_ref(&diag),
        false,
    );
    assert!(
        plain.starts_with("warning: names differ only in case\n  --> w.py:2:1\n"),
        "{plain}"
    );
    assert!(!plain.contains('\u{1b}'));
    let colored = render(&[file], &[diag], true);
    assert!(colored.contains('\u{1b}'));
}

#[test]
fn bad_file_ids_and_offsets_do_not_panic() {
    let file = SourceFile::new("a.py", "x\n");
    let text = render(
        std::slice::from_ref(&file),
        &[Diagnostic::error(7, 0, 1, "lost")],
        false,
    );
    assert!(text.contains("error: lost"), "{text}");
    let text = render(
        &[file],
        &[Diagnostic::error(0, 50, 90, "past the end")],
        false,
    );
    assert!(text.contains("a.py:"), "{text}");
}
