//! The whole program: the main file and every module it imports, transitively.
//!
//! `import M` and `from M import ...` (anywhere in a file, also inside functions and blocks)
//! name a module `M.py` (`a.b` is `a/b.py`), searched in the main program's directory, then in
//! each library directory in order. Each module is loaded once. Modules are listed in
//! first-import order: depth first, a module right after the import that first names it, then
//! the modules it imports (the order ePython's textual include runs their top-level code).

use crate::{
    ast, parse_module, Diagnostic, FileId, ParsedModule, ParsedProgram, Severity, SourceFile,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Why a program could not be parsed: the files read so far (for rendering) and the messages.
#[derive(Clone, Debug)]
pub struct Failure {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and parses the program at `path` and every module it imports. All files are read and
/// all errors collected before failing.
pub fn parse_program(path: &Path, lib_dirs: &[PathBuf]) -> Result<ParsedProgram, Failure> {
    let mut loader = Loader::new(path, lib_dirs);
    loader.load("__main__", path);
    loader.finish()
}

/// Like [`parse_program`], for a main program given as text (tests, code passed on the command
/// line); `path` names it in messages, and its directory is searched first for imports.
pub fn parse_program_text(
    path: &Path,
    text: &str,
    lib_dirs: &[PathBuf],
) -> Result<ParsedProgram, Failure> {
    let mut loader = Loader::new(path, lib_dirs);
    loader.seen.insert("__main__".to_string());
    loader.add(
        "__main__",
        SourceFile::new(path.display().to_string(), text),
    );
    loader.finish()
}

/// The repository's `libs/` directory: `$EPYC_LIBS` if set, else a `libs` directory holding
/// `parallel.py` beside one of the running executable's ancestors (`<repo>/target/release/epyc`
/// -> `<repo>/libs`), else the one next to this crate's sources when it was compiled.
pub fn default_lib_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EPYC_LIBS") {
        return PathBuf::from(dir);
    }
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .map(|dir| dir.join("libs"))
            .find(|libs| libs.join("parallel.py").is_file())
    });
    beside_exe.unwrap_or_else(|| {
        let baked = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../libs");
        baked.canonicalize().unwrap_or(baked)
    })
}

struct Loader {
    search: Vec<PathBuf>,
    /// The main program, canonicalised: a module name never resolves to it (a program named
    /// `taskfarm.py` that does `from taskfarm import *` means the library module).
    main: Option<PathBuf>,
    files: Vec<SourceFile>,
    modules: Vec<ParsedModule>,
    /// Module names already loaded or already reported missing.
    seen: HashSet<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    fn new(main: &Path, lib_dirs: &[PathBuf]) -> Loader {
        let program_dir = match main.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut search = vec![program_dir];
        search.extend(lib_dirs.iter().cloned());
        Loader {
            search,
            main: main.canonicalize().ok(),
            files: Vec::new(),
            modules: Vec::new(),
            seen: HashSet::new(),
            diagnostics: Vec::new(),
        }
    }

    fn is_main(&self, candidate: &Path) -> bool {
        self.main.is_some() && candidate.canonicalize().ok() == self.main
    }

    fn finish(self) -> Result<ParsedProgram, Failure> {
        let Loader {
            files,
            modules,
            diagnostics,
            ..
        } = self;
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(Failure { files, diagnostics });
        }
        Ok(ParsedProgram { files, modules })
    }

    /// Reads one module's file, then parses it ([`Loader::add`]).
    fn load(&mut self, name: &str, path: &Path) {
        self.seen.insert(name.to_string());
        let file = self.files.len() as FileId;
        let source = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => SourceFile::new(path.display().to_string(), text),
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to() as u32;
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    self.files
                        .push(SourceFile::new(path.display().to_string(), text));
                    self.diagnostics.push(
                        Diagnostic::error(file, valid, valid + 1, "source file is not valid UTF-8")
                            .with_help("save the file as UTF-8"),
                    );
                    return;
                }
            },
            Err(e) => {
                self.files
                    .push(SourceFile::new(path.display().to_string(), ""));
                self.diagnostics.push(Diagnostic::error(
                    file,
                    0,
                    0,
                    format!("cannot read file: {e}"),
                ));
                return;
            }
        };
        self.add(name, source);
    }

    /// Parses and registers one module, then loads what it imports.
    fn add(&mut self, name: &str, source: SourceFile) {
        self.seen.insert(name.to_string());
        let file = self.files.len() as FileId;
        self.files.push(source);
        let body = match parse_module(file, &self.files[file as usize]) {
            Ok(body) => body,
            Err(diags) => {
                self.diagnostics.extend(diags);
                return;
            }
        };
        let mut imports = Vec::new();
        collect_imports(&body, &mut imports);
        self.modules.push(ParsedModule {
            name: name.to_string(),
            file,
            body,
        });
        for import in imports {
            self.import(file, import);
        }
    }

    fn import(&mut self, from_file: FileId, import: Import) {
        let (start, end) = (import.range.start().to_u32(), import.range.end().to_u32());
        if import.relative {
            self.diagnostics.push(
                Diagnostic::error(from_file, start, end, "relative imports are not supported")
                    .with_help("import the module by its name, e.g. `from parallel import *`"),
            );
            return;
        }
        if self.seen.contains(&import.module) {
            return;
        }
        let relative_path: PathBuf = import
            .module
            .split('.')
            .collect::<PathBuf>()
            .with_extension("py");
        let found = self
            .search
            .iter()
            .map(|dir| dir.join(&relative_path))
            .find(|p| p.is_file() && !self.is_main(p));
        match found {
            Some(path) => self.load(&import.module, &path),
            None => {
                self.seen.insert(import.module.clone());
                let places: Vec<String> = self
                    .search
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect();
                let help = format!(
                    "looked for {} in: {}",
                    relative_path.display(),
                    places.join(", ")
                );
                self.diagnostics.push(
                    Diagnostic::error(
                        from_file,
                        start,
                        end,
                        format!("no module named '{}'", import.module),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// One module named by an import statement.
struct Import {
    module: String,
    relative: bool,
    range: ast::text_size::TextRange,
}

/// Every module named by an import statement in `body`, nested blocks included, in source order.
fn collect_imports(body: &[ast::Stmt], out: &mut Vec<Import>) {
    use ast::Stmt;
    for stmt in body {
        match stmt {
            Stmt::Import(s) => out.extend(s.names.iter().map(|alias| Import {
                module: alias.name.to_string(),
                relative: false,
                range: alias.range,
            })),
            Stmt::ImportFrom(s) => out.push(Import {
                module: s.module.as_ref().map_or(String::new(), |m| m.to_string()),
                relative: s.level.is_some_and(|l| l.to_u32() > 0) || s.module.is_none(),
                range: s.range,
            }),
            Stmt::FunctionDef(s) => collect_imports(&s.body, out),
            Stmt::AsyncFunctionDef(s) => collect_imports(&s.body, out),
            Stmt::ClassDef(s) => collect_imports(&s.body, out),
            Stmt::If(s) => {
                collect_imports(&s.body, out);
                collect_imports(&s.orelse, out);
            }
            Stmt::While(s) => {
                collect_imports(&s.body, out);
                collect_imports(&s.orelse, out);
            }
            Stmt::For(s) => {
                collect_imports(&s.body, out);
                collect_imports(&s.orelse, out);
            }
            Stmt::With(s) => collect_imports(&s.body, out),
            Stmt::Try(s) => {
                collect_imports(&s.body, out);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    collect_imports(&h.body, out);
                }
                collect_imports(&s.orelse, out);
                collect_imports(&s.finalbody, out);
            }
            _ => {}
        }
    }
}
