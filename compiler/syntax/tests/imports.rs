//! Loading a program and its modules from the program's directory and library directories.

use epyc_syntax::{parse_program, render};
use std::path::{Path, PathBuf};

/// A fresh directory for one test, with the given files.
fn fixture(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("imports")
        .join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("clear fixture");
    }
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write fixture");
    }
    dir
}

fn names(program: &epyc_syntax::ParsedProgram) -> Vec<&str> {
    program.modules.iter().map(|m| m.name.as_str()).collect()
}

#[test]
fn modules_load_once_in_first_import_order() {
    let dir = fixture(
        "order",
        &[
            (
                "prog/main.py",
                "from util import *\nimport parallel\nfrom helper import h\nprint h(1)\n",
            ),
            ("prog/helper.py", "def h(x):\n    return x\n"),
            (
                "libs/util.py",
                "from array import len\ndef range(a):\n    return a\n",
            ),
            (
                "libs/array.py",
                "from parallel import coreid\ndef len(a):\n    return native rtl_dsize(a, 0)\n",
            ),
            (
                "libs/parallel.py",
                "from util import *\ndef coreid():\n    return native rtl_coreid()\n",
            ),
        ],
    );
    let program = parse_program(&dir.join("prog/main.py"), &[dir.join("libs")]).expect("parses");
    assert_eq!(
        names(&program),
        ["__main__", "util", "array", "parallel", "helper"]
    );
    assert_eq!(program.files.len(), 5);
    let util = program.module("util").expect("util");
    assert!(program.files[util.file as usize]
        .path
        .ends_with("libs/util.py"));
    // Import statements stay in the AST.
    assert!(matches!(
        program.modules[0].body[0],
        epyc_syntax::ast::Stmt::ImportFrom(_)
    ));
}

#[test]
fn program_directory_comes_before_library_directories() {
    let dir = fixture(
        "shadow",
        &[
            ("prog/main.py", "import m\n"),
            ("prog/m.py", "x = 1\n"),
            ("libs1/m.py", "x = 2\n"),
            ("libs1/n.py", "y = 1\n"),
            ("libs2/n.py", "y = 2\n"),
        ],
    );
    let libs = [dir.join("libs1"), dir.join("libs2")];
    let program = parse_program(&dir.join("prog/main.py"), &libs).expect("parses");
    let m = program.module("m").expect("m");
    assert!(program.files[m.file as usize].path.ends_with("prog/m.py"));
    std::fs::write(dir.join("prog/main.py"), "import n\n").expect("write");
    let program = parse_program(&dir.join("prog/main.py"), &libs).expect("parses");
    let n = program.module("n").expect("n");
    assert!(program.files[n.file as usize].path.ends_with("libs1/n.py"));
}

#[test]
fn a_module_name_never_resolves_to_the_main_program() {
    // golden/parallel/taskfarm.py does `from taskfarm import *`: the library module is meant.
    let dir = fixture(
        "self_named",
        &[
            ("prog/taskfarm.py", "from taskfarm import *\nworker()\n"),
            ("libs/taskfarm.py", "def worker():\n    pass\n"),
        ],
    );
    let program =
        parse_program(&dir.join("prog/taskfarm.py"), &[dir.join("libs")]).expect("parses");
    let lib = program
        .module("taskfarm")
        .expect("the library module is loaded");
    assert!(program.files[lib.file as usize]
        .path
        .ends_with("libs/taskfarm.py"));
}

#[test]
fn imports_inside_blocks_and_dotted_names() {
    let dir = fixture(
        "nested",
        &[
            (
                "main.py",
                "def f():\n    import pkg.inner\nif x:\n    from other import y\n",
            ),
            ("pkg/inner.py", "z = 1\n"),
            ("other.py", "y = 1\n"),
        ],
    );
    let program = parse_program(&dir.join("main.py"), &[]).expect("parses");
    assert_eq!(names(&program), ["__main__", "pkg.inner", "other"]);
}

#[test]
fn missing_module_is_reported_at_the_import() {
    let dir = fixture(
        "missing",
        &[
            (
                "main.py",
                "x = 1\nfrom nowhere import *\nimport alsomissing, nowhere\n",
            ),
            ("libs/.keep", ""),
        ],
    );
    let failure = parse_program(&dir.join("main.py"), &[dir.join("libs")]).expect_err("must fail");
    assert_eq!(failure.diagnostics.len(), 2);
    let d = &failure.diagnostics[0];
    assert_eq!(d.message, "no module named 'nowhere'");
    assert_eq!(failure.files[0].line_col(d.start), (2, 1));
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains("nowhere.py") && help.contains("libs"),
        "{help}"
    );
    assert_eq!(
        failure.diagnostics[1].message,
        "no module named 'alsomissing'"
    );
    let text = render(&failure.files, &failure.diagnostics, false);
    assert!(text.contains("main.py:2:1"), "{text}");
}

#[test]
fn syntax_errors_in_modules_are_reported_with_their_file() {
    let dir = fixture(
        "bad_module",
        &[
            ("main.py", "import bad\nprint 1\n"),
            ("bad.py", "def f(:\n"),
        ],
    );
    let failure = parse_program(&dir.join("main.py"), &[]).expect_err("must fail");
    assert_eq!(failure.files.len(), 2);
    let d = &failure.diagnostics[0];
    assert_eq!(d.file, 1);
    assert_eq!(d.message, "syntax error");
    let text = render(&failure.files, &failure.diagnostics, false);
    assert!(text.contains("bad.py:1:7"), "{text}");
}

#[test]
fn unreadable_main_file_is_a_diagnostic() {
    let dir = fixture("unreadable", &[]);
    let failure = parse_program(&dir.join("absent.py"), &[]).expect_err("must fail");
    assert!(failure.diagnostics[0]
        .message
        .starts_with("cannot read file"));
    let text = render(&failure.files, &failure.diagnostics, false);
    assert!(text.contains("absent.py"), "{text}");
}

#[test]
fn relative_imports_are_refused() {
    let dir = fixture("relative", &[("main.py", "from . import x\n")]);
    let failure = parse_program(&dir.join("main.py"), &[]).expect_err("must fail");
    assert_eq!(
        failure.diagnostics[0].message,
        "relative imports are not supported"
    );
}

#[test]
fn default_lib_dir_honours_the_environment() {
    // Only this test touches EPYC_LIBS in this test binary.
    std::env::set_var("EPYC_LIBS", "/some/where/libs");
    assert_eq!(
        epyc_syntax::default_lib_dir(),
        PathBuf::from("/some/where/libs")
    );
    std::env::remove_var("EPYC_LIBS");
    let dir = epyc_syntax::default_lib_dir();
    let repo_libs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../libs");
    let repo_libs = repo_libs.canonicalize().unwrap_or(repo_libs);
    assert!(
        dir == repo_libs || dir.join("parallel.py").is_file(),
        "{}",
        dir.display()
    );
}

#[test]
fn program_given_as_text() {
    let dir = fixture("as_text", &[("libs/m.py", "def f():\n    return 1\n")]);
    let program = epyc_syntax::parse_program_text(
        Path::new("<command line>"),
        "from m import f\nprint f()\n",
        &[dir.join("libs")],
    )
    .expect("parses");
    assert_eq!(names(&program), ["__main__", "m"]);
    assert_eq!(program.files[0].path, "<command line>");
}
