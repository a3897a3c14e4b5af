//! C-style numeric literals -> Python spelling.

/// The Python spelling of an ePython numeric literal: `Ok(None)` when it is already Python,
/// `Ok(Some(text))` for a C form (leading-zero octal, `u/l/ul/ll/f` suffixes), `Err(help)` for a
/// literal ePython would accept but that has no value (an octal literal with digits 8 or 9).
/// Literals that are neither (e.g. `1x`) are left for the Python parser to report.
pub fn python_number(text: &str) -> Result<Option<String>, String> {
    let lower = text.to_ascii_lowercase();
    let radix = lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b");
    let suffix_chars: &[char] = if radix {
        &['u', 'l']
    } else {
        &['u', 'l', 'f', 'j']
    };
    let body_len = lower.trim_end_matches(suffix_chars).len();
    let (body, suffix) = (&text[..body_len], &lower[body_len..]);
    let is_float = !radix && body.contains(['.', 'e', 'E']);
    match suffix {
        "" => {}
        "f" | "l" if is_float => {}
        "u" | "l" | "ul" | "lu" | "ll" | "ull" | "llu" if !is_float => {}
        // Python's imaginary `j`, or letters that are no suffix at all: the parser decides.
        _ => return Ok(None),
    }
    let leading_zero_octal = !radix
        && !is_float
        && body.len() > 1
        && body.starts_with('0')
        && body.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    if leading_zero_octal {
        if body.contains(['8', '9']) {
            return Err(
                "a number with a leading 0 is octal (as in C); its digits must be 0-7".into(),
            );
        }
        return Ok(Some(format!("0o{}", &body[1..])));
    }
    Ok((!suffix.is_empty()).then(|| body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::python_number;

    #[test]
    fn c_forms_become_python() {
        assert_eq!(python_number("017"), Ok(Some("0o17".into())));
        assert_eq!(python_number("10u"), Ok(Some("10".into())));
        assert_eq!(python_number("10UL"), Ok(Some("10".into())));
        assert_eq!(python_number("7ll"), Ok(Some("7".into())));
        assert_eq!(python_number("0x1Fu"), Ok(Some("0x1F".into())));
        assert_eq!(python_number("1.5f"), Ok(Some("1.5".into())));
        assert_eq!(python_number("2e3L"), Ok(Some("2e3".into())));
        assert_eq!(python_number("017l"), Ok(Some("0o17".into())));
    }

    #[test]
    fn python_forms_stay() {
        for t in [
            "0", "00", "123", "0x1F", "0.5", "1.", "1e-3", "0o17", "3j", "1_000",
        ] {
            assert_eq!(python_number(t), Ok(None), "{t}");
        }
    }

    #[test]
    fn bad_octal_is_an_error() {
        assert!(python_number("019").is_err());
    }
}
