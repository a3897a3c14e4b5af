//! The byte-code interpreter on the device (issue 6): runs an `epyc_bytecode` [`Module`] on
//! Epiphany cores with tagged 8-byte values (tag word, payload word), calling the same runtime
//! functions native code calls (`epyc_print_int`, `epyc_send`, `epyc_str_concat` ...), so
//! byte-code cores share the monitor and message passing with native ones.
//!
//! There is no C or Rust compiler for the Epiphany: the interpreter is generated. Its hot
//! core ([`core`]: function entry and exit, direct-threaded dispatch, the common instructions
//! and operand types) is assembly; everything else ([`gen`], [`handlers`], [`services`],
//! [`helpers`]: one instruction at a time, called by the core) is CLIF with i32 pointers
//! compiled by our backend (`epyc_epiphany`); the entry ([`asm_parts`]) is assembly too.
//! [`interpreter_object`] is the result as a [`RuntimeObject`] the image linker adds beside
//! the runtime; [`module_section`] places a module's device form ([`layout`]) in an image;
//! [`build_image`] links both with the runtime for every core (entry: function 0).
//!
//! Values are two words (tag word, payload) as in `compiler/bytecode/FORMAT.md`. Module
//! variables live in the image's globals block with the tag word stored as tag + 1, so the
//! loader's zeroes mean "never assigned"; frame slots past the parameters start as `UNSET`.
//! Runtime errors pass the encoded position of the failing instruction (from the module's line
//! tables) to `epyc_error*`, so byte-code cores report core and line like native ones.
//!
//! Mixed programs: [`build_mixed_image`] links native functions beside the interpreter and
//! `CallNative` calls them ([`native_call`]).
//!
//! Not yet on the device ([`layout::check`] refuses them in the functions function 0 reaches,
//! naming the instruction): `ListRepeat` and the service `Input` (outside [`SERVICES`]);
//! a row of an array (fewer indices than dimensions) is a type error. The module sits in
//! each core's local memory, or in shared DRAM ([`placement`]) when it does not fit there or
//! on request.

mod arrays;
mod asm_parts;
mod core;
pub mod footprint;
mod fused;
pub mod gen;
mod handlers;
mod helpers;
pub mod layout;
mod lists;
mod minmax;
pub mod native_call;
pub mod placement;
mod power;
mod range;
mod scalar_services;
mod services;
mod superops;

use crate::link::{self, Image};
use crate::object::{Reloc, RelocKind, RuntimeObject, Section, Symbol};
use anyhow::{anyhow, Context, Result};
use cranelift_codegen::ir::{ExternalName, Function};
use epyc_bytecode::format::Module;
use epyc_epiphany::{compile_function, Flags, RelocTarget};

pub use handlers::{OPCODES, SERVICES};

/// Symbol of the module's device form in an image.
pub const MODULE_SYMBOL: &str = "__epyc_bc_module";
/// Symbol of the value stack (operand stacks and frames of every call).
pub const VSTACK_SYMBOL: &str = "__epyc_bc_vstack";
/// Bytes of the value stack: 256 values.
pub const VSTACK_BYTES: u32 = 2048;

/// The link-time symbol of a name the generated code calls (`epyc_print_int` ->
/// `_epyc_print_int`, as GCC names C functions).
fn link_symbol(name: &str) -> String {
    format!("_{name}")
}

/// Compiles one generated function into a section named after it.
fn compiled_section(func: Function, names: Vec<&'static str>) -> Result<Section> {
    let name = link_symbol(func.name.to_string().trim_start_matches('%'));
    cranelift_codegen::verifier::verify_function(
        &func,
        &cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder()),
    )
    .map_err(|e| {
        anyhow!(
            "the interpreter's {name} is invalid CLIF: {e}\n{}",
            func.display()
        )
    })?;
    let cf = compile_function(&func, &Flags::default())
        .with_context(|| format!("compiling the interpreter's {name}"))?;
    let mut relocs = Vec::with_capacity(cf.relocs.len());
    for r in &cf.relocs {
        let symbol = match &r.target {
            RelocTarget::Symbol(s) => s.clone(),
            RelocTarget::Func(ExternalName::User(u)) => {
                let user = &func.params.user_named_funcs()[*u];
                link_symbol(
                    names
                        .get(user.index as usize)
                        .ok_or_else(|| anyhow!("dangling name in {name}"))?,
                )
            }
            RelocTarget::Func(other) => return Err(anyhow!("unexpected name {other:?} in {name}")),
        };
        relocs.push(Reloc {
            offset: r.offset,
            kind: match r.kind {
                epyc_epiphany::RelocKind::Simm24 => RelocKind::Simm24,
                epyc_epiphany::RelocKind::Low => RelocKind::Low,
                epyc_epiphany::RelocKind::High => RelocKind::High,
            },
            symbol,
            addend: r.addend,
        });
    }
    Ok(Section {
        name: format!(".text{name}"),
        data: cf.code,
        align: 4,
        fixed_address: None,
        symbols: vec![Symbol {
            name,
            offset: 0,
            global: true,
        }],
        relocs,
    })
}

/// The interpreter: its generated functions, entry (`_epyc_main`, running function 0) and
/// value stack, as sections an image linker adds to the runtime's.
pub fn interpreter_object() -> Result<RuntimeObject> {
    let mut sections = Vec::new();
    for (f, names) in [
        gen::step_function(),
        helpers::pos_function(),
        helpers::to_str_function(),
        helpers::list_str_function(),
    ] {
        sections.push(compiled_section(f, names)?);
    }
    sections.push(core::section()?);
    sections.extend(asm_parts::sections()?);
    sections.extend(arrays::sections()?);
    sections.push(range::section()?);
    sections.push(minmax::section()?);
    sections.push(helpers::repeat_section()?);
    Ok(RuntimeObject { sections })
}

/// Bytes of interpreter code (without the value stack).
pub fn code_size(obj: &RuntimeObject) -> usize {
    obj.sections
        .iter()
        .filter(|s| s.name.starts_with(".text"))
        .map(|s| s.data.len())
        .sum()
}

/// A module's device form as a data section defining [`MODULE_SYMBOL`].
pub fn module_section(m: &Module) -> Result<Section> {
    Ok(Section {
        name: ".data.bc_module".into(),
        data: layout::encode(m)?,
        align: 8,
        fixed_address: None,
        symbols: vec![Symbol {
            name: MODULE_SYMBOL.into(),
            offset: 0,
            global: true,
        }],
        relocs: vec![],
    })
}

/// An image running `m` (function 0 as the entry) on every core: the device runtime, the
/// interpreter, the module in local memory and one globals block of its module variables.
pub fn build_image(m: &Module) -> Result<Image> {
    build_mixed_image(m, &[], Vec::new(), 0, false)
}

/// An image running `m` as [`build_image`] does, with native functions (mixed programs,
/// issue 6): `program` holds their compiled code, `natives` describes `m.natives` one for
/// one (see [`native_call`]), and the native code's globals (`native_globals` bytes) follow
/// the module variables in each core's globals block. With `count_calls` the image counts
/// the native calls each core makes in its word [`native_call::CALLS_SYMBOL`].
pub fn build_mixed_image(
    m: &Module,
    natives: &[native_call::NativeEntry],
    program: Vec<Section>,
    native_globals: u32,
    count_calls: bool,
) -> Result<Image> {
    // The module's own checks first (its calls name the natives it has).
    let module = module_section(m)?;
    if natives.len() != m.natives.len() {
        anyhow::bail!(
            "{} native functions described for a module calling {}",
            natives.len(),
            m.natives.len()
        );
    }
    for (e, n) in natives.iter().zip(&m.natives) {
        let kinds_fit = e.kinds.len() == n.params.len()
            && e.kinds.iter().zip(&n.params).all(|(&k, &t)| {
                k == t || (k == native_call::KIND_INT_NON_NEG && t == epyc_rt_abi::Tag::Int as u8)
            });
        let fallback_fits = match e.fallback {
            native_call::Fallback::TypeError => true,
            native_call::Fallback::ByteCode(f) => m
                .funcs
                .get(f as usize)
                .is_some_and(|func| func.nparams as usize == n.params.len()),
            native_call::Fallback::Native(k) => m
                .natives
                .get(k as usize)
                .is_some_and(|other| other.params.len() == n.params.len()),
        };
        let ret_fits = n.ret == e.ret as u8
            || (n.ret == epyc_bytecode::format::NO_RET && e.ret == epyc_rt_abi::Tag::None);
        if e.symbol != n.symbol || !kinds_fit || !fallback_fits || !ret_fits {
            anyhow::bail!("native function {} is described inconsistently", n.symbol);
        }
    }
    let mut runtime = crate::runtime_object();
    let interp = interpreter_object()?;
    runtime.sections.extend(interp.sections);
    let mut sections = vec![module];
    sections.extend(native_call::table_sections(
        natives,
        8 * m.global_names.len() as u32,
        count_calls,
    )?);
    sections.extend(program);
    link::link(&runtime, &sections, globals_size(m) + native_globals)
}

/// Bytes of the globals block of an image running `m`: a tagged value per module variable.
pub fn globals_size(m: &Module) -> u32 {
    (8 * m.global_names.len() as u32).max(8)
}
