//! `rtl_math` and `**` on floats, in float32 through the C library's `*f` functions (as
//! ePython computes them).
//!
//! Op codes are ePython's: 0 sqrt, 1 sin, 2 cos, 3 tan, 4 asin, 5 acos, 6 atan, 7 sinh,
//! 8 cosh, 9 tanh, 10 floor, 11 ceil, 12 log, 13 log10, 14 random (ignores x); epyc adds
//! 15 exp and 16 fabs. Arguments outside a function's domain (sqrt of a negative, log of a
//! non-positive, asin/acos beyond ±1) are Python's "math domain error" (RtError::MathDomain).
//!
//! [`math`], [`error_detail`] and [`powf`] are public so that other runtimes (the device
//! monitor, which answers its cores' maths requests) compute exactly what host cores do.

use crate::core;
use crate::random;
use epyc_rt_abi::RtError;

pub const OP_EXP: i32 = 15;
pub const OP_FABS: i32 = 16;

/// f(x) for ePython's op code `op`, or the error that stops the core: `MathDomain` when x is
/// outside f's domain (NaN is passed through, as Python does), `TypeError` for an unknown
/// code. Op 14 (random) ignores x and draws a `randint` from `rng`, the calling core's
/// generator state (see [`crate::random`]).
pub fn math(op: i32, x: f32, rng: &mut u64) -> Result<f32, RtError> {
    let domain = |ok: bool| {
        if ok || x.is_nan() {
            Ok(())
        } else {
            Err(RtError::MathDomain)
        }
    };
    Ok(match op {
        0 => {
            domain(x >= 0.0)?;
            x.sqrt()
        }
        1 => x.sin(),
        2 => x.cos(),
        3 => x.tan(),
        4 => {
            domain((-1.0..=1.0).contains(&x))?;
            x.asin()
        }
        5 => {
            domain((-1.0..=1.0).contains(&x))?;
            x.acos()
        }
        6 => x.atan(),
        7 => x.sinh(),
        8 => x.cosh(),
        9 => x.tanh(),
        10 => x.floor(),
        11 => x.ceil(),
        12 => {
            domain(x > 0.0)?;
            x.ln()
        }
        13 => {
            domain(x > 0.0)?;
            x.log10()
        }
        14 => random::randint(rng) as f32,
        OP_EXP => x.exp(),
        OP_FABS => x.abs(),
        _ => return Err(RtError::TypeError),
    })
}

/// The detail for `err.message(..)` of an error [`math`] returned for `op`.
pub fn error_detail(op: i32, err: RtError) -> String {
    match err {
        RtError::TypeError => format!("unknown math operation code {op}"),
        _ => String::new(),
    }
}

/// `x ** y` on floats.
pub fn powf(x: f32, y: f32) -> f32 {
    x.powf(y)
}

#[no_mangle]
pub extern "C" fn epyc_math(op: i32, x: f32) -> f32 {
    match random::with_core_state(|rng| math(op, x, rng)) {
        Ok(y) => y,
        Err(e) => core::fail(e, &error_detail(op, e), 0),
    }
}

#[no_mangle]
pub extern "C" fn epyc_powf(x: f32, y: f32) -> f32 {
    powf(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_measured_on_the_reference() {
        let f = |op, x| crate::format::float(math(op, x, &mut 0).unwrap());
        assert_eq!(f(0, 2.0), "1.414214");
        assert_eq!(f(1, 0.5), "0.479426");
        assert_eq!(f(3, 1.0), "1.557408");
        assert_eq!(f(6, 1.0), "0.785398");
        assert_eq!(f(9, 0.5), "0.462117");
        assert_eq!(f(12, 10.0), "2.302585");
        assert_eq!(f(13, 1000.0), "3.000000");
        assert_eq!(f(10, 2.7), "2.000000");
        assert_eq!(f(OP_EXP, 2.0), "7.389056");
        assert_eq!(crate::format::float(epyc_powf(1.5, 2.0)), "2.250000");
    }

    #[test]
    fn domain_errors() {
        let rng = &mut 0;
        assert_eq!(math(0, -1.0, rng), Err(RtError::MathDomain));
        assert_eq!(math(12, 0.0, rng), Err(RtError::MathDomain));
        assert_eq!(math(4, 2.0, rng), Err(RtError::MathDomain));
        assert!(math(0, f32::NAN, rng).unwrap().is_nan());
        assert_eq!(math(99, 1.0, rng), Err(RtError::TypeError));
        assert_eq!(
            error_detail(99, RtError::TypeError),
            "unknown math operation code 99"
        );
    }
}
