//! Front end, first stage: ePython source text -> Python AST.
//!
//! * [`dialect`]: rewrites what Python 3's grammar lacks (print statement, `/* */` comments,
//!   `native f(...)`, `^` as power, `<>`, `!`, ...) into Python 3 text, recording every edit so
//!   positions map back to the original text exactly.
//! * [`parse`]: rustpython-parser on the rewritten text; AST ranges are mapped back to offsets
//!   into the *original* file.
//! * [`imports`]: `import M` / `from M import ...` load `M.py` from the program's directory and
//!   the library directory (`libs/`), each once, in first-import order.
//! * [`diagnostic`] and [`render`]: errors and warnings with file:line:col, the source line and a
//!   caret.
//!
//! The public contract used by `epyc-sema` is [`ParsedProgram`] and [`Diagnostic`].
//! `native f(args)` reaches the AST as a call of the name `__native__f` ([`NATIVE_PREFIX`]);
//! the `print e` statement as a call of the name `print`.

pub use rustpython_parser::ast;

pub mod diagnostic;
pub mod dialect;
pub mod imports;
mod library;
pub mod parse;
mod program;
pub mod render;
mod source;

pub use diagnostic::{Diagnostic, Severity};
pub use dialect::NATIVE_PREFIX;
pub use imports::{default_lib_dir, parse_program, parse_program_text, Failure};
pub use library::library_files;
pub use parse::parse_module;
pub use program::{ParsedModule, ParsedProgram};
pub use render::render;
pub use source::{FileId, SourceFile};
