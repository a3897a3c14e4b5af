//! The device form of a byte-code [`Module`]: one block of words the interpreter reads in
//! place (no decoding on the core). Every address in it is an offset from the block's start,
//! so the block can sit in local memory or in shared DRAM.
//!
//! ```text
//! header   nfuncs, nglobals, consts offset, funcs offset, global names offset,
//!          texts' offsets (H_*), the value stack's end, the globals' block
//! texts    runtime string objects the interpreter prints or reports
//! consts   8 bytes each: tag word, payload (str: offset of a runtime string object)
//! funcs    16 bytes each: code offset, line table offset, line entries,
//!          nparams | nlocals << 8 | file << 16
//! names    one word per module variable: offset of its name (a runtime string object)
//! lines    (code offset, encoded pos) word pairs
//! strings  runtime string objects (`len: u32`, bytes), word aligned
//! code     the functions' byte code as in the module
//! ```
//!
//! [`check`] rejects before layout what the device interpreter does not run or what would
//! make it read out of bounds (bad operands, jumps into the middle of an instruction).

use anyhow::{anyhow, bail, Result};
use epyc_bytecode::format::{Const, Module, Op, Svc, GLOBAL_REF};
use epyc_rt_abi::{pos, Tag};

pub const H_NFUNCS: i32 = 0;
pub const H_NGLOBALS: i32 = 4;
pub const H_CONSTS: i32 = 8;
pub const H_FUNCS: i32 = 12;
pub const H_NAMES: i32 = 16;
pub const H_TYPE_TEXT: i32 = 20;
pub const H_NONE_TEXT: i32 = 24;
/// Written by the entry: the end of the value stack.
pub const H_LIMIT: i32 = 28;
/// Texts of a printed list of values: `[`, `]`, `, `, `'`.
pub const H_OPEN: i32 = 32;
pub const H_CLOSE: i32 = 36;
pub const H_SEP: i32 = 40;
pub const H_QUOTE: i32 = 44;
/// Written by every call of the interpreter: the module variables' block (read from here by
/// the handlers that need it rather than kept live through the loop, where the register
/// allocator reloaded and stored it back around most handlers).
pub const H_GLOBALS: i32 = 48;
/// The value stack's top, handed between the assembly core and the generated slow path
/// (`core`): written before each slow step, read back after it.
pub const H_SP: i32 = 52;
/// The function entry of the instruction handed to the slow path (as `H_SP`).
pub const H_FENT: i32 = 56;
/// Offset of 8 words, by tag: offsets of the texts `expected function, got <kind>` (the
/// detail of `recvfunc` receiving another kind).
pub const H_EXPECTED_FUNC: i32 = 60;
/// Eight-byte aligned, so the constants after it are too (the core loads a value with one
/// `ldrd`).
pub const HEADER_BYTES: usize = 64;

pub const F_CODE: i32 = 0;
pub const F_LINES: i32 = 4;
pub const F_NLINES: i32 = 8;
pub const F_SHAPE: i32 = 12;
pub const FUNC_BYTES: usize = 16;

/// Detail of the `Type error` for operands of unsupported types.
pub const TYPE_TEXT: &str = "unsupported operand type";

/// Services the device interpreter implements.
pub fn service_supported(s: Svc) -> bool {
    super::handlers::SERVICES.contains(&s)
}

/// Checks that every instruction of `m` is one the device interpreter runs, with operands in
/// range and jumps onto instruction starts.
pub fn check(m: &Module) -> Result<()> {
    if m.funcs.is_empty() {
        bail!("byte-code module has no function (function 0 is the entry)");
    }
    let live = reachable(m)?;
    for f in m.funcs.iter().zip(live).filter_map(|(f, l)| l.then_some(f)) {
        let ops = f.ops().map_err(|e| anyhow!("function `{}`: {e}", f.name))?;
        let starts: std::collections::HashSet<usize> = ops.iter().map(|(o, _)| *o).collect();
        let err = |at: usize, what: String| anyhow!("function `{}` at {at}: {what}", f.name);
        if f.nlocals < f.nparams {
            bail!("function `{}` has fewer slots than parameters", f.name);
        }
        for (i, (at, op)) in ops.iter().enumerate() {
            let next = ops.get(i + 1).map_or(f.code.len(), |n| n.0);
            let jump = |off: i16| -> Result<()> {
                let t = next as i64 + off as i64;
                if t < 0 || !starts.contains(&(t as usize)) {
                    return Err(err(*at, format!("jump to {t} is not an instruction")));
                }
                Ok(())
            };
            let slot = |s: u8| -> Result<()> {
                if s >= f.nlocals {
                    return Err(err(*at, format!("slot {s} of {}", f.nlocals)));
                }
                Ok(())
            };
            let var = |rf: u8| -> Result<()> {
                if rf < GLOBAL_REF {
                    return slot(rf);
                }
                if (rf - GLOBAL_REF) as usize >= m.global_names.len() {
                    return Err(err(*at, format!("module variable ref {rf} out of range")));
                }
                Ok(())
            };
            match *op {
                Op::IndexRef { list, i, .. } | Op::StoreIndexRef { list, i, .. } => {
                    var(list)?;
                    var(i)?;
                }
                Op::Const { idx } if idx as usize >= m.consts.len() => {
                    return Err(err(*at, format!("constant {idx} out of range")))
                }
                Op::Func { func } | Op::Call { func, .. } if func as usize >= m.funcs.len() => {
                    return Err(err(*at, format!("function {func} out of range")))
                }
                Op::Call { func, argc } if m.funcs[func as usize].nparams != argc => {
                    return Err(err(*at, format!("call with {argc} arguments")))
                }
                Op::CallNative { native, argc } => match m.natives.get(native as usize) {
                    Some(n) if n.params.len() == argc as usize => {}
                    Some(_) => return Err(err(*at, format!("native call with {argc} arguments"))),
                    None => return Err(err(*at, format!("native function {native} out of range"))),
                },
                Op::Load { slot: s } | Op::Store { slot: s } => slot(s)?,
                Op::CheckLocal { slot: s, name } => {
                    slot(s)?;
                    if m.str_at(name).is_none() {
                        return Err(err(*at, "name is not a str constant".into()));
                    }
                }
                Op::LoadG { global } | Op::StoreG { global }
                    if global as usize >= m.global_names.len() =>
                {
                    return Err(err(*at, format!("module variable {global} out of range")))
                }
                Op::Jump { off }
                | Op::JumpIfFalse { off }
                | Op::JumpIfTrue { off }
                | Op::JumpIfFalseKeep { off }
                | Op::JumpIfTrueKeep { off } => jump(off)?,
                Op::RangeNext { base, off } => {
                    slot(base.saturating_add(2))?;
                    jump(off)?;
                }
                Op::Raise { detail, .. } if detail as usize >= m.consts.len() => {
                    return Err(err(*at, format!("constant {detail} out of range")))
                }
                Op::Svc { svc, .. } => match Svc::from_u8(svc) {
                    Some(s) if service_supported(s) => {}
                    Some(s) => {
                        return Err(err(*at, format!("service {s:?} not on the device yet")))
                    }
                    None => return Err(err(*at, format!("unknown service {svc}"))),
                },
                // Every call may use STACK_HEADROOM operand slots above its locals; a list
                // display is the one instruction that gathers many.
                Op::List { n } if n as i64 > super::gen::STACK_HEADROOM - 8 => {
                    return Err(err(
                        *at,
                        format!("a list display of {n} items (at most 40)"),
                    ))
                }
                _ if !super::handlers::OPCODES.contains(&op.code()) => {
                    return Err(err(*at, format!("{op:?} not on the device yet")))
                }
                _ => {}
            }
        }
        match ops.last() {
            Some((_, Op::Return | Op::ReturnNone | Op::Jump { .. })) => {}
            _ => bail!("function `{}` does not end in a return", f.name),
        }
    }
    Ok(())
}

/// Functions function 0 can reach through `Call` and `Func` (library functions a program
/// never calls need not be runnable on the device; they are laid out all the same).
fn reachable(m: &Module) -> Result<Vec<bool>> {
    let mut live = vec![false; m.funcs.len()];
    let mut work = vec![0usize];
    live[0] = true;
    while let Some(i) = work.pop() {
        let f = &m.funcs[i];
        let ops = f.ops().map_err(|e| anyhow!("function `{}`: {e}", f.name))?;
        for (_, op) in ops {
            if let Op::Call { func, .. } | Op::Func { func } = op {
                let j = func as usize;
                if j >= live.len() {
                    bail!("function `{}` names function {j} of {}", f.name, live.len());
                }
                if !live[j] {
                    live[j] = true;
                    work.push(j);
                }
            }
        }
    }
    Ok(live)
}

fn put(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn push_str(out: &mut Vec<u8>, s: &str) -> u32 {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    let at = out.len() as u32;
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    at
}

/// The device block of a checked module.
pub fn encode(m: &Module) -> Result<Vec<u8>> {
    encode_at(m, 0)
}

/// The device block with `delta` added (wrapping) to every offset it holds: read through a
/// copy of its header `delta` bytes before it, as when the block sits in shared DRAM and
/// the header (which every core writes: `H_LIMIT`, `H_GLOBALS`, `H_SP`, `H_FENT`) in each
/// core's local memory. The interpreter adds offsets to the header's address, so nothing
/// else changes.
pub fn encode_at(m: &Module, delta: u32) -> Result<Vec<u8>> {
    check(m)?;
    let off = |o: u32| o.wrapping_add(delta);
    let consts_at = HEADER_BYTES;
    let funcs_at = consts_at + 8 * m.consts.len();
    let names_at = funcs_at + FUNC_BYTES * m.funcs.len();
    let lines_at = names_at + 4 * m.global_names.len();
    let nlines: usize = m.funcs.iter().map(|f| f.lines.len()).sum();
    let mut out = vec![0u8; lines_at + 8 * nlines];
    put(&mut out, H_NFUNCS as usize, m.funcs.len() as u32);
    put(&mut out, H_NGLOBALS as usize, m.global_names.len() as u32);
    put(&mut out, H_CONSTS as usize, off(consts_at as u32));
    put(&mut out, H_FUNCS as usize, off(funcs_at as u32));
    put(&mut out, H_NAMES as usize, off(names_at as u32));
    let text = push_str(&mut out, TYPE_TEXT);
    put(&mut out, H_TYPE_TEXT as usize, off(text));
    // ePython spells none `NONE` in strings too (`"x" + None`), as rt/host/src/format.rs.
    let none = push_str(&mut out, "NONE");
    put(&mut out, H_NONE_TEXT as usize, off(none));
    for (at, text) in [(H_OPEN, "["), (H_CLOSE, "]"), (H_SEP, ", "), (H_QUOTE, "'")] {
        let o = push_str(&mut out, text);
        put(&mut out, at as usize, off(o));
    }
    // Only a module receiving functions carries the texts of `recvfunc`'s error.
    let recv_func = |o: &Op| matches!(o, Op::Svc { svc, .. } if *svc == Svc::RecvFunc as u8);
    let receives_funcs = m.funcs.iter().any(|f| {
        f.ops()
            .is_ok_and(|ops| ops.iter().any(|(_, o)| recv_func(o)))
    });
    let got: Vec<u32> = (0..8u32 * receives_funcs as u32)
        .map(|t| {
            let kind = Tag::from_u32(t).map_or("?", Tag::name);
            push_str(&mut out, &format!("expected function, got {kind}"))
        })
        .collect();
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
    let table = out.len() as u32;
    put(&mut out, H_EXPECTED_FUNC as usize, off(table));
    for o in got {
        out.extend_from_slice(&off(o).to_le_bytes());
    }
    for (i, c) in m.consts.iter().enumerate() {
        let (tag, payload) = match c {
            Const::Int(v) => (Tag::Int, *v as u32),
            Const::Float(v) => (Tag::Float, v.to_bits()),
            Const::Str(s) => (Tag::Str, off(push_str(&mut out, s))),
        };
        put(&mut out, consts_at + 8 * i, tag as u32);
        put(&mut out, consts_at + 8 * i + 4, payload);
    }
    for (i, &name) in m.global_names.iter().enumerate() {
        let s = m
            .str_at(name)
            .ok_or_else(|| anyhow!("module variable {i}'s name is not a str constant"))?;
        let at = push_str(&mut out, s);
        put(&mut out, names_at + 4 * i, off(at));
    }
    let mut line_at = lines_at;
    for (i, f) in m.funcs.iter().enumerate() {
        let e = funcs_at + FUNC_BYTES * i;
        put(&mut out, e + F_LINES as usize, off(line_at as u32));
        put(&mut out, e + F_NLINES as usize, f.lines.len() as u32);
        let shape = f.nparams as u32 | (f.nlocals as u32) << 8 | (f.file as u32) << 16;
        put(&mut out, e + F_SHAPE as usize, shape);
        for &(off, line) in &f.lines {
            put(&mut out, line_at, off as u32);
            put(
                &mut out,
                line_at + 4,
                pos::encode(f.file as u32, line) as u32,
            );
            line_at += 8;
        }
    }
    for (i, f) in m.funcs.iter().enumerate() {
        let code_at = out.len() as u32;
        put(
            &mut out,
            funcs_at + FUNC_BYTES * i + F_CODE as usize,
            off(code_at),
        );
        out.extend_from_slice(&device_code(f)?);
    }
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    Ok(out)
}

/// `f`'s code as the device runs it: `CallNative k argc` becomes a byte-code call of function
/// `CALL_NATIVE_BIT | k` (same length), which `__epyc_bc_call` sends to native entry `k`
/// (see `native_call`): the interpreter's loop needs no handler of its own for it.
fn device_code(f: &epyc_bytecode::format::Function) -> Result<Vec<u8>> {
    let mut code = f.code.clone();
    let ops = f
        .ops()
        .map_err(|e| anyhow!("function `{}`: {e:?}", f.name))?;
    super::fused::mark(&ops, &mut code);
    for (at, op) in ops {
        if let Op::CallNative { native, argc } = op {
            let mut bytes = Vec::new();
            Op::Call {
                func: super::native_call::CALL_NATIVE_BIT | native,
                argc,
            }
            .encode(&mut bytes);
            code[at..at + bytes.len()].copy_from_slice(&bytes);
        }
    }
    Ok(code)
}
