//! String operations of compiled code: conversions (`str(x)`, `"" + x`), concatenation,
//! repetition and comparison. Results are new strings in the calling core's heap.

use crate::core;
use crate::format;
use crate::heap::{self, str_bytes};
use crate::list_text::list_text;

/// A new string, or the core stops with OutOfMemory (these calls carry no position).
fn new_str(bytes: &[u8]) -> *mut u8 {
    heap::new_str(bytes).unwrap_or_else(|e| core::fail_plain(e, 0))
}

#[no_mangle]
pub extern "C" fn epyc_str_from_int(x: i32) -> *mut u8 {
    new_str(format::int(x).as_bytes())
}

#[no_mangle]
pub extern "C" fn epyc_str_from_float(x: f32) -> *mut u8 {
    new_str(format::float(x).as_bytes())
}

#[no_mangle]
pub extern "C" fn epyc_str_from_bool(b: i32) -> *mut u8 {
    new_str(format::bool(b).as_bytes())
}

/// # Safety
/// `list` is null or a list object whose elements have the types `tag_path` names
/// (see `list_text`).
#[no_mangle]
pub unsafe extern "C" fn epyc_str_from_list(list: *const u8, tag_path: i32) -> *mut u8 {
    new_str(list_text(list, tag_path).as_bytes())
}

/// # Safety
/// `a` and `b` are null or string objects.
#[no_mangle]
pub unsafe extern "C" fn epyc_str_concat(a: *const u8, b: *const u8) -> *mut u8 {
    let (a, b) = (str_bytes(a), str_bytes(b));
    let mut joined = Vec::with_capacity(a.len() + b.len());
    joined.extend_from_slice(a);
    joined.extend_from_slice(b);
    new_str(&joined)
}

/// # Safety
/// `s` is null or a string object.
#[no_mangle]
pub unsafe extern "C" fn epyc_str_repeat(s: *const u8, n: i32) -> *mut u8 {
    let s = str_bytes(s);
    let n = n.max(0) as usize;
    match s
        .len()
        .checked_mul(n)
        .filter(|&len| len <= u32::MAX as usize)
    {
        Some(_) => new_str(&s.repeat(n)),
        None => core::fail_plain(epyc_rt_abi::RtError::OutOfMemory, 0),
    }
}

/// # Safety
/// `a` and `b` are null or string objects.
#[no_mangle]
pub unsafe extern "C" fn epyc_str_cmp(a: *const u8, b: *const u8) -> i32 {
    match str_bytes(a).cmp(str_bytes(b)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}
