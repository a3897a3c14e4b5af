//! The byte-code format (see `FORMAT.md`): instructions with their operands, the module image,
//! and its encoding and decoding. Host and device interpreters both read this.

use std::fmt;

/// Format version written after the magic.
pub const VERSION: u8 = 2;
pub const MAGIC: &[u8; 4] = b"EPBC";
/// Element tag (in a list value's tag path) of cells that are values themselves.
pub const DYN_ELEM: u32 = 15;
/// Return tag byte of a native function that returns nothing.
pub const NO_RET: u8 = 0xFF;
/// A `ref` operand of a superinstruction names frame slot `r` below this, module variable
/// `r - GLOBAL_REF` from it. The compiler uses refs only for locals assigned on every path.
pub const GLOBAL_REF: u8 = 0x80;

macro_rules! ops {
    ($( $(#[$doc:meta])* $name:ident = $code:literal $( ( $($field:ident : $fty:ident),* ) )? ;)*) => {
        /// One instruction with its operands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op { $( $(#[$doc])* $name $( { $($field: $fty),* } )?, )* }

        impl Op {
            /// The opcode byte.
            pub fn code(&self) -> u8 {
                match self { $( ops!(@pat $name $( $($field)* )?) => $code, )* }
            }

            /// Appends the instruction's bytes.
            pub fn encode(&self, out: &mut Vec<u8>) {
                out.push(self.code());
                match *self {
                    $( Op::$name $( { $($field),* } )? => { $( $( $field.put(out); )* )? } )*
                }
            }

            /// Reads one instruction at `*at`, advancing it.
            pub fn decode(code: &[u8], at: &mut usize) -> Result<Op, DecodeError> {
                let byte = *code.get(*at).ok_or(DecodeError::Truncated)?;
                *at += 1;
                Ok(match byte {
                    $( $code => Op::$name $( { $($field: <$fty>::get(code, at)?),* } )?, )*
                    other => return Err(DecodeError::BadOpcode(other)),
                })
            }
        }
    };
    (@pat $name:ident) => { Op::$name };
    (@pat $name:ident $($field:ident)+) => { Op::$name { .. } };
}

ops! {
    None = 0; True = 1; False = 2;
    /// A small int.
    Int8 = 3 (v: i8);
    /// A constant of the pool.
    Const = 4 (idx: u16);
    /// A function value.
    Func = 5 (func: u16);
    Load = 6 (slot: u8);
    Store = 7 (slot: u8);
    LoadG = 8 (global: u16);
    StoreG = 9 (global: u16);
    /// Raise `name 'x' is not defined` (x = str constant `name`) if the slot was never assigned.
    CheckLocal = 10 (slot: u8, name: u16);
    Pop = 11; Dup = 12; Dup2 = 13;
    /// [a b c → c a b]
    Rot3 = 14;
    /// [a b → b a]
    Swap = 15;
    Add = 20; Sub = 21; Mul = 22; Div = 23; FloorDiv = 24; Mod = 25; Pow = 26;
    Neg = 27; Pos = 28; Not = 29; Invert = 30;
    BitAnd = 31; BitOr = 32; BitXor = 33; Shl = 34; Shr = 35;
    Eq = 40; Ne = 41; Lt = 42; Le = 43; Gt = 44; Ge = 45; Is = 46; IsNot = 47;
    Jump = 50 (off: i16);
    JumpIfFalse = 51 (off: i16);
    JumpIfTrue = 52 (off: i16);
    JumpIfFalseKeep = 53 (off: i16);
    JumpIfTrueKeep = 54 (off: i16);
    Call = 60 (func: u16, argc: u8);
    CallValue = 61 (argc: u8);
    CallNative = 62 (native: u16, argc: u8);
    Return = 63; ReturnNone = 64;
    List = 70 (n: u8);
    ListRepeat = 71;
    Index = 72 (k: u8);
    StoreIndex = 73 (k: u8);
    Len = 74;
    Svc = 80 (svc: u8, argc: u8);
    Raise = 81 (err: u8, detail: u16);
    /// Slots base..base+2 hold counter, stop, step: jump when done, else push the counter and
    /// advance it.
    RangeNext = 82 (base: u8, off: i16);
    /// Superinstructions of common sequences; `ref` operands as [`GLOBAL_REF`] says.
    /// [→ list[i + k]]: `Load list; Load i; Int8 k; Add; Index 1` (k < 0: `Sub` of -k;
    /// k = 0: no arithmetic).
    IndexRef = 92 (list: u8, i: u8, k: i8);
    /// [v →]: `Load list; Load i; (Int8 k; Add); StoreIndex 1`, as `IndexRef`.
    StoreIndexRef = 93 (list: u8, i: u8, k: i8);
}

/// Operand types of instructions.
trait Operand: Sized {
    fn put(self, out: &mut Vec<u8>);
    fn get(code: &[u8], at: &mut usize) -> Result<Self, DecodeError>;
}

macro_rules! operand {
    ($($t:ty),*) => {$(
        impl Operand for $t {
            fn put(self, out: &mut Vec<u8>) { out.extend_from_slice(&self.to_le_bytes()); }
            fn get(code: &[u8], at: &mut usize) -> Result<Self, DecodeError> {
                const N: usize = std::mem::size_of::<$t>();
                let b = code.get(*at..*at + N).ok_or(DecodeError::Truncated)?;
                *at += N;
                Ok(<$t>::from_le_bytes(b.try_into().expect("slice of N bytes")))
            }
        }
    )*};
}
operand!(u8, i8, u16, i16, i32, u32);

macro_rules! services {
    ($( $(#[$doc:meta])* $name:ident = $code:literal ;)*) => {
        /// Runtime services of `Op::Svc`: the dialect's polymorphic operations.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Svc { $( $(#[$doc])* $name = $code, )* }
        impl Svc {
            pub fn from_u8(v: u8) -> Option<Svc> {
                match v { $( $code => Some(Svc::$name), )* _ => None }
            }
        }
    };
}

services! {
    /// (v) print one value on its own line.
    Print = 0;
    /// (v) -> str, the `"" + v` conversion.
    Str = 1;
    /// (v) -> int (truncating a float, parsing a str).
    Int = 2;
    /// (v) -> float.
    Float = 3;
    CoreId = 4;
    NumCores = 5;
    IsHost = 6;
    IsDevice = 7;
    /// (v, dest) send any scalar or str, its tag travels with it.
    Send = 8;
    /// (src) -> the value received, of whatever tag was sent.
    Recv = 9;
    /// (v, partner) -> partner's value.
    SendRecv = 10;
    /// (v, root) -> root's value.
    Bcast = 11;
    /// (v, op code) -> reduced value.
    Reduce = 12;
    Sync = 13;
    /// (src) -> bool.
    Probe = 14;
    /// (v, dest)
    SendNonBlocking = 15;
    /// (dest) -> bool.
    TestSent = 16;
    /// (dest) -> bool.
    WaitSent = 17;
    /// (op code, x) -> float: ePython's rtl_math.
    Math = 18;
    Random = 19;
    RandInt = 20;
    /// (seed)
    Seed = 21;
    /// (ndim, d0..d6) -> new zeroed array of values.
    ArrayNew = 22;
    /// (list) -> number of dimensions.
    NDim = 23;
    /// (list, d) -> size of dimension d.
    Dim = 24;
    /// (prompt or none) -> str.
    Input = 25;
    /// () stop the core normally.
    Exit = 26;
    /// (a, b) -> min; (a, b) -> max; (v) -> abs.
    Min = 27;
    Max = 28;
    Abs = 29;
    /// (start, stop, step) -> list of ints (range() used as a value).
    Range = 30;
    /// (src) -> a function value received (`rtl_recvfunc`).
    RecvFunc = 31;
}

/// A constant of the pool.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    Int(i32),
    Float(f32),
    Str(String),
}

/// A native function byte code can call: its symbol and the tags of its parameters and result.
#[derive(Clone, Debug, PartialEq)]
pub struct Native {
    pub symbol: String,
    pub params: Vec<u8>,
    /// [`NO_RET`] when it returns nothing.
    pub ret: u8,
}

/// A byte-code function.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Function {
    pub name: String,
    /// File index (the file part of a runtime `pos`).
    pub file: u8,
    pub nparams: u8,
    /// Frame slots, parameters included.
    pub nlocals: u8,
    pub code: Vec<u8>,
    /// (code offset, line), offsets increasing.
    pub lines: Vec<(u16, u32)>,
}

impl Function {
    /// The source line of the instruction at `pc` (0 when unknown).
    pub fn line_at(&self, pc: usize) -> u32 {
        let i = self.lines.partition_point(|&(off, _)| off as usize <= pc);
        if i == 0 {
            0
        } else {
            self.lines[i - 1].1
        }
    }

    /// Decodes the whole code into (offset, instruction) pairs.
    pub fn ops(&self) -> Result<Vec<(usize, Op)>, DecodeError> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < self.code.len() {
            let start = at;
            out.push((start, Op::decode(&self.code, &mut at)?));
        }
        Ok(out)
    }
}

/// A byte-code program (or the byte-code part of a mixed one). Function 0 is the entry when
/// the module is a whole program.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    pub consts: Vec<Const>,
    /// Constant index of each module variable's name (for `name 'x' is not defined`).
    pub global_names: Vec<u16>,
    pub natives: Vec<Native>,
    pub funcs: Vec<Function>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    Truncated,
    BadMagic,
    BadVersion(u8),
    BadOpcode(u8),
    BadConstKind(u8),
    BadUtf8,
    TooLarge(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => write!(f, "byte code ends in the middle of an item"),
            DecodeError::BadMagic => write!(f, "not an epyc byte-code image (magic)"),
            DecodeError::BadVersion(v) => write!(f, "byte-code version {v}, expected {VERSION}"),
            DecodeError::BadOpcode(o) => write!(f, "unknown opcode {o}"),
            DecodeError::BadConstKind(k) => write!(f, "unknown constant kind {k}"),
            DecodeError::BadUtf8 => write!(f, "string constant is not UTF-8"),
            DecodeError::TooLarge(what) => write!(f, "too many {what} for the format"),
        }
    }
}

impl std::error::Error for DecodeError {}

fn u16_of(n: usize, what: &'static str) -> Result<u16, DecodeError> {
    u16::try_from(n).map_err(|_| DecodeError::TooLarge(what))
}

impl Module {
    /// The image (see `FORMAT.md`, "Image layout").
    pub fn encode(&self) -> Result<Vec<u8>, DecodeError> {
        let mut out = MAGIC.to_vec();
        out.push(VERSION);
        u16_of(self.consts.len(), "constants")?.put(&mut out);
        for c in &self.consts {
            match c {
                Const::Int(v) => {
                    out.push(0);
                    v.put(&mut out);
                }
                Const::Float(v) => {
                    out.push(1);
                    v.to_bits().put(&mut out);
                }
                Const::Str(s) => {
                    out.push(2);
                    u16_of(s.len(), "string bytes")?.put(&mut out);
                    out.extend_from_slice(s.as_bytes());
                }
            }
        }
        u16_of(self.global_names.len(), "module variables")?.put(&mut out);
        for g in &self.global_names {
            g.put(&mut out);
        }
        u16_of(self.natives.len(), "native functions")?.put(&mut out);
        for n in &self.natives {
            let sym = self.const_index_of_str(&n.symbol)?;
            sym.put(&mut out);
            out.push(u8::try_from(n.params.len()).map_err(|_| DecodeError::TooLarge("params"))?);
            out.extend_from_slice(&n.params);
            out.push(n.ret);
        }
        u16_of(self.funcs.len(), "functions")?.put(&mut out);
        for f in &self.funcs {
            self.const_index_of_str(&f.name)?.put(&mut out);
            out.extend_from_slice(&[f.file, f.nparams, f.nlocals]);
            u16_of(f.code.len(), "code bytes")?.put(&mut out);
            out.extend_from_slice(&f.code);
            u16_of(f.lines.len(), "line entries")?.put(&mut out);
            let (mut off, mut line) = (0u16, 0i64);
            for &(o, l) in &f.lines {
                (o - off).put(&mut out);
                i16::try_from(l as i64 - line)
                    .map_err(|_| DecodeError::TooLarge("line delta"))?
                    .put(&mut out);
                off = o;
                line = l as i64;
            }
        }
        Ok(out)
    }

    /// Reads an image written by [`Module::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Module, DecodeError> {
        if bytes.len() < 5 {
            return Err(DecodeError::Truncated);
        }
        if &bytes[..4] != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        if bytes[4] != VERSION {
            return Err(DecodeError::BadVersion(bytes[4]));
        }
        let at = &mut 5usize;
        let mut m = Module::default();
        for _ in 0..u16::get(bytes, at)? {
            let kind = u8::get(bytes, at)?;
            m.consts.push(match kind {
                0 => Const::Int(i32::get(bytes, at)?),
                1 => Const::Float(f32::from_bits(u32::get(bytes, at)?)),
                2 => {
                    let n = u16::get(bytes, at)? as usize;
                    let b = bytes.get(*at..*at + n).ok_or(DecodeError::Truncated)?;
                    *at += n;
                    Const::Str(String::from_utf8(b.to_vec()).map_err(|_| DecodeError::BadUtf8)?)
                }
                k => return Err(DecodeError::BadConstKind(k)),
            });
        }
        for _ in 0..u16::get(bytes, at)? {
            m.global_names.push(u16::get(bytes, at)?);
        }
        for _ in 0..u16::get(bytes, at)? {
            let symbol = m.str_const(u16::get(bytes, at)?)?;
            let n = u8::get(bytes, at)? as usize;
            let params = bytes
                .get(*at..*at + n)
                .ok_or(DecodeError::Truncated)?
                .to_vec();
            *at += n;
            let ret = u8::get(bytes, at)?;
            m.natives.push(Native {
                symbol,
                params,
                ret,
            });
        }
        for _ in 0..u16::get(bytes, at)? {
            let name = m.str_const(u16::get(bytes, at)?)?;
            let (file, nparams, nlocals) = (
                u8::get(bytes, at)?,
                u8::get(bytes, at)?,
                u8::get(bytes, at)?,
            );
            let n = u16::get(bytes, at)? as usize;
            let code = bytes
                .get(*at..*at + n)
                .ok_or(DecodeError::Truncated)?
                .to_vec();
            *at += n;
            let mut lines = Vec::new();
            let (mut off, mut line) = (0u16, 0i64);
            for _ in 0..u16::get(bytes, at)? {
                off += u16::get(bytes, at)?;
                line += i16::get(bytes, at)? as i64;
                lines.push((off, line as u32));
            }
            m.funcs.push(Function {
                name,
                file,
                nparams,
                nlocals,
                code,
                lines,
            });
        }
        Ok(m)
    }

    fn str_const(&self, idx: u16) -> Result<String, DecodeError> {
        match self.consts.get(idx as usize) {
            Some(Const::Str(s)) => Ok(s.clone()),
            _ => Err(DecodeError::Truncated),
        }
    }

    fn const_index_of_str(&self, s: &str) -> Result<u16, DecodeError> {
        let i = self
            .consts
            .iter()
            .position(|c| matches!(c, Const::Str(x) if x == s))
            .ok_or(DecodeError::TooLarge(
                "names missing from the constant pool",
            ))?;
        u16_of(i, "constants")
    }

    /// Index of a constant, adding it to the pool if new.
    pub fn constant(&mut self, c: Const) -> u16 {
        let found = self.consts.iter().position(|x| match (x, &c) {
            (Const::Float(a), Const::Float(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        });
        let i = found.unwrap_or_else(|| {
            self.consts.push(c);
            self.consts.len() - 1
        });
        i as u16
    }

    /// The string of a str constant (None when `idx` is not one).
    pub fn str_at(&self, idx: u16) -> Option<&str> {
        match self.consts.get(idx as usize) {
            Some(Const::Str(s)) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Module {
        let mut m = Module::default();
        let name = m.constant(Const::Str("main".into()));
        m.constant(Const::Int(-70000));
        m.constant(Const::Float(2.5));
        let g = m.constant(Const::Str("x".into()));
        m.global_names.push(g);
        m.constant(Const::Str("epyc_f".into()));
        m.natives.push(Native {
            symbol: "epyc_f".into(),
            params: vec![2, 3],
            ret: NO_RET,
        });
        let mut code = Vec::new();
        for op in [
            Op::Int8 { v: -3 },
            Op::Const { idx: 1 },
            Op::Add,
            Op::StoreG { global: 0 },
            Op::JumpIfFalse { off: -7 },
            Op::Call { func: 0, argc: 2 },
            Op::RangeNext { base: 4, off: 300 },
            Op::ReturnNone,
        ] {
            op.encode(&mut code);
        }
        assert_eq!(m.str_at(name), Some("main"));
        m.funcs.push(Function {
            name: "main".into(),
            file: 1,
            nparams: 0,
            nlocals: 5,
            code,
            lines: vec![(0, 3), (4, 1), (9, 400)],
        });
        m
    }

    #[test]
    fn image_round_trips() {
        let m = sample();
        let bytes = m.encode().unwrap();
        assert_eq!(Module::decode(&bytes).unwrap(), m);
    }

    #[test]
    fn instructions_round_trip_and_are_compact() {
        let f = &sample().funcs[0];
        let ops = f.ops().unwrap();
        assert_eq!(ops.len(), 8);
        assert_eq!(ops[0], (0, Op::Int8 { v: -3 }));
        assert_eq!(ops[6].1, Op::RangeNext { base: 4, off: 300 });
        // 2 + 3 + 1 + 3 + 3 + 4 + 4 + 1 bytes.
        assert_eq!(f.code.len(), 21);
    }

    #[test]
    fn line_table_lookup() {
        let f = &sample().funcs[0];
        assert_eq!(f.line_at(0), 3);
        assert_eq!(f.line_at(5), 1);
        assert_eq!(f.line_at(20), 400);
    }

    #[test]
    fn bad_images_are_errors_not_panics() {
        let bytes = sample().encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(Module::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(Module::decode(b"XXXX\x01"), Err(DecodeError::BadMagic));
        assert_eq!(Op::decode(&[250], &mut 0), Err(DecodeError::BadOpcode(250)));
    }
}
