//! Mixed programs on simulated device cores (issue 6): a program that falls back to byte code
//! runs as byte code under the device interpreter, and every specialisation byte code can
//! call natively (`mixed::plan`, the same as on host cores) is compiled by the Epiphany
//! backend and linked into the same image. Each byte-code call of such a function becomes
//! `CallNative` (same length, patched in place); the interpreter runs the native code when
//! the arguments' tags fit a specialisation and interprets the byte-code function otherwise
//! (`rt/device/src/interp/native_call.rs`).
//!
//! Beyond the host's limits: the image, interpreter and native code together, must fit a
//! core's local memory (else a warning says so and the program runs wholly as byte code).

use crate::cli::RunArgs;
use crate::mixed::Planned;
use crate::{device, exit};
use epyc_bytecode::format::{Module, Native, Op, NO_RET};
use epyc_rt_abi::Tag;
use epyc_rt_device::interp::native_call::{self, Fallback, NativeEntry};
use epyc_rt_device::link::Image;
use epyc_rt_device::monitor::{self, Device};
use epyc_rt_device::sim_device::SimDevice;
use epyc_sema::{BoundaryArg, Checked};
use epyc_syntax::ParsedProgram;
use epyc_tir::{Program, Ty};

/// A mixed image and what the run reports about it.
pub struct MixedImage {
    pub image: Image,
    /// `name(int) -> int` of each specialisation that stays native, each once.
    pub native: Vec<String>,
    /// Bytes of the module's device form (the data object `interp::MODULE_SYMBOL`).
    pub module_bytes: u32,
    /// Bytes of a core's globals block: the module variables, then the native code's.
    pub globals_size: u32,
    /// The native code's constants: (symbol, bytes), data objects of the ELF.
    pub native_data: Vec<(String, u32)>,
}

impl MixedImage {
    /// The image wholly as byte code (no native function), linked with the device
    /// interpreter: the module in local memory when it fits, else in shared DRAM (with
    /// ePython's warning, printed here).
    fn byte_code(module: &Module) -> anyhow::Result<MixedImage> {
        use epyc_rt_device::interp::{layout, placement};
        let (image, warning) = placement::build_image_placed(module, false)?;
        if let Some(warning) = warning {
            eprintln!("{warning}");
        }
        // In shared DRAM, the local object is the module's header.
        let module_bytes = if image.symbols.contains_key(placement::SHARED_MODULE_SYMBOL) {
            layout::HEADER_BYTES as u32
        } else {
            module_bytes(module)?
        };
        Ok(MixedImage {
            image,
            native: Vec::new(),
            module_bytes,
            globals_size: epyc_rt_device::interp::globals_size(module),
            native_data: Vec::new(),
        })
    }

    /// The image as a loadable ELF file (`epyc build`; `epyc sim` runs it under the device
    /// monitor); `files` are the program's source paths.
    pub fn elf(&self, files: &[String]) -> anyhow::Result<Vec<u8>> {
        let extra: Vec<epyc_image::elf::DataObject> = self
            .native_data
            .iter()
            .map(|(symbol, size)| epyc_image::elf::DataObject {
                symbol,
                size: *size,
                writable: false,
            })
            .collect();
        crate::device_interp::byte_code_elf(
            &self.image,
            self.module_bytes,
            self.globals_size,
            &extra,
            files,
        )
    }
}

fn module_bytes(module: &Module) -> anyhow::Result<u32> {
    Ok(epyc_rt_device::interp::module_section(module)?.data.len() as u32)
}

fn kind(a: BoundaryArg) -> u8 {
    match a {
        BoundaryArg::None => Tag::None as u8,
        BoundaryArg::Bool => Tag::Bool as u8,
        BoundaryArg::Int => Tag::Int as u8,
        BoundaryArg::IntNonNeg => native_call::KIND_INT_NON_NEG,
        BoundaryArg::Float => Tag::Float as u8,
        BoundaryArg::Str => Tag::Str as u8,
    }
}

fn ret_tag(ty: &Ty) -> anyhow::Result<Tag> {
    epyc_host::tag_of(ty).ok_or_else(|| anyhow::anyhow!("a native result of type {ty:?}"))
}

/// The byte-code module with its native functions and calls rewritten, and the table
/// entries describing them: the specialisations of one byte-code function are tried in
/// plan order, then the byte-code function itself.
fn natives_of(
    module: &mut Module,
    prog: &Program,
    planned: &[&Planned],
) -> anyhow::Result<Vec<NativeEntry>> {
    let mut entries = Vec::new();
    // Byte-code function -> its first native.
    let mut first: Vec<Option<u16>> = vec![None; module.funcs.len()];
    let mut funcs: Vec<usize> = planned.iter().map(|p| p.bytecode).collect();
    funcs.sort_unstable();
    funcs.dedup();
    for f in funcs {
        let group: Vec<&&Planned> = planned.iter().filter(|p| p.bytecode == f).collect();
        first[f] = Some(entries.len() as u16);
        for (i, p) in group.iter().enumerate() {
            let tir = prog.func(p.tir);
            let ret = ret_tag(&tir.ret)?;
            let symbol = epyc_image::compile::function_symbol(prog, p.tir);
            let fallback = if i + 1 < group.len() {
                Fallback::Native(entries.len() as u16 + 1)
            } else {
                Fallback::ByteCode(f as u16)
            };
            module.natives.push(Native {
                symbol: symbol.clone(),
                params: p
                    .args
                    .iter()
                    .map(|&a| match a {
                        BoundaryArg::IntNonNeg => Tag::Int as u8,
                        a => kind(a),
                    })
                    .collect(),
                ret: if ret == Tag::None { NO_RET } else { ret as u8 },
            });
            entries.push(NativeEntry {
                symbol,
                kinds: p.args.iter().map(|&a| kind(a)).collect(),
                ret,
                fallback,
                pos: epyc_rt_abi::pos::encode(tir.pos.file, tir.pos.line) as u32,
            });
        }
    }
    if entries.len() > native_call::CALL_NATIVE_BIT as usize {
        anyhow::bail!("{} native functions (at most 32768)", entries.len());
    }
    for func in &mut module.funcs {
        let ops = func
            .ops()
            .map_err(|e| anyhow::anyhow!("function `{}`: {e:?}", func.name))?;
        for (at, op) in ops {
            if let Op::Call { func: callee, argc } = op {
                if let Some(native) = first.get(callee as usize).copied().flatten() {
                    let mut bytes = Vec::new();
                    Op::CallNative { native, argc }.encode(&mut bytes);
                    debug_assert_eq!(bytes.len(), 4, "Call and CallNative have one length");
                    func.code[at..at + bytes.len()].copy_from_slice(&bytes);
                }
            }
        }
    }
    Ok(entries)
}

/// Builds the mixed image of `module` (the program's byte code) with the native functions
/// `checked` allows; with `count_calls` the image counts its native calls
/// ([`native_calls`]).
pub fn build(
    checked: &Checked,
    mut module: Module,
    count_calls: bool,
) -> anyhow::Result<MixedImage> {
    let planned = crate::mixed::plan(checked, &module);
    let planned: Vec<&Planned> = planned.iter().collect();
    let mut native: Vec<String> = Vec::new();
    for p in &planned {
        if !native.contains(&p.signature) {
            native.push(p.signature.clone());
        }
    }
    if planned.is_empty() {
        return MixedImage::byte_code(&module);
    }
    let partial = checked
        .partial
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no typed program to compile"))?;
    let prog = &partial.program;
    let is_native: Vec<bool> = checked.report.specs.iter().map(|s| s.is_native()).collect();
    let mut keep = Vec::new();
    for p in &planned {
        keep.extend(
            epyc_host::exports::closure(prog, &is_native, p.tir)
                .ok_or_else(|| anyhow::anyhow!("{} is not self-contained", p.signature))?,
        );
    }
    let sub = epyc_host::exports::sub_program(prog, &keep);
    let roots: Vec<_> = planned.iter().map(|p| p.tir).collect();
    let code = epyc_image::compile::compile_functions(
        &sub,
        &roots,
        &epyc_image::Options::default().codegen,
    )?;
    let entries = natives_of(&mut module, &sub, &planned)?;
    let native_data = code
        .data
        .iter()
        .map(|d| (d.symbol.clone(), d.size))
        .collect();
    let image = epyc_rt_device::interp::build_mixed_image(
        &module,
        &entries,
        code.sections,
        code.globals_size,
        count_calls,
    )?;
    Ok(MixedImage {
        image,
        native,
        module_bytes: module_bytes(&module)?,
        globals_size: epyc_rt_device::interp::globals_size(&module) + code.globals_size,
        native_data,
    })
}

/// [`build`], or when the mixed image cannot be built (it does not fit a core's memory, or
/// the native code cannot be generated) the program wholly as byte code, with a warning
/// saying why. `Err` holds the exit status when the device interpreter cannot take the
/// program at all (said first).
pub fn build_or_byte_code(
    checked: &Checked,
    module: &Module,
    count_calls: bool,
) -> Result<MixedImage, u8> {
    let e = match build(checked, module.clone(), count_calls) {
        Ok(built) => return Ok(built),
        Err(e) => e,
    };
    let why = format!("{e:#}");
    let what = if why.contains("past the local heap limit") {
        "the mixed image (device interpreter, byte code and native code) does not fit a \
         core's 32 KB local memory"
    } else {
        "native code for byte code's calls could not be built"
    };
    eprintln!("warning: {what} ({why}); the whole program runs as byte code");
    MixedImage::byte_code(module).map_err(|e| {
        eprintln!("error: the device byte-code interpreter cannot run this program: {e:#}");
        exit::COMPILE_ERROR
    })
}

/// Says which specialisations of `built` stay native (a note each), and that every other
/// function runs as byte code.
pub fn announce(built: &MixedImage) {
    if built.native.is_empty() {
        eprintln!(
            "warning: the whole program runs as byte code (no function byte code calls can \
             run natively)"
        );
    } else {
        for s in &built.native {
            eprintln!("note: {s} stays native (byte code calls it)");
        }
        eprintln!("warning: every other function runs as byte code");
    }
}

/// Runs a program that falls back on `cores` simulated device cores: byte code calling
/// native code where it can (a note names each such specialisation), else wholly byte code.
pub fn run(args: &RunArgs, cores: u32, parsed: &ParsedProgram, checked: &Checked) -> u8 {
    let max = epyc_rt_device::memmap::MAX_CORES;
    if cores == 0 || cores > max {
        eprintln!("error: -d takes a number of device cores from 1 to {max}");
        return exit::USAGE;
    }
    if args.placement.code_shared || args.placement.data_shared {
        eprintln!(
            "error: -codeshared/-datashared are not supported for programs that fall back to \
             byte code on device cores yet (the device interpreter's image is local)"
        );
        return exit::USAGE;
    }
    let module = match epyc_bytecode::compile_program(parsed) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "error: internal compiler error (a bug in epyc): {}",
                e.message
            );
            return exit::COMPILE_ERROR;
        }
    };
    let stats = std::env::var_os("EPYC_MIXED_STATS").is_some();
    let built = match build_or_byte_code(checked, &module, stats) {
        Ok(b) => b,
        Err(status) => return status,
    };
    announce(&built);
    let files: Vec<String> = parsed.files.iter().map(|f| f.path.clone()).collect();
    let (rows, cols) = device::workgroup_shape(cores);
    let mut dev = match SimDevice::new(rows, cols) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::USAGE;
        }
    };
    if let Err(e) = dev.load(&built.image) {
        eprintln!("error: loading the image: {e:#}");
        return exit::RUNTIME_ERROR;
    }
    let cfg = monitor::MonitorConfig {
        files,
        ..Default::default()
    };
    let report = monitor::run_report(&mut dev, &epyc_rt_host::StdIo, &cfg);
    let status = device::finish(report, args.timing);
    if stats {
        match native_calls(&dev, &built.image) {
            Some(n) => eprintln!("mixed: {n} calls ran native code"),
            None => eprintln!("mixed: 0 calls ran native code (none linked)"),
        }
    }
    status
}

/// The native calls all cores of `dev` made, from each core's counter in an image built to
/// count them (`None` when the image has none: no native functions).
pub fn native_calls(dev: &SimDevice, image: &Image) -> Option<u64> {
    let symbol = format!("_{}", native_call::CALLS_SYMBOL);
    let addr = *image.symbols.get(&symbol)?;
    let mut total = 0;
    for core in 0..dev.cores() {
        let mut word = [0u8; 4];
        dev.read_core(core, addr, &mut word).ok()?;
        total += u32::from_le_bytes(word) as u64;
    }
    Some(total)
}
