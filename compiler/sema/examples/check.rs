//! `cargo run -p epyc-sema --example check -- FILE.py [--tir]`: what `epyc check` prints, and
//! optionally the TIR (debug form). Modules are searched in the repository's libs/ only.

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: check FILE.py [--tir]");
        std::process::exit(2);
    };
    let libs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../libs");
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1);
        }
    };
    let name = Path::new(file)
        .file_name()
        .map_or("main.py".into(), |n| n.to_os_string());
    let path = std::env::temp_dir().join("epyc_sema_check").join(name);
    let prog = match epyc_syntax::parse_program_text(&path, &text, &[libs]) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e:?}");
            std::process::exit(1);
        }
    };
    let c = epyc_sema::check(&prog);
    print!("{}", c.report);
    let diags: Vec<_> = c.errors.iter().chain(&c.warnings).cloned().collect();
    eprint!("{}", epyc_syntax::render(&prog.files, &diags, false));
    if args.iter().any(|a| a == "--tir") {
        if let Some(p) = &c.program {
            for (i, f) in p.funcs.iter().enumerate() {
                println!("== #{i} {} ({}) -> {}", f.symbol, f.params.len(), f.ret);
                for (j, l) in f.locals.iter().enumerate() {
                    println!("   local {j} {}: {}", l.name, l.ty);
                }
                for s in &f.body {
                    println!("   {s:?}");
                }
            }
            for (i, g) in p.globals.iter().enumerate() {
                println!("global {i} {}: {}", g.name, g.ty);
            }
        }
    }
    std::process::exit(if c.errors.is_empty() { 0 } else { 1 });
}
