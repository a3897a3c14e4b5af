//! cranelift-jit for the host ISA.

use anyhow::{anyhow, bail, Context as _, Result};
use cranelift_codegen::ir::{self, AbiParam, InstBuilder, UserExternalName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use epyc_lower::names::{self, ExternalRef};
use epyc_lower::{LoweredProgram, Target};
use epyc_rt_abi::RtFn;
use epyc_tir::Program;
use std::collections::HashMap;

/// Native code for a program, with what the runtime needs to run it.
pub struct CompiledProgram {
    /// Owns the code memory; `None` only while dropping.
    module: Option<JITModule>,
    entry: unsafe extern "C" fn(*mut u8),
    globals_size: usize,
    files: Vec<String>,
}

impl CompiledProgram {
    /// Runs the program's module code on the calling core with its globals base.
    pub fn entry(&self) -> unsafe extern "C" fn(*mut u8) {
        self.entry
    }
    /// Bytes of one core's globals block.
    pub fn globals_size(&self) -> usize {
        self.globals_size
    }
    pub fn files(&self) -> &[String] {
        &self.files
    }
}

impl Drop for CompiledProgram {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the code is only reachable through `entry`, which the owner promised
            // not to use after dropping this value.
            unsafe { m.free_memory() };
        }
    }
}

/// The symbol of the generated entry wrapper.
const ENTRY_SYMBOL: &str = "epyc$entry";

pub fn compile(prog: &Program, symbols: &[(&str, *const u8)]) -> Result<CompiledProgram> {
    let (mut module, lowered, target) = lower_and_link(prog, symbols, &[])?;
    let needed = lowered.reachable_from_main();
    let defined = define_funcs(&mut module, &lowered, &target, &needed).and_then(|funcs| {
        define_entry(
            &mut module,
            &mut Context::new(),
            funcs[lowered.main.index()],
            &target,
        )
    });
    match defined {
        Ok(entry_id) => {
            module
                .finalize_definitions()
                .map_err(|e| anyhow!("JIT: {e}"))?;
            let code = module.get_finalized_function(entry_id);
            // SAFETY: the entry wrapper was defined with signature (pointer) -> () in the
            // host's C calling convention.
            let entry =
                unsafe { std::mem::transmute::<*const u8, unsafe extern "C" fn(*mut u8)>(code) };
            Ok(CompiledProgram {
                module: Some(module),
                entry,
                globals_size: lowered.globals.size as usize,
                files: prog.files.clone(),
            })
        }
        Err(e) => {
            // SAFETY: nothing was handed out.
            unsafe { module.free_memory() };
            Err(e)
        }
    }
}

/// Lowers `prog` for the host ISA (with the mid-end's inlining) and makes a JIT module that
/// resolves the runtime functions it calls through `symbols`. The `out_of_line` functions
/// are never inlined (their lowered bodies are placeholders the caller replaces).
pub(crate) fn lower_and_link(
    prog: &Program,
    symbols: &[(&str, *const u8)],
    out_of_line: &[epyc_tir::FuncId],
) -> Result<(JITModule, LoweredProgram, Target)> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed")?;
    flags.set("is_pic", "false")?;
    // The verifier re-checks the CLIF after every pass; the lowering's tests verify it, so
    // release builds skip that cost (a few ms per program).
    flags.set(
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let isa_builder = cranelift_native::builder().map_err(|e| anyhow!("host ISA: {e}"))?;
    let isa = isa_builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| anyhow!("host ISA: {e}"))?;
    let target = Target::new(isa.pointer_type(), isa.default_call_conv());
    let mut lowered = epyc_lower::lower_program(prog, &target)?;
    for f in out_of_line {
        if let Some(r) = lowered.recursive.get_mut(f.index()) {
            *r = true;
        }
    }
    // The mid-end itself runs in `define_function` (opt_level = speed).
    lowered.inline_small_functions()?;

    let mut jb = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    let known: HashMap<&str, *const u8> = symbols.iter().copied().collect();
    for f in &lowered.imports {
        let addr = known
            .get(f.symbol())
            .ok_or_else(|| anyhow!("the runtime does not provide {}", f.symbol()))?;
        jb.symbol(f.symbol(), *addr);
    }
    if !out_of_line.is_empty() {
        let symbol = epyc_rt_abi::INTERP_CALL_SYMBOL;
        let addr = known
            .get(symbol)
            .ok_or_else(|| anyhow!("the interpreter's entry {symbol} is not provided"))?;
        jb.symbol(symbol, *addr);
    }
    Ok((JITModule::new(jb), lowered, target))
}

/// Declares every function and data object and defines the `needed` functions; returns the
/// module's id of each function (indexed like `lowered.funcs`).
pub(crate) fn define_funcs(
    module: &mut JITModule,
    lowered: &LoweredProgram,
    target: &Target,
    needed: &[bool],
) -> Result<Vec<FuncId>> {
    let mut funcs = Vec::with_capacity(lowered.funcs.len());
    for f in &lowered.funcs {
        let id = module
            .declare_function(&f.symbol, Linkage::Local, &f.func.signature)
            .with_context(|| format!("declaring {}", f.symbol))?;
        funcs.push(id);
    }
    let mut runtime: HashMap<RtFn, FuncId> = HashMap::new();
    for &f in &lowered.imports {
        let sig = epyc_lower::runtime_signature(f, target);
        let id = module
            .declare_function(f.symbol(), Linkage::Import, &sig)
            .with_context(|| format!("declaring {}", f.symbol()))?;
        runtime.insert(f, id);
    }
    let mut data: Vec<DataId> = Vec::with_capacity(lowered.data.len());
    for d in &lowered.data {
        let id = module
            .declare_data(&d.name, Linkage::Local, false, false)
            .with_context(|| format!("declaring {}", d.name))?;
        let mut desc = DataDescription::new();
        desc.define(d.bytes.clone().into_boxed_slice());
        desc.set_align(d.align);
        module
            .define_data(id, &desc)
            .with_context(|| format!("defining {}", d.name))?;
        data.push(id);
    }

    let mut ctx = Context::new();
    for (k, f) in lowered.funcs.iter().enumerate() {
        if !needed[k] {
            // Inlined everywhere or never called: declared (names may still mention it)
            // but given no code.
            continue;
        }
        ctx.func = f.func.clone();
        relink(&mut ctx.func, &funcs, &runtime, &data)
            .with_context(|| format!("linking {}", f.symbol))?;
        module
            .define_function(funcs[k], &mut ctx)
            .map_err(|e| anyhow!("compiling {}: {e:?}", f.symbol))?;
        module.clear_context(&mut ctx);
    }
    Ok(funcs)
}

/// Rewrites the lowering's external names into this module's function and data ids
/// (cranelift-module: namespace 0 = function, 1 = data).
fn relink(
    func: &mut ir::Function,
    funcs: &[FuncId],
    runtime: &HashMap<RtFn, FuncId>,
    data: &[DataId],
) -> Result<()> {
    let names: Vec<_> = func
        .params
        .user_named_funcs()
        .iter()
        .map(|(r, n)| (r, n.clone()))
        .collect();
    for (r, name) in names {
        let new = match names::resolve(&name) {
            Some(ExternalRef::Func(id)) => {
                let f = funcs
                    .get(id.index())
                    .ok_or_else(|| anyhow!("call of missing function #{}", id.0))?;
                UserExternalName::new(0, f.as_u32())
            }
            Some(ExternalRef::Runtime(f)) => {
                let id = runtime
                    .get(&f)
                    .ok_or_else(|| anyhow!("runtime function {} not imported", f.symbol()))?;
                UserExternalName::new(0, id.as_u32())
            }
            Some(ExternalRef::Data(i)) => {
                let id = data.get(i).ok_or_else(|| anyhow!("missing data #{i}"))?;
                UserExternalName::new(1, id.as_u32())
            }
            None => bail!("unknown external name {name}"),
        };
        func.params.reset_user_func_name(r, new);
    }
    Ok(())
}

/// `epyc$entry(globals)`: calls the module code with the globals base.
fn define_entry(
    module: &mut JITModule,
    ctx: &mut Context,
    main: FuncId,
    target: &Target,
) -> Result<FuncId> {
    let mut sig = ir::Signature::new(target.call_conv);
    sig.params.push(AbiParam::new(target.pointer_type));
    let id = module
        .declare_function(ENTRY_SYMBOL, Linkage::Local, &sig)
        .context("declaring the entry")?;
    ctx.func.signature = sig;
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        b.seal_block(block);
        let globals = b.block_params(block)[0];
        let callee = module.declare_func_in_func(main, b.func);
        b.ins().call(callee, &[globals]);
        b.ins().return_(&[]);
        b.finalize(module.isa().frontend_config());
    }
    module
        .define_function(id, ctx)
        .map_err(|e| anyhow!("compiling the entry: {e:?}"))?;
    module.clear_context(ctx);
    Ok(id)
}
