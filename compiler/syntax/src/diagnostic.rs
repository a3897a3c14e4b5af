//! Compile-time messages anchored in source files (rendered by `render`).

use crate::FileId;

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
    pub fn with_note(
        mut self,
        file: FileId,
        start: u32,
        end: u32,
        note: impl Into<String>,
    ) -> Diagnostic {
        self.notes.push((file, start, end, note.into()));
        self
    }
}
