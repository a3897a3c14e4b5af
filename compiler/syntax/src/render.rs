//! Diagnostics as text, rustc style (through codespan-reporting):
//!
//! ```text
//! error: syntax error
//!   --> prog.py:3:8
//!   |
//! 3 | x = 1 +
//!   |        ^
//!   |
//!   = help: the parser says: ...
//! ```

use crate::{Diagnostic, FileId, Severity, SourceFile};
use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::Buffer, Chars, Config};
use std::ops::Range;

/// Renders every diagnostic, in order. `color` adds ANSI colours (for a terminal); without it
/// the text is plain (tests, CI, pipes).
pub fn render(files: &[SourceFile], diags: &[Diagnostic], color: bool) -> String {
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let table = FileTable(files);
    let mut out = String::new();
    for diag in diags {
        let mut buffer = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        match term::emit(&mut buffer, &config, &table, &report(files, diag)) {
            Ok(()) => out.push_str(&String::from_utf8_lossy(buffer.as_slice())),
            Err(_) => out.push_str(&plain(files, diag)),
        }
    }
    out
}

fn report(files: &[SourceFile], diag: &Diagnostic) -> Report<FileId> {
    let severity = match diag.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    };
    let mut labels = vec![Label::primary(
        diag.file,
        clamp(files, diag.file, diag.start, diag.end),
    )];
    let mut notes = Vec::new();
    for (file, start, end, text) in &diag.notes {
        labels.push(Label::secondary(*file, clamp(files, *file, *start, *end)).with_message(text));
        notes.push(format!("note: {}: {text}", location(files, *file, *start)));
    }
    if let Some(help) = &diag.help {
        notes.push(format!("help: {help}"));
    }
    Report::new(severity)
        .with_message(&diag.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// `path:line:col` of an offset.
fn location(files: &[SourceFile], file: FileId, offset: u32) -> String {
    match files.get(file as usize) {
        Some(f) => {
            let (line, col) = f.line_col(offset);
            format!("{}:{line}:{col}", f.path)
        }
        None => format!("<file {file}>"),
    }
}

/// A byte range inside the file's text, on character boundaries.
fn clamp(files: &[SourceFile], file: FileId, start: u32, end: u32) -> Range<usize> {
    let Some(text) = files.get(file as usize).map(|f| f.text.as_str()) else {
        return 0..0;
    };
    let fix = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = fix(start as usize);
    start..fix(end as usize).max(start)
}

/// The fallback when the renderer cannot place a diagnostic (a file id that does not exist).
fn plain(files: &[SourceFile], diag: &Diagnostic) -> String {
    let kind = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut s = format!(
        "{kind}: {}\n  --> {}\n",
        diag.message,
        location(files, diag.file, diag.start)
    );
    if let Some(help) = &diag.help {
        s.push_str(&format!("  = help: {help}\n"));
    }
    s.push('\n');
    s
}

/// Our files, as codespan-reporting sees them (ids are indices).
struct FileTable<'a>(&'a [SourceFile]);

impl<'a> FileTable<'a> {
    fn get(&self, id: FileId) -> Result<&'a SourceFile, FilesError> {
        self.0.get(id as usize).ok_or(FilesError::FileMissing)
    }
}

impl<'a> Files<'a> for FileTable<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.path.as_str())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.text.as_str())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = &self.get(id)?.line_starts;
        Ok(starts
            .partition_point(|&s| s as usize <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.get(id)?;
        let starts = &file.line_starts;
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(file.text.len(), |&e| e as usize);
        Ok(start..end)
    }
}
