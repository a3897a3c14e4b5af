//! Helpers shared by the integration tests.
#![allow(dead_code)]

use epyc_syntax::dialect::rewrite;
use epyc_syntax::{ast, parse_module, Diagnostic, SourceFile};
use std::path::PathBuf;

/// The shared reference material: `$EPYC_SHARED`, else `repo/../shared`, else `/work/shared`.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EPYC_SHARED") {
        return PathBuf::from(dir);
    }
    let beside_repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if beside_repo.is_dir() {
        return beside_repo;
    }
    PathBuf::from("/work/shared")
}

/// The Python text the dialect pass makes of `src` (panics on a dialect error).
pub fn python(src: &str) -> String {
    match rewrite(src) {
        Ok(r) => r.text,
        Err(e) => panic!("dialect error for {src:?}: {e:?}"),
    }
}

pub fn parse(src: &str) -> Result<Vec<ast::Stmt>, Vec<Diagnostic>> {
    parse_module(0, &SourceFile::new("test.py", src))
}

pub fn parse_ok(src: &str) -> Vec<ast::Stmt> {
    match parse(src) {
        Ok(body) => body,
        Err(d) => panic!("{src:?} should parse: {d:?}"),
    }
}
