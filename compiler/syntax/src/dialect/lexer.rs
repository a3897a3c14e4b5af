//! A small lexer for ePython source text, just detailed enough for the dialect rewrite.
//!
//! It knows where strings, comments, numbers, names, operators and line ends are, and the bracket
//! depth (newlines inside brackets do not end a statement). It never fails: anything it does not
//! recognise becomes a one-character operator token, and the Python parser reports it later.
//! Intra-line whitespace produces no token; the leading whitespace of a physical line does
//! (`Indent`), because the rewrite expands tabs there.

/// What a token is. Byte ranges are in the [`Tok`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Leading spaces/tabs of a physical line.
    Indent,
    /// An identifier or keyword (any case).
    Name,
    /// A numeric literal, including any C suffix (`10u`, `1.5f`, `017`).
    Number,
    /// A double-quoted string with ePython meaning: no escapes, ends at the next `"`.
    EpyString,
    /// A Python string: single-quoted, triple-quoted or prefixed (`r"..."`); passed through.
    PyString,
    /// An operator or punctuation, e.g. `(`, `**=`, `<>`, `!`.
    Op,
    /// `# ...` up to (not including) the line end.
    LineComment,
    /// `/* ... */`; `terminated` is false when the file ended first.
    BlockComment { terminated: bool },
    /// A backslash directly followed by a line end (Python explicit line joining).
    Continuation,
    /// A line end; `logical` when it ends a statement (outside brackets).
    Newline { logical: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// Bracket depth before this token.
    pub depth: u32,
}

impl Tok {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Tokens that are part of a statement (not layout, not comments).
    pub fn is_significant(&self) -> bool {
        !matches!(
            self.kind,
            Kind::Indent
                | Kind::LineComment
                | Kind::BlockComment { .. }
                | Kind::Continuation
                | Kind::Newline { .. }
        )
    }
}

const THREE_CHAR_OPS: [&str; 5] = ["**=", "//=", ">>=", "<<=", "..."];
const TWO_CHAR_OPS: [&str; 20] = [
    "**", "//", "==", "!=", "<>", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
    "->", ":=", "<<", ">>",
];

pub fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

pub fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

pub fn tokenize(src: &str) -> Vec<Tok> {
    Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        depth: 0,
        toks: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    toks: Vec<Tok>,
}

impl Lexer<'_> {
    fn run(mut self) -> Vec<Tok> {
        let mut at_line_start = true;
        while self.pos < self.bytes.len() {
            if at_line_start {
                at_line_start = false;
                let start = self.pos;
                while matches!(self.peek(0), Some(b' ' | b'\t' | b'\x0c')) {
                    self.pos += 1;
                }
                if self.pos > start {
                    self.push(Kind::Indent, start);
                }
                continue;
            }
            let start = self.pos;
            let c = self.bytes[self.pos];
            match c {
                b'\n' | b'\r' => {
                    self.skip_line_end();
                    let logical = self.depth == 0;
                    self.push(Kind::Newline { logical }, start);
                    at_line_start = true;
                }
                b' ' | b'\t' | b'\x0c' => self.pos += 1,
                b'#' => {
                    while !matches!(self.peek(0), None | Some(b'\n' | b'\r')) {
                        self.pos += 1;
                    }
                    self.push(Kind::LineComment, start);
                }
                b'\\' if matches!(self.peek(1), Some(b'\n' | b'\r')) => {
                    self.pos += 1;
                    self.skip_line_end();
                    self.push(Kind::Continuation, start);
                }
                b'/' if self.peek(1) == Some(b'*') => {
                    let terminated = match self.src[start + 2..].find("*/") {
                        Some(i) => {
                            self.pos = start + 2 + i + 2;
                            true
                        }
                        None => {
                            self.pos = self.bytes.len();
                            false
                        }
                    };
                    self.push(Kind::BlockComment { terminated }, start);
                }
                b'"' | b'\'' => self.string(start, 0),
                b'0'..=b'9' => self.number(start),
                b'.' if matches!(self.peek(1), Some(b'0'..=b'9')) => self.number(start),
                _ => {
                    let ch = self.src[start..].chars().next().unwrap_or('\0');
                    if is_ident_start(ch) {
                        self.name_or_prefixed_string(start);
                    } else {
                        self.operator(start, ch);
                    }
                }
            }
        }
        self.toks
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: Kind, start: usize) {
        self.toks.push(Tok {
            kind,
            start,
            end: self.pos,
            depth: self.depth,
        });
    }

    /// Consumes `\n`, `\r\n` or `\r`.
    fn skip_line_end(&mut self) {
        if self.peek(0) == Some(b'\r') {
            self.pos += 1;
            if self.peek(0) == Some(b'\n') {
                self.pos += 1;
            }
        } else if self.peek(0) == Some(b'\n') {
            self.pos += 1;
        }
    }

    fn name_or_prefixed_string(&mut self, start: usize) {
        let rest = &self.src[start..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| !is_ident_char(c))
            .map_or(rest.len(), |(i, _)| i);
        let word = &rest[..end];
        let quote_follows = matches!(self.bytes.get(start + end), Some(b'"' | b'\''));
        if quote_follows && is_string_prefix(word) {
            self.string(start, end);
        } else {
            self.pos = start + end;
            self.push(Kind::Name, start);
        }
    }

    /// A string literal starting at `start`, whose quote is `prefix_len` bytes further.
    fn string(&mut self, start: usize, prefix_len: usize) {
        let quote_at = start + prefix_len;
        let q = self.bytes[quote_at];
        let triple =
            self.bytes.get(quote_at + 1) == Some(&q) && self.bytes.get(quote_at + 2) == Some(&q);
        if q == b'"' && prefix_len == 0 && !triple {
            // ePython: ends at the next `"`, backslashes are plain characters.
            self.pos = quote_at + 1;
            while !matches!(self.peek(0), None | Some(b'"' | b'\n' | b'\r')) {
                self.pos += 1;
            }
            if self.peek(0) == Some(b'"') {
                self.pos += 1;
            }
            self.push(Kind::EpyString, start);
            return;
        }
        // Python rules: a backslash always protects the next character, even in raw strings.
        self.pos = quote_at + if triple { 3 } else { 1 };
        loop {
            match self.peek(0) {
                None => break,
                Some(b'\\') => {
                    self.pos += 1;
                    if self.peek(0).is_some() {
                        self.pos += self.src[self.pos..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8);
                    }
                }
                Some(b'\n' | b'\r') if !triple => break,
                Some(c) if c == q => {
                    if !triple {
                        self.pos += 1;
                        break;
                    }
                    if self.peek(1) == Some(q) && self.peek(2) == Some(q) {
                        self.pos += 3;
                        break;
                    }
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.push(Kind::PyString, start);
    }

    fn number(&mut self, start: usize) {
        let is = |b: Option<u8>, f: fn(u8) -> bool| b.is_some_and(f);
        let digits = |lx: &mut Self, f: fn(u8) -> bool| {
            while is(lx.peek(0), f) || (lx.peek(0) == Some(b'_') && is(lx.peek(1), f)) {
                lx.pos += 1;
            }
        };
        self.pos = start;
        let radix_prefix = self.peek(0) == Some(b'0')
            && matches!(self.peek(1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B'));
        if radix_prefix {
            self.pos += 2;
            digits(self, |c| c.is_ascii_hexdigit());
        } else {
            digits(self, |c| c.is_ascii_digit());
            if self.peek(0) == Some(b'.') && self.peek(1) != Some(b'.') {
                self.pos += 1;
                digits(self, |c| c.is_ascii_digit());
            }
            let exp_digit = match self.peek(1) {
                Some(b'+' | b'-') => is(self.peek(2), |c| c.is_ascii_digit()),
                d => is(d, |c| c.is_ascii_digit()),
            };
            if matches!(self.peek(0), Some(b'e' | b'E')) && exp_digit {
                self.pos += 2;
                digits(self, |c| c.is_ascii_digit());
            }
        }
        // C suffixes (`u`, `l`, `ul`, `ll`, `f`, ...) and Python's imaginary `j`: letters directly
        // after the digits belong to the literal when no other identifier character follows.
        let suffix_start = self.pos;
        while matches!(
            self.peek(0),
            Some(b'u' | b'U' | b'l' | b'L' | b'f' | b'F' | b'j' | b'J')
        ) && self.pos - suffix_start < 3
        {
            self.pos += 1;
        }
        let next_is_ident = self.src[self.pos..]
            .chars()
            .next()
            .is_some_and(is_ident_char);
        if next_is_ident {
            self.pos = suffix_start;
        }
        self.push(Kind::Number, start);
    }

    fn operator(&mut self, start: usize, ch: char) {
        let rest = &self.src[start..];
        let len = THREE_CHAR_OPS
            .iter()
            .chain(TWO_CHAR_OPS.iter())
            .find(|op| rest.starts_with(*op))
            .map_or(ch.len_utf8(), |op| op.len());
        self.pos = start + len;
        self.push(Kind::Op, start);
        match ch {
            '(' | '[' | '{' => self.depth += 1,
            ')' | ']' | '}' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }
}

fn is_string_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn epython_string_ends_at_next_quote_and_ignores_backslashes() {
        let k = kinds(r#"x = "a\" + 'b\'c'"#);
        assert_eq!(k[2], (Kind::EpyString, r#""a\""#));
        assert_eq!(k[4], (Kind::PyString, r#"'b\'c'"#));
    }

    #[test]
    fn newline_inside_brackets_is_not_logical() {
        let k = kinds("f(1,\n2)\n");
        assert!(k.contains(&(Kind::Newline { logical: false }, "\n")));
        assert_eq!(k.last(), Some(&(Kind::Newline { logical: true }, "\n")));
    }

    #[test]
    fn numbers_keep_their_suffixes() {
        let k = kinds("1.5f 10ul 0x1F 017 1e-3 2.x");
        let nums: Vec<&str> = k
            .iter()
            .filter(|t| t.0 == Kind::Number)
            .map(|t| t.1)
            .collect();
        assert_eq!(nums, ["1.5f", "10ul", "0x1F", "017", "1e-3", "2."]);
    }

    #[test]
    fn operators_take_the_longest_match() {
        let k = kinds("a <> b ** c //= !x != y");
        let ops: Vec<&str> = k.iter().filter(|t| t.0 == Kind::Op).map(|t| t.1).collect();
        assert_eq!(ops, ["<>", "**", "//=", "!", "!="]);
    }
}
