//! Text of scalar values exactly as ePython prints them (spec §9): int `%d`, float C `%f` of
//! the float32 promoted to double, bool `true`/`false`, none `NONE`.
//!
//! The float conversion is done here with exact integer arithmetic instead of relying on any
//! library's rounding: `%f` prints the exact binary value rounded to 6 decimals, ties to even
//! (glibc's behaviour in the default rounding mode), never with an exponent.

/// C `printf("%f", (double)x)` for a float32 `x`.
pub fn float(x: f32) -> String {
    let bits = x.to_bits();
    let negative = bits >> 31 == 1;
    let sign = if negative { "-" } else { "" };
    if x.is_nan() {
        // glibc prints the sign of a NaN too ("-nan" for x86's default NaN).
        return format!("{sign}nan");
    }
    if x.is_infinite() {
        return format!("{sign}inf");
    }
    let exp_field = (bits >> 23) & 0xff;
    let frac_field = bits & 0x7f_ffff;
    // value = mantissa * 2^exp exactly.
    let (mantissa, exp) = if exp_field == 0 {
        (frac_field, -149i32)
    } else {
        (frac_field | 0x80_0000, exp_field as i32 - 150)
    };
    let micros: u128 = if exp >= 0 {
        // An integer (at most 2^128 - 2^104); no fractional digits.
        let whole = (mantissa as u128) << exp;
        return format!("{sign}{whole}.000000");
    } else {
        let shift = (-exp) as u32;
        let scaled = mantissa as u128 * 1_000_000; // < 2^44
        if shift >= 64 {
            // scaled < 2^44 < 2^(shift-1): rounds down to zero.
            0
        } else {
            let q = scaled >> shift;
            let r = scaled & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        }
    };
    format!("{sign}{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

/// `%d`.
pub fn int(x: i32) -> String {
    x.to_string()
}

pub fn bool(b: i32) -> &'static str {
    if b != 0 {
        "true"
    } else {
        "false"
    }
}

pub const NONE: &str = "NONE";

/// Python's `repr` of a string (used for strings inside printed lists: `['a', 'b']`).
pub fn str_repr(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_match_c_printf() {
        // Expected strings are what C's printf("%f", (double)x) prints for each float32.
        let table: &[(f32, &str)] = &[
            (0.0, "0.000000"),
            (-0.0, "-0.000000"),
            (1.0, "1.000000"),
            (0.1, "0.100000"),
            (2.0 / 3.0, "0.666667"),
            (1234.5678, "1234.567749"),
            (1e6, "1000000.000000"),
            (0.0000004, "0.000000"),
            (0.0000006, "0.000001"),
            (100.0 / 3.0, "33.333332"),
            (-2.5, "-2.500000"),
            (std::f32::consts::PI, "3.141593"),
            (123456789.0, "123456792.000000"),
            (16777217.0, "16777216.000000"),
            (1e30, "1000000015047466219876688855040.000000"),
            (1e10, "10000000000.000000"),
            (1e-7, "0.000000"),
            (-1e-7, "-0.000000"),
            (f32::MAX, "340282346638528859811704183484516925440.000000"),
            (f32::MIN_POSITIVE, "0.000000"),
            (1.0 / 128.0, "0.007812"), // exact tie 7812.5 -> even
            (3.0 / 128.0, "0.023438"), // exact tie 23437.5 -> even
            (0.5, "0.500000"),
            (f32::INFINITY, "inf"),
            (f32::NEG_INFINITY, "-inf"),
            (f32::NAN, "nan"),
            (-f32::NAN, "-nan"),
            (2147483648.0, "2147483648.000000"),
            (-0.0000005, "-0.000000"),
            (0.3, "0.300000"),
            (7.389056, "7.389056"),
        ];
        for &(x, want) in table {
            assert_eq!(float(x), want, "formatting {x:e} (bits {:#x})", x.to_bits());
        }
    }

    #[test]
    fn ints_and_bools() {
        assert_eq!(int(-2147483648), "-2147483648");
        assert_eq!(int(42), "42");
        assert_eq!(bool(1), "true");
        assert_eq!(bool(0), "false");
    }

    #[test]
    fn string_repr_is_pythons() {
        assert_eq!(str_repr(b"ab"), "'ab'");
        assert_eq!(str_repr(b"it's"), "\"it's\"");
        assert_eq!(str_repr(b"a\nb"), "'a\\nb'");
        assert_eq!(str_repr(b"'\""), "'\\'\"'");
    }
}
