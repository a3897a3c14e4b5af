//! `epyc build FILE.py [-o FILE.elf] [-s] [--explain]`: a loadable Epiphany image.
//! `--explain` first lists every specialisation, native or dynamic and why, and the functions
//! that fall back to byte code (as `epyc check`). A program with dynamic code is written as
//! the mixed image `epyc run -d N` runs (`device_mixed`): byte code under the device
//! interpreter, calling native code for every specialisation it can; a warning names each
//! function that falls back and a note each specialisation that stays native, and `--strict`
//! refuses instead. `--interp` writes the whole program as byte code with the device
//! interpreter.

use crate::cli::BuildArgs;
use crate::{device, device_interp, device_mixed, exit, fallback, frontend};
use epyc_sema::Checked;
use epyc_syntax::ParsedProgram;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn main(args: &BuildArgs) -> u8 {
    if args.interp {
        return build_interp(args);
    }
    let started = Instant::now();
    let parsed = match frontend::parse(&args.file) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let checked = epyc_sema::check(&parsed);
    let dynamic = fallback::falling_back(&parsed, &checked);
    if args.explain {
        print!("{}", checked.report);
        print!("{}", fallback::explain(&dynamic, &checked));
        if !dynamic.is_empty() {
            print!("{}", crate::mixed::explain(&parsed, &checked));
        }
    }
    if !dynamic.is_empty() {
        // Never silent: each function that falls back is named, with every cause's line.
        fallback::report(&parsed, &checked, &dynamic, args.strict);
        if args.strict {
            eprintln!("error: --strict: dynamic code does not fall back to byte code");
            return exit::COMPILE_ERROR;
        }
        return build_mixed(args, &parsed, &checked, started);
    }
    let compiled = match frontend::finish(&parsed, checked) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let built = match device::build(&compiled, args.placement.placement()) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let output = output_path(args);
    if let Err(status) = write(&output, &built.elf) {
        return status;
    }
    if args.stats {
        eprintln!("{}", built.usage);
        eprintln!(
            "epyc: wrote {} ({} bytes) in {:.1} ms",
            output.display(),
            built.elf.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    exit::OK
}

/// `-o FILE.elf`, else the program's path with `.elf`.
fn output_path(args: &BuildArgs) -> PathBuf {
    args.output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("elf"))
}

/// Writes an ELF the image writer made (its failure is a bug in epyc) to the output path;
/// returns the path and the bytes.
fn write_elf(args: &BuildArgs, elf: anyhow::Result<Vec<u8>>) -> Result<(PathBuf, Vec<u8>), u8> {
    let elf = elf.map_err(|e| {
        eprintln!("error: internal compiler error (a bug in epyc) while writing the ELF: {e:#}");
        exit::COMPILE_ERROR
    })?;
    let output = output_path(args);
    write(&output, &elf)?;
    Ok((output, elf))
}

fn write(output: &Path, elf: &[u8]) -> Result<(), u8> {
    std::fs::write(output, elf).map_err(|e| {
        eprintln!("error: cannot write '{}': {e}", output.display());
        exit::USAGE
    })
}

/// A program with dynamic code: its mixed image (byte code, the device interpreter and the
/// native code byte code calls), or wholly byte code when that does not fit (with a warning).
fn build_mixed(
    args: &BuildArgs,
    parsed: &ParsedProgram,
    checked: &Checked,
    started: Instant,
) -> u8 {
    if args.placement.code_shared || args.placement.data_shared {
        eprintln!(
            "error: -codeshared/-datashared are not supported for programs that fall back to \
             byte code yet (the device interpreter's image is local)"
        );
        return exit::USAGE;
    }
    let module = match device_interp::compile(parsed) {
        Ok(m) => m,
        Err(failure) => return failure.report(),
    };
    let built = match device_mixed::build_or_byte_code(checked, &module, false) {
        Ok(b) => b,
        Err(status) => return status,
    };
    device_mixed::announce(&built);
    let files: Vec<String> = parsed.files.iter().map(|f| f.path.clone()).collect();
    let (output, elf) = match write_elf(args, built.elf(&files)) {
        Ok(written) => written,
        Err(status) => return status,
    };
    if args.stats {
        eprintln!(
            "epyc: wrote {} ({} bytes) in {:.1} ms: the device interpreter with {} bytes of \
             byte code and {} native specialisation{}, image ends at {:#06x} of a core's 32 KB",
            output.display(),
            elf.len(),
            started.elapsed().as_secs_f64() * 1e3,
            built.module_bytes,
            built.native.len(),
            if built.native.len() == 1 { "" } else { "s" },
            built.image.end
        );
    }
    exit::OK
}

/// `epyc build --interp`: the whole program as byte code linked with the device interpreter,
/// the image `epyc run --interp -d N` runs, as an ELF `epyc sim` runs.
fn build_interp(args: &BuildArgs) -> u8 {
    // Never ignore a flag silently: the interpreter's image has no shared-memory placement.
    if args.placement.code_shared || args.placement.data_shared {
        eprintln!(
            "error: -codeshared/-datashared are not supported by the device byte-code \
             interpreter yet (they apply to compiled programs)"
        );
        return exit::USAGE;
    }
    let built = match device_interp::build(&args.file) {
        Ok(b) => b,
        Err(failure) => return failure.report(),
    };
    for w in &built.warnings {
        eprintln!("{w}");
    }
    let (output, elf) = match write_elf(args, built.elf()) {
        Ok(written) => written,
        Err(status) => return status,
    };
    if args.stats {
        eprintln!(
            "epyc: wrote {} ({} bytes): the device interpreter with {} bytes of byte code, \
             image ends at {:#06x} of a core's 32 KB",
            output.display(),
            elf.len(),
            built.module_bytes,
            built.image.end
        );
    }
    exit::OK
}
