//! THE instruction table: every instruction form of the Epiphany as GNU binutils 2.40 knows it
//! (cpu/epiphany.cpu), with its size, fixed opcode bits and mask, semantic operation, operand
//! fields and GNU syntax. The decoder, the disassembler, the structured encoder and the
//! assembler-line parser all read this one list; nothing else knows an opcode bit.
//!
//! Order matters the way it does for GNU: the disassembler first tries the forms flagged
//! `PRI` (CGEN's disassemblable macros and aliases, which it hashes in front of the real
//! instructions), then the real ones, in table order; the assembler tries 16-bit forms before
//! 32-bit ones.

use crate::fields::Opnd;
use crate::inst::{AddrMode, Cond, Inst, Op, Width};
use std::sync::OnceLock;

/// A real instruction: defines the semantics of the words it matches (decoder, encoder).
pub const DECODE: u16 = 1;
/// objdump may print a matching word with this form.
pub const DIS: u16 = 2;
/// Printing priority: tried before the other `DIS` forms (CGEN macro/alias).
pub const PRI: u16 = 4;
/// GNU as accepts this syntax.
pub const ASM: u16 = 8;
/// The structured encoder may pick this form by itself when choosing the shortest encoding.
pub const AUTO: u16 = 16;
/// The mnemonic also takes a `.s` suffix (16-bit forms only).
pub const SFX_S: u16 = 32;
/// The mnemonic also takes a `.l` suffix (32-bit forms only).
pub const SFX_L: u16 = 64;
/// The mnemonic also takes a `.b` suffix (`mov.b`).
pub const SFX_B: u16 = 128;

const REAL: u16 = DECODE | DIS | ASM | AUTO;

/// One piece of a syntax template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Lit(char),
    Op(Opnd),
}

/// One instruction form.
#[derive(Clone, Debug)]
pub struct Form {
    /// Mnemonic without size suffix (`ldrb`, `beq`, `movgtu`).
    pub mnemonic: String,
    /// Operand template after the mnemonic, in GNU syntax.
    pub syntax: Vec<Tok>,
    /// Operand fields that exist in the word but are not written in the syntax (decoded and
    /// re-encoded so that a word survives decode + encode unchanged).
    pub hidden: &'static [Opnd],
    /// 2 or 4 bytes.
    pub size: u8,
    /// Fixed bits: a word `w` is this form when `w & mask == value`.
    pub value: u32,
    pub mask: u32,
    /// The semantic operation.
    pub op: Op,
    /// Special register group of an `Sn6` operand (0 core, 1 DMA, 2 MEM, 3 MESH).
    pub group: u8,
    /// `DECODE`, `DIS`, `PRI`, `ASM`, `AUTO`, `SFX_*`.
    pub flags: u16,
}

impl Form {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// Whether `word` (as fetched) is an instance of this form.
    pub fn matches(&self, word: u32) -> bool {
        self.fetch(word) & self.mask == self.value
    }

    /// The part of a fetched word this form looks at.
    pub fn fetch(&self, word: u32) -> u32 {
        if self.size == 2 {
            word & 0xFFFF
        } else {
            word
        }
    }

    /// All operands with bits in the word: the syntax ones, then the hidden ones.
    pub fn operands(&self) -> impl Iterator<Item = Opnd> + '_ {
        self.syntax
            .iter()
            .filter_map(|t| match t {
                Tok::Op(o) => Some(*o),
                Tok::Lit(_) => None,
            })
            .chain(self.hidden.iter().copied())
    }

    /// Access width of a load/store form (scales displacements); Byte otherwise.
    pub fn width(&self) -> Width {
        match self.op {
            Op::Load { width, .. } | Op::Store { width, .. } | Op::Testset { width } => width,
            _ => Width::Byte,
        }
    }
}

/// The table, built once.
pub fn forms() -> &'static [Form] {
    &tables().forms
}

struct Tables {
    forms: Vec<Form>,
    /// Indices of `DECODE` forms, bucketed by the primary opcode (bits 3:0).
    decode_by_opc: [Vec<usize>; 16],
    /// Indices of `DIS` forms in printing order (PRI first).
    dis_order: Vec<usize>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let forms = build();
        let mut decode_by_opc: [Vec<usize>; 16] = Default::default();
        for (i, f) in forms.iter().enumerate() {
            if f.has(DECODE) {
                decode_by_opc[(f.value & 0xF) as usize].push(i);
            }
        }
        let mut dis_order: Vec<usize> = (0..forms.len())
            .filter(|&i| forms[i].has(DIS) && forms[i].has(PRI))
            .collect();
        dis_order.extend((0..forms.len()).filter(|&i| forms[i].has(DIS) && !forms[i].has(PRI)));
        Tables {
            forms,
            decode_by_opc,
            dis_order,
        }
    })
}

/// The real form that `word` is an instance of.
pub fn decode_form(word: u32) -> Option<&'static Form> {
    let t = tables();
    t.decode_by_opc[(word & 0xF) as usize]
        .iter()
        .map(|&i| &t.forms[i])
        .find(|f| f.matches(word))
}

/// The form objdump prints `word` with.
pub fn print_form(word: u32) -> Option<&'static Form> {
    let t = tables();
    t.dis_order
        .iter()
        .map(|&i| &t.forms[i])
        .find(|f| f.matches(word))
}

/// Decode a fetched word; see [`crate::inst::decode`].
pub fn decode(word: u32) -> Option<Inst> {
    let form = decode_form(word)?;
    let w = form.fetch(word);
    let mut inst = Inst::new(form.op, form.size);
    for o in form.operands() {
        apply(&mut inst, form, o, o.extract(w));
    }
    Some(inst)
}

/// Store raw field value `raw` of operand `o` into the semantic instruction.
pub fn apply(inst: &mut Inst, form: &Form, o: Opnd, raw: i32) {
    let shift = form.width().shift();
    match o {
        Opnd::Rd | Opnd::Rd6 => inst.rd = raw as u8,
        Opnd::Rn | Opnd::Rn6 => inst.rn = raw as u8,
        Opnd::Rm | Opnd::Rm6 => inst.rm = raw as u8,
        Opnd::Sn => inst.imm = raw,
        Opnd::Sn6 => inst.imm = (form.group as i32) * 64 + raw,
        Opnd::Simm3
        | Opnd::Simm11
        | Opnd::Imm8
        | Opnd::Imm16
        | Opnd::Shift
        | Opnd::Trap6
        | Opnd::Swi6 => inst.imm = raw,
        Opnd::Disp3 => inst.imm = raw << shift,
        Opnd::Dpmi | Opnd::Dir => inst.sub = raw != 0,
        Opnd::Disp11 => {
            let bytes = raw << shift;
            inst.imm = if inst.sub { -bytes } else { bytes };
        }
        Opnd::Simm8 | Opnd::Simm24 => inst.imm = raw * 2,
    }
}

/// The raw field value of operand `o` for `inst`, or why it does not fit this form.
pub fn raw_of(inst: &Inst, form: &Form, o: Opnd) -> Result<i32, String> {
    let shift = form.width().shift();
    let scale = 1i64 << shift;
    let raw: i64 = match o {
        Opnd::Rd | Opnd::Rd6 => inst.rd as i64,
        Opnd::Rn | Opnd::Rn6 => inst.rn as i64,
        Opnd::Rm | Opnd::Rm6 => inst.rm as i64,
        Opnd::Sn => inst.imm as i64,
        Opnd::Sn6 => {
            if inst.imm >> 6 != form.group as i32 {
                return Err(format!(
                    "special register {} is not in group {}",
                    inst.imm, form.group
                ));
            }
            (inst.imm & 63) as i64
        }
        Opnd::Simm3
        | Opnd::Simm11
        | Opnd::Imm8
        | Opnd::Imm16
        | Opnd::Shift
        | Opnd::Trap6
        | Opnd::Swi6 => inst.imm as i64,
        Opnd::Disp3 => {
            let d = inst.imm as i64;
            if inst.sub || d < 0 || d % scale != 0 {
                return Err(format!("displacement {d} needs the 32-bit form"));
            }
            d / scale
        }
        Opnd::Dpmi => (inst.imm < 0 || (inst.imm == 0 && inst.sub)) as i64,
        Opnd::Dir => inst.sub as i64,
        Opnd::Disp11 => {
            let d = (inst.imm as i64).abs();
            if d % scale != 0 {
                return Err(format!(
                    "displacement {} is not a multiple of {scale}",
                    inst.imm
                ));
            }
            d / scale
        }
        Opnd::Simm8 | Opnd::Simm24 => {
            if inst.imm % 2 != 0 {
                return Err(format!("branch offset {} is odd", inst.imm));
            }
            (inst.imm / 2) as i64
        }
    };
    let raw32 = i32::try_from(raw).map_err(|_| format!("{raw} out of range"))?;
    if !o.fits(raw32) {
        return Err(format!("{raw} does not fit {o:?}"));
    }
    Ok(raw32)
}

// ---------------------------------------------------------------------------------------------
// Building the table.

fn parse_syntax(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            let mut name = String::new();
            while let Some(&n) = chars.peek() {
                if n.is_ascii_alphanumeric() || n == '_' {
                    name.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            let o = Opnd::from_name(&name).unwrap_or_else(|| panic!("bad operand ${name}"));
            out.push(Tok::Op(o));
        } else {
            out.push(Tok::Lit(c));
        }
    }
    out
}

struct Builder {
    forms: Vec<Form>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        flags: u16,
        size: u8,
        value: u32,
        mask: u32,
        op: Op,
        mnemonic: &str,
        syntax: &str,
        hidden: &'static [Opnd],
    ) {
        self.forms.push(Form {
            mnemonic: mnemonic.to_string(),
            syntax: parse_syntax(syntax),
            hidden,
            size,
            value,
            mask,
            op,
            group: 0,
            flags,
        });
    }
}

// Primary opcodes (bits 3:0), CGEN `insn-opc`.
const BRANCH16: u32 = 0x0;
const LDSTR16X: u32 = 0x1;
const FLOW16: u32 = 0x2;
const IMM16: u32 = 0x3;
const LDSTR16D: u32 = 0x4;
const LDSTR16P: u32 = 0x5;
const LSHIFT16: u32 = 0x6;
const DSP16: u32 = 0x7;
const BRANCH: u32 = 0x8;
const LDSTRX: u32 = 0x9;
const ALU16: u32 = 0xA;
const IMM32: u32 = 0xB;
const LDSTRD: u32 = 0xC;
const LDSTRP: u32 = 0xD;
const ASHIFT16: u32 = 0xE;
const MISC: u32 = 0xF;

/// f-opc-19-4 (bits 19:16) of 32-bit MISC/IMM32 forms.
const fn opc19(v: u32) -> u32 {
    v << 16
}

fn build() -> Vec<Form> {
    let mut b = Builder { forms: Vec::new() };
    branches(&mut b);
    jumps(&mut b);
    loads_stores(&mut b);
    moves(&mut b);
    flow(&mut b);
    integer(&mut b);
    float(&mut b);
    b.forms
}

fn branches(b: &mut Builder) {
    // b<cond> simm8 / simm24; cond 14 = b, 15 = bl. objdump prints the relaxable macros
    // (no .s/.l suffix), so the real forms carry the bare mnemonic.
    for code in 0..16u32 {
        let (op, mnem) = match Cond::from_code(code) {
            Some(c) => (Op::B(c), format!("b{}", c.suffix())),
            None => (Op::Bl, "bl".to_string()),
        };
        let cc = code << 4;
        b.add(
            REAL | SFX_S,
            2,
            cc | BRANCH16,
            0xFF,
            op,
            &mnem,
            "$simm8",
            &[],
        );
        b.add(
            REAL | SFX_L,
            4,
            cc | BRANCH,
            0xFF,
            op,
            &mnem,
            "$simm24",
            &[],
        );
    }
}

fn jumps(b: &mut Builder) {
    // jr/jalr: f-opc-8-5 = 0x14/0x15; 16-bit with dc-15-3 and dc-9-1 zero.
    b.add(REAL, 2, 0x142, 0xE3FF, Op::Jr, "jr", "$rn", &[]);
    b.add(REAL, 2, 0x152, 0xE3FF, Op::Jalr, "jalr", "$rn", &[]);
    // rts = jr r14 (32-bit), a CGEN alias that objdump prefers.
    b.add(
        DIS | PRI | ASM,
        4,
        0x0402_194F,
        0xFFFF_FFFF,
        Op::Jr,
        "rts",
        "",
        &[],
    );
    let m32 = 0xE3FF_E3FF;
    b.add(REAL, 4, opc19(2) | 0x14F, m32, Op::Jr, "jr", "$rn6", &[]);
    b.add(
        REAL,
        4,
        opc19(2) | 0x15F,
        m32,
        Op::Jalr,
        "jalr",
        "$rn6",
        &[],
    );
}

fn loads_stores(b: &mut Builder) {
    for store in [false, true] {
        for width in Width::ALL {
            let base = (width as u32) << 5 | (store as u32) << 4;
            let name = format!("{}{}", if store { "str" } else { "ldr" }, width.suffix());
            let op = |mode| {
                if store {
                    Op::Store { width, mode }
                } else {
                    Op::Load { width, mode }
                }
            };
            // 16-bit: index, post-modify, displacement (and the [rn] macro for disp 0).
            b.add(
                REAL,
                2,
                base | LDSTR16X,
                0x7F,
                op(AddrMode::Index),
                &name,
                "$rd,[$rn,$rm]",
                &[],
            );
            b.add(
                REAL,
                2,
                base | LDSTR16P,
                0x7F,
                op(AddrMode::PostIndex),
                &name,
                "$rd,[$rn],$rm",
                &[],
            );
            b.add(
                DIS | PRI | ASM,
                2,
                base | LDSTR16D,
                0x3FF,
                op(AddrMode::Disp),
                &name,
                "$rd,[$rn]",
                &[],
            );
            b.add(
                REAL,
                2,
                base | LDSTR16D,
                0x7F,
                op(AddrMode::Disp),
                &name,
                "$rd,[$rn,$disp3]",
                &[],
            );
            // 32-bit: index (opc-19-4 0, dc-22-1 0, dc-21-1 0), post-modify by register
            // (dc-22-2 0), displacement and displacement-post-modify (f-pm bit 25).
            let mx = 0x006F_007F;
            let rl = REAL | SFX_L;
            b.add(
                rl,
                4,
                base | LDSTRX,
                mx,
                op(AddrMode::Index),
                &name,
                "$rd6,[$rn6,$direction$rm6]",
                &[],
            );
            b.add(
                rl,
                4,
                base | LDSTRP,
                mx,
                op(AddrMode::PostIndex),
                &name,
                "$rd6,[$rn6],$direction$rm6",
                &[],
            );
            // `str rd,[rn]` (32-bit, disp +0) is a disassemblable macro; the load one is not.
            let zero = if store {
                DIS | PRI | ASM | SFX_L
            } else {
                ASM | SFX_L
            };
            b.add(
                zero,
                4,
                base | LDSTRD,
                0x03FF_03FF,
                op(AddrMode::Disp),
                &name,
                "$rd6,[$rn6]",
                &[],
            );
            b.add(
                rl,
                4,
                base | LDSTRD,
                0x0200_007F,
                op(AddrMode::Disp),
                &name,
                "$rd6,[$rn6,$dpmi$disp11]",
                &[],
            );
            b.add(
                rl,
                4,
                base | LDSTRD | 1 << 25,
                0x0200_007F,
                op(AddrMode::PostDisp),
                &name,
                "$rd6,[$rn6],$dpmi$disp11",
                &[],
            );
        }
    }
    // testset{b,h,}: the LDSTRX load encoding with dc-21-1 = 1.
    for width in [Width::Byte, Width::Half, Width::Word] {
        let name = format!("testset{}", width.suffix());
        let value = (width as u32) << 5 | LDSTRX | 1 << 21;
        b.add(
            REAL | SFX_L,
            4,
            value,
            0x006F_007F,
            Op::Testset { width },
            &name,
            "$rd6,[$rn6,$direction$rm6]",
            &[],
        );
    }
}

fn moves(b: &mut Builder) {
    // mov<cond> rd,rn: FLOW16 / MISC with f-opc-8-1 = 0, dc-9-1 = 0.
    for c in Cond::ALL {
        let name = format!("mov{}", c.suffix());
        let cc = c.code() << 4;
        b.add(
            REAL,
            2,
            cc | FLOW16,
            0x3FF,
            Op::Mov(c),
            &name,
            "$rd,$rn",
            &[],
        );
        b.add(
            REAL | SFX_L,
            4,
            cc | MISC | opc19(2),
            0x03FF_03FF,
            Op::Mov(c),
            &name,
            "$rd6,$rn6",
            &[],
        );
    }
    // mov rd,#imm8 / #imm16, movt.
    b.add(
        REAL | SFX_B,
        2,
        IMM16,
        0x1F,
        Op::MovImm,
        "mov",
        "$rd,$imm8",
        &[],
    );
    b.add(
        REAL | SFX_L,
        4,
        IMM32 | opc19(2),
        0x100F_001F,
        Op::MovImm,
        "mov",
        "$rd6,$imm16",
        &[],
    );
    b.add(
        REAL | SFX_L,
        4,
        IMM32 | opc19(2) | 1 << 28,
        0x100F_001F,
        Op::Movt,
        "movt",
        "$rd6,$imm16",
        &[],
    );
    // movts/movfs: 16-bit (core registers 0..7), 32-bit per group (dc-21-2).
    b.add(
        REAL,
        2,
        0x100 | FLOW16,
        0x3FF,
        Op::Movts,
        "movts",
        "$sn,$rd",
        &[],
    );
    b.add(
        REAL,
        2,
        0x110 | FLOW16,
        0x3FF,
        Op::Movfs,
        "movfs",
        "$rd,$sn",
        &[],
    );
    for group in 0..4u32 {
        let v = MISC | 0x100 | opc19(2) | group << 20;
        b.add(
            REAL | SFX_L,
            4,
            v,
            0x03FF_03FF,
            Op::Movts,
            "movts",
            "$sn6,$rd6",
            &[],
        );
        b.forms.last_mut().expect("just added").group = group as u8;
        b.add(
            REAL | SFX_L,
            4,
            v | 0x10,
            0x03FF_03FF,
            Op::Movfs,
            "movfs",
            "$rd6,$sn6",
            &[],
        );
        b.forms.last_mut().expect("just added").group = group as u8;
    }
}

fn flow(b: &mut Builder) {
    // FLOW16 no-operand instructions: f-opc-8-5 with dc-15-7 fixed; the whole halfword is fixed.
    let simple: [(Op, &str, u32); 11] = [
        (Op::Nop, "nop", 0x01A2),
        (Op::Snop, "snop", 0x03A2),
        (Op::Idle, "idle", 0x01B2),
        (Op::Bkpt, "bkpt", 0x01C2),
        (Op::Mbkpt, "mbkpt", 0x03C2),
        (Op::Rti, "rti", 0x01D2),
        (Op::Wand, "wand", 0x0182),
        (Op::Sync, "sync", 0x01F2),
        (Op::Gie, "gie", 0x0192),
        (Op::Gid, "gid", 0x0392),
        (Op::Swi, "swi", 0x01E2),
    ];
    for (op, name, value) in simple {
        // `swi` without a number is the alias of `swi 0` that objdump prefers.
        let flags = if op == Op::Swi { DIS | PRI | ASM } else { REAL };
        b.add(flags, 2, value, 0xFFFF, op, name, "", &[]);
    }
    b.add(REAL, 2, 0x01E2, 0x3FF, Op::Swi, "swi", "$swi_num", &[]);
    b.add(REAL, 2, 0x03E2, 0x3FF, Op::Trap, "trap", "$trapnum6", &[]);
    b.add(
        REAL,
        4,
        0x000F_000F,
        0xFFFF_FFFF,
        Op::Unimpl,
        "unimpl",
        "",
        &[],
    );
}

fn integer(b: &mut Builder) {
    // Three-register ALU: OPB code in bits 6:4 (CGEN `insn-bop`).
    let rrr: [(Op, &str, u32); 8] = [
        (Op::Eor, "eor", 0),
        (Op::Add, "add", 1),
        (Op::Lsl, "lsl", 2),
        (Op::Sub, "sub", 3),
        (Op::Lsr, "lsr", 4),
        (Op::And, "and", 5),
        (Op::Asr, "asr", 6),
        (Op::Orr, "orr", 7),
    ];
    for (op, name, code) in rrr {
        b.add(
            REAL,
            2,
            code << 4 | ALU16,
            0x7F,
            op,
            name,
            "$rd,$rn,$rm",
            &[],
        );
        b.add(
            REAL | SFX_L,
            4,
            code << 4 | MISC | opc19(0xA),
            0x007F_007F,
            op,
            name,
            "$rd6,$rn6,$rm6",
            &[],
        );
    }
    // Epiphany-IV bit-field ops: OPBE code, dc-20-1 = 1.
    for (op, name, code) in [
        (Op::Fext, "fext", 0u32),
        (Op::Fdep, "fdep", 1),
        (Op::Lfsr, "lfsr", 2),
    ] {
        let v = code << 4 | MISC | opc19(0xA) | 1 << 20;
        b.add(
            REAL | SFX_L,
            4,
            v,
            0x007F_007F,
            op,
            name,
            "$rd6,$rn6,$rm6",
            &[],
        );
    }
    // add/sub immediate: OPI code in bits 6:4; 32-bit with bits 25:24 zero.
    for (op, name, code) in [(Op::AddImm, "add", 1u32), (Op::SubImm, "sub", 3)] {
        b.add(
            REAL | SFX_S,
            2,
            code << 4 | IMM16,
            0x7F,
            op,
            name,
            "$rd,$rn,$simm3",
            &[],
        );
        b.add(
            REAL | SFX_L,
            4,
            code << 4 | IMM32,
            0x0300_007F,
            op,
            name,
            "$rd6,$rn6,$simm11",
            &[],
        );
    }
    // Shifts by immediate: f-opc-4-1 selects lsr/lsl (LSHIFT16, MISC opc-19-4 6) and asr/bitr
    // (ASHIFT16, MISC opc-19-4 0xe).
    let shifts: [(Op, &str, u32, u32, u32); 3] = [
        (Op::LsrImm, "lsr", LSHIFT16, 0, 6),
        (Op::LslImm, "lsl", LSHIFT16, 1, 6),
        (Op::AsrImm, "asr", ASHIFT16, 0, 0xE),
    ];
    for (op, name, short, bit4, long) in shifts {
        b.add(
            REAL,
            2,
            short | bit4 << 4,
            0x1F,
            op,
            name,
            "$rd,$rn,$shift",
            &[],
        );
        let v = MISC | bit4 << 4 | opc19(long);
        b.add(
            REAL | SFX_L,
            4,
            v,
            0x03FF_001F,
            op,
            name,
            "$rd6,$rn6,$shift",
            &[],
        );
    }
    b.add(
        REAL,
        2,
        ASHIFT16 | 0x10,
        0x3FF,
        Op::Bitr,
        "bitr",
        "$rd,$rn",
        &[],
    );
    b.add(
        REAL | SFX_L,
        4,
        MISC | 0x10 | opc19(0xE),
        0x03FF_03FF,
        Op::Bitr,
        "bitr",
        "$rd6,$rn6",
        &[],
    );
}

fn float(b: &mut Builder) {
    // FPU: OPF code in bits 6:4 (CGEN `insn-fop`); 32-bit with opc-19-4 7, dc-22-3 0.
    let three: [(Op, &str, u32); 5] = [
        (Op::Fadd, "fadd", 0),
        (Op::Fsub, "fsub", 1),
        (Op::Fmul, "fmul", 2),
        (Op::Fmadd, "fmadd", 3),
        (Op::Fmsub, "fmsub", 4),
    ];
    for (op, name, code) in three {
        b.add(
            REAL,
            2,
            code << 4 | DSP16,
            0x7F,
            op,
            name,
            "$rd,$rn,$rm",
            &[],
        );
        b.add(
            REAL | SFX_L,
            4,
            code << 4 | MISC | opc19(7),
            0x007F_007F,
            op,
            name,
            "$rd6,$rn6,$rm6",
            &[],
        );
    }
    // One-operand FPU ops leave the rm field free (CGEN encodes rn twice into f-rn).
    for (op, name, code) in [(Op::Float, "float", 5u32), (Op::Fix, "fix", 6)] {
        b.add(
            REAL,
            2,
            code << 4 | DSP16,
            0x7F,
            op,
            name,
            "$rd,$rn",
            &[Opnd::Rm],
        );
        b.add(
            REAL | SFX_L,
            4,
            code << 4 | MISC | opc19(7),
            0x007F_007F,
            op,
            name,
            "$rd6,$rn6",
            &[Opnd::Rm6],
        );
    }
    // CGEN's 16-bit fabs has the literal syntax "fabs rd,rn" (no `$`): objdump prints exactly
    // that and GNU as cannot produce it, so it is neither assembled nor chosen automatically.
    b.add(
        DECODE | DIS,
        2,
        0x70 | DSP16,
        0x7F,
        Op::Fabs,
        "fabs",
        "rd,rn",
        &[Opnd::Rd, Opnd::Rn, Opnd::Rm],
    );
    b.add(
        REAL | SFX_L,
        4,
        0x70 | MISC | opc19(7),
        0x007F_007F,
        Op::Fabs,
        "fabs",
        "$rd6,$rn6",
        &[Opnd::Rm6],
    );
    // Extended (not E16G301) ops: dc-20-1 = 1.
    for (op, name, code) in [(Op::Frecip, "frecip", 0u32), (Op::Fsqrt, "fsqrt", 1)] {
        let v = code << 4 | MISC | opc19(7) | 1 << 20;
        b.add(
            REAL | SFX_L,
            4,
            v,
            0x007F_007F,
            op,
            name,
            "$rd6,$rn6",
            &[Opnd::Rm6],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_bits_lie_inside_the_mask_and_operands_outside() {
        for f in forms() {
            assert_eq!(f.value & !f.mask, 0, "{} value outside mask", f.mnemonic);
            let limit = if f.size == 2 { 0xFFFF } else { u32::MAX };
            assert_eq!(f.mask & !limit, 0, "{} mask beyond its size", f.mnemonic);
            for o in f.operands() {
                let all = o.insert(0, -1);
                // Operands never overlap fixed bits, except where a macro pins them to zero.
                if f.has(DECODE) {
                    assert_eq!(
                        all & f.mask,
                        0,
                        "{} operand {o:?} overlaps the mask",
                        f.mnemonic
                    );
                }
            }
        }
    }

    #[test]
    fn real_forms_do_not_overlap() {
        let real: Vec<&Form> = forms().iter().filter(|f| f.has(DECODE)).collect();
        for (i, a) in real.iter().enumerate() {
            for c in &real[i + 1..] {
                if a.size != c.size {
                    continue;
                }
                let common = a.mask & c.mask;
                assert!(
                    a.value & common != c.value & common,
                    "{} and {} overlap",
                    a.mnemonic,
                    c.mnemonic
                );
            }
        }
    }
}
