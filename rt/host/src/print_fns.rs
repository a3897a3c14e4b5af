//! `print` of each kind of value, and `input`, through the monitor.

use crate::core;
use crate::format;
use crate::heap;

fn print_line(text: &[u8]) {
    let ctx = core::current();
    ctx.world.monitor.print(ctx.id, text);
}

#[no_mangle]
pub extern "C" fn epyc_print_int(x: i32) {
    print_line(format::int(x).as_bytes());
}

#[no_mangle]
pub extern "C" fn epyc_print_float(x: f32) {
    print_line(format::float(x).as_bytes());
}

#[no_mangle]
pub extern "C" fn epyc_print_bool(b: i32) {
    print_line(format::bool(b).as_bytes());
}

#[no_mangle]
pub extern "C" fn epyc_print_none() {
    print_line(format::NONE.as_bytes());
}

/// # Safety
/// `s` is null or a string object.
#[no_mangle]
pub unsafe extern "C" fn epyc_print_str(s: *const u8) {
    print_line(heap::str_bytes(s));
}

/// # Safety
/// `prompt` is null (`input()`) or a string object (`input("msg")`).
#[no_mangle]
pub unsafe extern "C" fn epyc_input(prompt: *const u8) -> *mut u8 {
    let ctx = core::current();
    let prompt = (!prompt.is_null()).then(|| heap::str_bytes(prompt));
    let line = ctx.world.monitor.input(ctx.id, prompt);
    heap::new_str(&line).unwrap_or_else(|e| core::fail_plain(e, 0))
}
