//! One source file -> Python AST whose ranges are byte ranges of the original text.

use crate::ast::{self, fold::Fold, text_size::TextRange, TextSize};
use crate::dialect::{self, OffsetMap};
use crate::{Diagnostic, FileId, SourceFile};
use rustpython_parser::{Parse, ParseErrorType, Tok};

/// Parses one file (`file` is its id, used in diagnostics). The dialect pass runs first; every
/// node's range in the result points into `source.text`.
pub fn parse_module(file: FileId, source: &SourceFile) -> Result<Vec<ast::Stmt>, Vec<Diagnostic>> {
    let rewritten = dialect::rewrite(&source.text).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| Diagnostic::error(file, e.start, e.end, e.message).with_help(e.help))
            .collect::<Vec<_>>()
    })?;
    let parsed = std::panic::catch_unwind(|| ast::Suite::parse(&rewritten.text, &source.path));
    let suite = match parsed {
        Ok(Ok(suite)) => suite,
        Ok(Err(error)) => {
            let offset = rewritten.map.start(error.offset.to_u32());
            // An error at the end of the file belongs after the last thing written, not on
            // the empty line after it.
            let offset = offset.min(source.text.trim_end().len() as u32);
            let end = char_end(&source.text, offset);
            let help = parser_explanation(&error.error);
            return Err(vec![
                Diagnostic::error(file, offset, end, "syntax error").with_help(help)
            ]);
        }
        Err(_) => {
            let end = source.text.len() as u32;
            let message = "internal error: the Python parser panicked on this file (a bug in epyc)";
            return Err(vec![Diagnostic::error(file, 0, end.min(1), message)]);
        }
    };
    let mut to_original = ToOriginal {
        map: &rewritten.map,
    };
    let Ok(body) = suite
        .into_iter()
        .map(|stmt| to_original.fold_stmt(stmt))
        .collect();
    Ok(body)
}

/// The parser's own explanation, in words for a reader of the original (ePython) text.
fn parser_explanation(error: &ParseErrorType) -> String {
    match error {
        ParseErrorType::Eof => "the file ends in the middle of a statement".into(),
        ParseErrorType::UnrecognizedToken(Tok::Newline, _) => {
            "the line ends in the middle of a statement".into()
        }
        ParseErrorType::UnrecognizedToken(Tok::Dedent, _) => "unexpected end of block".into(),
        other => {
            let text = other.to_string();
            text.strip_prefix("invalid syntax. Got ")
                .map_or(text.clone(), str::to_string)
        }
    }
}

/// End of the character at `offset` (so a caret covers one character); `offset` itself at a
/// line end or the end of the text (a caret just past the line's last character).
fn char_end(text: &str, offset: u32) -> u32 {
    let next = text
        .get(offset as usize..)
        .and_then(|rest| rest.chars().next());
    match next {
        Some('\n' | '\r') | None => offset,
        Some(c) => offset + c.len_utf8() as u32,
    }
}

/// Rewrites every node's range from rewritten-text offsets to original-text offsets.
struct ToOriginal<'a> {
    map: &'a OffsetMap,
}

impl Fold<TextRange> for ToOriginal<'_> {
    type TargetU = TextRange;
    type Error = std::convert::Infallible;
    type UserContext = ();

    fn will_map_user(&mut self, _range: &TextRange) {}

    fn map_user(&mut self, range: TextRange, _: ()) -> Result<TextRange, Self::Error> {
        let (start, end) = self.map.range(range.start().to_u32(), range.end().to_u32());
        Ok(TextRange::new(TextSize::new(start), TextSize::new(end)))
    }
}
