//! The token-by-token rewrite; see the table in the module above.

use super::lexer::{is_ident_char, tokenize, Kind, Tok};
use super::numbers::python_number;
use super::offset_map::{Edit, OffsetMap};
use super::NATIVE_PREFIX;

/// The rewritten text and how to map its offsets back.
#[derive(Clone, Debug)]
pub struct Rewritten {
    pub text: String,
    pub map: OffsetMap,
}

/// Something the dialect pass itself rejects (byte range of the original text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialectError {
    pub start: u32,
    pub end: u32,
    pub message: String,
    pub help: String,
}

/// Rewrites ePython `src` into Python 3 text. Errors are things no parser could recover from
/// (an unterminated `/*`, an octal literal with digit 8 or 9); everything else that is wrong is
/// left for the Python parser to report.
pub fn rewrite(src: &str) -> Result<Rewritten, Vec<DialectError>> {
    if u32::try_from(src.len()).is_err() {
        return Err(vec![DialectError {
            start: 0,
            end: 0,
            message: "source file too large".into(),
            help: "files are limited to 4 GiB".into(),
        }]);
    }
    let mut planner = Planner {
        src,
        toks: tokenize(src),
        edits: Vec::new(),
        errors: Vec::new(),
    };
    planner.plan();
    if !planner.errors.is_empty() {
        return Err(planner.errors);
    }
    Ok(apply(src, planner.edits))
}

/// Keywords ePython accepts in any case (its lexer is case-insensitive). Identifiers stay
/// case-sensitive (deviation D27), so only these words are normalised to lower case.
const CASE_INSENSITIVE_KEYWORDS: [&str; 21] = [
    "and", "or", "not", "is", "in", "if", "elif", "else", "while", "for", "def", "return", "pass",
    "print", "native", "from", "import", "exit", "quit", "input", "str",
];

const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Python keywords that may begin an expression.
const EXPRESSION_KEYWORDS: [&str; 6] = ["not", "None", "True", "False", "lambda", "await"];

/// The canonical spelling of a name: `True`/`False`/`None` for any case of true/false/none,
/// lower case for the other ePython keywords, else the name itself.
fn canonical(word: &str) -> &str {
    if !word.is_ascii() {
        return word;
    }
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "true" => "True",
        "false" => "False",
        "none" => "None",
        _ => CASE_INSENSITIVE_KEYWORDS
            .iter()
            .find(|k| **k == lower)
            .copied()
            .unwrap_or(word),
    }
}

struct Planned {
    start: usize,
    end: usize,
    text: String,
}

struct Planner<'a> {
    src: &'a str,
    toks: Vec<Tok>,
    edits: Vec<Planned>,
    errors: Vec<DialectError>,
}

impl Planner<'_> {
    fn replace(&mut self, start: usize, end: usize, text: impl Into<String>) {
        self.edits.push(Planned {
            start,
            end,
            text: text.into(),
        });
    }

    fn error(&mut self, start: usize, end: usize, message: &str, help: impl Into<String>) {
        self.errors.push(DialectError {
            start: start as u32,
            end: end as u32,
            message: message.into(),
            help: help.into(),
        });
    }

    fn plan(&mut self) {
        // A statement may begin here (file start, after a logical line end, `;` or a `:` that
        // ends a compound statement's header).
        let mut stmt_start = true;
        // The logical line has had a significant token (so a `/* */` sits inside a statement).
        let mut in_statement = false;
        // ePython width of the current physical line's indentation.
        let mut indent_width = 0;
        for i in 0..self.toks.len() {
            let tok = self.toks[i];
            let text = tok.text(self.src);
            match tok.kind {
                Kind::Indent => {
                    indent_width = text.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
                    if text.contains('\t') {
                        self.replace(tok.start, tok.end, " ".repeat(indent_width));
                    }
                }
                Kind::Newline { logical } => {
                    indent_width = 0;
                    if logical {
                        stmt_start = true;
                        in_statement = false;
                    }
                }
                Kind::Continuation | Kind::LineComment => {}
                Kind::BlockComment { terminated } => {
                    self.block_comment(tok, terminated, in_statement, indent_width)
                }
                _ => {
                    self.significant(i, stmt_start);
                    stmt_start =
                        tok.kind == Kind::Op && tok.depth == 0 && matches!(text, ";" | ":");
                    in_statement = true;
                }
            }
        }
    }

    fn block_comment(&mut self, tok: Tok, terminated: bool, in_statement: bool, indent: usize) {
        if !terminated {
            self.error(
                tok.start,
                tok.start + 2,
                "unterminated block comment",
                "a `/*` comment needs a closing `*/`",
            );
            return;
        }
        let text = tok.text(self.src);
        let breaks =
            text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
        if in_statement || tok.depth > 0 {
            // Inside a statement: the comment is a space; its line breaks become explicit
            // line joins so the statement goes on and line numbers stay.
            self.replace(tok.start, tok.end, format!(" {}", "\\\n".repeat(breaks)));
            return;
        }
        // At the start of a line: code after `*/` is indented like the line the comment began
        // on, so drop the comment with the blanks after it and re-indent after its line breaks.
        let rest = &self.src[tok.end..];
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let reindent = if breaks > 0 {
            " ".repeat(indent)
        } else {
            String::new()
        };
        self.replace(
            tok.start,
            tok.end + blanks,
            format!("{}{reindent}", "\n".repeat(breaks)),
        );
    }

    fn significant(&mut self, i: usize, stmt_start: bool) {
        let tok = self.toks[i];
        let text = tok.text(self.src);
        match tok.kind {
            Kind::Name => {
                let word = canonical(text);
                if word == "native" && self.native_call(i) {
                    return;
                }
                if word != text {
                    self.replace(tok.start, tok.end, word);
                }
                if word == "print" && stmt_start {
                    self.print_statement(i);
                }
            }
            Kind::Number => match python_number(text) {
                Ok(Some(python)) => self.replace(tok.start, tok.end, python),
                Ok(None) => {}
                Err(help) => self.error(tok.start, tok.end, "invalid octal literal", help),
            },
            Kind::EpyString if text.contains('\\') => {
                self.replace(tok.start, tok.end, text.replace('\\', "\\\\"));
            }
            Kind::Op => match text {
                "<>" => self.replace(tok.start, tok.end, "!="),
                "^" => self.replace(tok.start, tok.end, "**"),
                "^=" => self.replace(tok.start, tok.end, "**="),
                "!" => {
                    let glued = self.src[..tok.start]
                        .chars()
                        .next_back()
                        .is_some_and(is_ident_char);
                    self.replace(tok.start, tok.end, if glued { " not " } else { "not " });
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// `native f(...)` -> `__native__f(...)`. Returns false (nothing done) when `native` is not
    /// directly followed by a plain name on the same line.
    fn native_call(&mut self, i: usize) -> bool {
        let tok = self.toks[i];
        let Some(next) = self.toks.get(i + 1).copied() else {
            return false;
        };
        let gap = &self.src[tok.end..next.start];
        let name = next.text(self.src);
        let plain_name = next.kind == Kind::Name
            && canonical(name) == name
            && !CASE_INSENSITIVE_KEYWORDS.contains(&name)
            && !PYTHON_KEYWORDS.contains(&name);
        if !plain_name || gap.is_empty() || !gap.chars().all(|c| c == ' ' || c == '\t') {
            return false;
        }
        self.replace(tok.start, next.start, NATIVE_PREFIX);
        true
    }

    /// `print e` -> `print (e)`, up to the end of the simple statement. `print(e)` (one
    /// parenthesised expression) is already a call and stays.
    fn print_statement(&mut self, i: usize) {
        let mut first = None;
        for (j, t) in self.toks.iter().enumerate().skip(i + 1) {
            if t.kind == (Kind::Newline { logical: true }) {
                return;
            }
            if t.is_significant() {
                first = Some(j);
                break;
            }
        }
        let Some(first) = first else { return };
        if !self.starts_expression(self.toks[first]) {
            return;
        }
        let depth = self.toks[i].depth;
        let mut last = first;
        for (j, t) in self.toks.iter().enumerate().skip(first) {
            let ends = t.kind == (Kind::Newline { logical: true })
                || (t.depth == depth && t.kind == Kind::Op && t.text(self.src) == ";");
            if ends {
                break;
            }
            if t.is_significant() {
                last = j;
            }
        }
        let open = self.toks[first];
        if open.text(self.src) == "(" && self.matching_close(first) == Some(last) {
            return;
        }
        let close_at = self.toks[last].end;
        self.replace(open.start, open.start, "(");
        self.replace(close_at, close_at, ")");
    }

    fn matching_close(&self, open: usize) -> Option<usize> {
        let inner = self.toks[open].depth + 1;
        self.toks
            .iter()
            .enumerate()
            .skip(open + 1)
            .find(|(_, t)| {
                t.depth == inner
                    && t.kind == Kind::Op
                    && matches!(t.text(self.src), ")" | "]" | "}")
            })
            .map(|(j, _)| j)
    }

    fn starts_expression(&self, tok: Tok) -> bool {
        let text = tok.text(self.src);
        match tok.kind {
            Kind::Name => {
                let word = canonical(text);
                !PYTHON_KEYWORDS.contains(&word) || EXPRESSION_KEYWORDS.contains(&word)
            }
            Kind::Number | Kind::EpyString | Kind::PyString => true,
            Kind::Op => matches!(text, "(" | "[" | "{" | "-" | "+" | "~" | "!" | "..."),
            _ => false,
        }
    }
}

/// Applies the planned edits (sorted by position; insertions before a replacement at the same
/// place) and records them for the offset map.
fn apply(src: &str, mut planned: Vec<Planned>) -> Rewritten {
    planned.sort_by_key(|p| (p.start, p.end));
    let mut text = String::with_capacity(src.len() + src.len() / 16);
    let mut edits = Vec::with_capacity(planned.len());
    let mut cursor = 0;
    for p in planned {
        if p.start < cursor {
            // Overlapping plans cannot arise from `plan`; keep the first rather than corrupt.
            continue;
        }
        text.push_str(&src[cursor..p.start]);
        let new_start = text.len() as u32;
        text.push_str(&p.text);
        edits.push(Edit {
            orig_start: p.start as u32,
            orig_end: p.end as u32,
            new_start,
            new_end: text.len() as u32,
        });
        cursor = p.end;
    }
    text.push_str(&src[cursor..]);
    Rewritten {
        text,
        map: OffsetMap::new(edits),
    }
}
