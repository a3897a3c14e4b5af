//! The dialect pass: ePython source text -> Python 3 text that rustpython-parser accepts, with a
//! record of every edit ([`OffsetMap`]) so positions in the rewritten text map back exactly.
//!
//! The rewrites (all outside strings and comments, decided token by token):
//!
//! | ePython | Python 3 text |
//! |---|---|
//! | `print e` (statement; exactly one expression) | `print (e)`; `print(e)` is left as it is |
//! | `/* ... */` | removed; its line breaks kept (as `\`-continuations inside a statement) |
//! | keywords in any case: `PRINT`, `While`, `ELIF`, `From`, ... | lower case |
//! | `true`/`false`/`none` in any case | `True`/`False`/`None` |
//! | `a ^ b`, `a ^= b` (power) | `a ** b`, `a **= b` |
//! | `a <> b` | `a != b` |
//! | `!e` | `not e` |
//! | `native rtl_x(args)` | `__native__rtl_x(args)` (see [`NATIVE_PREFIX`]) |
//! | `017` (C octal) | `0o17` |
//! | `10u`, `10l`, `10ul`, `10ll`, `0x1Fu` (C integer suffixes) | `10`, `0x1F` |
//! | `1.5f`, `1e3L` (C float suffixes) | `1.5`, `1e3` |
//! | `"a\tb"` (no escape processing in ePython) | `"a\\tb"` (the same characters in Python) |
//! | a tab in a line's indentation (ePython counts 4) | 4 spaces |
//!
//! Everything else passes through unchanged: single-quoted, triple-quoted and prefixed strings
//! are Python strings (deviation D22), and valid Python that ePython lacks (`break`, `-x`,
//! `global`, `a, b = ...`) stays valid Python. `exit()`, `quit()` and `@decorator` lines are
//! already Python syntax (their keywords are only normalised in case).

mod lexer;
mod numbers;
mod offset_map;
mod rewrite;

pub use offset_map::{Edit, OffsetMap};
pub use rewrite::{rewrite, DialectError, Rewritten};

/// `native f(args)` becomes a call of the name `__native__f`; the type checker recognises a
/// called name with this prefix as a direct runtime call of `f`.
pub const NATIVE_PREFIX: &str = "__native__";
