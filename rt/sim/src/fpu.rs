//! Bit-exact FPU semantics of Adapteva's simulator (`sim/epiphany/epiphany-fp.c`, the one the
//! oracle outputs were produced with; spec §2.4): denormal inputs flushed to signed zero, the
//! operation evaluated exactly, rounded to double precision in a direction chosen from the signs
//! ("macResRoundAdjust": toward zero, or away from zero for an effective FMADD/FMSUB addition),
//! then to single precision in the CONFIG rounding mode; denormal results flushed to zero.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpOp {
    Add,
    Sub,
    Mul,
    Madd,
    Msub,
}

/// Result bits and the exception flags the operation raised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpResult {
    pub bits: u32,
    pub overflow: bool,
    pub underflow: bool,
    pub invalid: bool,
}

fn is_denormal(x: u32) -> bool {
    (x >> 23) & 0xff == 0 && x & 0x7f_ffff != 0
}
fn is_nan(x: u32) -> bool {
    (x >> 23) & 0xff == 0xff && x & 0x7f_ffff != 0
}
fn flush(x: u32) -> u32 {
    if is_denormal(x) {
        x & 0x8000_0000
    } else {
        x
    }
}

/// The next f64 toward zero (`away == false`) or away from zero.
fn step(x: f64, away: bool) -> f64 {
    let b = x.to_bits();
    f64::from_bits(if away { b + 1 } else { b - 1 })
}

/// `a + b` rounded to double toward zero or away from zero (exact inputs in f64).
fn directed_sum(a: f64, b: f64, away: bool) -> f64 {
    let s = a + b;
    if !s.is_finite() || s == 0.0 {
        return s;
    }
    // TwoSum: a + b == s + e exactly.
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    if e == 0.0 {
        return s;
    }
    let same_sign = (e > 0.0) == (s > 0.0);
    match (away, same_sign) {
        (true, true) => step(s, true),
        (false, false) => step(s, false),
        _ => s,
    }
}

/// f64 → f32 toward zero.
fn to_f32_toward_zero(x: f64) -> f32 {
    if x.is_nan() {
        return x as f32;
    }
    let f = x as f32;
    if f.is_infinite() && x.is_finite() {
        return f32::MAX.copysign(x as f32);
    }
    if (f as f64).abs() > x.abs() {
        f32::from_bits(f.to_bits() - 1)
    } else {
        f
    }
}

/// FADD/FSUB/FMUL/FMADD/FMSUB in float mode. `acc` is rd's old value (for MADD/MSUB).
#[inline]
pub fn fcal(op: FpOp, acc: u32, rn: u32, rm: u32, truncate: bool) -> FpResult {
    // Fast path: normal or zero operands, round-to-nearest, FADD/FSUB/FMUL with a normal or an
    // exact zero result. Then the procedure below equals the host's correctly rounded f32
    // operation: a product of two floats is exact in double, and a sum whose exact value needs
    // more than 53 bits has its small operand far below half an ulp, so the toward-zero double
    // rounding cannot move it across a rounding midpoint; exact zeros keep IEEE signs.
    let plain = |x: u32| {
        let e = (x >> 23) & 0xff;
        e != 0xff && (e != 0 || x & 0x7f_ffff == 0)
    };
    if !truncate && plain(rn) && plain(rm) && !matches!(op, FpOp::Madd | FpOp::Msub) {
        let (a, b) = (f32::from_bits(rn), f32::from_bits(rm));
        let r = match op {
            FpOp::Add => a + b,
            FpOp::Sub => a - b,
            _ => a * b,
        };
        let bits = r.to_bits();
        let e = (bits >> 23) & 0xff;
        let exact_zero = bits & 0x7fff_ffff == 0
            && (op != FpOp::Mul || rn & 0x7fff_ffff == 0 || rm & 0x7fff_ffff == 0);
        if (e != 0 && e != 255) || exact_zero {
            return FpResult {
                bits,
                overflow: false,
                underflow: false,
                invalid: false,
            };
        }
    }
    fcal_exact(op, acc, rn, rm, truncate)
}

fn fcal_exact(op: FpOp, acc: u32, rn: u32, rm: u32, truncate: bool) -> FpResult {
    let d1 = f32::from_bits(flush(acc)) as f64;
    let d2 = f32::from_bits(flush(rn)) as f64;
    let d3 = f32::from_bits(flush(rm)) as f64;
    // The exact operation is a + b with a, b exact doubles (a float product has 48 bits).
    let (a, b) = match op {
        FpOp::Add => (d2, d3),
        FpOp::Sub => (d2, -d3),
        // Adding -0 keeps the product (including the sign of a zero product).
        FpOp::Mul => (d2 * d3, -0.0),
        FpOp::Madd => (d1, d2 * d3),
        FpOp::Msub => (d1, -(d2 * d3)),
    };
    let nearest = a + b;
    let prod_pos = (d2 > 0.0 && d3 > 0.0) || (d2 < 0.0 && d3 < 0.0);
    let prod_neg = (d2 > 0.0 && d3 < 0.0) || (d2 < 0.0 && d3 > 0.0);
    let adjust = match op {
        FpOp::Madd => (d1 > 0.0 && prod_pos) || (d1 < 0.0 && prod_neg),
        FpOp::Msub => (d1 > 0.0 && prod_neg) || (d1 < 0.0 && prod_pos),
        _ => false,
    };
    let result: f32 = if truncate {
        to_f32_toward_zero(directed_sum(a, b, false))
    } else if nearest != 0.0 && nearest.is_finite() {
        directed_sum(a, b, adjust) as f32
    } else {
        nearest as f32
    };
    let mut bits = result.to_bits();
    let inputs_nan =
        is_nan(rn) || is_nan(rm) || (matches!(op, FpOp::Madd | FpOp::Msub) && is_nan(acc));
    if matches!(op, FpOp::Madd | FpOp::Msub) && is_nan(acc) {
        bits = acc;
    }
    if is_nan(rm) {
        bits = rm;
    }
    if is_nan(rn) {
        bits = rn;
    }
    let mut invalid = false;
    if is_nan(bits) {
        if !inputs_nan {
            bits &= 0x7fff_ffff;
        }
        invalid = true;
    }
    let inputs_finite = d1.is_finite() && d2.is_finite() && d3.is_finite();
    let overflow = result.is_infinite() && inputs_finite;
    let underflow = nearest != 0.0 && nearest.is_finite() && (result == 0.0 || is_denormal(bits));
    bits = flush(bits);
    FpResult {
        bits,
        overflow,
        underflow,
        invalid,
    }
}

/// FIX: float → int32 (NaN → by sign, denormal → 0, saturating, TRM truncates, else round
/// half away from zero as C `round()`).
pub fn fix(rn: u32, truncate: bool) -> (u32, bool) {
    if is_nan(rn) {
        return (
            if rn & 0x8000_0000 != 0 {
                0x8000_0000
            } else {
                0x7fff_ffff
            },
            true,
        );
    }
    if is_denormal(rn) {
        return (0, false);
    }
    let f = f32::from_bits(rn);
    // The C code compares with (float)INT_MAX == 2^31; 2^31 itself converts to INT_MIN on x86.
    if f > 2_147_483_648.0 {
        return (0x7fff_ffff, true);
    }
    if f < -2_147_483_648.0 {
        return (0x8000_0000, true);
    }
    let r = if truncate { f.trunc() } else { f.round() };
    if r >= 2_147_483_648.0 {
        return (0x8000_0000, true);
    }
    (r as i32 as u32, false)
}

/// FLOAT: int32 → float in the host rounding mode (CONFIG.TRM selects toward zero).
pub fn float(rn: u32, truncate: bool) -> u32 {
    let v = rn as i32;
    let f = v as f32;
    if truncate && (f as f64).abs() > (v as f64).abs() {
        return f32::from_bits(f.to_bits() - 1).to_bits();
    }
    f.to_bits()
}

/// FABS: flush a denormal to zero, clear the sign.
pub fn fabs(rn: u32) -> u32 {
    flush(rn) & 0x7fff_ffff
}

/// Integer-mode (CONFIG.ARITHMODE = 100) IADD/ISUB/IMUL/IMADD/IMSUB: 64-bit arithmetic, low 32
/// bits kept. Returns (result, BN, BZ) with BZ from bits 30:0 only, as the oracle does.
pub fn icommon(op: FpOp, acc: u32, rn: u32, rm: u32) -> (u32, bool, bool) {
    let (a1, a2, a3) = (acc as i32 as i64, rn as i32 as i64, rm as i32 as i64);
    let r = match op {
        FpOp::Add => a2.wrapping_add(a3),
        FpOp::Sub => a2.wrapping_sub(a3),
        FpOp::Mul => a2.wrapping_mul(a3),
        FpOp::Madd => a1.wrapping_add(a2.wrapping_mul(a3)),
        FpOp::Msub => a1.wrapping_sub(a2.wrapping_mul(a3)),
    };
    (r as u32, r & 0x8000_0000 != 0, r & 0x7fff_ffff == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f32) -> u32 {
        x.to_bits()
    }

    #[test]
    fn plain_ops_round_to_nearest() {
        assert_eq!(fcal(FpOp::Add, 0, f(1.5), f(2.25), false).bits, f(3.75));
        assert_eq!(
            fcal(FpOp::Mul, 0, f(0.1), f(3.0), false).bits,
            f(0.1f32 * 3.0)
        );
        assert_eq!(fcal(FpOp::Sub, 0, f(1.0), f(1.0), false).bits, 0);
    }

    #[test]
    fn denormals_flush() {
        assert_eq!(fcal(FpOp::Add, 0, 1, 0, false).bits, 0);
        assert_eq!(fcal(FpOp::Mul, 0, f(1e-20), f(1e-20), false).bits, 0);
        assert!(fcal(FpOp::Mul, 0, f(1e-20), f(1e-20), false).underflow);
    }

    #[test]
    fn overflow_and_nan() {
        let r = fcal(FpOp::Mul, 0, f(1e30), f(1e30), false);
        assert!(r.overflow && r.bits == f(f32::INFINITY));
        let r = fcal(FpOp::Sub, 0, f(f32::INFINITY), f(f32::INFINITY), false);
        assert!(r.invalid && r.bits == 0x7fc0_0000);
    }

    #[test]
    fn truncate_mode() {
        assert_eq!(fcal(FpOp::Add, 0, f(1.0), f(3.0e-8), true).bits, f(1.0));
        assert_eq!(
            fcal(FpOp::Add, 0, f(1.0), f(1.0e-7), false).bits,
            f(1.0 + 1.0e-7)
        );
    }

    /// The fast path agrees with the exact procedure on many random operands.
    #[test]
    fn fast_path_matches_exact_procedure() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        };
        for _ in 0..200_000 {
            let (mut a, mut b) = (next(), next());
            // Bias exponents together so sums cancel and round often; some zeros.
            if a & 1 == 0 {
                b = (b & 0x807f_ffff) | (a & 0x7f80_0000);
            }
            if a & 0x1c == 0 {
                b &= 0x8000_0000;
            }
            if a & 0xe0 == 0 {
                b = a;
            }
            if a & 2 == 0 {
                a &= 0xbfff_ffff;
            }
            for op in [FpOp::Add, FpOp::Sub, FpOp::Mul] {
                assert_eq!(
                    fcal(op, 0, a, b, false),
                    fcal_exact(op, 0, a, b, false),
                    "{op:?} {a:08x} {b:08x}"
                );
            }
        }
    }

    /// Every operation, in both rounding modes, against an independent exact model of the
    /// oracle's procedure: the exact result as a scaled 128-bit integer; to nearest: rounded to
    /// 53 bits toward zero (away from zero for an effective FMADD/FMSUB addition), then to
    /// single precision to nearest; truncating: to 24 bits toward zero.
    #[test]
    fn all_operations_match_exact_integer_model() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // Floats with exponents in [-10, 10] so every value fits a common scale of 2^-66.
        let gen = |n: u64| -> u32 {
            let sign = ((n >> 40) & 1) as u32;
            let exp = 117 + (n >> 41) as u32 % 21;
            sign << 31 | exp << 23 | (n as u32 & 0x7f_ffff)
        };
        let scaled = |bits: u32| -> i128 {
            let m = (bits & 0x7f_ffff | 0x80_0000) as i128;
            let e = ((bits >> 23) & 0xff) as i32 - 127 - 23;
            (if bits >> 31 != 0 { -m } else { m }) << (e + 33) as u32
        };
        // Keep `bits` significant bits of |v|: toward zero, or away from zero if `away`.
        let round = |v: u128, bits: u32, away: bool| -> u128 {
            let len = 128 - v.leading_zeros();
            if len <= bits {
                return v;
            }
            let drop = len - bits;
            let lost = v & ((1u128 << drop) - 1);
            ((v >> drop) + (away && lost != 0) as u128) << drop
        };
        let ops = [FpOp::Add, FpOp::Sub, FpOp::Mul, FpOp::Madd, FpOp::Msub];
        for _ in 0..60_000 {
            let (a1, a2, mut a3) = (gen(next()), gen(next()), gen(next()));
            if next() & 1 == 0 {
                // Bring operands close so results cancel or tie often.
                a3 = (a3 & 0x807f_ffff) | (a2 & 0x7f80_0000);
            }
            for op in ops {
                // Values scaled by 2^66 (each operand by 2^33, so products by 2^66).
                let (v1, v2, v3) = (scaled(a1) << 33, scaled(a2), scaled(a3));
                let (acc, term) = match op {
                    FpOp::Add => (v2 << 33, v3 << 33),
                    FpOp::Sub => (v2 << 33, -(v3 << 33)),
                    FpOp::Mul => (0, v2 * v3),
                    FpOp::Madd => (v1, v2 * v3),
                    FpOp::Msub => (v1, -(v2 * v3)),
                };
                let exact = acc + term;
                if exact == 0 {
                    continue;
                }
                let fused = matches!(op, FpOp::Madd | FpOp::Msub);
                let away = fused && acc != 0 && (acc > 0) == (term > 0);
                for truncate in [false, true] {
                    let mag = if truncate {
                        round(exact.unsigned_abs(), 24, false)
                    } else {
                        round(exact.unsigned_abs(), 53, away)
                    };
                    let d = mag as f64 * 2f64.powi(-66);
                    let want = if exact < 0 { -d } else { d } as f32;
                    let got = fcal(op, a1, a2, a3, truncate);
                    if want.is_normal() {
                        assert_eq!(
                            got.bits,
                            want.to_bits(),
                            "{op:?} trunc={truncate} {a1:08x} {a2:08x} {a3:08x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fix_rounds_half_away() {
        assert_eq!(fix(f(2.5), false).0, 3);
        assert_eq!(fix(f(-2.5), false).0 as i32, -3);
        assert_eq!(fix(f(2.7), true).0, 2);
        assert_eq!(fix(f(3e9), false).0, 0x7fff_ffff);
    }
}
