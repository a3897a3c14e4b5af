//! Which source files are library code (`libs/`) and which are the user's (the main program
//! and modules beside it). Run-time positions in library code are reported at the user's call
//! that led there, by native code (`epyc-sema`, "Positions in library code") and byte code
//! (`epyc-bytecode`, FORMAT.md "Positions") alike: both ask this one function.

use crate::ParsedProgram;
use std::path::{Path, PathBuf};

/// One flag per file of `prog` (indexed by file id): true for library modules. (Sema's
/// prelude, which it appends after these files, is library code too.)
///
/// `ParsedProgram` does not record where a module was found, so this repeats the loader's
/// rule (`epyc_syntax::parse_program`): the main program's directory is searched first, and a
/// module read from exactly the path that search gives is the user's; any other path came
/// from a library directory.
pub fn library_files(prog: &ParsedProgram) -> Vec<bool> {
    let mut library = vec![false; prog.files.len()];
    let Some(main) = prog.modules.first() else {
        return library;
    };
    let Some(main_file) = prog.files.get(main.file as usize) else {
        return library;
    };
    let program_dir = match Path::new(&main_file.path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for m in prog.modules.iter().skip(1) {
        let Some(file) = prog.files.get(m.file as usize) else {
            continue;
        };
        let beside_program = program_dir.join(module_path(&m.name));
        if m.file != main.file && Path::new(&file.path) != beside_program {
            library[m.file as usize] = true;
        }
    }
    library
}

/// `a.b` -> `a/b.py`, as the loader looks it up.
fn module_path(name: &str) -> PathBuf {
    name.split('.').collect::<PathBuf>().with_extension("py")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParsedModule, SourceFile};

    fn program(paths: &[(&str, &str)]) -> ParsedProgram {
        ParsedProgram {
            files: paths.iter().map(|(_, p)| SourceFile::new(*p, "")).collect(),
            modules: paths
                .iter()
                .enumerate()
                .map(|(i, (name, _))| ParsedModule {
                    name: name.to_string(),
                    file: i as u32,
                    body: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn modules_beside_the_program_are_user_code() {
        let p = program(&[
            ("__main__", "prog/main.py"),
            ("helpers", "prog/helpers.py"),
            ("pkg.tools", "prog/pkg/tools.py"),
            ("parallel", "/repo/libs/parallel.py"),
        ]);
        assert_eq!(library_files(&p), vec![false, false, false, true]);
    }

    #[test]
    fn a_program_in_the_current_directory() {
        let p = program(&[
            ("__main__", "main.py"),
            ("helpers", "./helpers.py"),
            ("parallel", "/repo/libs/parallel.py"),
        ]);
        assert_eq!(library_files(&p), vec![false, false, true]);
    }

    #[test]
    fn a_library_directory_inside_the_program_directory() {
        let p = program(&[
            ("__main__", "/repo/main.py"),
            ("parallel", "/repo/libs/parallel.py"),
        ]);
        assert_eq!(library_files(&p), vec![false, true]);
    }
}
