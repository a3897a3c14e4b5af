//! Core identity, stopping, and runtime errors raised by compiled code.

use crate::core;
use crate::heap;
use epyc_rt_abi::RtError;

#[no_mangle]
pub extern "C" fn epyc_coreid() -> i32 {
    core::current().id as i32
}

#[no_mangle]
pub extern "C" fn epyc_numcores() -> i32 {
    core::current().world.numcores() as i32
}

#[no_mangle]
pub extern "C" fn epyc_ishost() -> i32 {
    1
}

#[no_mangle]
pub extern "C" fn epyc_isdevice() -> i32 {
    0
}

/// Never returns (declared without `!` so its type matches the runtime contract's table).
#[no_mangle]
pub extern "C" fn epyc_exit() {
    core::exit()
}

#[no_mangle]
pub extern "C" fn epyc_error(code: i32, pos: i32) {
    match RtError::from_u32(code as u32) {
        Some(err) => core::fail_plain(err, pos),
        None => core::fail(
            RtError::TypeError,
            &format!("unknown runtime error code {code}"),
            pos,
        ),
    }
}

/// # Safety
/// `detail` is null or a string object.
#[no_mangle]
pub unsafe extern "C" fn epyc_error_detail(code: i32, detail: *const u8, pos: i32) {
    let detail = String::from_utf8_lossy(heap::str_bytes(detail)).into_owned();
    match RtError::from_u32(code as u32) {
        Some(err) => core::fail(err, &detail, pos),
        None => core::fail(
            RtError::TypeError,
            &format!("unknown runtime error code {code}: {detail}"),
            pos,
        ),
    }
}
