//! Shows what the dialect pass makes of an ePython file, then parses it:
//! `cargo run -p epyc-syntax --example dialect -- FILE.py`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dialect FILE.py");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    if let Ok(rewritten) = epyc_syntax::dialect::rewrite(&text) {
        print!("{}", rewritten.text);
    }
    let source = epyc_syntax::SourceFile::new(path, text);
    match epyc_syntax::parse_module(0, &source) {
        Ok(body) => {
            eprintln!("parsed: {} top-level statements", body.len());
            ExitCode::SUCCESS
        }
        Err(diags) => {
            eprint!("{}", epyc_syntax::render(&[source], &diags, false));
            ExitCode::from(1)
        }
    }
}
