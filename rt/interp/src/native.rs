//! Native specialisations called from byte code (issue 6, mixed programs). The driver hands
//! the interpreter a table of compiled functions, each with the arguments it takes; a
//! byte-code call whose arguments match one runs it, boxing and unboxing at the boundary
//! (tagged values as rt/abi `layout` describes them), else the byte code is interpreted.

use crate::value::Value;
use epyc_rt_abi::Tag;
use std::sync::atomic::{AtomicU64, Ordering};

/// A wrapper made by the host JIT: `(globals base, args: *const [tagged value], result:
/// *mut tagged value)`.
pub type BoxedFn = unsafe extern "C" fn(*mut u8, *const u8, *mut u8);

/// What an argument must be for a native function to take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    None,
    Bool,
    Int,
    /// An int >= 0.
    IntNonNeg,
    Float,
    Str,
}

impl ArgKind {
    fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (ArgKind::None, Value::None) => true,
            (ArgKind::Bool, Value::Bool(_)) => true,
            (ArgKind::Int, Value::Int(_)) => true,
            (ArgKind::IntNonNeg, Value::Int(i)) => *i >= 0,
            (ArgKind::Float, Value::Float(_)) => true,
            (ArgKind::Str, Value::Str(_)) => true,
            _ => false,
        }
    }
}

/// One native specialisation of byte-code function `func`.
#[derive(Clone, Debug)]
pub struct NativeFn {
    pub func: usize,
    pub args: Vec<ArgKind>,
    pub code: BoxedFn,
}

/// The native functions of a run and the globals block their code needs.
#[derive(Clone, Debug, Default)]
pub struct Natives {
    pub fns: Vec<NativeFn>,
    /// Bytes of each core's globals block the native code uses.
    pub globals_size: usize,
}

/// Calls that ran native code since the current run started (all cores).
static NATIVE_CALLS: AtomicU64 = AtomicU64::new(0);

/// How many byte-code calls ran native code in the last run (all cores): the evidence that
/// mixed execution happened, shown by `EPYC_MIXED_STATS=1 epyc run ...`.
pub fn native_calls() -> u64 {
    NATIVE_CALLS.load(Ordering::Relaxed)
}

pub(crate) fn reset_native_calls() {
    NATIVE_CALLS.store(0, Ordering::Relaxed);
}

/// Per byte-code function: its native specialisations.
pub(crate) fn by_function(natives: &Natives, nfuncs: usize) -> Vec<Vec<NativeFn>> {
    let mut table = vec![Vec::new(); nfuncs];
    for f in &natives.fns {
        if let Some(slot) = table.get_mut(f.func) {
            slot.push(f.clone());
        }
    }
    table
}

/// A tagged value as native code reads and writes it on this host.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Tagged {
    tag: usize,
    payload: usize,
}

/// Runs the native specialisation among `candidates` that takes `args`, if one does.
pub(crate) fn call(candidates: &[NativeFn], globals: *mut u8, args: &[Value]) -> Option<Value> {
    let f = candidates.iter().find(|f| {
        f.args.len() == args.len() && f.args.iter().zip(args).all(|(k, v)| k.accepts(v))
    })?;
    // String objects for the str arguments, alive for the call (u32 words: the length is
    // read aligned).
    let strings: Vec<Vec<u32>> = args
        .iter()
        .filter_map(|v| match v {
            Value::Str(s) => Some(string_object(s)),
            _ => None,
        })
        .collect();
    let mut next_string = strings.iter();
    let boxed: Vec<Tagged> = args
        .iter()
        .map(|v| match v {
            Value::Str(_) => Tagged {
                tag: Tag::Str as usize,
                payload: next_string.next().map_or(0, |o| o.as_ptr() as usize),
            },
            v => box_scalar(v),
        })
        .collect();
    let mut result = Tagged::default();
    NATIVE_CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: the wrapper reads `args.len()` tagged values (the arity it was made for, checked
    // above with the kinds) and writes one; `globals` is this core's block, at least
    // `Natives::globals_size` bytes.
    unsafe {
        (f.code)(
            globals,
            boxed.as_ptr() as *const u8,
            &mut result as *mut Tagged as *mut u8,
        )
    };
    drop(boxed);
    let value = if result.tag as u32 & 0xff == Tag::Str as u32 {
        // SAFETY: a str result is a string object (rt/abi layout::STR_*): native code made
        // it, or it is one of `strings`, still alive here.
        Value::Str(unsafe { crate::rt::str_text(result.payload as *const u8) }.into())
    } else {
        unbox(result)
    };
    drop(strings);
    Some(value)
}

/// A runtime string object (rt/abi `layout::STR_LEN`, `STR_BYTES`) holding `s`.
pub(crate) fn string_object(s: &str) -> Vec<u32> {
    let bytes = crate::rt::rt_str(s);
    let mut words = vec![0u32; bytes.len().div_ceil(4)];
    for (k, chunk) in bytes.chunks(4).enumerate() {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        words[k] = u32::from_ne_bytes(w);
    }
    words
}

fn box_scalar(v: &Value) -> Tagged {
    let (tag, bits) = match v {
        Value::Bool(b) => (Tag::Bool, *b as u32),
        Value::Int(i) => (Tag::Int, *i as u32),
        Value::Float(f) => (Tag::Float, f.to_bits()),
        _ => (Tag::None, 0),
    };
    Tagged {
        tag: tag as usize,
        payload: bits as usize,
    }
}

fn unbox(t: Tagged) -> Value {
    let bits = t.payload as u32;
    match Tag::from_u32(t.tag as u32 & 0xff) {
        Some(Tag::Bool) => Value::Bool(bits != 0),
        Some(Tag::Int) => Value::Int(bits as i32),
        Some(Tag::Float) => Value::Float(f32::from_bits(bits)),
        _ => Value::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use epyc_rt_abi::layout;

    #[test]
    fn tagged_matches_the_abi_layout() {
        let ptr = usize::BITS / 8;
        assert_eq!(
            layout::VALUE_TAG as usize,
            std::mem::offset_of!(Tagged, tag)
        );
        assert_eq!(
            layout::value_payload(ptr) as usize,
            std::mem::offset_of!(Tagged, payload)
        );
        assert_eq!(
            layout::value_size(ptr) as usize,
            std::mem::size_of::<Tagged>()
        );
    }

    #[test]
    fn scalars_round_trip_through_boxing() {
        for v in [
            Value::Int(-7),
            Value::Float(2.5),
            Value::Bool(true),
            Value::None,
        ] {
            let back = unbox(box_scalar(&v));
            assert_eq!(format!("{v:?}"), format!("{back:?}"));
        }
    }

    #[test]
    fn non_negative_int_arguments_only_match_non_negative_ints() {
        assert!(ArgKind::IntNonNeg.accepts(&Value::Int(0)));
        assert!(!ArgKind::IntNonNeg.accepts(&Value::Int(-1)));
        assert!(!ArgKind::Int.accepts(&Value::Bool(true)));
        assert!(!ArgKind::Float.accepts(&Value::Int(1)));
    }
}
