//! Front end, first stage: ePython source text -> Python AST.
//!
//! * `dialect`: rewrites what Python 3's grammar lacks (print statement, `/* */` comments,
//!   `native f(...)`, `^` as power, `<>`, `!`, ...) into Python 3 text, recording every edit so
//!   positions map back to the original text exactly.
//! * `parse`: rustpython-parser on the rewritten text; AST ranges are mapped back to offsets
//!   into the *original* file.
//! * `imports`: `import M` / `from M import ...` load `M.py` from the program's directory and the
//!   library directory (`libs/`), each once, in the order ePython runs them.
//! * `diagnostic`: errors and warnings with file:line:col, the source line and a caret.
//!
//! The public contract used by `epyc-sema` is [`ParsedProgram`] and [`Diagnostic`].

pub use rustpython_parser::ast;

/// Index into [`ParsedProgram::files`].
pub type FileId = u32;

/// One source file as read from disk.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or the library path), for messages.
    pub path: String,
    /// The original text (before the dialect pass).
    pub text: String,
    /// Byte offset of the start of each line (line 1 starts at 0).
    pub line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset into the original text; the column counts
    /// characters.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self.text.get(start..end).map_or(1, |s| s.chars().count() + 1);
        (line as u32, col as u32)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line.max(1) - 1) as usize;
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }
}

/// One module (the main file or an imported one), parsed.
#[derive(Clone, Debug)]
pub struct ParsedModule {
    /// `__main__` for the program, else the module name (`parallel`, `math`, ...).
    pub name: String,
    pub file: FileId,
    /// The module's statements; every node's range is a byte range of the original file text.
    /// Import statements stay in place (so `sema` knows where module code runs and which names
    /// were imported explicitly).
    pub body: Vec<ast::Stmt>,
}

/// The whole program: the main module and every module it imports, transitively.
#[derive(Clone, Debug)]
pub struct ParsedProgram {
    pub files: Vec<SourceFile>,
    /// `modules[0]` is the main program; the others in first-import order.
    pub modules: Vec<ParsedModule>,
}

impl ParsedProgram {
    pub fn module(&self, name: &str) -> Option<&ParsedModule> {
        self.modules.iter().find(|m| m.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A compile-time message anchored in a source file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: FileId,
    /// Byte range into the original text of `file`.
    pub start: u32,
    pub end: u32,
    pub message: String,
    /// Optional one-line help (`help: ...`).
    pub help: Option<String>,
    /// Other places worth showing (e.g. the other assignment of a conflicting variable).
    pub notes: Vec<(FileId, u32, u32, String)>,
}

impl Diagnostic {
    pub fn error(file: FileId, start: u32, end: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file,
            start,
            end,
            message: message.into(),
            help: None,
            notes: Vec::new(),
        }
    }
    pub fn warning(file: FileId, start: u32, end: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, start, end, message)
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }
    pub fn with_note(mut self, file: FileId, start: u32, end: u32, note: impl Into<String>) -> Diagnostic {
        self.notes.push((file, start, end, note.into()));
        self
    }
}

// The functions below are the stage's entry points; implemented in the modules named above.
//
// pub fn parse_program(path: &Path, lib_dirs: &[PathBuf]) -> Result<ParsedProgram, (Vec<SourceFile>, Vec<Diagnostic>)>
// pub fn render(files: &[SourceFile], diags: &[Diagnostic], color: bool) -> String
