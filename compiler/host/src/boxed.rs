//! Native specialisations called from byte code (issue 6, mixed programs): each exported
//! function gets a wrapper `(globals, args, result)` that unboxes its arguments from an
//! array of tagged values (rt/abi `layout::VALUE_TAG` / `value_payload` / `value_size`),
//! calls the specialisation and boxes its result.

use crate::jit;
use anyhow::{anyhow, Context as _, Result};
use cranelift_codegen::ir::{self, types, AbiParam, InstBuilder, MemFlagsData};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId as ClifFuncId, Linkage, Module};
use epyc_lower::Target;
use epyc_rt_abi::{layout, Tag};
use epyc_tir::{FuncId, Program, Ty};

/// A wrapper: `(globals base, args: *const [tagged value; nparams], result: *mut tagged
/// value)`. The globals block is the core's, at least [`NativeExports::globals_size`] bytes.
pub type BoxedFn = unsafe extern "C" fn(*mut u8, *const u8, *mut u8);

/// One specialisation byte code may call natively.
pub struct Export {
    pub func: FuncId,
    pub code: BoxedFn,
}

/// Native code for the exported specialisations of a program that falls back to byte code.
pub struct NativeExports {
    /// Owns the code memory; `None` only while dropping.
    module: Option<JITModule>,
    pub exports: Vec<Export>,
    /// Bytes of one core's globals block the native code needs (call-depth counters).
    pub globals_size: usize,
}

impl Drop for NativeExports {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the code is only reachable through `exports`, which the owner promised
            // not to use after dropping this value.
            unsafe { m.free_memory() };
        }
    }
}

/// The tag a result of `ty` carries.
pub fn tag_of(ty: &Ty) -> Option<Tag> {
    Some(match ty {
        Ty::None => Tag::None,
        Ty::Bool => Tag::Bool,
        Ty::Int => Tag::Int,
        Ty::Float => Tag::Float,
        Ty::Str => Tag::Str,
        _ => return None,
    })
}

/// Compiles `exports` (scalar and str signatures, see [`crate::exports`]) and everything they call
/// out of `prog` (see [`crate::exports::sub_program`]), with a boxed wrapper for each.
pub fn compile_exports(
    prog: &Program,
    exports: &[FuncId],
    symbols: &[(&str, *const u8)],
) -> Result<NativeExports> {
    compile_exports_calling(prog, exports, &[], symbols)
}

/// As [`compile_exports`], where the native code may also call byte code: each
/// `(specialisation, byte-code function)` of `byte_code` becomes a stub that runs that
/// byte-code function through the interpreter (see `to_byte_code`); `symbols` must then
/// provide rt/abi `INTERP_CALL_SYMBOL`.
pub fn compile_exports_calling(
    prog: &Program,
    exports: &[FuncId],
    byte_code: &[(FuncId, u32)],
    symbols: &[(&str, *const u8)],
) -> Result<NativeExports> {
    let stubs: Vec<FuncId> = byte_code.iter().map(|(f, _)| *f).collect();
    let (mut module, lowered, target) = jit::lower_and_link(prog, symbols, &stubs)?;
    let roots: Vec<usize> = exports.iter().map(|f| f.index()).collect();
    let mut needed = lowered.reachable_from(&roots);
    // Stubs get their own code below, never the placeholder body.
    let mut stub_needed = Vec::new();
    for &(f, index) in byte_code {
        if let Some(n) = needed.get_mut(f.index()) {
            if std::mem::replace(n, false) {
                stub_needed.push((f, index));
            }
        }
    }
    let result = jit::define_funcs(&mut module, &lowered, &target, &needed).and_then(|funcs| {
        for &(f, index) in &stub_needed {
            crate::to_byte_code::define_stub(
                &mut module,
                prog,
                f,
                funcs[f.index()],
                &lowered.funcs[f.index()].func.signature,
                index,
                &target,
            )?;
        }
        let mut ids = Vec::new();
        for &f in exports {
            ids.push(define_wrapper(
                &mut module,
                prog,
                f,
                funcs[f.index()],
                &target,
            )?);
        }
        module
            .finalize_definitions()
            .map_err(|e| anyhow!("JIT: {e}"))?;
        Ok(ids)
    });
    match result {
        Ok(ids) => {
            let exports = exports
                .iter()
                .zip(ids)
                .map(|(&func, id)| {
                    let code = module.get_finalized_function(id);
                    // SAFETY: the wrapper was defined with signature (ptr, ptr, ptr) -> () in
                    // the host's C calling convention.
                    let code = unsafe { std::mem::transmute::<*const u8, BoxedFn>(code) };
                    Export { func, code }
                })
                .collect();
            Ok(NativeExports {
                module: Some(module),
                exports,
                globals_size: lowered.globals.size as usize,
            })
        }
        Err(e) => {
            // SAFETY: nothing was handed out.
            unsafe { module.free_memory() };
            Err(e)
        }
    }
}

/// `f$boxed(globals, args, result)`: unbox, call `f`, box.
fn define_wrapper(
    module: &mut JITModule,
    prog: &Program,
    f: FuncId,
    callee: ClifFuncId,
    target: &Target,
) -> Result<ClifFuncId> {
    let func = prog.func(f);
    let ptr = target.pointer_type;
    let bytes = ptr.bytes();
    let size = layout::value_size(bytes) as i32;
    let payload = layout::value_payload(bytes) as i32;
    let ret_tag =
        tag_of(&func.ret).ok_or_else(|| anyhow!("{} returns a non-scalar", func.symbol))?;
    let mut sig = ir::Signature::new(target.call_conv);
    sig.params.extend([AbiParam::new(ptr); 3]);
    let name = format!("{}$boxed", func.symbol);
    let id = module
        .declare_function(&name, Linkage::Local, &sig)
        .with_context(|| format!("declaring {name}"))?;
    let mut ctx = Context::new();
    ctx.func.signature = sig;
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let block = b.create_block();
        b.append_block_params_for_function_params(block);
        b.switch_to_block(block);
        b.seal_block(block);
        let [globals, args, result] = b.block_params(block)[..] else {
            unreachable!("three parameters were declared")
        };
        let flags = MemFlagsData::trusted();
        let mut call_args = vec![globals];
        for (i, p) in func.params.iter().enumerate() {
            let at = i as i32 * size + payload;
            let ty = &func.locals[p.index()].ty;
            if *ty == Ty::None {
                continue;
            }
            // The payload is zero-extended to a pointer-sized word (a str's is its pointer).
            let word = b.ins().load(ptr, flags, args, at);
            if *ty == Ty::Str {
                call_args.push(word);
                continue;
            }
            let bits = if ptr == types::I32 {
                word
            } else {
                b.ins().ireduce(types::I32, word)
            };
            call_args.push(match ty {
                Ty::Int => bits,
                Ty::Float => b.ins().bitcast(types::F32, MemFlagsData::new(), bits),
                Ty::Bool => b.ins().icmp_imm_u(ir::condcodes::IntCC::NotEqual, bits, 0),
                other => anyhow::bail!("{} takes a non-scalar {other}", func.symbol),
            });
        }
        let callee = module.declare_func_in_func(callee, b.func);
        let call = b.ins().call(callee, &call_args);
        let value = b.inst_results(call).first().copied();
        let tag = b.ins().iconst(ptr, ret_tag as i64);
        b.ins().store(flags, tag, result, layout::VALUE_TAG as i32);
        if let Some(v) = value {
            let bits = match func.ret {
                Ty::Str => v,
                Ty::Float => b.ins().bitcast(types::I32, MemFlagsData::new(), v),
                Ty::Bool => b.ins().uextend(types::I32, v),
                _ => v,
            };
            let word = if ptr == types::I32 || func.ret == Ty::Str {
                bits
            } else {
                b.ins().uextend(ptr, bits)
            };
            b.ins().store(flags, word, result, payload);
        }
        b.ins().return_(&[]);
        b.finalize(module.isa().frontend_config());
    }
    module
        .define_function(id, &mut ctx)
        .map_err(|e| anyhow!("compiling {name}: {e:?}"))?;
    Ok(id)
}
