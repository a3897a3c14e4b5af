//! The parser's result: every module of the program.

use crate::{ast, FileId, SourceFile};

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
