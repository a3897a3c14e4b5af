//! Mixed programs on host cores (issue 6): a program that falls back to byte code still runs
//! natively every specialisation byte code can call with scalar arguments and that touches
//! nothing the byte-code world owns (`epyc_host::exports`). The host interpreter runs those
//! calls natively when the arguments' tags match (boxing and unboxing at the boundary) and
//! interprets every other call. `EPYC_MIXED_STATS=1` prints how many calls ran natively.
//!
//! On device cores `device_mixed` links the same specialisations into the device
//! interpreter's image (and counts the calls there for `EPYC_MIXED_STATS=1`).
//!
//! Limits: only byte code calls native code, not the other way round; lists and function values do
//! not cross the boundary (scalars and strings do); a function that reads or writes module variables, uses
//! messages or the random generator, or calls a dynamic function stays byte code.

use crate::cli::RunArgs;
use crate::exit;
use epyc_sema::{BoundaryArg, Checked};
use epyc_syntax::ParsedProgram;
use epyc_tir::FuncId;

/// A specialisation byte code calls natively.
pub struct Planned {
    pub tir: FuncId,
    /// Index of the byte-code function it stands for.
    pub bytecode: usize,
    pub args: Vec<BoundaryArg>,
    /// `name(int, float) -> int`, as `epyc check` shows it.
    pub signature: String,
}

/// The specialisations of `checked` (a program that falls back) that byte code `module` can
/// call natively.
pub fn plan(checked: &Checked, module: &epyc_bytecode::Module) -> Vec<Planned> {
    plan_with(checked, module, false)
}

/// The byte-code function of the same name and file as `f` with `nparams` parameters,
/// when exactly one.
fn twin(module: &epyc_bytecode::Module, f: &epyc_tir::Function, nparams: usize) -> Option<usize> {
    let mut same = module.funcs.iter().enumerate().filter(|(_, b)| {
        b.name == f.name && b.file as u32 == f.pos.file && b.nparams as usize == nparams
    });
    match (same.next(), same.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// What native function `root` reaches, native and byte code, when it may call byte code
/// (see `epyc_host::exports::closure_calling`) and every byte-code callee has a twin.
fn byte_code_callees(
    checked: &Checked,
    module: &epyc_bytecode::Module,
    root: FuncId,
) -> Option<epyc_host::exports::Reach> {
    let partial = checked.partial.as_ref()?;
    let prog = &partial.program;
    let native: Vec<bool> = checked.report.specs.iter().map(|s| s.is_native()).collect();
    let reach =
        epyc_host::exports::closure_calling(prog, &native, &partial.byte_code_callable, root)?;
    let all_have_twins = reach
        .byte_code
        .iter()
        .all(|&g| twin(module, prog.func(g), prog.func(g).params.len()).is_some());
    all_have_twins.then_some(reach)
}

/// As [`plan`]; with `calling` (host cores), native code may also call byte code (see the
/// module docs).
pub fn plan_with(checked: &Checked, module: &epyc_bytecode::Module, calling: bool) -> Vec<Planned> {
    let Some(partial) = &checked.partial else {
        return Vec::new();
    };
    let prog = &partial.program;
    let native: Vec<bool> = checked.report.specs.iter().map(|s| s.is_native()).collect();
    if native.len() != prog.funcs.len() {
        return Vec::new();
    }
    let mut bytecode_of = Vec::new();
    let mut candidates = Vec::new();
    for (k, f) in prog.funcs.iter().enumerate() {
        let Some(Some(args)) = partial.boundary.get(k) else {
            continue;
        };
        // The byte-code function of the same name and file, when exactly one.
        let mut same = module.funcs.iter().enumerate().filter(|(_, b)| {
            b.name == f.name && b.file as u32 == f.pos.file && b.nparams as usize == args.len()
        });
        if let (Some((i, _)), None) = (same.next(), same.next()) {
            candidates.push(FuncId(k as u32));
            bytecode_of.push((FuncId(k as u32), i, args.clone()));
        }
    }
    let mut exported = epyc_host::exports::exportable(prog, &native, &candidates);
    if calling {
        for &f in &candidates {
            let func = prog.func(f);
            let scalar = epyc_host::exports::is_boundary_type(&func.ret)
                && func
                    .params
                    .iter()
                    .all(|p| epyc_host::exports::is_boundary_type(&func.locals[p.index()].ty));
            if f != prog.main
                && scalar
                && !exported.contains(&f)
                && byte_code_callees(checked, module, f).is_some()
            {
                exported.push(f);
            }
        }
    }
    bytecode_of
        .into_iter()
        .filter(|(f, _, _)| exported.contains(f))
        .map(|(tir, bytecode, args)| {
            let s = &checked.report.specs[tir.index()];
            Planned {
                tir,
                bytecode,
                args,
                signature: format!("{}({}) -> {}", s.name, s.params.join(", "), s.ret),
            }
        })
        .collect()
}

/// `epyc check` / `epyc build --explain`: the specialisations that stay native when the
/// program falls back (nothing when none do).
pub fn explain(parsed: &ParsedProgram, checked: &Checked) -> String {
    let Ok(module) = epyc_bytecode::compile_program(parsed) else {
        return String::new();
    };
    let planned = plan(checked, &module);
    let mut shown = Vec::new();
    for p in &planned {
        if !shown.contains(&p.signature) {
            shown.push(p.signature.clone());
        }
    }
    // On host cores, also those that call byte code where they discard its result.
    let mut host_only = Vec::new();
    for p in plan_with(checked, &module, true) {
        if !shown.contains(&p.signature) && !host_only.contains(&p.signature) {
            host_only.push(p.signature);
        }
    }
    let mut text = String::new();
    if !shown.is_empty() {
        text = format!(
            "{} specialisation{} stay{} native (byte code calls {}):\n",
            shown.len(),
            if shown.len() == 1 { "" } else { "s" },
            if shown.len() == 1 { "s" } else { "" },
            if shown.len() == 1 { "it" } else { "them" },
        );
        for s in shown {
            text.push_str(&format!("  {s}\n"));
        }
    }
    if !host_only.is_empty() {
        text.push_str(&format!(
            "on host cores, {} more stay{} native (calling byte code where {} discard{} its result):\n",
            host_only.len(),
            if host_only.len() == 1 { "s" } else { "" },
            if host_only.len() == 1 { "it" } else { "they" },
            if host_only.len() == 1 { "s" } else { "" },
        ));
        for s in host_only {
            text.push_str(&format!("  {s}\n"));
        }
    }
    text
}

/// Compiles the planned specialisations (which may call byte code) and the interpreter's
/// table of them (the native code lives as long as the `NativeExports`).
pub(crate) fn compile(
    checked: &Checked,
    module: &epyc_bytecode::Module,
    planned: &[Planned],
) -> anyhow::Result<(epyc_host::NativeExports, epyc_interp::Natives)> {
    let partial = checked
        .partial
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no typed program to compile"))?;
    let prog = &partial.program;
    let native: Vec<bool> = checked.report.specs.iter().map(|s| s.is_native()).collect();
    let mut keep: Vec<FuncId> = Vec::new();
    let mut stubs: Vec<(FuncId, u32)> = Vec::new();
    for p in planned {
        if let Some(reached) = epyc_host::exports::closure(prog, &native, p.tir) {
            keep.extend(reached);
            continue;
        }
        let reach = byte_code_callees(checked, module, p.tir)
            .ok_or_else(|| anyhow::anyhow!("{} is not self-contained", p.signature))?;
        keep.extend(reach.native);
        for g in reach.byte_code {
            let f = prog.func(g);
            let index = twin(module, f, f.params.len())
                .ok_or_else(|| anyhow::anyhow!("{} has no byte code", f.symbol))?;
            if !stubs.iter().any(|(s, _)| *s == g) {
                stubs.push((g, index as u32));
            }
        }
    }
    let byte_code: Vec<FuncId> = stubs.iter().map(|(g, _)| *g).collect();
    let sub = epyc_host::exports::sub_program_calling(prog, &keep, &byte_code);
    let roots: Vec<FuncId> = planned.iter().map(|p| p.tir).collect();
    let mut symbols = epyc_rt_host::symbols();
    symbols.extend(epyc_interp::symbols());
    let exports = epyc_host::compile_exports_calling(&sub, &roots, &stubs, &symbols)?;
    let fns = planned
        .iter()
        .zip(&exports.exports)
        .map(|(p, e)| epyc_interp::NativeFn {
            func: p.bytecode,
            args: p.args.iter().map(|&a| arg_kind(a)).collect(),
            code: e.code,
        })
        .collect();
    let natives = epyc_interp::Natives {
        fns,
        globals_size: exports.globals_size,
    };
    Ok((exports, natives))
}

fn arg_kind(a: BoundaryArg) -> epyc_interp::ArgKind {
    use epyc_interp::ArgKind;
    match a {
        BoundaryArg::None => ArgKind::None,
        BoundaryArg::Bool => ArgKind::Bool,
        BoundaryArg::Int => ArgKind::Int,
        BoundaryArg::IntNonNeg => ArgKind::IntNonNeg,
        BoundaryArg::Float => ArgKind::Float,
        BoundaryArg::Str => ArgKind::Str,
    }
}

/// Runs a program that falls back on `-h N` host cores: byte code, calling native code for
/// the planned specialisations. Says per function which stay native.
pub fn run(args: &RunArgs, parsed: &ParsedProgram, checked: &Checked) -> u8 {
    let module = match epyc_bytecode::compile_program(parsed) {
        Ok(m) => m,
        // `fallback::falling_back` compiled it already.
        Err(e) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc): {}",
                e.message
            );
            return exit::COMPILE_ERROR;
        }
    };
    let planned = plan_with(checked, &module, true);
    let compiled = match compile(checked, &module, &planned) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!(
                "warning: native code for byte code's calls could not be built ({e:#}); the \
                 whole program runs as byte code"
            );
            None
        }
    };
    let natives = compiled
        .as_ref()
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let mut shown: Vec<&str> = Vec::new();
    if !natives.fns.is_empty() {
        for p in &planned {
            if !shown.contains(&p.signature.as_str()) {
                shown.push(&p.signature);
                eprintln!("note: {} stays native (byte code calls it)", p.signature);
            }
        }
        eprintln!("warning: every other function runs as byte code");
    } else if compiled.is_some() {
        eprintln!(
            "warning: the whole program runs as byte code (no function byte code calls can \
             run natively)"
        );
    }
    let Some(host_cores) = args.host_cores.filter(|&h| (1..=1024).contains(&h)) else {
        eprintln!("error: host cores: use `-h N` (1 to 1024)");
        return exit::USAGE;
    };
    let files = parsed.files.iter().map(|f| f.path.clone()).collect();
    let config = epyc_rt_host::RunConfig {
        cores: host_cores,
        first_core: 0,
        timing: args.timing,
    };
    let io = std::sync::Arc::new(epyc_rt_host::StdIo);
    let status = match epyc_interp::run_mixed(module, &natives, files, &config, io) {
        Ok(status) => status.clamp(0, 255) as u8,
        Err(e) => {
            eprintln!("error: internal compiler error (a bug in epyc): {e}");
            exit::COMPILE_ERROR
        }
    };
    if std::env::var_os("EPYC_MIXED_STATS").is_some() {
        eprintln!(
            "mixed: {} calls ran native code",
            epyc_interp::native_calls()
        );
        eprintln!(
            "mixed: {} calls from native code ran byte code",
            epyc_interp::byte_code_calls()
        );
    }
    // The native code lives until here: the run is over.
    drop(compiled);
    status
}
