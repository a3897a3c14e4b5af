//! Operand kinds and where their bits live in an instruction word (CGEN's `f-*` fields of
//! cpu/epiphany.cpu, numbered from bit 0 = least significant bit of the fetched word).

/// One operand placeholder of the instruction table (`$name` in a syntax template).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opnd {
    /// 3-bit destination register, bits 15:13.
    Rd,
    /// 3-bit source register, bits 12:10.
    Rn,
    /// 3-bit source register, bits 9:7.
    Rm,
    /// 6-bit destination register: bits 31:29 (high part) and 15:13.
    Rd6,
    /// 6-bit source register: bits 28:26 and 12:10.
    Rn6,
    /// 6-bit source register: bits 25:23 and 9:7.
    Rm6,
    /// 3-bit special (core group) register number, bits 12:10.
    Sn,
    /// 6-bit special register number: bits 28:26 and 12:10; the group is fixed by the form.
    Sn6,
    /// Signed 3-bit immediate, bits 9:7.
    Simm3,
    /// Signed 11-bit immediate: bits 23:16 (high 8) and 9:7 (low 3).
    Simm11,
    /// Unsigned 3-bit displacement, bits 9:7, scaled by the access width.
    Disp3,
    /// Unsigned 11-bit displacement magnitude (23:16 and 9:7), scaled by the access width.
    Disp11,
    /// Sign of `Disp11`, bit 24 (1 = subtract).
    Dpmi,
    /// Sign of an index register, bit 20 (1 = subtract).
    Dir,
    /// Unsigned 8-bit immediate, bits 12:5.
    Imm8,
    /// Unsigned 16-bit immediate: bits 27:20 (high 8) and 12:5 (low 8).
    Imm16,
    /// 5-bit shift amount, bits 9:5.
    Shift,
    /// Signed 8-bit branch displacement in halfwords, bits 15:8.
    Simm8,
    /// Signed 24-bit branch displacement in halfwords, bits 31:8.
    Simm24,
    /// 6-bit trap number, bits 15:10.
    Trap6,
    /// 6-bit software-interrupt number, bits 15:10.
    Swi6,
}

/// A contiguous bit range of the instruction word.
#[derive(Clone, Copy, Debug)]
pub struct Bits {
    pub lsb: u8,
    pub width: u8,
}

impl Opnd {
    /// The bit ranges holding the operand's raw value, most significant part first.
    pub fn bits(self) -> &'static [Bits] {
        match self {
            Opnd::Rd => &[Bits { lsb: 13, width: 3 }],
            Opnd::Rn | Opnd::Sn => &[Bits { lsb: 10, width: 3 }],
            Opnd::Rm | Opnd::Simm3 | Opnd::Disp3 => &[Bits { lsb: 7, width: 3 }],
            Opnd::Rd6 => &[Bits { lsb: 29, width: 3 }, Bits { lsb: 13, width: 3 }],
            Opnd::Rn6 | Opnd::Sn6 => &[Bits { lsb: 26, width: 3 }, Bits { lsb: 10, width: 3 }],
            Opnd::Rm6 => &[Bits { lsb: 23, width: 3 }, Bits { lsb: 7, width: 3 }],
            Opnd::Simm11 | Opnd::Disp11 => &[Bits { lsb: 16, width: 8 }, Bits { lsb: 7, width: 3 }],
            Opnd::Dpmi => &[Bits { lsb: 24, width: 1 }],
            Opnd::Dir => &[Bits { lsb: 20, width: 1 }],
            Opnd::Imm8 => &[Bits { lsb: 5, width: 8 }],
            Opnd::Imm16 => &[Bits { lsb: 20, width: 8 }, Bits { lsb: 5, width: 8 }],
            Opnd::Shift => &[Bits { lsb: 5, width: 5 }],
            Opnd::Simm8 => &[Bits { lsb: 8, width: 8 }],
            Opnd::Simm24 => &[Bits { lsb: 8, width: 24 }],
            Opnd::Trap6 | Opnd::Swi6 => &[Bits { lsb: 10, width: 6 }],
        }
    }

    /// Whether the raw value is two's complement signed.
    pub fn signed(self) -> bool {
        matches!(
            self,
            Opnd::Simm3 | Opnd::Simm11 | Opnd::Simm8 | Opnd::Simm24
        )
    }

    /// Total width in bits of the raw value.
    pub fn width(self) -> u32 {
        self.bits().iter().map(|p| p.width as u32).sum()
    }

    /// The raw field value (sign-extended for signed operands).
    pub fn extract(self, word: u32) -> i32 {
        let mut v: u32 = 0;
        for p in self.bits() {
            v = (v << p.width) | ((word >> p.lsb) & ((1u32 << p.width) - 1));
        }
        let w = self.width();
        if self.signed() {
            ((v << (32 - w)) as i32) >> (32 - w)
        } else {
            v as i32
        }
    }

    /// Whether `raw` is representable in the field.
    pub fn fits(self, raw: i32) -> bool {
        let w = self.width();
        if self.signed() {
            let lo = -(1i64 << (w - 1));
            let hi = (1i64 << (w - 1)) - 1;
            (lo..=hi).contains(&(raw as i64))
        } else {
            raw >= 0 && (raw as i64) < (1i64 << w)
        }
    }

    /// Put `raw` (which must fit) into `word`.
    pub fn insert(self, word: u32, raw: i32) -> u32 {
        let mut v = raw as u32 & mask_bits(self.width());
        let mut out = word;
        for p in self.bits().iter().rev() {
            let m = mask_bits(p.width as u32);
            out = (out & !(m << p.lsb)) | ((v & m) << p.lsb);
            v >>= p.width;
        }
        out
    }

    /// Parse the name used in syntax templates (`rd6`, `simm3`, ...).
    pub fn from_name(name: &str) -> Option<Opnd> {
        Some(match name {
            "rd" => Opnd::Rd,
            "rn" => Opnd::Rn,
            "rm" => Opnd::Rm,
            "rd6" => Opnd::Rd6,
            "rn6" => Opnd::Rn6,
            "rm6" => Opnd::Rm6,
            "sn" => Opnd::Sn,
            "sn6" => Opnd::Sn6,
            "simm3" => Opnd::Simm3,
            "simm11" => Opnd::Simm11,
            "disp3" => Opnd::Disp3,
            "disp11" => Opnd::Disp11,
            "dpmi" => Opnd::Dpmi,
            "direction" => Opnd::Dir,
            "imm8" => Opnd::Imm8,
            "imm16" => Opnd::Imm16,
            "shift" => Opnd::Shift,
            "simm8" => Opnd::Simm8,
            "simm24" => Opnd::Simm24,
            "trapnum6" => Opnd::Trap6,
            "swi_num" => Opnd::Swi6,
            _ => return None,
        })
    }
}

fn mask_bits(width: u32) -> u32 {
    if width >= 32 {
        u32::MAX
    } else {
        (1u32 << width) - 1
    }
}

/// GPR names as objdump prints them: the preferred aliases fp, sp, lr, otherwise rN.
pub fn gpr_name(r: u8) -> String {
    match r {
        11 => "fp".to_string(),
        13 => "sp".to_string(),
        14 => "lr".to_string(),
        _ => format!("r{r}"),
    }
}

/// Parse a GPR name (any of GNU's aliases), case-insensitively.
pub fn parse_gpr(name: &str) -> Option<u8> {
    let n = name.to_ascii_lowercase();
    let alias = match n.as_str() {
        "fp" => Some(11),
        "sp" => Some(13),
        "lr" => Some(14),
        "sb" => Some(9),
        "sl" => Some(10),
        "ip" => Some(12),
        _ => None,
    };
    if alias.is_some() {
        return alias;
    }
    let (prefix, base) = if let Some(d) = n.strip_prefix('r') {
        (d, 0)
    } else if let Some(d) = n.strip_prefix('a') {
        (d, -1)
    } else if let Some(d) = n.strip_prefix('v') {
        (d, 3)
    } else {
        return None;
    };
    if prefix.is_empty() || !prefix.bytes().all(|c| c.is_ascii_digit()) || prefix.len() > 2 {
        return None;
    }
    if prefix.len() == 2 && prefix.starts_with('0') {
        return None;
    }
    let v: i32 = prefix.parse().ok()?;
    let r = v + base;
    let ok = match base {
        0 => (0..64).contains(&v),
        -1 => (1..=4).contains(&v),
        _ => (1..=8).contains(&v),
    };
    ok.then_some(r as u8)
}

/// Special register names by group (CGEN `cr-names`, `crdma-names`, `crmem-names`,
/// `crmesh-names`); index = register number inside the group.
pub const SREG_NAMES: [&[&str]; 4] = [
    &[
        "config", "status", "pc", "debug", "iab", "lc", "ls", "le", "iret", "imask", "ilat",
        "ilatst", "ilatcl", "ipend", "ctimer0", "ctimer1", "hstatus",
    ],
    &[
        "dma0config",
        "dma0stride",
        "dma0count",
        "dma0srcaddr",
        "dma0dstaddr",
        "dma0auto0",
        "dma0auto1",
        "dma0status",
        "dma1config",
        "dma1stride",
        "dma1count",
        "dma1srcaddr",
        "dma1dstaddr",
        "dma1auto0",
        "dma1auto1",
        "dma1status",
    ],
    &["memconfig", "memstatus", "memprotect", "memreserve"],
    &["meshconfig", "coreid", "meshmulticast", "swreset"],
];

/// The name of register `index` in `group`, if it has one (the disassembler prints `???` for
/// an unnamed number, as CGEN's keyword printer does).
pub fn sreg_name(group: u32, index: u32) -> Option<&'static str> {
    SREG_NAMES.get(group as usize)?.get(index as usize).copied()
}

/// Look a special register name up in one group, case-insensitively.
pub fn parse_sreg(group: u32, name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    SREG_NAMES
        .get(group as usize)?
        .iter()
        .position(|s| *s == n)
        .map(|i| i as u32)
}
