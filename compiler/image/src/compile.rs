//! TIR -> relocatable sections: the program lowered with i32 pointers, the Cranelift mid-end,
//! then the Epiphany backend for every function the entry reaches. Each function and each
//! string constant becomes a section of its own, with relocations to ELF symbols (program
//! functions, runtime functions `_<RtFn symbol>`, backend routines, data).

use anyhow::{anyhow, bail, Context as _, Result};
use cranelift_codegen::ir::{self, ExternalName};
use cranelift_codegen::isa::CallConv;
use epyc_epiphany::{CompiledFunction, Flags, RelocTarget};
use epyc_lower::names::{self, ExternalRef};
use epyc_lower::{LoweredProgram, Target};
use epyc_rt_device::object::ENTRY_SYMBOL;
use epyc_rt_device::{Reloc, RelocKind, Section, Symbol};
use epyc_tir::{FuncId, Program};

/// One compiled function, for reports and the line table.
pub struct FunctionInfo {
    /// ELF symbol.
    pub symbol: String,
    /// Source name (`computeNorm`).
    pub name: String,
    /// Source position of the definition (`rt_abi::pos` encoding).
    pub def_pos: u32,
    pub size: u32,
    /// (code offset, source position) from the backend.
    pub srclocs: Vec<(u32, u32)>,
}

/// One piece of read-only data (a string constant).
pub struct DataInfo {
    pub symbol: String,
    pub size: u32,
    /// What it is, for reports (the string's first characters).
    pub what: String,
}

/// The program's code and data as sections: functions first (in `functions` order), then data
/// (in `data` order).
pub struct ProgramCode {
    pub sections: Vec<Section>,
    pub functions: Vec<FunctionInfo>,
    pub data: Vec<DataInfo>,
    /// Bytes of one core's globals block.
    pub globals_size: u32,
}

impl ProgramCode {
    pub fn code_bytes(&self) -> u32 {
        self.functions.iter().map(|f| f.size).sum()
    }
    pub fn data_bytes(&self) -> u32 {
        self.data.iter().map(|d| d.size).sum()
    }

    /// The linker's layout for `placement`: functions and/or constants in shared DRAM.
    pub fn layout(&self, placement: crate::Placement) -> epyc_rt_device::link::Layout {
        let (functions, data) = self.sections.split_at(self.functions.len());
        let mut shared_sections = std::collections::HashSet::new();
        if placement.code_shared {
            shared_sections.extend(functions.iter().map(|s| s.name.clone()));
        }
        if placement.data_shared {
            shared_sections.extend(data.iter().map(|s| s.name.clone()));
        }
        epyc_rt_device::link::Layout {
            shared_sections,
            no_local_heap: placement.data_shared,
        }
    }
}

/// The ELF symbol of a compiled function.
pub fn function_symbol(prog: &Program, id: FuncId) -> String {
    format!("_{}", prog.funcs[id.index()].symbol)
}

fn data_symbol(index: usize) -> String {
    format!("__epyc_data{index}")
}

/// The device target of the lowering: i32 pointers, GCC's (System V like) convention, and
/// no call-depth counter: the prologues check the stack pointer itself (`Flags::stack_check`),
/// which stops a runaway recursion at the stack's real end, whatever the frame sizes.
pub fn device_target() -> Target {
    Target {
        max_call_depth: 0,
        ..Target::new(ir::types::I32, CallConv::SystemV)
    }
}

/// Lowers and compiles `prog`.
pub fn compile_program(prog: &Program, flags: &Flags) -> Result<ProgramCode> {
    compile_reached(prog, flags, None)
}

/// Lowers and compiles the functions `roots` reach in `prog`, without an entry: the native
/// part of a mixed image (issue 6), whose entry is the byte-code interpreter's and which
/// calls the roots through its table of native functions (symbols: [`function_symbol`]).
pub fn compile_functions(prog: &Program, roots: &[FuncId], flags: &Flags) -> Result<ProgramCode> {
    compile_reached(prog, flags, Some(roots))
}

/// Compiles what `roots` reach (the entry, which then defines `ENTRY_SYMBOL`, when `None`).
fn compile_reached(prog: &Program, flags: &Flags, roots: Option<&[FuncId]>) -> Result<ProgramCode> {
    // Every image checks its stack: the device runtime defines the limit and the report
    // (a runaway recursion must stop with an error, not overwrite the runtime state).
    let flags = &Flags {
        stack_check: true,
        ..flags.clone()
    };
    let mut lowered = epyc_lower::lower_program(prog, &device_target())?;
    lowered.inline_small_functions()?;
    lowered.optimize(&epyc_lower::optimizer_flags())?;

    let mut needed = match roots {
        None => lowered.reachable_from_main(),
        Some(r) => lowered.reachable_from(&r.iter().map(|f| f.index()).collect::<Vec<_>>()),
    };
    let entry = roots.is_none().then_some(lowered.main);
    let mut compiled: Vec<Option<CompiledFunction>> = vec![None; lowered.funcs.len()];
    let mut order = Vec::new();
    // Functions referred to other than by calls (function values) are compiled too.
    let mut work: Vec<usize> = (0..needed.len()).filter(|&k| needed[k]).collect();
    while let Some(k) = work.pop() {
        if compiled[k].is_some() {
            continue;
        }
        let f = &lowered.funcs[k];
        let cf = epyc_epiphany::compile_function(&f.func, flags)
            .with_context(|| format!("generating Epiphany code for {}", f.symbol))?;
        for r in &cf.relocs {
            if let Some(ExternalRef::Func(id)) = external_ref(&f.func, &r.target)? {
                if id.index() >= needed.len() {
                    bail!("{} calls missing function #{}", f.symbol, id.0);
                }
                if !needed[id.index()] {
                    needed[id.index()] = true;
                    work.push(id.index());
                }
            }
        }
        compiled[k] = Some(cf);
        order.push(k);
    }
    // The entry first, then the rest in program order (stable images).
    order.sort_by_key(|&k| (k != lowered.main.index(), k));

    let mut sections = Vec::new();
    let mut functions = Vec::new();
    for k in order {
        let cf = compiled[k].take().expect("compiled above");
        let id = FuncId(k as u32);
        let (section, info) = function_section(prog, &lowered, id, cf, entry)?;
        sections.push(section);
        functions.push(info);
    }
    // Only the data some compiled code refers to (the lowering makes every string it
    // might need).
    let referenced: std::collections::HashSet<&str> = sections
        .iter()
        .flat_map(|s: &Section| s.relocs.iter().map(|r| r.symbol.as_str()))
        .collect();
    let mut data_sections = Vec::new();
    let mut data = Vec::new();
    for (i, d) in lowered.data.iter().enumerate() {
        let symbol = data_symbol(i);
        if !referenced.contains(symbol.as_str()) {
            continue;
        }
        data_sections.push(Section {
            name: format!(".rodata.{symbol}"),
            data: d.bytes.clone(),
            align: (d.align as u32).max(4),
            fixed_address: None,
            symbols: vec![Symbol {
                name: symbol.clone(),
                offset: 0,
                global: true,
            }],
            relocs: Vec::new(),
        });
        data.push(DataInfo {
            symbol,
            size: d.bytes.len() as u32,
            what: describe_data(&d.bytes),
        });
    }
    sections.extend(data_sections);
    Ok(ProgramCode {
        sections,
        functions,
        data,
        globals_size: lowered.globals.size,
    })
}

fn function_section(
    prog: &Program,
    lowered: &LoweredProgram,
    id: FuncId,
    cf: CompiledFunction,
    entry: Option<FuncId>,
) -> Result<(Section, FunctionInfo)> {
    let func = &lowered.funcs[id.index()].func;
    let symbol = function_symbol(prog, id);
    let mut symbols = vec![Symbol {
        name: symbol.clone(),
        offset: 0,
        global: true,
    }];
    if Some(id) == entry {
        symbols.push(Symbol {
            name: ENTRY_SYMBOL.to_string(),
            offset: 0,
            global: true,
        });
    }
    let mut relocs = Vec::with_capacity(cf.relocs.len());
    for r in &cf.relocs {
        let target = match external_ref(func, &r.target)? {
            None => match &r.target {
                RelocTarget::Symbol(s) => s.clone(),
                RelocTarget::Func(n) => bail!("unexpected external name {n:?}"),
            },
            Some(ExternalRef::Func(f)) => function_symbol(prog, f),
            Some(ExternalRef::Runtime(f)) => format!("_{}", f.symbol()),
            Some(ExternalRef::Data(i)) => data_symbol(i),
        };
        relocs.push(Reloc {
            offset: r.offset,
            kind: match r.kind {
                epyc_epiphany::RelocKind::Simm24 => RelocKind::Simm24,
                epyc_epiphany::RelocKind::Low => RelocKind::Low,
                epyc_epiphany::RelocKind::High => RelocKind::High,
            },
            symbol: target,
            addend: r.addend,
        });
    }
    let tir = &prog.funcs[id.index()];
    let info = FunctionInfo {
        symbol: symbol.clone(),
        name: tir.name.clone(),
        def_pos: epyc_rt_abi::pos::encode(tir.pos.file, tir.pos.line) as u32,
        size: cf.code.len() as u32,
        srclocs: cf
            .srclocs
            .iter()
            .filter(|(_, l)| !l.is_default())
            .map(|(off, l)| (*off, l.bits()))
            .collect(),
    };
    let section = Section {
        name: format!(".text{symbol}"),
        data: cf.code,
        align: 4,
        fixed_address: None,
        symbols,
        relocs,
    };
    Ok((section, info))
}

/// What a relocation's target names in the lowering's terms (None: a plain symbol).
fn external_ref(func: &ir::Function, target: &RelocTarget) -> Result<Option<ExternalRef>> {
    match target {
        RelocTarget::Symbol(_) => Ok(None),
        RelocTarget::Func(ExternalName::User(r)) => {
            let name = func
                .params
                .user_named_funcs()
                .get(*r)
                .ok_or_else(|| anyhow!("dangling external name {r:?}"))?;
            names::resolve(name)
                .map(Some)
                .ok_or_else(|| anyhow!("unknown external name {name}"))
        }
        RelocTarget::Func(other) => bail!("unexpected external name {other:?}"),
    }
}

/// A short description of a data object (string constants are `{len, bytes}`).
fn describe_data(bytes: &[u8]) -> String {
    if bytes.len() >= 4 {
        let len = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")) as usize;
        if let Some(text) = bytes
            .get(4..4 + len)
            .and_then(|b| std::str::from_utf8(b).ok())
        {
            let short: String = text.chars().take(24).collect();
            let more = if short.len() < text.len() { "..." } else { "" };
            return format!("string {short:?}{more}");
        }
    }
    format!("{} bytes of data", bytes.len())
}
