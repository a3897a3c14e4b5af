//! Runtime routines the generated code calls for what the chip has no instruction for. This is
//! the one place that names them. All follow the normal GCC calling convention (arguments in
//! r0/r1, result in r0, caller-saved registers clobbered); the libgcc ones keep libgcc's names
//! (with the C symbol prefix `_`, so `__divsi3` is the ELF symbol `___divsi3`) so that the
//! device runtime may link libgcc's or provide its own. The `epyc` ones are ours to provide.

/// A routine called by generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Routine {
    /// i32 × i32 → low 32 bits. Generated code multiplies inline with the FPU's integer mode
    /// (as GCC does), so only runtime code that wants a plain call uses this routine.
    MulSi3,
    /// signed / unsigned division and remainder (the chip has no divider).
    DivSi3,
    UDivSi3,
    ModSi3,
    UModSi3,
    /// high 32 bits of the 64-bit signed / unsigned product (from division-by-constant rewrites).
    SMulHi,
    UMulHi,
    /// f32 division and square root.
    DivSf3,
    SqrtF,
    /// f32 rounding functions.
    FloorF,
    CeilF,
    TruncF,
    NearestF,
    /// u32 → f32 and f32 → u32 (FLOAT/FIX are signed only).
    FloatUnSiSf,
    FixUnsSfSi,
    /// bit counting.
    ClzSi2,
    CtzSi2,
    PopcountSi2,
    /// CLIF `trap`: reports the trap code (r0) and ends the program.
    Trap,
    /// Called by a prologue that found the stack exhausted (`Flags::stack_check`), with the
    /// function's first source position (`SourceLoc` bits) in r0; reports the overflow and
    /// ends the program.
    StackOverflow,
}

/// Data word holding the lowest address sp may take (`Flags::stack_check`).
pub const STACK_LIMIT_SYMBOL: &str = "___epyc_stack_limit";

impl Routine {
    /// Every routine, for runtimes that check they define them all.
    pub const ALL: [Routine; 20] = [
        Routine::MulSi3,
        Routine::DivSi3,
        Routine::UDivSi3,
        Routine::ModSi3,
        Routine::UModSi3,
        Routine::SMulHi,
        Routine::UMulHi,
        Routine::DivSf3,
        Routine::SqrtF,
        Routine::FloorF,
        Routine::CeilF,
        Routine::TruncF,
        Routine::NearestF,
        Routine::FloatUnSiSf,
        Routine::FixUnsSfSi,
        Routine::ClzSi2,
        Routine::CtzSi2,
        Routine::PopcountSi2,
        Routine::Trap,
        Routine::StackOverflow,
    ];

    /// The ELF symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Routine::MulSi3 => "___mulsi3",
            Routine::DivSi3 => "___divsi3",
            Routine::UDivSi3 => "___udivsi3",
            Routine::ModSi3 => "___modsi3",
            Routine::UModSi3 => "___umodsi3",
            Routine::SMulHi => "___epyc_smulhi",
            Routine::UMulHi => "___epyc_umulhi",
            Routine::DivSf3 => "___divsf3",
            Routine::SqrtF => "_sqrtf",
            Routine::FloorF => "_floorf",
            Routine::CeilF => "_ceilf",
            Routine::TruncF => "_truncf",
            Routine::NearestF => "_nearbyintf",
            Routine::FloatUnSiSf => "___floatunsisf",
            Routine::FixUnsSfSi => "___fixunssfsi",
            Routine::ClzSi2 => "___clzsi2",
            Routine::CtzSi2 => "___ctzsi2",
            Routine::PopcountSi2 => "___popcountsi2",
            Routine::Trap => "___epyc_trap",
            Routine::StackOverflow => "___epyc_stack_overflow",
        }
    }

    /// Number of 32-bit arguments (each result is one word in r0).
    pub fn arity(self) -> usize {
        match self {
            Routine::MulSi3
            | Routine::DivSi3
            | Routine::UDivSi3
            | Routine::ModSi3
            | Routine::UModSi3
            | Routine::SMulHi
            | Routine::UMulHi
            | Routine::DivSf3 => 2,
            _ => 1,
        }
    }
}
